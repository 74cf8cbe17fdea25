"""Writing the audit log: one call per write service and per access decision.

    audit_record(operation=Operation.ALTER, obj=case, changes=audit_changes(before, case))
    audit_consult(obj=case)                       # a detail page / API detail
    audit_consult(ids=page.object_list)           # a list: one row naming what was shown
    audit_disclose(ids=rows, recipient=..., purpose=...)   # an export or download

Each call is ONE SQL statement in the caller's transaction (no savepoint of its own, which
would cost two more): if the audit row cannot be written the caller's change fails with it.
Who, from where and why come from the request, command or task (`context.py`).
"""

import logging
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import FieldDoesNotExist
from django.db import models
from django.utils import timezone

from beaconport.audit import chain, context
from beaconport.audit.models import AuditChainHead, AuditEvent, AuditWitness, Operation
from beaconport.audit.routers import witness_database

logger = logging.getLogger(__name__)

CHANGED = "changed"  # what the log keeps of a sensitive field's value

# Free text and identities whose values never enter the log, only their names. Bare names
# apply to every model, "app_label.model.field" to one; settings.AUDIT_SENSITIVE_FIELDS
# adds to these. Any TextField of the audited object is treated as sensitive too.
DEFAULT_SENSITIVE_FIELDS = frozenset(
    {
        "surname",
        "forenames",
        "full_name",
        "name_in_use",
        "date_of_birth",
        "address",
        "phone",
        "email",
        "summary",
        "notes",
        "description",
        "rationale",
        "reason",
        "result",
        "in_their_words",
        "what_was_said",
        "what_they_were_told",
        "told",
        "safe_times",
    }
)

_CASE_MODEL = "cases.case"
_PERSON_MODEL = "cases.person"


def sensitive_field_names() -> frozenset[str]:
    return DEFAULT_SENSITIVE_FIELDS | frozenset(getattr(settings, "AUDIT_SENSITIVE_FIELDS", ()))


def _label(obj) -> str:
    return obj._meta.label_lower


def _is_sensitive(name: str, model, extra: frozenset[str]) -> bool:
    configured = sensitive_field_names()
    if name in extra or name in configured:
        return True
    if model is None:
        return False
    if f"{model._meta.label_lower}.{name}" in configured:
        return True
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:  # a computed value, not a model field: the rules above decide
        return False
    return isinstance(field, models.TextField)


def _changes(changes, *, model, sensitive_fields, erase: bool) -> dict:
    """{field: [old, new]}, or {field: "changed"} for sensitive fields and erasures."""
    if not changes:
        return {}
    extra = frozenset(sensitive_fields)
    out = {}
    for name, value in changes.items():
        name = str(name)
        if erase or _is_sensitive(name, model, extra):
            out[name] = CHANGED
        else:
            old, new = value
            out[name] = [chain.json_safe(old), chain.json_safe(new)]
    return out


def _pk(value):
    return value.pk if hasattr(value, "pk") else value


def _subjects(obj) -> tuple[int | None, int | None]:
    """The case and person an object concerns, read from its own keys and from parents
    already loaded (a contact's record's party): never a query."""
    if obj is None:
        return None, None
    label = _label(obj)
    case_id = obj.pk if label == _CASE_MODEL else None
    person_id = obj.pk if label == _PERSON_MODEL else None
    for target in _loaded_lineage(obj):
        for field in target._meta.concrete_fields:
            if not field.is_relation or field.related_model is None:
                continue
            related = field.related_model._meta.label_lower
            if related == _CASE_MODEL and case_id is None:
                case_id = getattr(target, field.attname)
            elif related == _PERSON_MODEL and person_id is None:
                person_id = getattr(target, field.attname)
    return case_id, person_id


def _loaded_lineage(obj, depth: int = 3):
    """The object and the objects up to `depth` foreign keys away that are already loaded."""
    seen, level = [obj], [obj]
    for _ in range(depth):
        parents = []
        for child in level:
            for field in child._meta.concrete_fields:
                to_one = field.is_relation and (field.many_to_one or field.one_to_one)
                if to_one and field.is_cached(child):
                    parent = getattr(child, field.name)
                    if parent is not None and all(parent is not s for s in seen):
                        parents.append(parent)
        seen += parents
        level = parents
    return seen


def _ids(ids: Iterable) -> tuple[list[str], str]:
    values, object_type = [], ""
    for item in ids:
        if hasattr(item, "_meta") and not object_type:
            object_type = _label(item)
        values.append(str(_pk(item)))
    return values, object_type


def _check_length(name: str, value: str, limit: int) -> str:
    if len(value) > limit:
        raise ValueError(f"audit {name} is longer than {limit} characters")
    return value


def audit_record(
    *,
    operation: str,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    ids: Iterable | None = None,
    actor=None,
    justification: str = "",
    changes: dict | None = None,
    sensitive_fields: Iterable[str] = (),
    source: str | None = None,
    case=None,
    person=None,
    recipient: str = "",
    purpose: str = "",
) -> AuditEvent:
    """Log one act of processing personal data, chained to the log's last row.

    Not @transaction.atomic on purpose: the single INSERT is atomic by itself and joins the
    caller's transaction, and a savepoint would cost two more queries per call.
    """
    values = _event_values(
        operation=operation,
        obj=obj,
        object_type=object_type,
        object_id=object_id,
        ids=ids,
        actor=actor,
        justification=justification,
        changes=changes,
        sensitive_fields=sensitive_fields,
        source=source,
        case=case,
        person=person,
        recipient=recipient,
        purpose=purpose,
    )
    return _event(values, chain.append(values))


def audit_record_many(entries: Iterable[dict]) -> list[AuditEvent]:
    """Log many acts at once, in order: each entry holds `audit_record`'s keyword arguments.

    One chain-head lock for the lot instead of one per row (`chain.append_many`): a batch
    of sends or deliveries appends hundreds of rows in a few statements. Like
    `audit_record`, it joins the caller's transaction, which holds the head until it ends:
    keep that transaction short.
    """
    shared = None  # who, from where and why, resolved once for entries that do not say
    values = []
    for entry in entries:
        if entry.get("actor") is None and entry.get("source") is None:
            shared = shared or context.resolve(None, None)
            values.append(_event_values(**entry, resolved=shared))
        else:
            values.append(_event_values(**entry))
    if not values:
        return []
    links = chain.append_many(values)
    return [_event(v, link) for v, link in zip(values, links, strict=True)]


def _event(values: dict, link: chain.Link) -> AuditEvent:
    event = AuditEvent(seq=link.seq, prev_hash=link.prev_hash, hash=link.hash, **values)
    event._state.adding = False
    event._state.db = "default"
    return event


def _event_values(
    *,
    operation: str,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    ids: Iterable | None = None,
    actor=None,
    justification: str = "",
    changes: dict | None = None,
    sensitive_fields: Iterable[str] = (),
    source: str | None = None,
    case=None,
    person=None,
    recipient: str = "",
    purpose: str = "",
    resolved: tuple | None = None,
) -> dict:
    """The content of one audit row, checked: what the chain hashes and the table stores.
    `resolved` is `context.resolve(actor, source)`, when the caller has it already."""
    if operation not in Operation.values:
        raise ValueError(f"Unknown audit operation {operation!r}")
    object_ids: list[str] = []
    if ids is not None:
        object_ids, list_type = _ids(ids)
        object_type = object_type or list_type
    if obj is not None:
        object_type = object_type or _label(obj)
        object_id = obj.pk if object_id is None else object_id
    if not object_type:
        raise ValueError("audit_record needs obj, object_type or model instances in ids")
    case_id, person_id = _subjects(obj)
    if case is not None:
        case_id = _pk(case)
    if person is not None:
        person_id = _pk(person)
    user, label, source, ip, context_justification = resolved or context.resolve(actor, source)
    if user is None and context.current() and context.current().request is not None:
        label = "anonymous"
    if operation == Operation.DISCLOSE and not (recipient.strip() and purpose.strip()):
        raise ValueError("A disclosure needs its recipient and purpose")
    return {
        "at": timezone.now(),
        "actor_id": user.pk if user is not None else None,
        "actor_label": label[:200],
        "operation": str(operation),
        "object_type": _check_length("object_type", object_type, 100),
        "object_id": _check_length("object_id", chain.json_safe(str(object_id or "")), 64),
        "object_ids": object_ids,
        "case_id": case_id,
        "person_id": person_id,
        "source": chain.json_safe(source),
        "ip": ip,
        "justification": chain.json_safe(justification or context_justification),
        "changes": _changes(
            changes,
            model=obj.__class__ if obj is not None else None,
            sensitive_fields=sensitive_fields,
            erase=operation == Operation.ERASE,
        ),
        "recipient": _check_length("recipient", chain.json_safe(recipient), 4000),
        "purpose": _check_length("purpose", chain.json_safe(purpose), 300),
    }


def audit_consult(
    *,
    obj=None,
    ids: Iterable | None = None,
    object_type: str | None = None,
    object_id=None,
    actor=None,
    justification: str = "",
    case=None,
    person=None,
) -> AuditEvent:
    """Log that a record (obj) or a list of records (ids: one row for the page) was read."""
    return audit_record(
        operation=Operation.CONSULT,
        obj=obj,
        ids=ids,
        object_type=object_type,
        object_id=object_id,
        actor=actor,
        justification=justification,
        case=case,
        person=person,
    )


def audit_disclose(
    *,
    recipient: str,
    purpose: str,
    obj=None,
    ids: Iterable | None = None,
    object_type: str | None = None,
    actor=None,
    justification: str = "",
    case=None,
    person=None,
) -> AuditEvent:
    """Log an export or download: what left the system, to whom and what for."""
    return audit_record(
        operation=Operation.DISCLOSE,
        obj=obj,
        ids=ids,
        object_type=object_type,
        actor=actor,
        justification=justification,
        case=case,
        person=person,
        recipient=recipient,
        purpose=purpose,
    )


def audit_snapshot(obj, fields: Iterable[str] | None = None) -> dict:
    """The object's field values now, to compare after a change with audit_changes."""
    names = fields or [f.attname for f in obj._meta.concrete_fields]
    return {name: getattr(obj, name) for name in names}


def audit_changes(before: dict, after) -> dict:
    """{field: (old, new)} for the fields whose values differ between a snapshot and now."""
    now = after if isinstance(after, dict) else audit_snapshot(after, before.keys())
    return {name: (old, now.get(name)) for name, old in before.items() if now.get(name) != old}


def audit_witness_record() -> AuditWitness | None:
    """Record where the chain head stands now, read and written as the witness role.

    The head is read through the witness role's own connection, so what is recorded is what
    the database holds, not what the application says. None while the log has no head (a new
    log, or one wiped: `audit_verify` then fails on the earlier witnesses). Recording a
    witness is not processing of personal data and writes no audit row (which would also
    move the head it records).
    """
    alias = witness_database()
    head = AuditChainHead.objects.using(alias).filter(pk=1).values_list("seq", "hash").first()
    if head is None:
        logger.warning("audit witness: the log has no chain head; nothing recorded")
        return None
    return AuditWitness.objects.using(alias).create(seq=head[0], hash=head[1])
