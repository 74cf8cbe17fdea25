"""Liaison pages, one module per area; liaison/urls.py names them."""
