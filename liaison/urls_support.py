"""Liaison pages: Consent and support referrals (issue 13).
Included in liaison/urls.py (namespace "liaison")."""

urlpatterns = []
