"""The signed-in user's own notifications: reminders and escalations, marked read.

Liaison staff get follow-up reminders; investigators and review and national leads get
case reminders (flag review-by and line-of-inquiry due dates), escalations and flag alerts
(`cases.reminders`, `cases.notifications`). Each sees only their own.
"""

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import redirect, render

from beaconport.access import access_required
from beaconport.roles import Role
from liaison.permissions import notifications_visible_to
from liaison.selectors import (
    notifications_for,
    notifications_grouped,
    unread_notification_count,
)
from liaison.services.notifications import notifications_mark_read
from liaison.views.common import LIAISON_ROLES

PAGE_SIZE = 50
# Who is sent notifications, and so has the page: liaison staff, and those the case
# reminders and flag alerts go to.
NOTIFIED_ROLES = (*LIAISON_ROLES, Role.INVESTIGATOR, Role.REVIEW_LEAD, Role.NATIONAL_LEAD)


@access_required(*NOTIFIED_ROLES, methods=["GET"])
def notifications(request):
    """The user's notifications, newest first, a page at a time, grouped per case (the case
    with the newest first); how many are unread."""
    page = Paginator(notifications_for(request.user), PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "liaison/notifications.html",
        {
            "items": page.object_list,
            "groups": notifications_grouped(page.object_list),
            "page_obj": page,
            "unread": unread_notification_count(request.user),
        },
    )


@access_required(*NOTIFIED_ROLES, methods=["POST"])
def notification_read(request, pk):
    """Mark one of the user's notifications read; someone else's answers 404."""
    if not notifications_visible_to(request.user).filter(pk=pk).exists():
        raise Http404("No such notification")
    notifications_mark_read(user=request.user, ids=[pk])
    return redirect("liaison:notifications")


@access_required(*NOTIFIED_ROLES, methods=["POST"])
def notifications_read_all(request):
    """Mark every unread notification of the user read."""
    count = notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("liaison:notifications")
