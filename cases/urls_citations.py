"""Citations of documents by findings and lines of inquiry (namespace "citations", under
/cases/).
"""

from django.urls import path  # noqa: F401

app_name = "citations"

urlpatterns: list = []
