"""Full-text search over the documents of the cases a user may see (namespace
"document_search", under /documents/).
"""

from django.urls import path  # noqa: F401

app_name = "document_search"

urlpatterns: list = []
