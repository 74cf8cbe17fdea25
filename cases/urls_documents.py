"""Case-file material on a case (namespace "documents", under /cases/): list, add, read,
download. Every route that names a case answers 404 if it is not yours.
"""

from django.urls import path  # noqa: F401

app_name = "documents"

urlpatterns: list = []
