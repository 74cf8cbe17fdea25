"""Synthetic demo data: one login per role (fresh random passwords each time) and cases
that come in through the same referral import as a force's file."""

import secrets
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.db import transaction

from beaconport.roles import Role

DEMO_USERS = {
    Role.INVESTIGATOR: ("investigator", "Ivy", "Investigator"),
    Role.REVIEW_LEAD: ("review.lead", "Rowan", "Lead"),
    Role.NATIONAL_LEAD: ("national.lead", "Nia", "National"),
    Role.LIAISON_OFFICER: ("liaison.officer", "Lee", "Liaison"),
    Role.LIAISON_LEAD: ("liaison.lead", "Lena", "Lead"),
    Role.ANALYST: ("analyst", "Ana", "Analyst"),
    Role.ADMINISTRATOR: ("admin", "Ada", "Administrator"),
    Role.AUDITOR: ("auditor", "Aud", "Auditor"),
}


@dataclass(frozen=True)
class DemoLogin:
    role: Role
    username: str
    password: str
    # Base32, for an authenticator app, where the role signs in with a second step.
    totp_secret: str = ""


@transaction.atomic
def demo_logins_create() -> list[DemoLogin]:
    """Create (or reset) one demo user per role and return their new passwords, and for
    roles that need two-step verification a fresh authenticator secret (old devices go)."""
    from beaconport.signin.policy import two_factor_required
    from beaconport.signin.services import (
        totp_device_create,
        totp_key_new,
        totp_secret,
        two_factor_devices_remove,
    )

    User = get_user_model()
    logins = []
    for role, (username, first, last) in DEMO_USERS.items():
        user, _ = User.objects.get_or_create(
            username=username,
            defaults={
                "first_name": first,
                "last_name": last,
                "email": f"{username}@demo.beaconport.invalid",
            },
        )
        password = secrets.token_urlsafe(12)
        user.set_password(password)
        user.is_staff = user.is_superuser = role is Role.ADMINISTRATOR
        user.save()
        user.groups.add(Group.objects.get(name=role.value))
        secret = ""
        two_factor_devices_remove(user=user, by=user)
        if two_factor_required(user):
            key = totp_key_new()
            totp_device_create(user=user, key=key, by=user)
            secret = totp_secret(key)
        logins.append(
            DemoLogin(role=role, username=username, password=password, totp_secret=secret)
        )
    return logins


# The demo's referral file: small, fixed, and imported like any force's file.
DEMO_REFERRALS = 150
DEMO_SEED = 20250401
DEMO_FORCES = 8
DEMO_RAPE = 28
# What the demo investigator is given: (eligibility, priority, how many), so every badge shows.
DEMO_ASSIGNMENTS = (
    ("eligible", "P1", 2),
    ("eligible", "P3", 2),
    ("unknown", "P3", 1),
    ("ineligible", "P3", 1),
)


@dataclass(frozen=True)
class DemoCases:
    path: Path
    created: int
    updated: int
    unchanged: int
    assigned: list[str]  # system references of the investigator's cases
    liaison_records: int = 0  # victims' records given to the demo liaison officer
    events: int = 0  # investigative events recorded, so follow-ups are due in the demo
    documents: int = 0  # synthetic documents added to the investigator's first case
    rights: "DemoRights | None" = None  # issue 13's records (demo_rights_create)


def demo_cases_create(*, var_dir: Path) -> DemoCases:
    """Write the demo referral file, import it, and give the demo investigator a few cases.

    Idempotent: the file comes out byte for byte the same, so a second import changes
    nothing, and assigning someone already assigned changes nothing.
    """
    from cases.models import Case
    from cases.referrals.generator_v2 import generate_v2, referrals_generate_v2
    from cases.referrals.importer import referral_file_import
    from cases.services.assignment import case_assign

    User = get_user_model()
    lead = User.objects.get(username=DEMO_USERS[Role.REVIEW_LEAD][0])
    investigator = User.objects.get(username=DEMO_USERS[Role.INVESTIGATOR][0])
    options = {"count": DEMO_REFERRALS, "seed": DEMO_SEED, "forces": DEMO_FORCES, "rape": DEMO_RAPE}
    path = Path(var_dir) / "demo-referrals.json"
    # Version 2: people recur across the demo's referrals and forces, with identifiers, so
    # the person index, linkage and networks have something to show (the true links are
    # written beside the file, demo-referrals.links.json).
    generate_v2(path, referrals=options.pop("count"), **options)
    result = referral_file_import(path, by=lead)
    demo_referrals = list(referrals_generate_v2(count=DEMO_REFERRALS, **options))
    references = {r["force_reference"] for r in demo_referrals}
    demo = Case.objects.filter(force_reference__in=references).order_by("received_on", "pk")
    _demo_team_save(forces={r["force"] for r in demo_referrals})
    assigned = []
    with transaction.atomic():
        for eligibility, priority, count in DEMO_ASSIGNMENTS:
            for case in demo.filter(eligibility=eligibility, priority=priority)[:count]:
                case_assign(
                    case=case,
                    investigator=investigator,
                    by=lead,
                    reason="Demo: the investigator's first cases.",
                )
                assigned.append(case.reference)
    liaison_records = _demo_liaison_assign(references=assigned)
    events = _demo_events_record(references=assigned[:2], by=investigator)
    documents = _demo_documents_add(references=assigned[:1], by=investigator)
    return DemoCases(
        path=path,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        assigned=assigned,
        liaison_records=liaison_records,
        events=events,
        documents=documents,
        rights=demo_rights_create(references=assigned),
    )


DEMO_TEAM = "Demo team"
# Who works in the demo team: its leads and the officers they assign.
DEMO_TEAM_ROLES = (Role.INVESTIGATOR, Role.REVIEW_LEAD, Role.LIAISON_OFFICER, Role.LIAISON_LEAD)


def _demo_team_save(*, forces: set[str]):
    """One team covering the demo's forces, with the demo leads, investigator and officer."""
    from cases.models import Force, Team
    from cases.services.teams import team_save

    User = get_user_model()
    team = Team.objects.filter(name=DEMO_TEAM).first() or Team()
    members = User.objects.filter(username__in=[DEMO_USERS[r][0] for r in DEMO_TEAM_ROLES])
    admin = User.objects.get(username=DEMO_USERS[Role.ADMINISTRATOR][0])
    return team_save(
        team=team,
        name=DEMO_TEAM,
        forces=Force.objects.filter(slug__in=forces),
        members=members,
        by=admin,
    )


def _demo_events_record(*, references: list[str], by) -> int:
    """An arrest a few days ago on the first of the investigator's cases, and an interview
    under caution today on the second: the victims' follow-ups then come due (and one is
    overdue) for the demo liaison officer. Cases that already have events are left alone."""
    import datetime

    from django.utils import timezone

    from cases.models import Case, parse_reference
    from cases.services.events import event_record

    today = timezone.localdate()
    plan = [("arrest", today - datetime.timedelta(days=6)), ("interview_under_caution", today)]
    recorded = 0
    for reference, (event_type, occurred_on) in zip(references, plan, strict=False):
        case = Case.objects.get(pk=parse_reference(reference))
        if case.events.exists():
            continue
        event_record(case=case, by=by, type=event_type, occurred_on=occurred_on)
        recorded += 1
    return recorded


def _demo_liaison_assign(*, references: list[str]) -> int:
    """The liaison lead gives the victims of the investigator's cases to the demo officer."""
    from cases.models import parse_reference
    from liaison.models import LiaisonRecord
    from liaison.services.records import record_assign

    User = get_user_model()
    lead = User.objects.get(username=DEMO_USERS[Role.LIAISON_LEAD][0])
    officer = User.objects.get(username=DEMO_USERS[Role.LIAISON_OFFICER][0])
    records = LiaisonRecord.objects.filter(
        case_id__in=[parse_reference(reference) for reference in references]
    ).exclude(officer=officer)
    given = 0
    with transaction.atomic():
        for record in records.order_by("pk"):
            record_assign(
                record=record, officer=officer, by=lead, reason="Demo: the investigator's victims."
            )
            given += 1
    return given


# Invented material for the demo's first case, so its Documents page has something to open.
DEMO_STATEMENT = (
    "WITNESS STATEMENT (synthetic: invented for the Beaconport demo)",
    "",
    "Statement of: Witness A, aged 34, neighbour.",
    "I live at the flat opposite. On the evening in question I heard raised voices at",
    "about 22:00 and saw a dark blue hatchback leave the car park at speed at 22:10.",
    "I did not see the driver's face. I noted part of the registration: ending 'KTE'.",
    "Nobody took a statement from me at the time; I was first spoken to two years later.",
    "",
    "I believe the facts stated in this witness statement are true.",
)
DEMO_DECISION_LOG = (
    "Decision log extract (synthetic)\n"
    "Entry 14: NFA considered. Reason recorded: victim's account inconsistent on timings.\n"
    "Entry 15: No house-to-house enquiries made; CCTV not requested.\n"
)


def _demo_statement_pdf() -> bytes:
    """A short one-page PDF statement, byte for byte the same on every run."""
    import datetime

    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_creation_date(datetime.datetime(2025, 4, 1, tzinfo=datetime.UTC))
    pdf.add_page()
    pdf.set_font("helvetica", size=11)
    for line in DEMO_STATEMENT:
        pdf.cell(0, 7, line, new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def _demo_documents_add(*, references: list[str], by) -> int:
    """A witness statement (PDF) and a decision log extract (text) on the first of the
    investigator's cases, through the documents service; a case with documents is left
    alone. Kept in the "documents" storage (STORAGE_URL)."""
    from django.core.files.base import ContentFile

    from cases.models import Case, parse_reference
    from cases.services.documents import document_add

    added = 0
    for reference in references:
        case = Case.objects.get(pk=parse_reference(reference))
        if case.documents.exists():
            continue
        document_add(
            case=case,
            by=by,
            file=ContentFile(_demo_statement_pdf(), name="witness-a-statement.pdf"),
            kind="statement",
            title="Statement of Witness A (synthetic)",
            source="Demo force file, box 1",
            made_on=None,
        )
        document_add(
            case=case,
            by=by,
            file=ContentFile(DEMO_DECISION_LOG.encode(), name="decision-log-extract.txt"),
            kind="decision_log",
            title="Decision log, entries 14-15 (synthetic)",
            source="Demo force file, box 2",
            made_on=None,
        )
        added += 2
    return added


# Issue 13 in the demo: the victims' further rights and a review that cannot be cut short,
# each made through its service (rules, audit) and only where it is not there yet, so a
# second run adds nothing. The case whose review upholds NFA is the investigator's third
# (an eligible P3 without events), so the first two keep their follow-ups as they were.
DEMO_NFA_CASE = 2


@dataclass(frozen=True)
class DemoRights:
    nfa_case: str = ""  # the case whose review upheld NFA, and the victim's request on it
    made: int = 0  # what this run made (0 on a second run)
    unassigned: int = 0  # victims of the demo team nobody holds


def demo_rights_create(*, references: list[str]) -> DemoRights:
    """The review of one of the investigator's cases upholds NFA (its line of inquiry
    completed, "no failings found", handed in by the investigator and approved by the review
    lead), and its victim asks for a Right to Review; the officer's victims get a consent to
    share information, a ChISVA referral made and answered, a needs assessment, a safety plan
    and a letter sent from a template; the lead's first case a decision log entry."""
    from cases.models import Case, parse_reference
    from liaison.models import LiaisonRecord

    User = get_user_model()
    lead = User.objects.get(username=DEMO_USERS[Role.REVIEW_LEAD][0])
    investigator = User.objects.get(username=DEMO_USERS[Role.INVESTIGATOR][0])
    officer = User.objects.get(username=DEMO_USERS[Role.LIAISON_OFFICER][0])
    if len(references) <= DEMO_NFA_CASE:
        return DemoRights()
    made = 0
    nfa = Case.objects.get(pk=parse_reference(references[DEMO_NFA_CASE]))
    made += _demo_nfa_upheld(case=nfa, lead=lead, investigator=investigator)
    made += _demo_decision_log(case=Case.objects.get(pk=parse_reference(references[0])), by=lead)
    kept = LiaisonRecord.objects.filter(officer=officer).select_related("case").order_by("pk")
    # Records open when the import commits: none yet inside a test's open transaction.
    nfa_record = kept.filter(case=nfa).first()
    if nfa_record is not None:
        made += _demo_review_request(record=nfa_record, by=officer)
    other = kept.exclude(case=nfa).first() or nfa_record
    if other is not None:
        made += _demo_support(record=other, by=officer)
        made += _demo_needs_and_safety(record=other, by=officer)
        made += _demo_message(record=other, by=officer)
    return DemoRights(
        nfa_case=nfa.reference,
        made=made,
        unassigned=_demo_unassigned(),
    )


def _demo_nfa_upheld(*, case, lead, investigator) -> int:
    """Take the case through the review to "NFA upheld", legally: every step is the
    workflow's, by whom it belongs to. A case already past it (or moved elsewhere by someone
    trying the demo) is left alone."""
    from cases.services.inquiries import inquiry_create, inquiry_update
    from cases.services.review_gate import case_record_no_failings
    from cases.services.workflow import case_transition
    from cases.vocabulary import OPEN_INQUIRY, CaseStatus, InquiryOrigin, InquiryStatus

    steps = 0
    if case.status == CaseStatus.REFERRED:
        case = case_transition(
            case=case, to=CaseStatus.TRIAGE, by=lead, reason="Demo: in scope of the review."
        )
        steps += 1
    if case.status == CaseStatus.TRIAGE:
        case = case_transition(
            case=case,
            to=CaseStatus.UNDER_REVIEW,
            by=lead,
            reason="Demo: scope settled, the review starts.",
        )
        steps += 1
    if case.status == CaseStatus.REVIEW_COMPLETE:
        return steps + _demo_approve(case=case, lead=lead)
    if case.status != CaseStatus.UNDER_REVIEW:
        return steps
    if not case.lines_of_inquiry.exists():
        inquiry = inquiry_create(
            case=case,
            by=investigator,
            description="Re-read the original ABE interview against the timeline (synthetic).",
            origin=InquiryOrigin.REVIEW,
        )
        inquiry_update(
            inquiry=inquiry,
            by=investigator,
            version=inquiry.version,
            status=InquiryStatus.COMPLETED,
            result="The account is consistent with the timeline; nothing new found.",
        )
        steps += 2
    for inquiry in case.lines_of_inquiry.filter(status__in=OPEN_INQUIRY).order_by("pk"):
        inquiry_update(
            inquiry=inquiry,
            by=investigator,
            version=inquiry.version,
            status=InquiryStatus.NOT_PURSUED,
            rationale="Demo: not proportionate after the interview was re-read.",
        )
        steps += 1
    case.refresh_from_db()
    if not case.no_failings_at and not case.findings.exists():
        case = case_record_no_failings(
            case=case,
            by=investigator,
            reason="The original decision followed the evidence available (synthetic).",
            version=case.version,
        )
        steps += 1
    case = case_transition(
        case=case,
        to=CaseStatus.REVIEW_COMPLETE,
        by=investigator,
        reason="Demo: review handed in.",
    )
    return steps + 1 + _demo_approve(case=case, lead=lead)


def _demo_approve(*, case, lead) -> int:
    """Four-eyes: the review lead, who neither handed the review in nor investigated the
    case, approves its outcome (a lead who did is refused by the workflow)."""
    from cases.services.workflow import case_transition
    from cases.vocabulary import CaseStatus

    case_transition(
        case=case,
        to=CaseStatus.NFA_UPHELD,
        by=lead,
        reason="Demo: the review found the decision to take no further action sound.",
    )
    return 1


def _demo_decision_log(*, case, by) -> int:
    """One decision of the senior investigating officer, with its rationale."""
    import datetime

    from django.utils import timezone

    from cases.services.decision_log import decision_log_add

    if case.decision_log.exists():
        return 0
    decision_log_add(
        case=case,
        by=by,
        decision="Arrest the suspect and interview under caution (synthetic).",
        rationale="New witness account places the suspect at the address on the night.",
        decided_on=timezone.localdate() - datetime.timedelta(days=7),
    )
    return 1


def _demo_review_request(*, record, by) -> int:
    """The victim challenges the review's NFA decision by letter; the officer acknowledges it,
    leaving the decision (within 30 working days) to an independent lead."""
    from django.utils import timezone

    from cases.models import CaseTransition
    from cases.vocabulary import CaseStatus
    from liaison.models import ReviewRequestChannel
    from liaison.services.review_requests import (
        review_request_acknowledge,
        review_request_record,
    )

    if record.review_requests.exists():
        return 0
    challenged = (
        CaseTransition.objects.filter(case_id=record.case_id, to_status=CaseStatus.NFA_UPHELD)
        .order_by("-at", "-pk")
        .first()
    )
    if challenged is None:
        return 0
    today = timezone.localdate()
    request = review_request_record(
        record=record,
        by=by,
        received_on=today,
        channel=ReviewRequestChannel.LETTER,
        challenged=challenged,
        challenged_decision="The review upheld the decision to take no further action.",
    )
    review_request_acknowledge(
        review_request=request, by=by, acknowledged_on=today, version=request.version
    )
    return 2


def _demo_support(*, record, by) -> int:
    """Consent to share information with a ChISVA service, then the referral: made the same
    day and accepted."""
    from django.utils import timezone

    from liaison.models import Channel, ConsentKind, SupportReferralOutcome, SupportService
    from liaison.services.consent import consent_record
    from liaison.services.support_referrals import (
        support_referral_create,
        support_referral_made,
        support_referral_outcome,
    )

    if record.support_referrals.exists():
        return 0
    today = timezone.localdate()
    consent = record.consents.filter(
        kind=ConsentKind.INFORMATION_SHARING, withdrawn_on__isnull=True
    ).first() or consent_record(
        record=record,
        by=by,
        kind=ConsentKind.INFORMATION_SHARING,
        scope="Name, age and contact details, shared with the ChISVA service for support.",
        given_on=today,
        how=Channel.PHONE,
    )
    referral = support_referral_create(
        record=record,
        by=by,
        service=SupportService.CHISVA,
        organisation="Demo ChISVA service (synthetic)",
        consent=consent,
        agreed_on=today,
    )
    referral = support_referral_made(
        referral=referral, by=by, referred_on=today, version=referral.version
    )
    support_referral_outcome(
        referral=referral,
        by=by,
        outcome=SupportReferralOutcome.ACCEPTED,
        outcome_on=today,
        notes="First appointment offered (synthetic).",
        version=referral.version,
    )
    return 4


def _demo_needs_and_safety(*, record, by) -> int:
    from liaison.models import NeedsAssessment, RiskLevel, SafetyPlan, SpecialMeasure
    from liaison.services.safety import needs_assessment_save, safety_plan_save

    made = 0
    if not NeedsAssessment.objects.filter(record=record).exists():
        needs_assessment_save(
            record=record,
            by=by,
            communication_needs="Prefers short written summaries after each call.",
            accessibility_needs="Step-free access to meetings.",
            special_measures=[SpecialMeasure.LIVE_LINK, SpecialMeasure.SCREENS],
            contact_person="Their ChISVA (synthetic)",
        )
        made += 1
    if not SafetyPlan.objects.filter(record=record).exists():
        safety_plan_save(
            record=record,
            by=by,
            risk_level=RiskLevel.MEDIUM,
            plan="Contact only on the safe number, never leave messages; ChISVA told of any "
            "change (synthetic).",
        )
        made += 1
    return made


def _demo_message(*, record, by) -> int:
    """An update letter drafted from its template and marked sent (the copy kept)."""
    from django.utils import timezone

    from liaison.models import Channel
    from liaison.services.messages import (
        WRITTEN_CHANNELS,
        message_draft,
        message_mark_sent,
        templates_for_record,
    )
    from liaison.services.records import preferences_update

    if record.messages.filter(template__isnull=False).exists():
        return 0
    made = 0
    if not any(channel in WRITTEN_CHANNELS for channel in record.channels):
        record = preferences_update(
            record=record,
            by=by,
            version=record.version,
            channels=[*record.channels, Channel.LETTER],
        )
        made += 1
    template = next((t for t in templates_for_record(record) if t.key == "update"), None)
    if template is None:
        return made
    message = message_draft(record=record, by=by, template=template)
    message_mark_sent(message=message, by=by, sent_on=timezone.localdate(), version=message.version)
    return made + 2


def _demo_unassigned() -> int:
    """Victims of the demo team's cases that nobody holds, for the liaison lead's workspace:
    the import leaves all but the investigator's victims unassigned; counted, not made."""
    from liaison.models import LiaisonRecord

    return LiaisonRecord.objects.filter(
        officer__isnull=True, case__force__teams__name=DEMO_TEAM
    ).count()
