"""Liaison pages: Victims' Right to Review requests (issue 13).
Included in liaison/urls.py (namespace "liaison")."""

urlpatterns = []
