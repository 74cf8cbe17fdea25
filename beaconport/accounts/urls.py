"""The user's own API tokens, under /accounts/."""

from django.urls import path

from beaconport.accounts import views

app_name = "accounts"

urlpatterns = [
    path("tokens/", views.tokens, name="tokens"),
    path("tokens/revoke/", views.token_revoke_view, name="token_revoke"),
]
