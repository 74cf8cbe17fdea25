"""Reading the audit log: the chain for verification and the auditor's questions."""

import datetime
import json

from django.apps import apps
from django.db.models import BooleanField, Expression, F, Q, QuerySet
from django.utils import timezone

from beaconport.audit.chain import CONTENT_FIELDS
from beaconport.audit.models import AuditChainHead, AuditEvent, AuditWitness


class ListHas(Expression):
    """True where a JSON list column holds the value (for "lists that showed record X")."""

    output_field = BooleanField()
    conditional = True

    def __init__(self, column: str, value: str):
        super().__init__()
        self.column, self.value = F(column), str(value)

    def get_source_expressions(self):
        return [self.column]

    def set_source_expressions(self, exprs):
        (self.column,) = exprs

    def as_sql(self, compiler, connection):
        column, params = compiler.compile(self.column)
        if connection.vendor == "postgresql":
            return f"{column} @> %s::jsonb", [*params, json.dumps([self.value])]
        return (
            f"EXISTS (SELECT 1 FROM json_each({column}) AS item WHERE item.value = %s)",  # noqa: S608
            [*params, self.value],
        )


def audit_chain_rows(*, chunk_size: int = 2000):
    """Every row in seq order as dicts, fetched in chunks (a server-side cursor on PG)."""
    return (
        AuditEvent.objects.order_by("seq")
        .values("seq", "prev_hash", "hash", *CONTENT_FIELDS)
        .iterator(chunk_size=chunk_size)
    )


def audit_chain_head() -> tuple[int, str] | None:
    """The chain-head row (seq, hash) the appends maintain, or None for an empty log."""
    return AuditChainHead.objects.filter(pk=1).values_list("seq", "hash").first()


def audit_witnesses(*, chunk_size: int = 2000):
    """Every witnessed head as (seq, hash, at) in seq order, fetched in chunks."""
    return (
        AuditWitness.objects.order_by("seq", "id")
        .values_list("seq", "hash", "at")
        .iterator(chunk_size=chunk_size)
    )


def audit_newest_witness() -> AuditWitness | None:
    """The witness recorded last (by the database's clock), or None if there is none."""
    return AuditWitness.objects.order_by("-at", "-id").first()


def audit_last_link() -> tuple[int, str] | None:
    """The last row's (seq, hash): what an operator keeps elsewhere."""
    return AuditEvent.objects.order_by("-seq").values_list("seq", "hash").first()


def _in_range(queryset: QuerySet, since: datetime.date | None, until: datetime.date | None):
    # Whole days in local time, as bounds on the indexed column (not a function of it).
    if since:
        start = datetime.datetime.combine(since, datetime.time.min)
        queryset = queryset.filter(at__gte=timezone.make_aware(start))
    if until:
        end = datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
        queryset = queryset.filter(at__lt=timezone.make_aware(end))
    return queryset


def _about(model_label: str, pk) -> Q:
    key = str(pk)
    return Q(object_type=model_label, object_id=key) | Q(
        Q(object_type=model_label) & Q(ListHas("object_ids", key))
    )


def audit_events_about_case(case_id: int, *, since=None, until=None) -> QuerySet[AuditEvent]:
    """Everything logged about a case: the case, its records, and lists that showed it."""
    query = Q(case_id=case_id) | _about("cases.case", case_id)
    return _in_range(AuditEvent.objects.filter(query), since, until).order_by("seq")


def audit_events_about_person(person_id: int, *, since=None, until=None) -> QuerySet[AuditEvent]:
    """Everything logged about a person: their index entry, their parts in cases, lists."""
    query = Q(person_id=person_id) | _about("cases.person", person_id)
    party_model = apps.get_model("cases", "CaseParty")
    for party_id in party_model.objects.filter(person_id=person_id).values_list("pk", flat=True):
        query |= _about("cases.caseparty", party_id)
    return _in_range(AuditEvent.objects.filter(query), since, until).order_by("seq")
