"""Referral files sent by a force's system (issue 12), included under /api/v1/ (namespace "api").

The API authenticates itself (session or token) and answers 401/403, so its views are
marked `login_not_required` for Django's LoginRequiredMiddleware, which would redirect. An
id that is not a number is still the API's JSON 404: the view parses it.
"""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from cases.api.intake import ReferralBatchViewSet

urlpatterns = [
    path(
        "referral-batches/",
        login_not_required(ReferralBatchViewSet.as_view({"get": "list", "post": "create"})),
        name="referral-batch-list",
    ),
    path(
        "referral-batches/<str:pk>/",
        login_not_required(ReferralBatchViewSet.as_view({"get": "retrieve"})),
        name="referral-batch-detail",
    ),
]
