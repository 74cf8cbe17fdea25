from django.urls import path

from beaconport.reports import views

app_name = "reports"

urlpatterns = [
    path("", views.index, name="index"),
    path("<slug:key>/", views.dashboard, name="dashboard"),
    path("<slug:key>.csv", views.download, name="download"),
]
