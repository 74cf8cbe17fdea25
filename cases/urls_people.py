"""Person index pages (namespace "people"): search, links, networks and access requests.

Every route that names a link or network answers 404 if it is not the user's to see.
"""

from django.urls import path

from cases.views import access_requests, linkage, networks, search

app_name = "people"

urlpatterns = []

# Access requests: an investigator asks for a linked case (or withdraws); a review lead decides.
urlpatterns += [
    path("access-requests/", access_requests.access_requests, name="access_requests"),
    path(
        "access-requests/<int:pk>/",
        access_requests.access_request_decide,
        name="access_request_decide",
    ),
    path(
        "access-requests/<int:pk>/withdraw/",
        access_requests.access_request_withdraw,
        name="access_request_withdraw",
    ),
    path(
        "access-requests/ask/<str:reference>/<str:ref>/",
        access_requests.access_request_ask,
        name="access_request_ask",
    ),
]

# Networks: the cases that shared people, phones, vehicles or postcodes tie (leads only).
urlpatterns += [
    path("networks/", networks.networks, name="networks"),
    path("networks/<int:pk>/", networks.network, name="network"),
]

# Searching people in the user's own cases (investigators and leads).
urlpatterns += [path("search/", search.search, name="search")]

# Links: a lead's review queue, one link with its reasons, and the decision (leads only).
urlpatterns += [
    path("links/", linkage.link_queue, name="links"),
    path("links/<int:pk>/", linkage.link_detail, name="link"),
    path("links/<int:pk>/decide/", linkage.link_decide, name="link_decide"),
]
