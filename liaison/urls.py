"""Liaison pages under /liaison/. Record pages answer 404 for records that are not the user's."""

from django.urls import include, path

from liaison.views import (
    correspondence,
    edits,
    followups,
    notifications,
    records,
    rights,
    team,
    victim_links,
)

app_name = "liaison"

urlpatterns = [
    path("", records.my_victims, name="my_victims"),
    path("team/", team.team, name="team"),
    path("team/deadlines/", team.deadlines, name="deadlines"),
    path("notifications/", notifications.notifications, name="notifications"),
    path(
        "notifications/read/", notifications.notifications_read_all, name="notifications_read_all"
    ),
    path("notifications/<int:pk>/read/", notifications.notification_read, name="notification_read"),
    path("records/<int:pk>/", records.record_page, name="record"),
    path("records/<int:pk>/victim-links/", victim_links.victim_links, name="victim_links"),
    path("records/<int:pk>/preferences/", edits.preferences_edit, name="preferences_edit"),
    path("records/<int:pk>/expectations/new/", edits.expectation_create, name="expectation_create"),
    path("records/<int:pk>/contacts/new/", edits.contact_create, name="contact_create"),
    path("records/<int:pk>/followups/new/", followups.followup_create, name="followup_create"),
    path("records/<int:pk>/assign/", team.record_assign, name="record_assign"),
    path(
        "records/<int:pk>/enhanced-rights/",
        rights.enhanced_rights_edit,
        name="enhanced_rights_edit",
    ),
    path(
        "records/<int:pk>/do-not-contact/new/",
        rights.do_not_contact_add,
        name="do_not_contact_add",
    ),
    path("do-not-contact/<int:pk>/end/", rights.do_not_contact_end, name="do_not_contact_end"),
    path("followups/<int:pk>/done/", followups.followup_complete, name="followup_complete"),
    path("followups/<int:pk>/cancel/", followups.followup_cancel, name="followup_cancel"),
    # The victim's own correspondence (issue 12): files kept on the record.
    path(
        "records/<int:pk>/correspondence/",
        correspondence.correspondence_list,
        name="correspondence",
    ),
    path(
        "records/<int:pk>/correspondence/add/",
        correspondence.correspondence_add,
        name="correspondence_add",
    ),
    path(
        "correspondence/<int:pk>/download/",
        correspondence.correspondence_download,
        name="correspondence_download",
    ),
    # A victim's further rights (issue 13), one module each.
    path("", include("liaison.urls_review_requests")),
    path("", include("liaison.urls_support")),
    path("", include("liaison.urls_safety")),
    path("", include("liaison.urls_messages")),
]
