"""The review's own record (issue 13): the decision log and offences added or corrected
(namespace "review", under /cases/)."""

from django.urls import path

from cases.views import review_record

app_name = "review"

urlpatterns = [
    path("<str:reference>/offences/add/", review_record.offence_add, name="offence_add"),
    path(
        "<str:reference>/offences/<int:pk>/correct/",
        review_record.offence_correct,
        name="offence_correct",
    ),
    path(
        "<str:reference>/offences/<int:pk>/remove/",
        review_record.offence_remove,
        name="offence_remove",
    ),
    path("<str:reference>/decisions/", review_record.decision_log_list, name="decision_log"),
    path("<str:reference>/decisions/add/", review_record.decision_log_add, name="decision_log_add"),
    path("<str:reference>/timeline/", review_record.case_timeline, name="timeline"),
]
