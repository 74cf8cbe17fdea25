"""Person index pages (namespace "people"): search, links, networks and access requests.

Every route that names a link or network answers 404 if it is not the user's to see.
"""

from django.urls import path

from cases.views import search

app_name = "people"

urlpatterns = []

# Searching people in the user's own cases (investigators and leads).
urlpatterns += [path("search/", search.search, name="search")]
