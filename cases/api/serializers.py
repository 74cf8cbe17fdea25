"""How cases read over the API. Names appear only where the reader may see identities."""

from drf_spectacular.utils import extend_schema_field, inline_serializer
from rest_framework import serializers

from beaconport.inputs import PAST_DATE, CappedTextSerializerField, PlausibleDateSerializerField
from cases.models import (
    Case,
    CaseParty,
    CaseTransition,
    Finding,
    InvestigativeEvent,
    LineOfInquiry,
    Offence,
    SuspectFlag,
)
from cases.selectors import criteria_of
from cases.vocabulary import Criterion, CriterionResult, Eligibility, EventType


class CaseListSerializer(serializers.ModelSerializer):
    """One row of the case list."""

    reference = serializers.CharField(read_only=True)
    force = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    eligibility = serializers.ChoiceField(
        source="effective_eligibility",
        choices=Eligibility.choices,
        read_only=True,
        help_text="The review lead's decision where made, else the computed result.",
    )

    class Meta:
        model = Case
        fields = [
            "reference",
            "force",
            "force_reference",
            "status",
            "priority",
            "eligibility",
            "received_on",
        ]
        read_only_fields = fields


class OffenceSerializer(serializers.ModelSerializer):
    contact = serializers.BooleanField(source="is_contact", read_only=True)

    class Meta:
        model = Offence
        fields = ["type", "contact"]
        read_only_fields = fields


class FlagSerializer(serializers.ModelSerializer):
    party = serializers.CharField(source="party.ref", read_only=True)
    set_by = serializers.CharField(source="set_by.username", read_only=True)
    cleared_by = serializers.CharField(
        source="cleared_by.username", read_only=True, allow_null=True, default=None
    )
    active = serializers.BooleanField(source="is_active", read_only=True)

    class Meta:
        model = SuspectFlag
        fields = [
            "id",
            "party",
            "kind",
            "reason",
            "basis",
            "set_by",
            "set_at",
            "review_by",
            "active",
            "cleared_by",
            "cleared_at",
            "cleared_reason",
        ]
        read_only_fields = fields


class PartySerializer(serializers.ModelSerializer):
    """A person on the case: the name only for readers assigned to the case."""

    pseudonym = serializers.CharField(read_only=True)
    name = serializers.SerializerMethodField(
        help_text="The person's name, or null where the reader may not see identities."
    )
    ethnicity = serializers.CharField(source="person.ethnicity", read_only=True, allow_null=True)
    ethnicity_source = serializers.CharField(
        source="person.ethnicity_source", read_only=True, allow_null=True
    )

    class Meta:
        model = CaseParty
        fields = [
            "ref",
            "role",
            "pseudonym",
            "name",
            "ethnicity",
            "ethnicity_source",
            "deceased",
            "interviewed",
            "age_at_first_offence",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_name(self, party) -> str | None:
        return party.person.full_name if self.context.get("show_names") else None


class LineOfInquirySerializer(serializers.ModelSerializer):
    allocated_to = serializers.CharField(
        source="allocated_to.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = LineOfInquiry
        fields = [
            "id",
            "description",
            "origin",
            "status",
            "rationale",
            "allocated_to",
            "due_on",
            "result",
            "finding",
            "created_at",
            "version",
        ]
        read_only_fields = fields


class FindingSerializer(serializers.ModelSerializer):
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = Finding
        fields = [
            "id",
            "category",
            "description",
            "severity",
            "basis",
            "recorded_by",
            "recorded_at",
            "version",
        ]
        read_only_fields = fields


class PartyRefField(serializers.CharField):
    """A person on the case named by their ref in the file (e.g. `S1`), never by name."""

    def to_representation(self, party) -> str:
        return party.ref


class EventSerializer(serializers.ModelSerializer):
    """An investigative event; written through `cases.services.events.event_record_once`."""

    type = serializers.ChoiceField(choices=EventType.choices)
    occurred_on = PlausibleDateSerializerField(
        rule=PAST_DATE, help_text="When it happened: not in the future, not before 1900."
    )
    occurred_at = serializers.TimeField(
        required=False,
        allow_null=True,
        default=None,
        help_text="The time of day it happened (HH:MM), where known; local time, any offset "
        "given is dropped. Shown with the event, never used to tell two events apart.",
    )
    suspect = PartyRefField(
        required=False,
        allow_null=True,
        allow_blank=True,
        default=None,
        max_length=CaseParty._meta.get_field("ref").max_length,
        help_text="The suspect it concerns, by their ref in the file (e.g. `S1`): a suspect "
        "on this case, else 400. Null or absent when it concerns no one suspect.",
    )
    notes = CappedTextSerializerField(required=False, allow_blank=True, default="")
    recorded_by = serializers.CharField(source="recorded_by.username", read_only=True)

    class Meta:
        model = InvestigativeEvent
        fields = [
            "id",
            "type",
            "occurred_on",
            "occurred_at",
            "suspect",
            "notes",
            "recorded_by",
            "recorded_at",
        ]
        read_only_fields = ["id", "recorded_by", "recorded_at"]


class TransitionSerializer(serializers.ModelSerializer):
    by = serializers.CharField(source="by.username", read_only=True)

    class Meta:
        model = CaseTransition
        fields = ["from_status", "to_status", "by", "at", "reason"]
        read_only_fields = fields


class CriterionSerializer(serializers.Serializer):
    """One eligibility criterion: pass, fail or unknown (null before the first computation)."""

    result = serializers.ChoiceField(choices=CriterionResult.choices, allow_null=True)
    reason = serializers.CharField()


class CriteriaSerializer(serializers.Serializer):
    """Each of the seven criteria: its result and the reason."""

    def get_fields(self):
        return {name: CriterionSerializer() for name in Criterion.values}


class CaseDetailSerializer(CaseListSerializer):
    """A case with everything the reader may see of it."""

    summary = serializers.CharField(read_only=True)
    computed_eligibility = serializers.ChoiceField(
        source="eligibility", choices=Eligibility.choices, read_only=True
    )
    eligibility_decision = serializers.SerializerMethodField()
    criteria = serializers.SerializerMethodField()
    offences = OffenceSerializer(many=True, read_only=True)
    original_decision = serializers.SerializerMethodField()
    parties = PartySerializer(many=True, read_only=True)
    lines_of_inquiry = LineOfInquirySerializer(many=True, read_only=True)
    findings = FindingSerializer(many=True, read_only=True)
    flags = serializers.SerializerMethodField()
    events = EventSerializer(many=True, read_only=True)
    transitions = TransitionSerializer(many=True, read_only=True)

    class Meta(CaseListSerializer.Meta):
        fields = [
            *CaseListSerializer.Meta.fields,
            "summary",
            "offence_start",
            "offence_end",
            "computed_eligibility",
            "eligibility_decision",
            "criteria",
            "offences",
            "original_decision",
            "parties",
            "lines_of_inquiry",
            "findings",
            "flags",
            "events",
            "transitions",
            "version",
        ]
        read_only_fields = fields

    @extend_schema_field(CriteriaSerializer)
    def get_criteria(self, case) -> dict:
        return {
            item["name"]: {"result": item["result"], "reason": item["reason"]}
            for item in criteria_of(case)
        }

    @extend_schema_field(
        inline_serializer(
            "EligibilityDecision",
            fields={
                "decision": serializers.ChoiceField(choices=Eligibility.choices),
                "reason": serializers.CharField(),
                "by": serializers.CharField(allow_null=True),
                "at": serializers.DateTimeField(allow_null=True),
            },
            allow_null=True,
        )
    )
    def get_eligibility_decision(self, case) -> dict | None:
        if not case.eligibility_decision:
            return None
        by = case.eligibility_decided_by
        return {
            "decision": case.eligibility_decision,
            "reason": case.eligibility_decision_reason,
            "by": by.username if by else None,
            "at": case.eligibility_decided_at,
        }

    @extend_schema_field(
        inline_serializer(
            "OriginalDecision",
            fields={
                "outcome": serializers.CharField(),
                "on": serializers.DateField(allow_null=True),
                "by": serializers.CharField(),
                "outcome_code": serializers.CharField(),
                "rationale": serializers.CharField(),
            },
        )
    )
    def get_original_decision(self, case) -> dict:
        return {
            "outcome": case.decision_outcome,
            "on": case.decision_on,
            "by": case.decision_by,
            "outcome_code": case.decision_outcome_code,
            "rationale": case.decision_rationale,
        }

    @extend_schema_field(FlagSerializer(many=True))
    def get_flags(self, case) -> list:
        flags = [flag for party in case.parties.all() for flag in party.flags.all()]
        for flag in flags:
            # The party is already loaded: point the flag at it rather than query again.
            flag.party = next(p for p in case.parties.all() if p.pk == flag.party_id)
        return FlagSerializer(flags, many=True).data
