"""Liaison pages: A victim's needs assessment and safety plan (issue 13).
Included in liaison/urls.py (namespace "liaison")."""

urlpatterns = []
