"""Access requests: an investigator asks a review lead for a case where one of their people
also appears, and the lead grants it (an assignment, with its reason and optional end) or
refuses it with a reason. The review leads are told by email that a request is waiting;
the investigator is told by email of the decision (reference only when granted: a refused
case stays unnamed) and sees the answer on the case where they asked, where they may also
withdraw a request still open.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.models import OutboxMessage
from beaconport.outbox import outbox_claim, outbox_send, recipient_groups
from cases.linkage.crosscase import hidden_cases_of
from cases.models import Case, CaseAccessRequest, CaseParty
from cases.notifications import review_lead_addresses
from cases.permissions import VIEW, leads_case, may_ask_for_access, user_can
from cases.services.assignment import case_assign
from cases.vocabulary import AccessRequestStatus

REASON_MAX = 2000


class AccessRequestError(ValidationError):
    """A request that cannot be made or decided as asked (the message says why)."""


def _reason(reason: str | None, field: str = "reason") -> str:
    reason = (reason or "").strip()
    if not reason:
        raise AccessRequestError({field: "Say why: the reason is kept with the request."})
    if len(reason) > REASON_MAX:
        raise AccessRequestError({field: f"Keep the reason to {REASON_MAX} characters."})
    return reason


@transaction.atomic
def access_request_create(*, party: CaseParty, by, reason: str) -> list[CaseAccessRequest]:
    """Ask for access to every other case where the person appears that `by` cannot open.

    One request per case (the review leads of each case's team decide their own), with the
    same reason; a case already asked for and still open is left as it is. Refused unless
    `by` is an investigator who may see the party's case and the person has such cases.
    The leads who decide each case are owed an email, sent once this commits.
    """
    if not may_ask_for_access(by) or not user_can(by, VIEW, party.case):
        raise AccessRequestError("Only an investigator assigned to the case may ask.")
    reason = _reason(reason)
    hidden = [other.case_id for other in hidden_cases_of(by, party)]
    if not hidden:
        raise AccessRequestError(
            f"{party.ref} appears on no other case you cannot already open: nothing to ask for."
        )
    already = set(
        CaseAccessRequest.objects.filter(
            requested_by=by, case_id__in=hidden, status=AccessRequestStatus.OPEN
        ).values_list("case_id", flat=True)
    )
    wanted = [case_id for case_id in hidden if case_id not in already]
    if not wanted:
        raise AccessRequestError("You have already asked for every one of these cases.")
    made = CaseAccessRequest.objects.bulk_create(
        [
            CaseAccessRequest(
                case_id=case_id, from_case_id=party.case_id, requested_by=by, reason=reason
            )
            for case_id in wanted
        ]
    )
    for request in made:
        audit_record(
            operation=Operation.COLLECT,
            actor=by,
            obj=request,
            case=request.case_id,
            justification=reason,
            changes={"from_case": (None, party.case_id), "party": (None, party.ref)},
        )
    _tell_leads(made)
    return made


@transaction.atomic
def access_request_withdraw(*, request: CaseAccessRequest, by, reason: str) -> CaseAccessRequest:
    """The investigator who asked takes back a request still open, saying why.

    Only its requester may, and only while no lead has decided it (the row is locked, so a
    lead deciding at the same moment finds it withdrawn, or the requester finds it decided).
    The withdrawal is kept as the request's answer (who, when, why), as a decision is, and
    audited; the leads see it as withdrawn in their list. No email: nothing is owed to them.
    """
    current = _locked(request)
    if current.requested_by_id != getattr(by, "pk", None) or not may_ask_for_access(by):
        raise AccessRequestError("Only the investigator who asked may withdraw the request.")
    _still_open(current)
    _answered(current, by=by, status=AccessRequestStatus.WITHDRAWN, reason=_reason(reason))
    return current


def _locked(request: CaseAccessRequest) -> CaseAccessRequest:
    """The request as it stands, locked until the answer commits (one answer wins)."""
    return (
        CaseAccessRequest.objects.select_for_update(of=("self",))
        .select_related("case", "requested_by")
        .get(pk=request.pk)
    )


def _still_open(current: CaseAccessRequest) -> None:
    if current.status != AccessRequestStatus.OPEN:
        raise AccessRequestError(
            f"This request has already been {current.get_status_display().lower()}."
        )


def _lock_open(request: CaseAccessRequest, by) -> CaseAccessRequest:
    current = _locked(request)
    if not leads_case(by, current.case):
        raise AccessRequestError("Only a review lead of the case's team may decide this request.")
    _still_open(current)
    return current


def _answered(current: CaseAccessRequest, *, by, status: str, reason: str) -> None:
    """Close an open request: who, when, why, audited as an alteration with the reason."""
    current.status = status
    current.decided_by = by
    current.decided_at = timezone.now()
    current.decision_reason = reason
    current.save(update_fields=["status", "decided_by", "decided_at", "decision_reason"])
    audit_record(
        operation=Operation.ALTER,
        actor=by,
        obj=current,
        case=current.case_id,
        justification=reason,
        changes={"status": (AccessRequestStatus.OPEN.value, status)},
    )


def _decided(current: CaseAccessRequest, *, by, status: str, reason: str) -> None:
    """A lead's answer, and the requester's email owed."""
    _answered(current, by=by, status=status, reason=reason)
    _tell_requester(current)


@transaction.atomic
def access_request_grant(
    *, request: CaseAccessRequest, by, reason: str, until=None
) -> CaseAccessRequest:
    """Grant the request: the investigator is assigned to the case through the usual
    assignment (`case_assign`: its reason, its optional end), even from another team."""
    current = _lock_open(request, by)
    reason = _reason(reason)
    case_assign(
        case=current.case,
        investigator=current.requested_by,
        by=by,
        reason=reason,
        until=until,
        outside_team=True,
    )
    _decided(current, by=by, status=AccessRequestStatus.GRANTED, reason=reason)
    return current


@transaction.atomic
def access_request_refuse(*, request: CaseAccessRequest, by, reason: str) -> CaseAccessRequest:
    """Refuse the request with the reason; the investigator sees it where they asked."""
    current = _lock_open(request, by)
    reason = _reason(reason)
    _decided(current, by=by, status=AccessRequestStatus.REFUSED, reason=reason)
    return current


def _domain() -> str:
    return getattr(settings, "LIAISON_MESSAGE_ID_DOMAIN", "beaconport.invalid")


def _tell_leads(made: list[CaseAccessRequest]) -> None:
    """Owe the leads who may decide each request an email that one is waiting (after commit).

    Who: the active review leads of the teams covering the case's force, or the national
    leads where no team's review lead covers it (`cases.permissions.leads_to_tell`, as for a
    flag). One message per request to all of them (Bcc), split only when more addresses
    than an audit row can name. Email leaves the secure system: the case reference and
    "an access request is waiting", never who asked, the person, or the reason. One query
    for the forces, one per force for its leads' addresses.
    """
    if not made:
        return
    force_of = dict(
        Case.objects.filter(pk__in=[r.case_id for r in made]).values_list("pk", "force_id")
    )
    addresses = {force: review_lead_addresses(force) for force in set(force_of.values())}
    messages = []
    for request in made:
        reference = Case(pk=request.case_id).reference
        for part, group in enumerate(recipient_groups(addresses[force_of[request.case_id]]), 1):
            messages.append(
                OutboxMessage(
                    message_id=f"<access-request-{request.pk}-waiting-{part}@{_domain()}>",
                    kind="cases.access_request_waiting",
                    recipients=group,
                    subject=f"Beaconport: an access request is waiting on {reference}",
                    body=(
                        f"An access request is waiting for case {reference}.\n\n"
                        "Sign in to Beaconport and open Access requests to decide it. "
                        "This email holds no names or details.\n"
                    ),
                    object_type="cases.caseaccessrequest",
                    object_id=str(request.pk),
                    case_id=request.case_id,
                    purpose="Tell the review leads an access request is waiting",
                )
            )
    rows = outbox_claim(messages)
    if rows:
        # robust: a send that fails is logged and left to the sweep, never the request.
        transaction.on_commit(lambda: outbox_send(rows), robust=True)


def _tell_requester(request: CaseAccessRequest) -> None:
    """Owe the requester an email (sent after commit through the outbox, audited there).

    Email leaves the secure system: the granted case's reference, or for a refusal only the
    case where they asked; never a name, never the reasons.
    """
    address = request.requested_by.email
    if not address:
        return
    asked_on = Case(pk=request.from_case_id).reference
    if request.status == AccessRequestStatus.GRANTED:
        subject = f"Beaconport: access to {request.case.reference} granted"
        body = (
            f"Your request for access to {request.case.reference}, a case linked to one on "
            f"{asked_on}, has been granted.\n\n"
        )
    else:
        subject = f"Beaconport: your access request from {asked_on} refused"
        body = f"Your request for access to a case linked to one on {asked_on} was refused.\n\n"
    body += "Sign in to Beaconport to see why. This email holds no names or details.\n"
    rows = outbox_claim(
        [
            OutboxMessage(
                message_id=f"<access-request-{request.pk}-{request.status}@{_domain()}>",
                kind="cases.access_request",
                recipients=[address],
                subject=subject,
                body=body,
                object_type="cases.caseaccessrequest",
                object_id=str(request.pk),
                case_id=request.case_id,
                purpose="Tell an investigator the decision on their access request",
            )
        ]
    )
    # robust: a send that fails is logged and left to the sweep, never the lead's answer.
    transaction.on_commit(lambda: outbox_send(rows), robust=True)
