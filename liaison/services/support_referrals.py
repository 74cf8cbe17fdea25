"""Writes to support referrals: a victim referred to an ISVA, a ChISVA or other support.

A referral needs the victim's consent to share their information, recorded first and still
active. Agreeing to it opens a follow-up under the Victims' Code rule `support_referral`
(2 working days for enhanced entitlement; the rule's standard days otherwise), which the
reminder sweep chases like any other; making the referral completes it (late only with a
reason). The service's answer is recorded as the outcome.
"""

import datetime

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.inputs import text_problem
from cases.services.versioning import (
    audit_before,
    audit_delta,
    check_version,
    lock_current,
)
from liaison.models import (
    Consent,
    ConsentKind,
    FollowUp,
    FollowUpStatus,
    LiaisonRecord,
    SupportReferral,
    SupportReferralOutcome,
    SupportService,
    Trigger,
)
from liaison.rules import rule_in_force, statutory_due_on
from liaison.services.common import audit_on_record, require, save_audited
from liaison.services.consent import day_problem, day_words, refuse_if_contact_withdrawn
from liaison.services.followups import COMPLETION, build_followup, complete_locked
from liaison.workdays import start_of_day

MADE = ("referred_on",)
OUTCOME = ("outcome", "outcome_on", "outcome_notes")
ORGANISATION_MAX_LENGTH = SupportReferral._meta.get_field("organisation").max_length
NOTES_MAX_LENGTH = SupportReferral._meta.get_field("outcome_notes").max_length
# Outcomes only the service can give: they answer a referral it received.
SERVICE_ANSWERS = frozenset(
    {
        SupportReferralOutcome.ACCEPTED,
        SupportReferralOutcome.DECLINED_BY_SERVICE,
        SupportReferralOutcome.NO_RESPONSE,
    }
)


def consent_withdrawn_message(consent: Consent) -> str:
    return (
        "The victim withdrew consent to share their information on "
        f"{day_words(consent.withdrawn_on)} ({consent.withdrawn_reason}): the referral "
        "cannot be made."
    )


def _moment(day: datetime.date) -> datetime.datetime:
    """When something done on a day counts as done: now for today, else that day's start."""
    return timezone.now() if day >= timezone.localdate() else start_of_day(day)


@transaction.atomic
def support_referral_create(
    *,
    record: LiaisonRecord,
    by,
    service: str,
    organisation: str,
    consent: Consent | None,
    agreed_on: datetime.date,
) -> SupportReferral:
    """Refer the victim to an ISVA, a ChISVA or other support, with their consent to share
    their information (recorded first, still active). Opens the referral's follow-up: due
    within the rule's working days from the day the victim agreed."""
    require(by, "change", record, "refer the victim to support")
    errors = {}
    organisation = (organisation or "").strip()
    if service not in SupportService.values:
        errors["service"] = "Choose the service the victim is referred to."
    if problem := text_problem(organisation, ORGANISATION_MAX_LENGTH):
        errors["organisation"] = problem
    elif service == SupportService.OTHER and not organisation:
        errors["organisation"] = "Name the support service."
    if consent is not None:
        consent = Consent.objects.select_for_update().filter(pk=consent.pk).first()
    if consent is None or consent.record_id != record.pk:
        errors["consent"] = (
            "Record the victim's consent to share their information first, then refer them."
        )
    elif consent.kind != ConsentKind.INFORMATION_SHARING:
        errors["consent"] = "A referral relies on consent to share information, not to contact."
    elif not consent.is_active:
        errors["consent"] = (
            f"That consent was withdrawn on {day_words(consent.withdrawn_on)}: record the "
            "victim's consent again first."
        )
    if problem := day_problem(agreed_on, what="the victim agreed to be referred"):
        errors["agreed_on"] = problem
    elif "consent" not in errors and agreed_on < consent.given_on:
        errors["agreed_on"] = (
            f"The victim's consent to share their information was given on "
            f"{day_words(consent.given_on)}: a referral relying on it is agreed on or after."
        )
    if errors:
        raise ValidationError(errors)
    refuse_if_contact_withdrawn(record, "no referral (and its follow-up) can be opened")
    rule = rule_in_force(Trigger.SUPPORT_REFERRAL, agreed_on)
    due_on = (
        statutory_due_on(rule, enhanced=record.enhanced_rights, event_on=agreed_on)
        if rule
        else None
    )
    if due_on is None:
        raise ValidationError(
            {"agreed_on": "No Victims' Code rule for support referrals applies on that day."}
        )
    referral = SupportReferral.objects.create(
        record=record,
        service=service,
        organisation=organisation,
        consent=consent,
        agreed_on=agreed_on,
        recorded_by=by,
    )
    days = rule.days_for(enhanced=record.enhanced_rights)
    follow_up = build_followup(
        record=record,
        due_on=due_on,
        reason=(
            f"Refer the victim to {SupportService(service).label}: within {days} working "
            f"day{'s' if days != 1 else ''} of their agreement"
        ),
        starts_at=_moment(agreed_on),
        rule=rule,
        source=f"support:{referral.pk}",
        by=by,
    )
    follow_up.save()
    referral.followup = follow_up
    referral.save(update_fields=["followup"])
    audit_on_record(record, operation=Operation.COLLECT, by=by, obj=referral)
    audit_on_record(record, operation=Operation.COLLECT, by=by, obj=follow_up)
    return referral


def _locked(referral: SupportReferral, version: int, tracked) -> SupportReferral:
    current = lock_current(referral)
    check_version(
        instance=referral,
        current=current,
        version=version,
        submitted={},
        tracked=tracked,
        label="This referral",
    )
    current.record = referral.record
    return current


@transaction.atomic
def support_referral_made(
    *,
    referral: SupportReferral,
    by,
    referred_on: datetime.date,
    late_reason: str = "",
    version: int,
) -> SupportReferral:
    """Record that the referral was made: its follow-up is done (after its deadline only
    with a reason for the lateness). Refused when the consent it relies on was withdrawn
    or the referral was stopped."""
    record = referral.record
    require(by, "change", record, "record a referral as made")
    current = _locked(referral, version, ("referred_on", "outcome"))
    if current.referred_on is not None:
        raise ValidationError(
            f"This referral was already made on {day_words(current.referred_on)}.", code="made"
        )
    if problem := day_problem(
        referred_on,
        what="the referral was made",
        not_before=current.agreed_on,
        before_what="the day the victim agreed",
    ):
        raise ValidationError({"referred_on": problem})
    consent = Consent.objects.select_for_update().get(pk=current.consent_id)
    if not consent.is_active:
        raise ValidationError(consent_withdrawn_message(consent), code="consent_withdrawn")
    follow_up = None
    if current.followup_id is not None:
        follow_up = FollowUp.objects.select_for_update().get(pk=current.followup_id)
        if follow_up.status == FollowUpStatus.CANCELLED:
            raise ValidationError(
                f"This referral was stopped: {follow_up.cancelled_reason}. Refer the victim "
                "again if they agree.",
                code="stopped",
            )
    if current.outcome == SupportReferralOutcome.DECLINED_BY_VICTIM:
        raise ValidationError("The victim declined this referral: it is not made.")
    old = audit_before(current, MADE)
    if follow_up is not None and follow_up.status == FollowUpStatus.OPEN:
        before = audit_before(follow_up, COMPLETION)
        complete_locked(
            follow_up, done_at=_moment(referred_on), contact=None, late_reason=late_reason
        )
        changes = audit_delta(before, follow_up, COMPLETION)
        audit_on_record(record, operation=Operation.ALTER, by=by, obj=follow_up, changes=changes)
    current.referred_on = referred_on
    save_audited(current, record=record, by=by, old=old, saved=MADE)
    if follow_up is not None:
        current.followup = follow_up
    return current


@transaction.atomic
def support_referral_outcome(
    *,
    referral: SupportReferral,
    by,
    outcome: str,
    outcome_on: datetime.date,
    notes: str = "",
    version: int,
) -> SupportReferral:
    """Record what came of the referral (accepted, declined by the victim or the service, no
    response), the day and any notes; a correction later is refused when stale.

    The service answers only a referral it received: those outcomes need the referral made.
    A victim who declines before it is made stops it (its follow-up is cancelled).
    """
    record = referral.record
    require(by, "change", record, "record a referral's outcome")
    current = _locked(referral, version, (*OUTCOME, "referred_on"))
    errors = {}
    notes = (notes or "").strip()
    if outcome not in SupportReferralOutcome.values:
        errors["outcome"] = "Choose what came of the referral."
    elif outcome in SERVICE_ANSWERS and current.referred_on is None:
        errors["outcome"] = (
            "Record the referral as made first: the service can only answer a referral it received."
        )
    start = current.referred_on or current.agreed_on
    what = "the referral was made" if current.referred_on else "the victim agreed"
    if problem := day_problem(
        outcome_on, what="of the outcome", not_before=start, before_what=f"the day {what}"
    ):
        errors["outcome_on"] = problem
    if problem := text_problem(notes, NOTES_MAX_LENGTH):
        errors["outcome_notes"] = problem
    if errors:
        raise ValidationError(errors)
    old = audit_before(current, OUTCOME)
    current.outcome = outcome
    current.outcome_on = outcome_on
    current.outcome_notes = notes
    changed = [name for name in OUTCOME if old[name] != getattr(current, name)]
    if not changed:
        return current
    if outcome == SupportReferralOutcome.DECLINED_BY_VICTIM and current.referred_on is None:
        _stop_followup(current, record, by=by, day=outcome_on)
    save_audited(
        current,
        record=record,
        by=by,
        old=old,
        saved=changed,
        sensitive_fields=("outcome_notes",),
    )
    return current


def _stop_followup(referral: SupportReferral, record: LiaisonRecord, *, by, day) -> None:
    """Cancel the open follow-up of a referral the victim declined before it was made."""
    if referral.followup_id is None:
        return
    follow_up = FollowUp.objects.select_for_update().get(pk=referral.followup_id)
    if follow_up.status != FollowUpStatus.OPEN:
        return
    before = audit_before(follow_up, ("status", "cancelled_reason"))
    follow_up.status = FollowUpStatus.CANCELLED
    follow_up.cancelled_reason = f"The victim declined the referral on {day_words(day)}"
    follow_up.next_reminder_at = None
    save_audited(
        follow_up,
        record=record,
        by=by,
        old=before,
        saved=["status", "cancelled_reason", "next_reminder_at"],
        audited=("status", "cancelled_reason"),
    )
