"""A case exported as a PDF bundle for disclosure (namespace "export", under /cases/)."""

from django.urls import path  # noqa: F401

app_name = "export"

urlpatterns: list = []
