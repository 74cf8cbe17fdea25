from django.urls import path

from beaconport.audit import views

app_name = "audit"

urlpatterns = [
    path("", views.search, name="search"),
    path("export.csv", views.export, name="export"),
    path("justify/", views.justify, name="justify"),
    path("security/", views.security_events, name="security_events"),
]
