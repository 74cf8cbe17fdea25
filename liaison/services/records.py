"""Writes to liaison records: opening one per victim, assigning an officer, preferences,
enhanced-rights entitlement and do-not-contact periods."""

import datetime

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.bulk import rows_insert
from beaconport.inputs import PLANNED_DATE, clean_name, name_problem, text_problem
from cases.models import CaseParty
from cases.services.versioning import (
    audit_before,
    audit_delta,
    check_version,
    lock_current,
    save_bumping_version,
    versioned_update,
)
from cases.vocabulary import PartyRole
from liaison.models import DoNotContact, LiaisonRecord
from liaison.permissions import assignable_officers
from liaison.services.assignment_notices import assignment_notices
from liaison.services.common import SENSITIVE_FIELDS, keep_party, person_of, require
from liaison.services.followups import (
    officer_followups_reassign,
    periodic_followup_open,
    reschedule_open,
)

PREFERENCE_FIELDS = (
    "channels",
    "safe_phone",
    "safe_email",
    "safe_days",
    "safe_from",
    "safe_to",
    "may_leave_message",
    "via_adviser",
    "adviser_name",
    "adviser_contact",
    "intermediary",
    "language",
    "interpreter_needed",
    "update_interval_days",
)
ASSIGNMENT = ("officer", "assigned_at", "officer_until")
ENTITLEMENT = ("enhanced_rights", "enhanced_rights_off_reason")


def record_open_for_party(*, party_id: int) -> LiaisonRecord | None:
    """The liaison record of a victim party, opened (unassigned) if it does not exist yet.

    Idempotent: the one-to-one on the party makes a second call (or a concurrent one) find
    the first record. Parties that are not victims get none. Opening one is logged (as the
    system, from the receiver or command that asked) in the same transaction.
    """
    party = CaseParty.objects.filter(pk=party_id, role=PartyRole.VICTIM).first()
    if party is None:
        return None
    try:
        with transaction.atomic():
            record, created = LiaisonRecord.objects.get_or_create(
                party=party, defaults={"case_id": party.case_id}
            )
            if created:
                audit_record(operation=Operation.COLLECT, obj=record)
    except IntegrityError:
        record = LiaisonRecord.objects.get(party=party)
    return record


@transaction.atomic
def records_open_for_parties(*, party_ids) -> int:
    """Open (unassigned) liaison records for every victim among many parties at once.

    For a referral import: three queries however many parties, idempotent (victims who
    already have a record are left alone by the one-to-one, concurrent openers too), and
    one audit row naming the records opened, as the system. Nothing looks up the records
    that exist: the insert skips them (a lookup by party in a large table cost a scan).
    """
    victims = dict(
        CaseParty.objects.filter(pk__in=list(party_ids), role=PartyRole.VICTIM).values_list(
            "pk", "case_id"
        )
    )
    if not victims:
        return 0
    opened = rows_insert(
        LiaisonRecord,
        ("party_id", "case_id"),
        list(victims.items()),  # (party id, case id)
        ignore_conflicts=True,
    )
    if not opened:
        return 0
    audit_record(operation=Operation.COLLECT, object_type="liaison.liaisonrecord", ids=opened)
    return len(opened)


def _until(until: datetime.date | None) -> datetime.datetime | None:
    """The end of an assignment as a moment: the end of the day given, local time.

    The day must be a plausible planned date (beaconport.inputs.PLANNED_DATE: at most five
    years ahead) and today or later.
    """
    if until is None:
        return None
    if isinstance(until, datetime.datetime):
        until = timezone.localtime(until).date() if timezone.is_aware(until) else until.date()
    if problem := PLANNED_DATE.problem(until):
        raise ValidationError({"until": problem})
    if until < timezone.localdate():
        raise ValidationError({"until": "The end date must be today or later."})
    return timezone.make_aware(
        datetime.datetime.combine(until + datetime.timedelta(days=1), datetime.time.min)
    )


@transaction.atomic
def record_assign(
    *,
    record: LiaisonRecord,
    officer,
    by,
    reason: str,
    until: datetime.date | None = None,
    version: int | None = None,
) -> LiaisonRecord:
    """A liaison lead gives a victim's record to an officer (or takes it back: officer None).

    Only an active liaison officer (or lead) in a team covering the force of the victim's
    case can be given it, and only with a reason, which is kept as the audit row's
    justification. `until` (a day, optional) ends the officer's access after that day, local
    time, on the next request: the record is then unassigned to leads. The end is kept on
    the record (`officer_until`) and in the audit row. The record's open follow-ups and their
    reminders move to the new officer, and the officer is notified of a victim new to them
    (`liaison.services.assignment_notices`: once, whatever retries).
    """
    now = timezone.now()
    current, new = _assign(
        record=record, officer=officer, by=by, reason=reason, until=until, version=version, now=now
    )
    if new:
        assignment_notices(officer=officer, records=[current], at=now)
    return current


@transaction.atomic
def records_assign_many(
    *, records: list[LiaisonRecord], officer, by, reason: str, until: datetime.date | None = None
) -> list[LiaisonRecord]:
    """Give several victims' records to one officer at once (the lead's workspace): all or
    none, each checked and audited as `record_assign` does, and the officer told once per
    case ("BP-000123: 3 victims assigned to you."), never again for the same assignment.

    A refusal names the victim's pseudonym: "BP-000123-V1: <reason>".
    """
    now = timezone.now()
    given = []
    for record in records:
        try:
            current, new = _assign(
                record=record, officer=officer, by=by, reason=reason, until=until, now=now
            )
        except ValidationError as error:
            raise ValidationError(f"{record.pseudonym}: {' '.join(error.messages)}") from error
        given.append((current, new))
    assignment_notices(officer=officer, records=[r for r, new in given if new], at=now)
    return [r for r, _ in given]


def _assign(
    *,
    record: LiaisonRecord,
    officer,
    by,
    reason: str,
    until: datetime.date | None,
    now: datetime.datetime,
    version: int | None = None,
) -> tuple[LiaisonRecord, bool]:
    """One record's assignment (see `record_assign`); True when a new spell began for an
    officer (the victim is new to them), so they are to be told."""
    require(by, "assign", record, "assign this record")
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: the reason is kept in the audit log."})
    if len(reason) > 2000:
        raise ValidationError({"reason": "Keep the reason to 2000 characters."})
    officer_until = _until(until) if officer is not None else None
    if officer is not None and not assignable_officers(record).filter(pk=officer.pk).exists():
        raise ValidationError(
            {"officer": "Choose an active liaison officer in a team covering this case's force."}
        )
    current = keep_party(record, lock_current(record))
    if version is not None:
        check_version(
            instance=record,
            current=current,
            version=version,
            submitted={"officer": officer},
            tracked=("officer",),
            label="This liaison record",
        )
    same_officer = current.officer_id == (officer.pk if officer else None)
    if same_officer and current.officer_until == officer_until:
        return current, False
    old = audit_before(current, ASSIGNMENT)
    current.officer = officer
    new = not same_officer or bool(current.officer_until and current.officer_until <= now)
    if new:
        current.assigned_at = now if officer else None  # a new spell: not a changed end
    current.officer_until = officer_until
    save_bumping_version(current, ASSIGNMENT)
    officer_followups_reassign(record=current)
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        justification=reason,
        changes=audit_delta(old, current, ASSIGNMENT),
        person=person_of(record),
    )
    return current, new and officer is not None


# Names of people who stand beside the victim: cleaned and checked as a person's name is.
PREFERENCE_NAMES = ("adviser_name", "intermediary")


def _validate_preferences(current: LiaisonRecord, changed: set[str]) -> None:
    errors = {
        name: problem
        for name in PREFERENCE_NAMES
        if name in changed and (problem := name_problem(getattr(current, name)))
    }
    if errors:
        raise ValidationError(errors)
    current.clean()


@transaction.atomic
def preferences_update(*, record: LiaisonRecord, by, version: int, **fields) -> LiaisonRecord:
    """Change how the victim may be contacted; refused if someone else changed it meanwhile.

    Fields: any of PREFERENCE_FIELDS. A new agreed update interval opens the next periodic
    update (from the last contact made, or from now).
    """
    require(by, "change", record, "change contact preferences")
    if "channels" in fields:
        fields["channels"] = list(fields["channels"] or [])
    if "safe_days" in fields:
        fields["safe_days"] = sorted({int(d) for d in fields["safe_days"] or []})
    for name in PREFERENCE_NAMES:
        if name in fields:
            fields[name] = clean_name(fields[name])
    old = audit_before(record, PREFERENCE_FIELDS)
    current, changed = versioned_update(
        instance=record,
        version=version,
        fields=fields,
        editable=PREFERENCE_FIELDS,
        label="This liaison record",
        validate=_validate_preferences,
    )
    keep_party(record, current)
    if "update_interval_days" in changed and current.update_interval_days:
        last = (
            current.contacts.filter(outcome="made")
            .order_by("-occurred_at")
            .values_list("occurred_at", flat=True)
            .first()
        )
        after = last or timezone.now()
        periodic_followup_open(
            record=current, after=after, source=f"interval:{current.version}", by=by
        )
    if changed:
        audit_record(
            operation=Operation.ALTER,
            actor=by,
            obj=current,
            changes=audit_delta(old, current, changed),
            sensitive_fields=SENSITIVE_FIELDS,
            person=person_of(record),
        )
    return current


@transaction.atomic
def enhanced_rights_set(
    *, record: LiaisonRecord, enhanced: bool, by, reason: str = "", version: int | None = None
) -> LiaisonRecord:
    """Say whether the victim is entitled to enhanced rights under the Victims' Code.

    Switching them off needs a reason. Open statutory follow-ups take the new limits.
    """
    require(by, "change", record, "change the entitlement")
    reason = (reason or "").strip()
    if problem := text_problem(reason, REASON_MAX_LENGTH):
        raise ValidationError({"enhanced_rights_off_reason": problem})
    if not enhanced and not reason:
        raise ValidationError(
            {"enhanced_rights_off_reason": "Say why enhanced rights do not apply."}
        )
    current = keep_party(record, lock_current(record))
    if version is not None:
        check_version(
            instance=record,
            current=current,
            version=version,
            submitted={"enhanced_rights": enhanced},
            tracked=ENTITLEMENT,
            label="This liaison record",
        )
    old = audit_before(current, ENTITLEMENT)
    current.enhanced_rights = bool(enhanced)
    current.enhanced_rights_off_reason = "" if enhanced else reason
    save_bumping_version(current, ENTITLEMENT)
    reschedule_open(record=current)
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        changes=audit_delta(old, current, ENTITLEMENT),
        person=person_of(record),
    )
    return current


# The cap of the reasons kept on a record and its do-not-contact periods (their columns').
REASON_MAX_LENGTH = 2000


@transaction.atomic
def do_not_contact_add(
    *,
    record: LiaisonRecord,
    by,
    starts_on: datetime.date,
    reason: str,
    ends_on: datetime.date | None = None,
) -> DoNotContact:
    """Record a period in which the victim must not be contacted."""
    require(by, "change", record, "add a do-not-contact period")
    errors = {}
    reason = (reason or "").strip()
    if starts_on is None:
        errors["starts_on"] = "Give the first day."
    for name, day in (("starts_on", starts_on), ("ends_on", ends_on)):
        if problem := PLANNED_DATE.problem(day):
            errors[name] = problem
    if not reason:
        errors["reason"] = "Say why."
    elif problem := text_problem(reason, REASON_MAX_LENGTH):
        errors["reason"] = problem
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = "The last day cannot be before the first."
    if errors:
        raise ValidationError(errors)
    period = DoNotContact.objects.create(
        record=record, starts_on=starts_on, ends_on=ends_on, reason=reason, created_by=by
    )
    audit_record(operation=Operation.COLLECT, actor=by, obj=period)
    return period


@transaction.atomic
def do_not_contact_end(*, period: DoNotContact, by, ends_on: datetime.date) -> DoNotContact:
    """Set or bring forward the last day of a do-not-contact period."""
    require(by, "change", period.record, "change a do-not-contact period")
    if problem := PLANNED_DATE.problem(ends_on):
        raise ValidationError({"ends_on": problem})
    if ends_on < period.starts_on:
        raise ValidationError({"ends_on": "The last day cannot be before the first."})
    old = audit_before(period, ("ends_on",))
    period.ends_on = ends_on
    period.save(update_fields=["ends_on"])
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=period,
        changes=audit_delta(old, period, ("ends_on",)),
    )
    return period
