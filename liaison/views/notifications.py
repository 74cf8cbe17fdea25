"""The signed-in user's own notifications: reminders and escalations, marked read."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render

from beaconport.access import access_required
from liaison.permissions import notifications_visible_to
from liaison.selectors import notifications_for
from liaison.services.notifications import notifications_mark_read
from liaison.views.common import LIAISON_ROLES

PAGE_SIZE = 100


@access_required(*LIAISON_ROLES, methods=["GET"])
def notifications(request):
    """The user's notifications, newest first, unread ones marked."""
    items = list(notifications_for(request.user)[:PAGE_SIZE])
    unread = sum(1 for n in items if n.read_at is None)
    return render(request, "liaison/notifications.html", {"items": items, "unread": unread})


@access_required(*LIAISON_ROLES, methods=["POST"])
def notification_read(request, pk):
    """Mark one of the user's notifications read; someone else's answers 404."""
    if not notifications_visible_to(request.user).filter(pk=pk).exists():
        raise Http404("No such notification")
    notifications_mark_read(user=request.user, ids=[pk])
    return redirect("liaison:notifications")


@access_required(*LIAISON_ROLES, methods=["POST"])
def notifications_read_all(request):
    """Mark every unread notification of the user read."""
    count = notifications_mark_read(user=request.user)
    messages.success(request, f"{count} notification{'s' if count != 1 else ''} marked read.")
    return redirect("liaison:notifications")
