"""Person index pages (namespace "people"): search, links, networks and access requests.

Every route that names a link or network answers 404 if it is not the user's to see.
"""

from django.urls import path  # noqa: F401 - routes are added by each page's module

app_name = "people"

urlpatterns = []
