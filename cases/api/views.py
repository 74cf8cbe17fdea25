"""The case API: reads scoped by `cases.permissions`, writes through the services.

DRF's object permissions do not guard reads, so scoping is done here: lists start from
`cases_visible_to` (through the selectors) and every lookup goes through `case_get_for`,
which answers 404 for a case that is not the reader's, exactly as for a missing one.
"""

from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from beaconport.audit.context import set_justification
from beaconport.audit.forms import JustificationForm
from beaconport.idempotency import idempotent
from cases import selectors
from cases.api.filters import CaseFilter
from cases.api.pagination import CaseCursorPagination
from cases.api.serializers import CaseDetailSerializer, CaseListSerializer, EventSerializer
from cases.permissions import CHANGE, VIEW, can_see_identities, case_get_for, cases_shown
from cases.services import events as event_services

# What a reason for reading names may be, as the web page's form says.
JUSTIFICATION = JustificationForm.base_fields["justification"]


def _as_drf_error(error: DjangoValidationError) -> ValidationError:
    if hasattr(error, "error_dict"):
        return ValidationError(error.message_dict)
    return ValidationError({"non_field_errors": error.messages})


class CaseViewSet(viewsets.ReadOnlyModelViewSet):
    """Cases the caller may see, newest references last, a page at a time by cursor (never
    counted: `cases.api.pagination`); one case by its reference."""

    lookup_field = "reference"
    lookup_value_regex = "[^/]+"
    filterset_class = CaseFilter
    serializer_class = CaseListSerializer
    pagination_class = CaseCursorPagination

    def get_queryset(self):
        if self.action == "list":
            return selectors.cases_for(self.request.user)
        return selectors.case_detail_queryset()

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        return cases_shown(self.request.user, page) if page is not None else page

    def get_serializer_class(self):
        if self.action == "retrieve":
            return CaseDetailSerializer
        if self.action == "events":
            return EventSerializer
        return CaseListSerializer

    def get_object(self):
        return case_get_for(
            self.request.user,
            self.kwargs["reference"],
            VIEW,
            queryset=self.get_queryset(),
        )

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "justification",
                {
                    "type": "string",
                    "minLength": JUSTIFICATION.min_length,
                    "maxLength": JUSTIFICATION.max_length,
                },
                description=f"Why you need the names of the people on this case "
                f"({JUSTIFICATION.min_length} to {JUSTIFICATION.max_length} characters). Names "
                "are returned only with a reason, only to investigators assigned to the case, "
                "and the reason is kept in the audit log.",
            )
        ]
    )
    def retrieve(self, request, *args, **kwargs):
        reason = request.query_params.get("justification", "").strip()
        if reason:
            # The web page's reason form decides: the same length, no NUL character.
            form = JustificationForm({"justification": reason})
            if not form.is_valid():
                raise ValidationError(form.errors)
            reason = form.cleaned_data["justification"]
            set_justification(reason)  # carried into the audit row of this read
        case = self.get_object()
        serializer = CaseDetailSerializer(
            case,
            context={
                **self.get_serializer_context(),
                "show_names": bool(reason) and can_see_identities(request.user, case),
            },
        )
        return Response(serializer.data)

    def idempotent_replay_check(self, request, reference=None, **kwargs) -> None:
        """Before a kept answer is replayed: the caller must still be able to change the case
        (404 otherwise, as recording the event would answer)."""
        case_get_for(request.user, reference, CHANGE)

    @extend_schema(
        request=EventSerializer,
        responses={201: EventSerializer, 200: EventSerializer},
        summary="Record an investigative event on a case",
        description="Arrest, interview under caution, charge, release without charge, bail "
        "or release under investigation, decision not to investigate, optionally naming the "
        "suspect it concerns and the time. Open to users who may change the case; anyone "
        "else gets 404. 201 with the event recorded; 200 with the event already recorded "
        "when one of the same type, date and suspect is on the case (a report sent twice is "
        "one event: nothing is written and no victim gets a second follow-up).",
    )
    @action(detail=True, methods=["post"], url_path="events")
    @idempotent
    def events(self, request, reference=None):
        case = case_get_for(request.user, reference, CHANGE)
        serializer = EventSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        try:
            event, created = event_services.event_record_once(
                case=case,
                by=request.user,
                type=data["type"],
                occurred_on=data["occurred_on"],
                occurred_at=data.get("occurred_at"),
                suspect_ref=data.get("suspect") or None,
                notes=data.get("notes", ""),
            )
        except DjangoValidationError as error:
            raise _as_drf_error(error) from None
        return Response(
            EventSerializer(event).data,
            status=status.HTTP_201_CREATED if created else status.HTTP_200_OK,
        )
