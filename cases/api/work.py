"""The review's work on a case over the API: lines of inquiry and findings, listed and written.

A force's case system reports progress here as a reviewer would on the case page, under the
same rules: the case is fetched through `case_get_for` (404 when it is not the caller's,
exactly as when it is missing), reading needs the case in view and writing needs the right
to change it, and every write goes through the services of the page (`cases.services.
inquiries`, `cases.services.findings`), which validate and audit. An update sends back the
`version` it read: a record changed since answers 409 with the version now stored, and
nothing is overwritten. Every write takes an `Idempotency-Key` (`beaconport.idempotency`).
"""

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError as DjangoValidationError
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import (
    OpenApiResponse,
    extend_schema,
)
from rest_framework import serializers, status, viewsets
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from beaconport.audit.services import audit_consult
from beaconport.idempotency import CONFLICT_DESCRIPTION, idempotent
from beaconport.inputs import PLANNED_DATE, CappedTextSerializerField, PlausibleDateSerializerField
from cases import selectors
from cases.api.linkage import id_parameter, record_id
from cases.api.pagination import CaseCursorPagination
from cases.api.serializers import FindingSerializer, LineOfInquirySerializer
from cases.api.views import _as_drf_error
from cases.models import Finding, LineOfInquiry
from cases.permissions import CHANGE, VIEW, case_get_for
from cases.services import findings as finding_services
from cases.services import inquiries as inquiry_services
from cases.services.errors import StaleEdit
from cases.vocabulary import FindingCategory, InquiryOrigin, InquiryStatus, Severity

# The body is the error's (`detail`), with the `version` now stored for a stale edit.
STALE = OpenApiResponse(
    description="The record changed since the `version` you sent (`version` in the answer is "
    "the one now stored: read it again, then send your change): nothing was saved. Or: "
    + CONFLICT_DESCRIPTION,
)


def _stale(stale: StaleEdit) -> Response:
    return Response(
        {"detail": " ".join(stale.messages), "version": getattr(stale.current, "version", None)},
        status=status.HTTP_409_CONFLICT,
    )


def _officer(case, username: str | None, field: str, *, also=None):
    """The investigator assigned to the case with this username, or None for no one.

    Anyone else is refused with one message, so a username's existence never leaks.
    """
    if not username:
        return None
    officers = selectors.case_assignees([case.pk]).get(case.pk, [])
    if also is not None:
        officers = [*officers, also]
    for officer in officers:
        if officer.get_username() == username:
            return officer
    raise ValidationError(
        {field: [f"{username} is not an investigator assigned to {case.reference}."]}
    )


def _finding_of(case, finding_id: int | None, field: str = "finding"):
    if finding_id is None:
        return None
    finding = case.findings.filter(pk=finding_id).first()
    if finding is None:
        raise ValidationError({field: [f"{case.reference} has no finding {finding_id}."]})
    return finding


# --- what a client sends ----------------------------------------------------------------------

USERNAME_MAX = get_user_model()._meta.get_field("username").max_length
ID_FIELD = {"min_value": 1, "max_value": 2**63 - 1}


class InquiryCreateSerializer(serializers.Serializer):
    """A new line of inquiry: open, or allocated when an officer is named."""

    description = CappedTextSerializerField(help_text="What should be (or have been) done.")
    origin = serializers.ChoiceField(
        choices=InquiryOrigin.choices,
        help_text="`original`: in the original investigation; `review`: found by the review.",
    )
    allocated_to = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=USERNAME_MAX,
        help_text="The username of an investigator assigned to the case; allocates the line.",
    )
    due_on = PlausibleDateSerializerField(
        rule=PLANNED_DATE, required=False, allow_null=True, help_text="When it is due."
    )
    finding = serializers.IntegerField(
        required=False,
        allow_null=True,
        help_text="The id of a finding on this case it serves.",
        **ID_FIELD,
    )


class InquiryUpdateSerializer(serializers.Serializer):
    """A change to a line of inquiry: only the fields sent change; `version` as read."""

    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The line's `version` as read; a line changed since answers 409.",
    )
    description = CappedTextSerializerField(required=False)
    origin = serializers.ChoiceField(choices=InquiryOrigin.choices, required=False)
    status = serializers.ChoiceField(
        choices=InquiryStatus.choices,
        required=False,
        help_text="`not_pursued` needs a `rationale`, `completed` a `result`, `allocated` an "
        "officer.",
    )
    rationale = CappedTextSerializerField(required=False, allow_blank=True)
    allocated_to = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=USERNAME_MAX,
        help_text="An assigned investigator's username; null takes the officer away.",
    )
    due_on = PlausibleDateSerializerField(rule=PLANNED_DATE, required=False, allow_null=True)
    result = CappedTextSerializerField(required=False, allow_blank=True)
    finding = serializers.IntegerField(required=False, allow_null=True, **ID_FIELD)


class FindingCreateSerializer(serializers.Serializer):
    """A review finding, and optionally the line of inquiry it calls for."""

    category = serializers.ChoiceField(choices=FindingCategory.choices)
    description = CappedTextSerializerField()
    severity = serializers.ChoiceField(choices=Severity.choices)
    raise_inquiry = CappedTextSerializerField(
        required=False,
        allow_blank=True,
        default="",
        help_text="Describe a line of inquiry to raise from this finding, found by the review.",
    )
    allocate_to = serializers.CharField(
        required=False,
        allow_null=True,
        allow_blank=True,
        max_length=USERNAME_MAX,
        help_text="An assigned investigator's username, for the line of inquiry raised.",
    )
    due_on = PlausibleDateSerializerField(
        rule=PLANNED_DATE,
        required=False,
        allow_null=True,
        help_text="When the line of inquiry raised is due.",
    )


class FindingUpdateSerializer(serializers.Serializer):
    """A correction to a finding: only the fields sent change; `version` as read."""

    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The finding's `version` as read; a finding changed since answers 409.",
    )
    category = serializers.ChoiceField(choices=FindingCategory.choices, required=False)
    description = CappedTextSerializerField(required=False)
    severity = serializers.ChoiceField(choices=Severity.choices, required=False)


# --- the routes -------------------------------------------------------------------------------


class CaseWorkViewSet(viewsets.GenericViewSet):
    """The records of one kind on a case the caller may see (reads) or change (writes)."""

    pagination_class = CaseCursorPagination
    lookup_value_regex = "[^/]+"
    related_name: str
    object_type: str

    def case(self, action: str):
        return case_get_for(self.request.user, self.kwargs["reference"], action)

    def idempotent_replay_check(self, request, *args, **kwargs) -> None:
        """Before a kept answer is replayed: the caller must still be able to change the case
        (404 otherwise, as the write itself would answer), so a retry never hands back a
        record of a case taken away from them since."""
        self.case(CHANGE)

    def records(self, case):
        return getattr(case, self.related_name).all()

    def record(self, case):
        return get_object_or_404(self.records(case), pk=record_id(self.kwargs["pk"]))

    def shown(self, records) -> list:
        """Log that the records were handed out to the caller: one audit row."""
        records = list(records)
        if records:
            audit_consult(
                ids=[r.pk for r in records], object_type=self.object_type, actor=self.request.user
            )
        return records

    def list(self, request, reference=None):
        case = self.case(VIEW)
        page = self.shown(self.paginate_queryset(self.records(case)))
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    def retrieve(self, request, reference=None, pk=None):
        record = self.record(self.case(VIEW))
        self.shown([record])
        return Response(self.get_serializer(record).data)

    def write(self, request, body_class, do):
        body = body_class(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            return do(body.validated_data)
        except StaleEdit as stale:
            return _stale(stale)
        except DjangoValidationError as error:
            raise _as_drf_error(error) from None


CASE_ACCESS = (
    "Reading needs the case in view, writing the right to change it (an investigator "
    "assigned to it, or a lead of its force); a case that is not the caller's answers 404."
)


class InquiryViewSet(CaseWorkViewSet):
    """Lines of inquiry on a case."""

    serializer_class = LineOfInquirySerializer
    queryset = LineOfInquiry.objects.none()  # for the schema: every read starts from the case
    related_name = "lines_of_inquiry"
    object_type = "cases.lineofinquiry"

    def records(self, case):
        return case.lines_of_inquiry.select_related("allocated_to")

    @extend_schema(
        summary="Lines of inquiry on a case",
        description="In id order, a page at a time by cursor. " + CASE_ACCESS,
    )
    def list(self, request, reference=None):
        return super().list(request, reference)

    @extend_schema(summary="A line of inquiry", parameters=[id_parameter("line of inquiry")])
    def retrieve(self, request, reference=None, pk=None):
        return super().retrieve(request, reference, pk)

    @extend_schema(
        request=InquiryCreateSerializer,
        responses={201: LineOfInquirySerializer},
        summary="Raise a line of inquiry on a case",
        description="Open, or allocated when `allocated_to` names an investigator assigned "
        "to the case. Audited as the case page's form is. " + CASE_ACCESS,
    )
    @idempotent
    def create(self, request, reference=None):
        case = self.case(CHANGE)

        def do(data):
            inquiry = inquiry_services.inquiry_create(
                case=case,
                by=request.user,
                description=data["description"],
                origin=data["origin"],
                allocated_to=_officer(case, data.get("allocated_to"), "allocated_to"),
                due_on=data.get("due_on"),
                finding=_finding_of(case, data.get("finding")),
            )
            inquiry = self.records(case).get(pk=inquiry.pk)
            return Response(LineOfInquirySerializer(inquiry).data, status.HTTP_201_CREATED)

        return self.write(request, InquiryCreateSerializer, do)

    @extend_schema(
        request=InquiryUpdateSerializer,
        responses={200: LineOfInquirySerializer, 409: STALE},
        summary="Move a line of inquiry on",
        parameters=[id_parameter("line of inquiry")],
        description="Allocate it, progress it, complete it with its `result`, or say why it "
        "is `not_pursued` (`rationale`): only the fields sent change. Send the `version` you "
        "read: a line changed since answers 409, never silently overwritten. " + CASE_ACCESS,
    )
    @idempotent
    def partial_update(self, request, reference=None, pk=None):
        case = self.case(CHANGE)
        inquiry = self.record(case)

        def do(data):
            fields = {k: v for k, v in data.items() if k not in ("version", "allocated_to")}
            if "allocated_to" in data:
                fields["allocated_to"] = _officer(
                    case, data["allocated_to"], "allocated_to", also=inquiry.allocated_to
                )
            if "finding" in data:
                fields["finding"] = _finding_of(case, data["finding"])
            inquiry_services.inquiry_update(
                inquiry=inquiry, by=request.user, version=data["version"], **fields
            )
            current = self.records(case).get(pk=inquiry.pk)
            return Response(LineOfInquirySerializer(current).data)

        return self.write(request, InquiryUpdateSerializer, do)


class FindingViewSet(CaseWorkViewSet):
    """The review's findings on a case."""

    serializer_class = FindingSerializer
    queryset = Finding.objects.none()  # for the schema: every read starts from the case
    related_name = "findings"
    object_type = "cases.finding"

    def records(self, case):
        return case.findings.select_related("recorded_by")

    @extend_schema(
        summary="Findings on a case",
        description="In id order, a page at a time by cursor. " + CASE_ACCESS,
    )
    def list(self, request, reference=None):
        return super().list(request, reference)

    @extend_schema(summary="A finding", parameters=[id_parameter("finding")])
    def retrieve(self, request, reference=None, pk=None):
        return super().retrieve(request, reference, pk)

    @extend_schema(
        request=FindingCreateSerializer,
        responses={201: FindingSerializer},
        summary="Record a review finding on a case",
        description="Optionally raising the line of inquiry it calls for (`raise_inquiry`), "
        "found by the review, allocated when `allocate_to` names an investigator assigned to "
        "the case. Audited as the case page's form is. " + CASE_ACCESS,
    )
    @idempotent
    def create(self, request, reference=None):
        case = self.case(CHANGE)

        def do(data):
            finding = finding_services.finding_create(
                case=case,
                by=request.user,
                category=data["category"],
                description=data["description"],
                severity=data["severity"],
                raise_inquiry=data.get("raise_inquiry", ""),
                allocate_to=_officer(case, data.get("allocate_to"), "allocate_to"),
                due_on=data.get("due_on"),
            )
            finding = self.records(case).get(pk=finding.pk)
            return Response(FindingSerializer(finding).data, status.HTTP_201_CREATED)

        return self.write(request, FindingCreateSerializer, do)

    @extend_schema(
        request=FindingUpdateSerializer,
        responses={200: FindingSerializer, 409: STALE},
        summary="Correct a finding",
        parameters=[id_parameter("finding")],
        description="Its category, description or severity: only the fields sent change. "
        "Send the `version` you read: a finding changed since answers 409, never silently "
        "overwritten. " + CASE_ACCESS,
    )
    @idempotent
    def partial_update(self, request, reference=None, pk=None):
        case = self.case(CHANGE)
        finding = self.record(case)

        def do(data):
            fields = {k: v for k, v in data.items() if k != "version"}
            finding_services.finding_update(
                finding=finding, by=request.user, version=data["version"], **fields
            )
            return Response(FindingSerializer(self.records(case).get(pk=finding.pk)).data)

        return self.write(request, FindingUpdateSerializer, do)
