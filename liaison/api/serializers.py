"""What the liaison API shows: references, dates and statuses; never a victim's name or notes.

Names stay on the pages (for the assigned officer only); the API gives the pseudonymous
reference, so a client that stores the data stores no identity.
"""

from rest_framework import serializers

from liaison.models import FollowUp, LiaisonRecord


class FollowUpSerializer(serializers.ModelSerializer):
    """A follow-up: what is owed, by when, under which Victims' Code rule, and its status."""

    case = serializers.CharField(source="case.reference", read_only=True)
    record = serializers.IntegerField(source="record_id", read_only=True)
    victim = serializers.CharField(source="record.pseudonym", read_only=True)
    rule = serializers.CharField(
        source="rule.trigger",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="Victims' Code trigger of the rule behind the deadline (null: set by hand).",
    )
    officer = serializers.CharField(
        source="officer.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = FollowUp
        fields = [
            "id",
            "record",
            "case",
            "victim",
            "reason",
            "rule",
            "status",
            "due_on",
            "due_at",
            "suggested_at",
            "officer",
            "completed_at",
            "completed_late",
        ]
        read_only_fields = fields


class OpenFollowUpSerializer(serializers.ModelSerializer):
    """An open follow-up inside a record: when it is due and why."""

    rule = serializers.CharField(
        source="rule.trigger", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = FollowUp
        fields = ["id", "due_on", "rule", "status", "reason"]
        read_only_fields = fields


class RecordSerializer(serializers.ModelSerializer):
    """A victim's liaison record: its case, officer, entitlement and what is due next."""

    case = serializers.CharField(source="case.reference", read_only=True)
    victim = serializers.CharField(source="pseudonym", read_only=True)
    officer = serializers.CharField(
        source="officer.username", read_only=True, allow_null=True, default=None
    )
    next_due_on = serializers.DateField(read_only=True, allow_null=True)
    overdue = serializers.BooleanField(read_only=True)
    last_contact_at = serializers.DateTimeField(read_only=True, allow_null=True)
    open_followups = OpenFollowUpSerializer(many=True, read_only=True)

    class Meta:
        model = LiaisonRecord
        fields = [
            "id",
            "case",
            "victim",
            "officer",
            "enhanced_rights",
            "next_due_on",
            "overdue",
            "last_contact_at",
            "open_followups",
        ]
        read_only_fields = fields
