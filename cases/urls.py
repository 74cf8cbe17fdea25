"""Case pages (namespace "cases"). Every route that names a case answers 404 if it is not yours."""

from django.urls import path

from cases.views import detail, lists, people, work, workflow, worklists

app_name = "cases"

urlpatterns = [
    path("", lists.my_cases, name="my_cases"),
    path("queue/", lists.queue, name="queue"),
    # Work across cases (issue 11): before "<reference>/", which would take them for cases.
    path("actions/", worklists.my_actions, name="my_actions"),
    path("actions/overdue/", worklists.overdue_actions, name="overdue_actions"),
    path("flags/", worklists.flags, name="flags"),
    path("<str:reference>/", detail.case_detail, name="detail"),
    path("<str:reference>/edit/", workflow.case_edit, name="edit"),
    path("<str:reference>/eligibility/", workflow.eligibility_decide, name="eligibility"),
    path("<str:reference>/transition/", workflow.case_transition, name="transition"),
    path("<str:reference>/assign/", workflow.case_assign, name="assign"),
    path("<str:reference>/unassign/", workflow.case_unassign, name="unassign"),
    path("<str:reference>/people/add/", people.party_add, name="party_add"),
    path("<str:reference>/people/<str:ref>/", people.party_edit, name="party_edit"),
    path("<str:reference>/people/<str:ref>/record/", people.person_edit, name="person_edit"),
    path("<str:reference>/people/<str:ref>/flag/", people.flag_add, name="flag_add"),
    path("<str:reference>/flags/<int:pk>/clear/", people.flag_clear, name="flag_clear"),
    path("<str:reference>/inquiries/add/", work.inquiry_add, name="inquiry_add"),
    path("<str:reference>/inquiries/<int:pk>/", work.inquiry_edit, name="inquiry_edit"),
    path("<str:reference>/findings/add/", work.finding_add, name="finding_add"),
    path("<str:reference>/findings/<int:pk>/", work.finding_edit, name="finding_edit"),
    path("<str:reference>/events/add/", work.event_add, name="event_add"),
]
