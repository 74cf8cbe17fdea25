"""Liaison pages: Consent and support referrals (issue 13).
Included in liaison/urls.py (namespace "liaison")."""

from django.urls import path

from liaison.views import support

urlpatterns = [
    path("records/<int:pk>/consent/new/", support.consent_create, name="consent_create"),
    path("consent/<int:pk>/withdraw/", support.consent_withdraw, name="consent_withdraw"),
    path(
        "records/<int:pk>/referrals/new/",
        support.referral_create,
        name="support_referral_create",
    ),
    path("referrals/<int:pk>/made/", support.referral_made, name="support_referral_made"),
    path(
        "referrals/<int:pk>/outcome/",
        support.referral_outcome,
        name="support_referral_outcome",
    ),
]
