"""Assertions other engineers use to prove their services and views are audited.

from tests.audit.helpers import assert_audited, audited

case_transition(case=case, to=..., by=review_lead, reason="...")
assert_audited("alter", case, actor=review_lead)

with audited("consult", object_type="cases.case"):
    client.get(url)
"""

import contextlib
import io

from django.core.management import call_command

from beaconport.audit.models import AuditEvent


def verify(*args) -> str:
    """What `manage.py audit_verify` prints ("Audit log intact: ..." when it is)."""
    out = io.StringIO()
    call_command("audit_verify", *args, stdout=out)
    return out.getvalue()


def _matches(event, operation, obj, object_type, object_id, actor):
    if event.operation != operation:
        return False
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    if object_type is not None and event.object_type != object_type:
        return False
    if object_id is not None and str(object_id) not in {event.object_id, *event.object_ids}:
        return False
    return actor is None or event.actor_id == actor.pk


def assert_audited(
    operation: str, obj=None, *, object_type=None, object_id=None, actor=None, after_seq=0
) -> AuditEvent:
    """The newest audit row of this operation about this object (or in a list of it)."""
    events = AuditEvent.objects.filter(seq__gt=after_seq).order_by("-seq")
    for event in events:
        if _matches(event, operation, obj, object_type, object_id, actor):
            return event
    logged = [(e.seq, e.operation, e.object_type, e.object_id) for e in events[:20]]
    target = obj if obj is not None else (object_type, object_id)
    raise AssertionError(f"no {operation!r} audit row for {target!r}; newest rows: {logged}")


def last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


@contextlib.contextmanager
def audited(operation: str, obj=None, *, object_type=None, object_id=None, actor=None):
    """Fail unless the block writes a matching audit row; yields a list holding it after."""
    found = []
    before = last_seq()
    yield found
    found.append(
        assert_audited(
            operation,
            obj,
            object_type=object_type,
            object_id=object_id,
            actor=actor,
            after_seq=before,
        )
    )
