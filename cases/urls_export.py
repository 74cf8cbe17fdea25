"""A case exported as a PDF bundle for disclosure (namespace "export", under /cases/)."""

from django.urls import path

from cases.views import export

app_name = "export"

urlpatterns = [
    path("<str:reference>/export/", export.case_export_page, name="case"),
]
