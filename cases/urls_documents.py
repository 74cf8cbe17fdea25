"""Case-file material on a case (namespace "documents", under /cases/): list, add, read,
download. Every route that names a case answers 404 if it is not yours.
"""

from django.urls import path

from cases.views import documents

app_name = "documents"

urlpatterns = [
    path("<str:reference>/documents/", documents.document_list, name="list"),
    path("<str:reference>/documents/add/", documents.document_add, name="add"),
    path("<str:reference>/documents/<int:pk>/", documents.document_detail, name="detail"),
    path("<str:reference>/documents/<int:pk>/view/", documents.document_view, name="view"),
    path(
        "<str:reference>/documents/<int:pk>/download/",
        documents.document_download,
        name="download",
    ),
]
