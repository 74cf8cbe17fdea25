"""Writes to a victim's consent: to sharing their information, and to being contacted.

Consent is recorded with its scope, the day it was given and how; it is never rewritten or
deleted. Withdrawing it keeps the row, with the day and the reason:

- consent to **contact** withdrawn: the record keeps the day (`contact_withdrawn_on`),
  every open follow-up of the record is cancelled saying so, so no reminder or escalation
  goes; until consent to contact is given again no follow-up opens for the record and an
  outgoing contact is refused (`liaison.services.followups`, `liaison.services.contacts`);
- consent to **sharing information** withdrawn: a support referral relying on it that was
  not yet made is stopped (its follow-up cancelled), and cannot be made.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.inputs import PAST_DATE, text_problem
from cases.services.versioning import (
    audit_before,
    check_version,
    lock_current,
)
from liaison.models import (
    Channel,
    Consent,
    ConsentKind,
    FollowUp,
    FollowUpStatus,
    LiaisonRecord,
    ReminderDelivery,
    SupportReferral,
)
from liaison.rules import next_reminder_at, stage_times
from liaison.services.common import (
    SENSITIVE_FIELDS,
    audit_on_record,
    person_of,
    require,
    save_audited,
)

WITHDRAWAL = ("withdrawn_on", "withdrawn_reason", "withdrawn_by")
SCOPE_MAX_LENGTH = Consent._meta.get_field("scope").max_length
REASON_MAX_LENGTH = Consent._meta.get_field("withdrawn_reason").max_length


def day_words(day: datetime.date) -> str:
    """A day as people write it: 3 December 2026."""
    return f"{day.day} {day:%B %Y}"


def contact_withdrawn_reason(record: LiaisonRecord) -> str | None:
    """Why the victim may not be contacted now (None: they may); no query."""
    if record.contact_withdrawn_on is None:
        return None
    return f"The victim withdrew consent to contact on {day_words(record.contact_withdrawn_on)}"


def refuse_if_contact_withdrawn(record: LiaisonRecord, doing: str, field: str | None = None):
    """Raise a ValidationError saying why, while the victim's consent to contact is withdrawn
    (`doing` says what was refused: "no follow-up can be opened")."""
    reason = contact_withdrawn_reason(record)
    if reason is None:
        return
    message = f"{reason}: {doing} until they give it again (record their consent first)."
    raise ValidationError({field: message} if field else message, code="contact_withdrawn")


def day_problem(day, *, what: str, not_before: datetime.date | None = None, before_what=""):
    """Why the day given is refused, or None: missing ("Give the day <what>."), implausible
    or in the future, or before `not_before` (`before_what` names that day)."""
    if day is None:
        return f"Give the day {what}."
    if problem := PAST_DATE.problem(day):
        return problem
    if not_before is not None and day < not_before:
        return f"It cannot be before {before_what} ({day_words(not_before)})."
    return None


@transaction.atomic
def consent_record(
    *,
    record: LiaisonRecord,
    by,
    kind: str,
    scope: str,
    given_on: datetime.date,
    how: str,
) -> Consent:
    """Record the victim's consent, to sharing their information or to being contacted:
    what it covers, the day they gave it and how. Consent to contact given again ends a
    withdrawal: contact and reminders resume."""
    require(by, "change", record, "record consent")
    errors = {}
    scope = (scope or "").strip()
    if kind not in ConsentKind.values:
        errors["kind"] = "Choose what the victim consents to."
    if not scope:
        errors["scope"] = "Say what it covers: with whom, what, for what purpose."
    elif problem := text_problem(scope, SCOPE_MAX_LENGTH):
        errors["scope"] = problem
    if problem := day_problem(given_on, what="consent was given"):
        errors["given_on"] = problem
    if how not in Channel.values:
        errors["how"] = "Choose how the victim gave their consent."
    if errors:
        raise ValidationError(errors)
    current = LiaisonRecord.objects.select_for_update().get(pk=record.pk)
    if (
        kind == ConsentKind.CONTACT
        and current.contact_withdrawn_on is not None
        and given_on < current.contact_withdrawn_on
    ):
        raise ValidationError(
            {
                "given_on": (
                    "Consent to contact was withdrawn on "
                    f"{day_words(current.contact_withdrawn_on)}: consent given again must be "
                    "dated on or after that day."
                )
            }
        )
    consent = Consent.objects.create(
        record=record, kind=kind, scope=scope, given_on=given_on, how=how, recorded_by=by
    )
    audit_on_record(record, operation=Operation.COLLECT, by=by, obj=consent)
    if kind == ConsentKind.CONTACT and current.contact_withdrawn_on is not None:
        _contact_withdrawn_set(record, by=by, old=current.contact_withdrawn_on, new=None)
        _reminders_resume(record)
    if kind == ConsentKind.CONTACT:
        record.contact_withdrawn_on = None
    return consent


@transaction.atomic
def consent_withdraw(
    *,
    consent: Consent,
    by,
    withdrawn_on: datetime.date,
    reason: str,
    version: int,
) -> Consent:
    """Record that the victim withdrew a consent: the day and why. Refused when stale.

    Withdrawing consent to contact withdraws every active consent to contact of the record,
    keeps the day on the record and cancels its open follow-ups (their reminders stop).
    Withdrawing consent to share information stops the referrals relying on it that were
    not yet made.
    """
    record = consent.record
    require(by, "change", record, "withdraw consent")
    current = lock_current(consent)
    check_version(
        instance=consent,
        current=current,
        version=version,
        submitted={},
        tracked=("withdrawn_on", "scope"),
        label="This consent",
    )
    if not current.is_active:
        raise ValidationError(
            f"This consent was already withdrawn on {day_words(current.withdrawn_on)}.",
            code="withdrawn",
        )
    errors = {}
    reason = (reason or "").strip()
    if problem := day_problem(
        withdrawn_on,
        what="consent was withdrawn",
        not_before=current.given_on,
        before_what="the day it was given",
    ):
        errors["withdrawn_on"] = problem
    if not reason:
        errors["reason"] = "Say why the victim withdrew their consent (in their words if you can)."
    elif problem := text_problem(reason, REASON_MAX_LENGTH):
        errors["reason"] = problem
    if errors:
        raise ValidationError(errors)

    withdrawn = [current]
    if current.kind == ConsentKind.CONTACT:
        others = list(
            Consent.objects.select_for_update()
            .filter(record_id=current.record_id, kind=ConsentKind.CONTACT, withdrawn_on=None)
            .exclude(pk=current.pk)
            .order_by("pk")
        )
        later = [c for c in others if c.given_on > withdrawn_on]
        if later:
            raise ValidationError(
                {
                    "withdrawn_on": (
                        f"Consent to contact was given again on {day_words(later[0].given_on)}, "
                        "after this day: withdraw that consent instead."
                    )
                }
            )
        withdrawn += others
    for item in withdrawn:
        old = audit_before(item, WITHDRAWAL)
        item.withdrawn_on = withdrawn_on
        item.withdrawn_reason = reason
        item.withdrawn_by = by
        save_audited(
            item,
            record=record,
            by=by,
            old=old,
            saved=WITHDRAWAL,
            sensitive_fields=("withdrawn_reason",),
        )

    if current.kind == ConsentKind.CONTACT:
        locked = LiaisonRecord.objects.select_for_update().get(pk=record.pk)
        if locked.contact_withdrawn_on is None:
            _contact_withdrawn_set(record, by=by, old=None, new=withdrawn_on)
        cause = f"The victim withdrew consent to contact on {day_words(withdrawn_on)}"
        _cancel_open(FollowUp.objects.filter(record_id=record.pk), cause, record=record, by=by)
        record.contact_withdrawn_on = locked.contact_withdrawn_on or withdrawn_on
    else:
        cause = (
            f"The victim withdrew consent to share their information on "
            f"{day_words(withdrawn_on)}: the referral was not made"
        )
        unmade = SupportReferral.objects.filter(consent=current, referred_on=None)
        _cancel_open(
            FollowUp.objects.filter(pk__in=unmade.values("followup_id")),
            cause,
            record=record,
            by=by,
        )
    current.record = record
    return current


def _contact_withdrawn_set(record: LiaisonRecord, *, by, old, new) -> None:
    """Keep (or clear) the day consent to contact was withdrawn on the record, audited.

    The record's version is left alone: no form edits this field, so an edit of the
    preferences open elsewhere is not made stale by it.
    """
    LiaisonRecord.objects.filter(pk=record.pk).update(
        contact_withdrawn_on=new, updated_at=timezone.now()
    )
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        object_type=LiaisonRecord._meta.label_lower,
        object_id=record.pk,
        changes={"contact_withdrawn_on": (old, new)},
        case=record.case_id,
        person=person_of(record),
    )


def _cancel_open(follow_ups, reason: str, *, record: LiaisonRecord, by) -> int:
    """Cancel the open ones among these follow-ups, saying why (their reminders stop)."""
    ids = list(
        follow_ups.filter(status=FollowUpStatus.OPEN)
        .select_for_update()
        .values_list("pk", flat=True)
    )
    if not ids:
        return 0
    FollowUp.objects.filter(pk__in=ids).update(
        status=FollowUpStatus.CANCELLED,
        cancelled_reason=reason[:300],
        next_reminder_at=None,
        version=F("version") + 1,
    )
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        object_type=FollowUp._meta.label_lower,
        ids=ids,
        changes={
            "status": (FollowUpStatus.OPEN, FollowUpStatus.CANCELLED),
            "cancelled_reason": (None, reason),
        },
        sensitive_fields=SENSITIVE_FIELDS,
        case=record.case_id,
        person=person_of(record),
    )
    return len(ids)


def _reminders_resume(record: LiaisonRecord) -> None:
    """Give back their next reminder time to open follow-ups the reminder sweep passed over
    while contact was withdrawn (stages already sent stay sent)."""
    paused = list(
        FollowUp.objects.filter(
            record_id=record.pk, status=FollowUpStatus.OPEN, next_reminder_at=None
        )
    )
    if not paused:
        return
    sent: dict[int, set[str]] = {f.pk: set() for f in paused}
    for follow_up_id, stage in ReminderDelivery.objects.filter(follow_up__in=paused).values_list(
        "follow_up_id", "stage"
    ):
        sent[follow_up_id].add(stage)
    for follow_up in paused:
        times = stage_times(
            starts_at=follow_up.starts_at, due_on=follow_up.due_on, due_at=follow_up.due_at
        )
        upcoming = next_reminder_at(times, sent[follow_up.pk])
        if upcoming is not None:
            FollowUp.objects.filter(pk=follow_up.pk).update(next_reminder_at=upcoming)
