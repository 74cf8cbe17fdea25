"""Case API routes, included under /api/v1/ (namespace "api").

The API authenticates itself (session or token) and answers 401/403, so its views are
marked `login_not_required` for Django's LoginRequiredMiddleware, which would redirect.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from cases.api.linkage import ClusterViewSet, LinkViewSet
from cases.api.views import CaseViewSet
from cases.api.work import FindingViewSet, InquiryViewSet

urlpatterns = [
    path(
        "cases/",
        login_not_required(CaseViewSet.as_view({"get": "list"})),
        name="case-list",
    ),
    path(
        "cases/<str:reference>/",
        login_not_required(CaseViewSet.as_view({"get": "retrieve"})),
        name="case-detail",
    ),
    path(
        "cases/<str:reference>/events/",
        login_not_required(CaseViewSet.as_view({"post": "events"})),
        name="case-events",
    ),
    # The review's work on a case (issue 12): listed, raised and moved on by a force's system.
    path(
        "cases/<str:reference>/lines-of-inquiry/",
        login_not_required(InquiryViewSet.as_view({"get": "list", "post": "create"})),
        name="case-inquiry-list",
    ),
    path(
        "cases/<str:reference>/lines-of-inquiry/<str:pk>/",
        login_not_required(InquiryViewSet.as_view({"get": "retrieve", "patch": "partial_update"})),
        name="case-inquiry-detail",
    ),
    path(
        "cases/<str:reference>/findings/",
        login_not_required(FindingViewSet.as_view({"get": "list", "post": "create"})),
        name="case-finding-list",
    ),
    path(
        "cases/<str:reference>/findings/<str:pk>/",
        login_not_required(FindingViewSet.as_view({"get": "retrieve", "patch": "partial_update"})),
        name="case-finding-detail",
    ),
    # The person index (issue 10): clusters, the links inside them, a lead's decisions. An id
    # that is not a number is still the API's JSON 404 (not the site's page): views parse it.
    path(
        "linkage/clusters/",
        login_not_required(ClusterViewSet.as_view({"get": "list"})),
        name="linkage-cluster-list",
    ),
    path(
        "linkage/clusters/<str:pk>/",
        login_not_required(ClusterViewSet.as_view({"get": "retrieve"})),
        name="linkage-cluster-detail",
    ),
    path(
        "linkage/links/",
        login_not_required(LinkViewSet.as_view({"get": "list"})),
        name="linkage-link-list",
    ),
    path(
        "linkage/links/<str:pk>/confirm/",
        login_not_required(LinkViewSet.as_view({"post": "confirm"})),
        name="linkage-link-confirm",
    ),
    path(
        "linkage/links/<str:pk>/reject/",
        login_not_required(LinkViewSet.as_view({"post": "reject"})),
        name="linkage-link-reject",
    ),
]
