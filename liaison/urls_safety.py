"""Liaison pages: A victim's needs assessment and safety plan (issue 13).
Included in liaison/urls.py (namespace "liaison")."""

from django.urls import path

from liaison.views import safety

urlpatterns = [
    path("records/<int:pk>/needs/", safety.needs_edit, name="needs_edit"),
    path("records/<int:pk>/safety-plan/", safety.safety_plan_edit, name="safety_plan_edit"),
    path(
        "records/<int:pk>/safety-plan/review/",
        safety.safety_plan_review,
        name="safety_plan_review",
    ),
]
