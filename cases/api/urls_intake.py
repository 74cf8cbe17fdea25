"""Referral files sent by a force's system (issue 12), included under /api/v1/ (namespace "api")."""

from django.contrib.auth.decorators import login_not_required  # noqa: F401
from django.urls import path  # noqa: F401

urlpatterns: list = []
