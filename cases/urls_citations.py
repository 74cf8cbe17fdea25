"""Citations of documents by findings and lines of inquiry (namespace "citations", under
/cases/). Every route names a case and answers 404 if it is not yours to change.
"""

from django.urls import path

from cases.views import citations

app_name = "citations"

urlpatterns = [
    path("<str:reference>/findings/<int:pk>/cite/", citations.finding_cite, name="finding_cite"),
    path("<str:reference>/inquiries/<int:pk>/cite/", citations.inquiry_cite, name="inquiry_cite"),
    path(
        "<str:reference>/citations/<int:pk>/remove/",
        citations.citation_remove,
        name="remove",
    ),
]
