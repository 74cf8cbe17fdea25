"""Liaison pages: Messages to the victim drafted from templates (issue 13).
Included in liaison/urls.py (namespace "liaison")."""

urlpatterns = []
