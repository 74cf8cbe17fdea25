"""Liaison read API: lists that start from the selectors, so they are scoped like the pages.

Investigators, review leads and analysts have no liaison lists at all (403, as for the
pages); a liaison officer sees their own records and follow-ups, a lead the team's.
Django's LoginRequiredMiddleware is told to let these through (`login_required = False`
here, `login_not_required` in urls.py): DRF answers 401/403 itself.
"""

from django.db.models import Prefetch
from drf_spectacular.utils import extend_schema
from rest_framework import generics, permissions

from beaconport.audit.services import audit_consult
from liaison.api.filters import FollowUpFilter, RecordFilter
from liaison.api.serializers import FollowUpSerializer, RecordSerializer
from liaison.models import FollowUp, FollowUpStatus
from liaison.permissions import is_liaison_staff
from liaison.selectors import followups_for_list, records_for_list


class IsLiaisonStaff(permissions.BasePermission):
    """Liaison officers, leads and superusers; everyone else has no liaison lists (403)."""

    message = "Only liaison staff have liaison lists."

    def has_permission(self, request, view):
        return is_liaison_staff(request.user)


class LiaisonListView(generics.ListAPIView):
    """A liaison list: the page it answers is logged as consulted, one audit row a page."""

    permission_classes = [permissions.IsAuthenticated, IsLiaisonStaff]
    login_required = False
    audit_object_type = ""

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        shown = page if page is not None else queryset.values_list("pk", flat=True)
        audit_consult(ids=shown, object_type=self.audit_object_type, actor=self.request.user)
        return page


@extend_schema(summary="Liaison records the caller may see, the soonest due first")
class RecordList(LiaisonListView):
    """Each record with its case, pseudonymous victim reference, officer and open follow-ups."""

    serializer_class = RecordSerializer
    filterset_class = RecordFilter
    audit_object_type = "liaison.liaisonrecord"

    def get_queryset(self):
        open_followups = Prefetch(
            "followups",
            queryset=FollowUp.objects.filter(status=FollowUpStatus.OPEN)
            .select_related("rule")
            .order_by("due_at", "pk"),
            to_attr="open_followups",
        )
        return records_for_list(self.request.user).prefetch_related(open_followups)


@extend_schema(summary="Follow-ups the caller may see, the soonest due first")
class FollowUpList(LiaisonListView):
    """Each follow-up with its due date, Victims' Code rule and status."""

    serializer_class = FollowUpSerializer
    filterset_class = FollowUpFilter
    audit_object_type = "liaison.followup"

    def get_queryset(self):
        return followups_for_list(self.request.user).select_related("officer")
