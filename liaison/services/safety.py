"""Writes to a victim's needs and safety (issue 13): the needs assessment, the safety plan
and its reviews, and the call for a review when a suspect on the victim's case is flagged
dangerous.

Every writer locks the victim's liaison record row first, so the one assessment and the
one plan of a record are created once and edited one at a time (the record is the lock,
whichever of the two rows exists yet). An edit carries the version the user loaded: a
stale one is refused with what changed; a form opened before anything was recorded sends
no version, and finding a row made meanwhile is stale too.

The safety alert never carries a suspect's detail (no name, no pseudonym, no reason): only
the case reference, and that a person on the case has been flagged as a danger.
"""

import datetime
from collections.abc import Iterable

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record_many
from beaconport.inputs import PAST_DATE, clean_name, name_problem, validate_instance
from beaconport.models import OutboxMessage
from beaconport.outbox import outbox_claim, outbox_send, recipient_groups
from cases.models import SuspectFlag, format_reference
from cases.services.errors import StaleEdit
from cases.services.versioning import (
    audit_before,
    audit_delta,
    audited_versioned_update,
    check_version,
    save_bumping_version,
)
from cases.vocabulary import FlagKind
from liaison.models import (
    LiaisonRecord,
    NeedsAssessment,
    Notification,
    RiskLevel,
    SafetyPlan,
    SpecialMeasure,
)
from liaison.permissions import CHANGE, escalation_recipients, has_current_officer
from liaison.services.common import audit_on_record, person_of, require, save_audited

NEEDS_FIELDS = (
    "communication_needs",
    "interpreter_language",
    "accessibility_needs",
    "special_measures",
    "contact_person",
    "contact_person_details",
    "assessed_on",
    "assessed_by",
)
PLAN_FIELDS = ("risk_level", "plan")
REVIEW_FIELDS = ("reviewed_on", "reviewed_by", "review_needed_since", "review_needed_reason")
# Who speaks for the victim and how to reach them, and what they need: the audit log names
# these fields when they change, never their values (free text is kept out by the library).
NEEDS_SENSITIVE = (
    "interpreter_language",
    "special_measures",
    "contact_person",
    "contact_person_details",
)
# Risk levels at which a plan must say how the victim is kept safe.
PLAN_REQUIRED = (RiskLevel.MEDIUM, RiskLevel.HIGH)

# What the plan and the alert say: a person on the case, never who or why.
REVIEW_REASON = "A person on this case has been flagged as a danger."
ALERT_KIND = "liaison.safety_review"


def _lock_record(record: LiaisonRecord) -> None:
    """Lock the victim's record row: the one lock every writer of needs and safety takes."""
    list(
        LiaisonRecord.objects.select_for_update(of=("self",))
        .filter(pk=record.pk)
        .values_list("pk", flat=True)
    )


def _refuse_if_made_meanwhile(current, *, version, submitted: dict, label: str) -> None:
    """A form opened when nothing was recorded sends no version: a row made since is stale.

    What changed is every submitted field whose stored value is not what was sent (the
    user saw nothing, so all that is stored is someone else's).
    """
    if current is None or version is not None:
        return
    changes = {
        name: {"theirs": getattr(current, name), "yours": value}
        for name, value in submitted.items()
        if getattr(current, name) != value
    }
    what = ", ".join(sorted(changes)) if changes else "nothing you sent"
    raise StaleEdit(
        f"{label} was recorded by someone else since you opened the form (now version "
        f"{current.version}; different: {what}). Nothing was saved: review theirs and "
        "submit again.",
        changes=changes,
        current=current,
    )


def _create_or_update(
    model, *, record, by, version, fields: dict, new, label, editable, also=None, **audit
):
    """The record's one assessment or plan, under the record's lock: made by `new()` (built
    and validated, saved here, logged as collected) when there is none and the form sent no
    version; else `fields` (and `also`) applied at the version loaded, stale refused, what
    moved logged (`audit` goes to the audit row, e.g. sensitive_fields)."""
    _lock_record(record)
    current = model.objects.filter(record_id=record.pk).first()
    _refuse_if_made_meanwhile(current, version=version, submitted=fields, label=label)
    if current is None:
        obj = new()
        obj.save()
        audit_on_record(record, operation=Operation.COLLECT, by=by, obj=obj)
        return obj
    current, _ = audited_versioned_update(
        instance=current,
        by=by,
        version=version,
        fields={**fields, **(also or {})},
        editable=editable,
        label=label,
        case=record.case_id,
        person=person_of(record),
        **audit,
    )
    return current


def _measures(values: Iterable[str] | None) -> list[str]:
    """The special measures chosen, each once, in the list's own order."""
    chosen = list(values or [])
    unknown = [v for v in chosen if v not in SpecialMeasure.values]
    if unknown:
        raise ValidationError({"special_measures": "Choose special measures from the list."})
    return [v for v in SpecialMeasure.values if v in chosen]


def _text(value) -> str:
    return (value or "").strip()


@transaction.atomic
def needs_assessment_save(
    *,
    record: LiaisonRecord,
    by,
    communication_needs: str = "",
    interpreter_language: str = "",
    accessibility_needs: str = "",
    special_measures: Iterable[str] = (),
    contact_person: str = "",
    contact_person_details: str = "",
    assessed_on: datetime.date | None = None,
    version: int | None = None,
) -> NeedsAssessment:
    """Record or update what the victim needs: how they communicate, an interpreter,
    accessibility, special measures and whom to contact for them.

    The first save creates the assessment (no version); every later one sends the version
    loaded and a stale one is refused with what changed. `assessed_on` is the day of the
    assessment (today if not given; never in the future); the assessor is whoever saves.
    """
    require(by, CHANGE, record, "record a needs assessment")
    fields = {
        "communication_needs": _text(communication_needs),
        "interpreter_language": _text(interpreter_language),
        "accessibility_needs": _text(accessibility_needs),
        "special_measures": _measures(special_measures),
        "contact_person": clean_name(contact_person),
        "contact_person_details": _text(contact_person_details),
        "assessed_on": assessed_on or timezone.localdate(),
    }
    errors = {}
    if problem := name_problem(fields["contact_person"]):
        errors["contact_person"] = problem
    if problem := PAST_DATE.problem(fields["assessed_on"]):
        errors["assessed_on"] = problem
    if errors:
        raise ValidationError(errors)

    def new():
        assessment = NeedsAssessment(record=record, assessed_by=by, **fields)
        assessment.clean_fields(exclude={"record", "assessed_by"})
        validate_instance(assessment, dates={"assessed_on": PAST_DATE})
        return assessment

    return _create_or_update(
        NeedsAssessment,
        record=record,
        by=by,
        version=version,
        fields=fields,
        new=new,
        label="The needs assessment",
        editable=NEEDS_FIELDS,
        also={"assessed_by": by},
        sensitive_fields=NEEDS_SENSITIVE,
    )


def _validate_plan(risk_level: str, plan: str) -> None:
    errors = {}
    if risk_level not in RiskLevel.values:
        errors["risk_level"] = "Choose the level of risk from the list."
    elif risk_level in PLAN_REQUIRED and not plan:
        errors["plan"] = (
            f"At {RiskLevel(risk_level).label.lower()} risk, say how the victim is kept safe."
        )
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def safety_plan_save(
    *, record: LiaisonRecord, by, risk_level: str, plan: str, version: int | None = None
) -> SafetyPlan:
    """Record or update the victim's assessed risk and the plan that keeps them safe.

    At medium or high risk the plan must say something. Saving the plan does not answer a
    call for review: that is `safety_plan_reviewed`, a deliberate act with its date.
    """
    require(by, CHANGE, record, "change the safety plan")
    plan = _text(plan)
    _validate_plan(risk_level, plan)
    fields = {"risk_level": risk_level, "plan": plan}

    def new():
        safety = SafetyPlan(record=record, **fields)
        validate_instance(safety)
        return safety

    return _create_or_update(
        SafetyPlan,
        record=record,
        by=by,
        version=version,
        fields=fields,
        new=new,
        label="The safety plan",
        editable=PLAN_FIELDS,
    )


@transaction.atomic
def safety_plan_reviewed(
    *, record: LiaisonRecord, by, reviewed_on: datetime.date, version: int | None
) -> SafetyPlan:
    """Record that the safety plan was reviewed on a day: who and when are kept, and a call
    for review (`review_needed_since`) is answered and cleared.

    The day cannot be in the future, nor before the call it answers.
    """
    require(by, CHANGE, record, "record a review of the safety plan")
    if reviewed_on is None:
        raise ValidationError({"reviewed_on": "Give the day of the review."})
    if problem := PAST_DATE.problem(reviewed_on):
        raise ValidationError({"reviewed_on": problem})
    _lock_record(record)
    current = SafetyPlan.objects.filter(record_id=record.pk).first()
    if current is None:
        raise ValidationError("There is no safety plan to review yet: record the plan first.")
    _refuse_if_made_meanwhile(
        current, version=version, submitted={"reviewed_on": reviewed_on}, label="The safety plan"
    )
    check_version(
        instance=current,
        current=current,
        version=version,
        submitted={"reviewed_on": reviewed_on},
        tracked=(*PLAN_FIELDS, *REVIEW_FIELDS),
        label="The safety plan",
    )
    if current.review_needed_since:
        called_on = timezone.localdate(current.review_needed_since)
        if reviewed_on < called_on:
            raise ValidationError(
                {
                    "reviewed_on": (
                        f"The plan needs review since {called_on:%d %b %Y}: a review before "
                        "that day does not answer it."
                    )
                }
            )
    old = audit_before(current, REVIEW_FIELDS)
    current.reviewed_on = reviewed_on
    current.reviewed_by = by
    current.review_needed_since = None
    current.review_needed_reason = ""
    save_audited(current, record=record, by=by, old=old, saved=REVIEW_FIELDS)
    return current


# --- The alert: a suspect on the case flagged dangerous ------------------------------------


def safety_alert_text(record: LiaisonRecord) -> str:
    """The in-app message: the case reference and the victim's pseudonym, nothing of the
    suspect (the officer may not know who they are, and must not learn it from this)."""
    reference = format_reference(record.case_id)
    return (
        f"{reference}: a person on this case has been flagged as a danger. "
        f"Review the safety plan of {record.pseudonym}."
    )


def safety_alert_email(reference: str) -> str:
    """The email's words: the case reference only (email leaves the secure system)."""
    return (
        f"{reference}: a person on this case has been flagged as a danger. "
        "Review the victim's safety plan."
    )


def alert_key(record_id: int, flag_id: int) -> str:
    """One alert per record and flag, per person told (Notification's UNIQUE(user, key))."""
    return f"safety:{record_id}:{flag_id}"


def _message_id(record_id: int, flag_id: int, part: int) -> str:
    domain = getattr(settings, "LIAISON_MESSAGE_ID_DOMAIN", "beaconport.invalid")
    suffix = f"-part{part}" if part > 1 else ""
    return f"<safety-{record_id}-{flag_id}{suffix}@{domain}>"


def _who_hears(records: list[LiaisonRecord], now) -> dict[int, list]:
    """Each record's current officer; for a record nobody holds (or whose officer is no
    longer active), the liaison leads of the teams covering the case's force, else the
    national leads (`LeadDirectory.for_force`, read only when needed)."""
    leads = None
    out = {}
    for record in records:
        if has_current_officer(record, now) and record.officer.is_active:
            out[record.pk] = [record.officer]
            continue
        leads = leads or escalation_recipients()
        out[record.pk] = list(leads.for_force(record.case.force_id))
    return out


@transaction.atomic
def safety_review_needed_for_flag(*, case_id: int, flag_id: int, now=None) -> int:
    """A suspect on the case was flagged dangerous: every victim's safety plan on that case
    needs review, and whoever holds each victim's record is told once; returns how many
    records were called to review.

    Idempotent per record and flag: a record whose recipients were already told of this
    flag (the notification's key) is left alone, so the same flag delivered twice notifies
    once and does not call again for a review already recorded. A flag that is not
    dangerous, or was cleared before this ran, calls for nothing. The plan is created if
    the record had none (no risk known, empty plan) and carries the call; a plan already
    called to review keeps the first call's time. Email goes through the outbox after
    commit; in-app notifications commit with the plans.
    """
    now = now or timezone.now()
    flag = (
        SuspectFlag.objects.filter(pk=flag_id, party__case_id=case_id)
        .values("kind", "cleared_at")
        .first()
    )
    if flag is None or flag["kind"] != FlagKind.DANGEROUS or flag["cleared_at"] is not None:
        return 0
    records = list(
        LiaisonRecord.objects.select_for_update(of=("self",))
        .select_related("party", "officer", "case")
        .filter(case_id=case_id)
        .order_by("pk")
    )
    if not records:
        return 0
    hearing = _who_hears(records, now)
    keys = {record.pk: alert_key(record.pk, flag_id) for record in records}
    told = set(
        Notification.objects.filter(
            user_id__in={user.pk for users in hearing.values() for user in users},
            key__in=list(keys.values()),
        ).values_list("key", flat=True)
    )
    todo = [r for r in records if keys[r.pk] not in told]
    if not todo:
        return 0
    plans = {p.record_id: p for p in SafetyPlan.objects.filter(record__in=todo)}
    audits, notifications, messages = [], [], []
    for record in todo:
        safety = plans.get(record.pk)
        if safety is None:
            safety = SafetyPlan.objects.create(
                record=record, review_needed_since=now, review_needed_reason=REVIEW_REASON
            )
            audits.append(_alert_audit(Operation.COLLECT, safety, record, {}))
        elif safety.review_needed_since is None:
            old = audit_before(safety, REVIEW_FIELDS)
            safety.review_needed_since = now
            safety.review_needed_reason = REVIEW_REASON
            save_bumping_version(safety, ("review_needed_since", "review_needed_reason"))
            audits.append(
                _alert_audit(
                    Operation.ALTER, safety, record, audit_delta(old, safety, REVIEW_FIELDS)
                )
            )
        link = reverse("liaison:record", args=[record.pk]) + "#safety"
        text = safety_alert_text(record)
        notifications.extend(
            Notification(user=user, text=text, link=link, case_id=case_id, key=keys[record.pk])
            for user in hearing[record.pk]
        )
        addresses = [user.email for user in hearing[record.pk] if user.email]
        for part, group in enumerate(recipient_groups(addresses), start=1):
            messages.append(_outbox_row(record, safety, flag_id, group, part, link))
    # UNIQUE(user, key): a concurrent delivery of the same flag (behind the record locks
    # above, so only ever one that committed first) adds nothing here.
    Notification.objects.bulk_create(notifications, ignore_conflicts=True)
    audit_record_many(audits)
    _owe(messages)
    return len(todo)


def _alert_audit(operation, safety: SafetyPlan, record: LiaisonRecord, changes: dict) -> dict:
    return {
        "operation": operation,
        "obj": safety,
        "changes": changes,
        "case": record.case_id,
        "person": record.party.person_id,
        "purpose": "A suspect on the case was flagged dangerous: the safety plan needs review",
    }


def _outbox_row(record, safety: SafetyPlan, flag_id: int, addresses, part: int, link: str):
    reference = format_reference(record.case_id)
    return OutboxMessage(
        message_id=_message_id(record.pk, flag_id, part),
        kind=ALERT_KIND,
        recipients=addresses,
        subject=f"Beaconport: review a victim's safety plan: {reference}",
        body=(
            f"{safety_alert_email(reference)}\n\nOpen Beaconport to see it: {link}\n"
            "This email holds no names or details.\n"
        ),
        object_type=SafetyPlan._meta.label_lower,
        object_id=str(safety.pk),
        case_id=record.case_id,
        person_id=record.party.person_id,
        purpose="Safety plan review called for: case reference only",
    )


def _owe(messages: list[OutboxMessage]) -> None:
    """Claim the emails with the plans; send them after commit (the outbox audits each)."""
    owed = set(
        OutboxMessage.objects.filter(message_id__in=[m.message_id for m in messages]).values_list(
            "message_id", flat=True
        )
    )
    rows = outbox_claim([m for m in messages if m.message_id not in owed])
    if rows:
        # robust: a send that fails is logged and left to the outbox sweep.
        transaction.on_commit(lambda: outbox_send(rows), robust=True)
