"""Full-text search over the documents of the cases a user may see (namespace
"document_search", under /documents/).
"""

from django.urls import path

from cases.views import document_search

app_name = "document_search"

urlpatterns = [
    path("search/", document_search.search, name="search"),
]
