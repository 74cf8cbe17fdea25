"""Referral files taken in through the browser (namespace "intake", under /intake/): upload,
progress, history.
"""

from django.urls import path  # noqa: F401

app_name = "intake"

urlpatterns: list = []
