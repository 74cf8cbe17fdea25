"""The two-step pages, under /accounts/ beside sign-in and password change."""

from django.urls import path

from beaconport.signin import views

urlpatterns = [
    path("two-step/", views.two_factor, name="two_factor"),
    path("two-step/verify/", views.two_factor_verify, name="two_factor_verify"),
    path("two-step/set-up/", views.two_factor_enrol, name="two_factor_enrol"),
    # "Stay signed in" on the timeout warning (issue 13): POST only, answers 204.
    path("session/extend/", views.session_extend_view, name="session_extend"),
]
