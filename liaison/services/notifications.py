"""Writes to a user's own in-app notifications."""

from django.db import transaction
from django.utils import timezone

from liaison.permissions import notifications_visible_to


@transaction.atomic
def notifications_mark_read(*, user, ids=None) -> int:
    """Mark the user's unread notifications read (all, or those with the given ids).

    Only the user's own notifications are touched; someone else's ids change nothing.
    """
    queryset = notifications_visible_to(user).filter(read_at__isnull=True)
    if ids is not None:
        queryset = queryset.filter(pk__in=list(ids))
    return queryset.update(read_at=timezone.now())
