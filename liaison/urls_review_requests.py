"""Liaison pages: Victims' Right to Review requests (issue 13).
Included in liaison/urls.py (namespace "liaison")."""

from django.urls import path

from liaison.views import review_requests as views

urlpatterns = [
    path("review-requests/", views.review_requests, name="review_requests"),
    path(
        "records/<int:pk>/review-requests/new/",
        views.review_request_create,
        name="review_request_create",
    ),
    path("review-requests/<int:pk>/", views.review_request_page, name="review_request"),
    path(
        "review-requests/<int:pk>/acknowledge/",
        views.review_request_acknowledge,
        name="review_request_acknowledge",
    ),
    path(
        "review-requests/<int:pk>/delay/",
        views.review_request_delay,
        name="review_request_delay",
    ),
    path(
        "review-requests/<int:pk>/decide/",
        views.review_request_decide,
        name="review_request_decide",
    ),
    path(
        "review-requests/<int:pk>/withdraw/",
        views.review_request_withdraw,
        name="review_request_withdraw",
    ),
]
