"""Referral files taken in through the browser (namespace "intake", under /intake/): upload,
progress, history.
"""

from django.urls import path

from cases.views import intake

app_name = "intake"

urlpatterns = [
    path("", intake.history, name="history"),
    path("upload/", intake.upload, name="upload"),
    path("<int:pk>/", intake.batch, name="batch"),
    path("<int:pk>/status/", intake.status, name="status"),
]
