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
    return DemoCases(
        path=path,
        created=result.created,
        updated=result.updated,
        unchanged=result.unchanged,
        assigned=assigned,
        liaison_records=_demo_liaison_assign(references=assigned),
        events=_demo_events_record(references=assigned[:2], by=investigator),
        documents=_demo_documents_add(references=assigned[:1], by=investigator),
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
