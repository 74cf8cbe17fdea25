"""What every liaison service shares: the permission backstop and what the audit log keeps."""

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.services.errors import ActionNotPermitted
from cases.services.versioning import audit_delta, save_bumping_version
from liaison.models import LiaisonRecord
from liaison.permissions import record_user_can

# How to reach a victim, who speaks for them and when contact is safe: the audit log names
# these fields when they change, never their values (free text is kept out by the library).
SENSITIVE_FIELDS = (
    "safe_phone",
    "safe_email",
    "safe_days",
    "safe_from",
    "safe_to",
    "adviser_name",
    "adviser_contact",
    "intermediary",
    "cancelled_reason",
    "reason",
)


def person_of(record: LiaisonRecord) -> int | None:
    """The victim's person id when the record's party is already loaded (never a query)."""
    if LiaisonRecord._meta.get_field("party").is_cached(record):
        return record.party.person_id
    return None


def audit_on_record(record: LiaisonRecord, *, operation, by, obj, **more) -> None:
    """One audit row of a write about the victim's record: it names the record's case and,
    when the party is loaded, the victim's person. `more` goes to `audit_record`."""
    audit_record(
        operation=operation,
        actor=by,
        obj=obj,
        case=record.case_id,
        person=person_of(record),
        **more,
    )


def save_audited(obj, *, record: LiaisonRecord, by, old: dict, saved, audited=None, **more):
    """Save the `saved` fields adding one to the version, then log one alter row with what
    moved since `old` (`audit_before`) among the `audited` fields (the saved ones if not
    given), about the record's case and victim. `more` goes to `audit_record`."""
    save_bumping_version(obj, saved)
    changes = audit_delta(old, obj, saved if audited is None else audited)
    audit_on_record(record, operation=Operation.ALTER, by=by, obj=obj, changes=changes, **more)


def keep_party(loaded: LiaisonRecord, fresh: LiaisonRecord) -> LiaisonRecord:
    """Hand the party already loaded on the caller's copy to the fresh locked copy, so the
    record a service returns still names its victim in the next audit row (no query)."""
    field = LiaisonRecord._meta.get_field("party")
    if field.is_cached(loaded) and not field.is_cached(fresh) and loaded.party_id == fresh.party_id:
        field.set_cached_value(fresh, loaded.party)
    return fresh


def require(user, action: str, record, doing: str) -> None:
    """Refuse the write unless the user may take the action on the record.

    Views fetch through `liaison.permissions.record_get_for` first (not-yours answers 404);
    this keeps every write behind the same rules whoever calls the service.
    """
    if user is None or not record_user_can(user, action, record):
        raise ActionNotPermitted(f"You may not {doing} on this liaison record.")
