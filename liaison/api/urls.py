"""Liaison API routes, included under /api/v1/liaison/ (namespace "api")."""

from django.contrib.auth.decorators import login_not_required
from django.urls import path

from liaison.api.views import FollowUpList, RecordList

urlpatterns = [
    path("records/", login_not_required(RecordList.as_view()), name="liaison-record-list"),
    path("followups/", login_not_required(FollowUpList.as_view()), name="liaison-followup-list"),
]
