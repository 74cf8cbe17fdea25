"""Case API routes, included under /api/v1/ (namespace "api").

The API authenticates itself (session or token) and answers 401/403, so its views are
marked `login_not_required` for Django's LoginRequiredMiddleware, which would redirect.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from cases.api.views import CaseViewSet

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
]
