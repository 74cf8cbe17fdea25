"""seed_scale: the named users of the scale data contract, sizes as asked, the same data for
the same seed, and refusals. Small sizes, on whichever database the suite runs."""

import dataclasses
import datetime
import io
import itertools
import re

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command
from django.db import transaction
from django.db.models import Count, F, Max, Q
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.roles import roles_of
from beaconport.scale import NAMED_USERS, ScaleSizes, scale_seed, seed_refusal
from cases.models import (
    Case,
    CaseAssignment,
    CaseGroupObjectPermission,
    CaseParty,
    CaseTransition,
    CaseUserObjectPermission,
    Citation,
    Document,
    DocumentPage,
    Finding,
    LineOfInquiry,
    Person,
    PersonIdentifier,
    ReferralBatch,
    Team,
)
from cases.permissions import cases_visible_to
from cases.vocabulary import OPEN_INQUIRY
from liaison.models import Contact, FollowUp, LiaisonRecord, Notification
from liaison.permissions import records_visible_to
from tests.factories import make_case
from tests.services import require_service

pytestmark = pytest.mark.django_db

SMALL = ScaleSizes(
    cases=400,
    users=80,
    grants=700,
    heavy_cases=40,
    officer_victims=30,
    contacts=150,
    followups=600,
    due=25,
    notifications=40,
    documents=200,
    referral_batches=40,
)
NOW = timezone.make_aware(datetime.datetime(2026, 6, 1, 12, 0))


def user(username):
    return get_user_model().objects.get(username=username)


def live_grants(model, **holder):
    return model.objects.filter(
        Q(expires_at__isnull=True) | Q(expires_at__gt=timezone.now()),
        permission__codename="view_case",
        **holder,
    )


def test_the_named_users_exist_in_their_roles():
    scale_seed(sizes=SMALL, seed=3)
    for username, role in NAMED_USERS.items():
        person = user(username)
        assert person.is_active
        assert roles_of(person) == {role}


def test_the_heavy_investigator_sees_exactly_the_cases_granted_some_through_a_squad():
    scale_seed(sizes=SMALL, seed=3)
    heavy = user("scale.inv.heavy")
    visible = set(cases_visible_to(heavy).values_list("pk", flat=True))
    direct = set(
        live_grants(CaseUserObjectPermission, user=heavy).values_list(
            "content_object_id", flat=True
        )
    )
    through_squad = set(
        live_grants(CaseGroupObjectPermission, group__user=heavy).values_list(
            "content_object_id", flat=True
        )
    )
    ended = set(
        CaseUserObjectPermission.objects.filter(
            user=heavy, expires_at__lte=timezone.now()
        ).values_list("content_object_id", flat=True)
    )
    assert len(visible) == SMALL.heavy_cases
    assert visible == direct | through_squad
    assert len(through_squad) == SMALL.heavy_cases // 5
    assert ended and not ended & visible
    # Each live direct grant has its spell in the assignment history.
    assigned = set(
        CaseAssignment.objects.filter(investigator=heavy, ended_at=None).values_list(
            "case_id", flat=True
        )
    )
    assert direct <= assigned


def test_the_light_investigator_sees_ten_cases():
    scale_seed(sizes=SMALL, seed=3)
    assert cases_visible_to(user("scale.inv.light")).count() == 10


def test_the_leads_share_a_team_covering_the_three_largest_forces():
    scale_seed(sizes=SMALL, seed=3)
    review_lead, liaison_lead = user("scale.review.lead"), user("scale.liaison.lead")
    forces = set(Team.objects.filter(members=review_lead).values_list("forces__slug", flat=True))
    assert forces == {"metropolitan", "west-midlands", "greater-manchester"}
    assert forces == set(
        Team.objects.filter(members=liaison_lead).values_list("forces__slug", flat=True)
    )
    lead_cases = cases_visible_to(review_lead)
    assert set(lead_cases.values_list("force__slug", flat=True)) == forces
    assert lead_cases.count() > Case.objects.count() / 4  # skewed: the largest forces refer most


def test_the_liaison_officer_keeps_their_victims_and_some_assignments_have_ended():
    scale_seed(sizes=SMALL, seed=3)
    officer = user("scale.liaison.officer")
    assert records_visible_to(officer).count() == SMALL.officer_victims
    held = LiaisonRecord.objects.filter(officer=officer)
    assert held.filter(officer_until__lte=timezone.now()).exists()
    assert LiaisonRecord.objects.filter(officer=None).exists()


def test_the_national_lead_sees_every_case_and_the_analyst_none():
    scale_seed(sizes=SMALL, seed=3)
    assert cases_visible_to(user("scale.national.lead")).count() == SMALL.cases
    assert cases_visible_to(user("scale.analyst")).count() == 0


def test_the_sizes_are_those_asked_for():
    result = scale_seed(sizes=SMALL, seed=3)
    assert Case.objects.count() == SMALL.cases
    assert get_user_model().objects.count() == SMALL.users
    victims = CaseParty.objects.filter(role="victim").count()
    assert LiaisonRecord.objects.count() == victims == result.counts["liaison_liaisonrecord"]
    assert Contact.objects.count() == SMALL.contacts
    assert FollowUp.objects.count() == SMALL.followups
    due = FollowUp.objects.filter(status="open", next_reminder_at__lte=timezone.now())
    assert due.count() == SMALL.due
    assert Notification.objects.count() == SMALL.notifications
    grants = CaseUserObjectPermission.objects.count() + CaseGroupObjectPermission.objects.count()
    assert SMALL.grants * 0.8 <= grants <= SMALL.grants
    assert result.counts["cases_case"] == SMALL.cases


def test_people_carry_version_2_identifiers_and_phonetic_codes():
    scale_seed(sizes=SMALL, seed=3)
    people = Person.objects.all()
    assert not people.filter(surname_phonetic="").exists()
    assert not people.filter(forenames_phonetic="").exists()
    with_pnc = people.exclude(pnc_id="")
    assert 0.05 < with_pnc.count() / people.count() < 0.4
    assert all(
        re.fullmatch(r"\d{2}/\d{1,7}[A-Z]", pnc)
        for pnc in with_pnc.values_list("pnc_id", flat=True)
    )
    kinds = set(PersonIdentifier.objects.values_list("kind", flat=True))
    assert kinds == {"alias", "phone", "postcode", "vehicle"}
    # Kept in normal form beside the value as the file wrote it, some written differently.
    phones = PersonIdentifier.objects.filter(kind="phone")
    assert all(re.fullmatch(r"077\d{8}", key) for key in phones.values_list("key", flat=True))
    assert phones.filter(value__startswith="+44").exists()


def test_some_people_appear_again_in_other_cases_so_there_is_something_to_link():
    scale_seed(sizes=SMALL, seed=3)
    # A PNC ID or a phone is given to one real person only: shared, it is the same man
    # described by two files (of different cases), often under another spelling.
    for cases in (
        CaseParty.objects.exclude(person__pnc_id="").values("person__pnc_id"),
        CaseParty.objects.filter(person__identifiers__kind="phone").values(
            "person__identifiers__key"
        ),
    ):
        shared = cases.annotate(n=Count("case", distinct=True), c=Count("pk")).filter(n__gt=1)
        assert shared.count() >= 10
        assert all(row["n"] == row["c"] for row in shared)  # never twice in one case
    repeated_suspects = (
        Person.objects.filter(parties__role="suspect")
        .exclude(pnc_id="")
        .values("pnc_id")
        .annotate(names=Count("forenames", distinct=True), n=Count("pk"))
        .filter(n__gt=1)
    )
    assert repeated_suspects.filter(names__gt=1).exists()


def test_it_writes_one_audit_row_for_the_whole_seed():
    before = AuditEvent.objects.count()
    scale_seed(sizes=SMALL, seed=3)
    assert AuditEvent.objects.count() == before + 1
    assert AuditEvent.objects.order_by("-seq").first().source == "command:seed_scale"


def fingerprint():
    """The data, without the ids and timestamps the database gives."""
    return (
        list(
            Case.objects.order_by("force_reference").values_list(
                "force_reference", "force__slug", "status", "priority", "eligibility"
            )
        ),
        list(
            get_user_model()
            .objects.order_by("username")
            .values_list("username", "first_name", "groups__name")
        ),
        sorted(
            CaseUserObjectPermission.objects.values_list(
                "user__username",
                "content_object__force_reference",
                "permission__codename",
                "expires_at",
            )
        ),
        sorted(
            LiaisonRecord.objects.values_list(
                "case__force_reference", "party__ref", "officer__username", "officer_until"
            ),
            key=str,
        ),
        sorted(
            Person.objects.values_list("surname", "forenames", "date_of_birth", "pnc_id"),
            key=str,
        ),
        sorted(PersonIdentifier.objects.values_list("kind", "value", "key")),
        sorted(
            FollowUp.objects.values_list(
                "case__force_reference", "status", "due_on", "next_reminder_at"
            ),
            key=str,
        ),
        sorted(
            CaseTransition.objects.values_list(
                "case__force_reference", "from_status", "to_status", "by__username", "at"
            )
        ),
        sorted(
            Finding.objects.values_list(
                "case__force_reference", "category", "severity", "recorded_at"
            )
        ),
        sorted(
            LineOfInquiry.objects.values_list(
                "case__force_reference",
                "status",
                "allocated_to__username",
                "due_on",
                "created_at",
                "next_reminder_at",
            ),
            key=str,
        ),
        sorted(
            DocumentPage.objects.values_list(
                "document__case__force_reference", "document__title", "number", "text"
            )
        ),
        sorted(
            ReferralBatch.objects.values_list(
                "uploaded_by__username", "uploaded_at", "status", "referrals"
            )
        ),
    )


class Undo(Exception):
    pass


def seeded_fingerprint(seed):
    try:
        with transaction.atomic():
            scale_seed(
                sizes=dataclasses.replace(SMALL, cases=150, followups=200), seed=seed, now=NOW
            )
            taken = fingerprint()
            raise Undo
    except Undo:
        return taken


def test_the_same_seed_gives_the_same_data_and_another_seed_other_data():
    first = seeded_fingerprint(5)
    assert first == seeded_fingerprint(5)
    assert first != seeded_fingerprint(6)


def test_it_refuses_a_database_holding_cases_it_did_not_make(settings):
    settings.DEBUG = True
    make_case()
    with pytest.raises(CommandError, match="--alongside-other-cases"):
        call_command("seed_scale", "--scale", "0.001", stdout=io.StringIO(), verbosity=0)
    assert not Case.objects.filter(force_reference__startswith="SCALE-").exists()


def test_it_seeds_beside_other_cases_when_told_to():
    make_case()
    assert seed_refusal(debug=True, force=False, alongside=True) is None
    scale_seed(sizes=dataclasses.replace(SMALL, cases=100), seed=3)
    assert Case.objects.count() == 101


def test_it_refuses_to_seed_twice():
    scale_seed(sizes=dataclasses.replace(SMALL, cases=100), seed=3)
    assert "already holds a seed_scale set" in seed_refusal(debug=True, force=False, alongside=True)


def test_it_never_runs_without_debug_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="--force"):
        call_command("seed_scale", "--cases", "50", stdout=io.StringIO(), verbosity=0)
    assert Case.objects.count() == 0
    assert seed_refusal(debug=False, force=True, alongside=False) is None


def test_the_command_prints_rows_per_table_and_the_time_taken(settings):
    settings.DEBUG = True
    out = io.StringIO()
    call_command(
        "seed_scale",
        "--scale",
        "0.001",
        "--followups",
        "300",
        "--due",
        "7",
        "--seed",
        "2",
        stdout=out,
        stderr=io.StringIO(),
        verbosity=0,
    )
    text = out.getvalue()
    assert re.search(r"^cases_case +100$", text, re.MULTILINE)
    assert re.search(r"^liaison_followup +300$", text, re.MULTILINE)
    assert "Seeded 100 synthetic cases (seed 2) in" in text
    assert FollowUp.objects.filter(status="open", next_reminder_at__lte=timezone.now()).count() == 7


def test_impossible_sizes_are_refused_in_words():
    with pytest.raises(CommandError, match="--due cannot be more than --followups"):
        call_command(
            "seed_scale", "--followups", "5", "--due", "6", "--force", stdout=io.StringIO()
        )
    assert Case.objects.count() == 0


def test_a_row_naming_a_missing_key_fails_the_seed_on_postgresql():
    from django.db import IntegrityError, connection

    from beaconport.scale.writer import TableWriter
    from cases.models import Offence

    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    writer = TableWriter(progress=False)
    unknown_case = 10**9
    with (
        pytest.raises(IntegrityError, match="case_id: 1 rows name no cases_case row"),
        transaction.atomic(),
    ):
        writer.begin()
        writer.write(
            Offence, ["id", "case_id", "type"], [(writer.next_id(Offence), unknown_case, "rape")]
        )
        writer.finish()
    assert not Offence.objects.exists()


def test_columns_the_seed_does_not_name_get_the_models_defaults():
    from beaconport.scale.writer import TableWriter
    from cases.models import Force

    writer = TableWriter(progress=False)
    case_id = writer.next_id(Case)
    force = Force.objects.get(slug="kent")
    fields = ["id", "force_id", "force_reference", "received_on", "decision_outcome", "decision_by"]
    row = (case_id, force.pk, "SCALE-KEN/1", datetime.date(2025, 5, 1), "nfa", "police")
    writer.write(Case, fields, [row])
    case = Case.objects.get(pk=case_id)
    assert (case.status, case.priority, case.eligibility, case.version) == (
        "referred",
        "P3",
        "unknown",
        1,
    )
    assert case.created_at is not None and case.summary == ""


def test_the_named_users_pages_open_on_the_seeded_data(client):
    from django.urls import reverse

    scale_seed(sizes=SMALL, seed=3)
    heavy = user("scale.inv.heavy")
    case = cases_visible_to(heavy).order_by("pk").first()
    client.force_login(heavy)
    assert client.get(reverse("cases:my_cases")).status_code == 200
    page = client.get(reverse("cases:detail", args=[case.reference]))
    assert page.status_code == 200
    assert case.reference in page.content.decode()
    client.force_login(user("scale.review.lead"))
    assert client.get(reverse("cases:queue")).status_code == 200
    client.force_login(user("scale.liaison.officer"))
    assert client.get(reverse("liaison:my_victims")).status_code == 200
    client.force_login(user("scale.liaison.lead"))
    assert client.get(reverse("liaison:team")).status_code == 200


def test_every_case_past_referred_has_the_moves_that_brought_it_there():
    scale_seed(sizes=SMALL, seed=3, now=NOW)
    moves: dict[int, list] = {}
    for case_id, from_status, to_status, at in CaseTransition.objects.order_by(
        "case", "at", "pk"
    ).values_list("case", "from_status", "to_status", "at"):
        moves.setdefault(case_id, []).append((from_status, to_status, at))
    for case_id, status, created in Case.objects.values_list("pk", "status", "created_at"):
        path = moves.get(case_id, [])
        assert bool(path) == (status != "referred")
        if not path:
            continue
        assert path[0][0] == "referred" and path[-1][1] == status
        assert all(a[1] == b[0] for a, b in itertools.pairwise(path))
        times = [created, *(at for *_, at in path), NOW]
        assert times == sorted(times) and len(set(times)) == len(times)
    # The hand-over from under review is an investigator's; every other move a lead's.
    handed = CaseTransition.objects.filter(from_status="under_review")
    assert handed.exists()
    assert not handed.exclude(by__groups__name="Investigator").exists()
    assert not (
        CaseTransition.objects.exclude(from_status="under_review")
        .exclude(by__groups__name="Review lead")
        .exists()
    )


def test_findings_and_lines_of_inquiry_sit_on_worked_cases_in_proportion():
    scale_seed(sizes=SMALL, seed=3, now=NOW)
    worked = ("under_review", "review_complete", "reinvestigation", "nfa_upheld", "closed")
    with_lines = Case.objects.filter(lines_of_inquiry__isnull=False).distinct()
    with_findings = Case.objects.filter(findings__isnull=False).distinct()
    assert 0.3 < with_lines.count() / SMALL.cases < 0.5
    assert 0.12 < with_findings.count() / SMALL.cases < 0.3
    assert not with_lines.exclude(status__in=worked).exists()
    assert not with_findings.exclude(status__in=worked).exists()
    # Every review marked complete passed the gate: a finding, and no line left open.
    reviewed = Case.objects.filter(status__in=worked[1:])
    assert reviewed.exists()
    assert not reviewed.filter(findings__isnull=True).exists()
    assert not reviewed.filter(lines_of_inquiry__status__in=OPEN_INQUIRY).exists()
    lines = LineOfInquiry.objects.all()
    # Open lines are nobody's yet; the others are an investigator's, one granted the case
    # where anyone holds a live grant on it.
    assert not lines.filter(status="open", allocated_to__isnull=False).exists()
    allocated = lines.exclude(status="open")
    assert not allocated.filter(allocated_to__isnull=True).exists()
    assert not allocated.exclude(allocated_to__groups__name="Investigator").exists()
    granted = allocated.filter(case__caseuserobjectpermission__isnull=False).distinct()
    held = granted.filter(
        Q(case__caseuserobjectpermission__expires_at__isnull=True)
        | Q(case__caseuserobjectpermission__expires_at__gt=NOW),
        case__caseuserobjectpermission__user=F("allocated_to"),
    ).distinct()
    assert granted.exists() and held.count() >= granted.count() * 0.9
    # Some still open are past their due date, and wait for the reminder sweep.
    still_open = lines.filter(status__in=("open", "allocated", "in_progress"))
    late = still_open.filter(due_on__lt=NOW.date())
    assert late.exists() and still_open.filter(due_on__gte=NOW.date()).exists()
    assert not late.filter(next_reminder_at__isnull=True).exists()
    assert not lines.filter(
        status__in=("completed", "not_pursued"), next_reminder_at__isnull=False
    ).exists()
    assert not lines.filter(created_at__gt=NOW).exists()
    assert not lines.filter(created_at__lt=F("case__created_at")).exists()


def test_the_review_figures_add_up_on_the_seeded_data(make_user):
    from cases.figures import review_tables

    result = scale_seed(sizes=SMALL, seed=3, now=NOW)
    tables = {
        t.key: t for t in review_tables(make_user("fig.analyst"), Case.objects.all(), now=NOW)
    }
    # One spell per move (in its from-status) and one open spell per case, closed ones aside.
    spells = sum(row[1] for row in tables["time_in_status"].rows)
    closed = Case.objects.filter(status="closed").count()
    assert spells == result.counts["cases_casetransition"] + SMALL.cases - closed
    assert all(row[2] is None or row[2] >= 0 for row in tables["time_in_status"].rows)
    findings = sum(n for _, n in tables["findings_by_category"].rows)
    assert findings == result.counts["cases_finding"] == Finding.objects.count()
    open_lines = sum(row[1] for row in tables["open_inquiries_by_age"].rows)
    assert (
        open_lines
        == LineOfInquiry.objects.filter(status__in=("open", "allocated", "in_progress")).count()
    )


def test_missing_decision_dates_and_life_status_agree_with_the_criteria():
    scale_seed(sizes=SMALL, seed=3, now=NOW)
    undated = Case.objects.filter(decision_on__isnull=True)
    window_unknown = Case.objects.filter(
        criteria__name="decision_window", criteria__result="unknown"
    )
    assert undated.exists()
    assert set(undated.values_list("pk", flat=True)) == set(
        window_unknown.values_list("pk", flat=True)
    )
    suspects = CaseParty.objects.filter(role="suspect")
    alive_unknown = Case.objects.filter(criteria__name="suspect_alive", criteria__result="unknown")
    alive_failed = Case.objects.filter(criteria__name="suspect_alive", criteria__result="fail")
    assert suspects.filter(deceased__isnull=True).exists()
    assert set(
        suspects.filter(deceased__isnull=True).values_list("case", flat=True).distinct()
    ) == set(alive_unknown.filter(parties__role="suspect").values_list("pk", flat=True))
    assert not suspects.filter(case__in=alive_unknown, deceased__isnull=False).exists()
    assert not suspects.filter(case__in=alive_failed).exclude(deceased=True).exists()


def test_documents_carry_pages_of_text_found_by_their_marked_words():
    from django.db import connection

    from beaconport.scale.material import COMMON_TERM, PHRASE

    scale_seed(sizes=SMALL, seed=3)
    assert Document.objects.count() == SMALL.documents
    read = Document.objects.filter(extraction_status="done")
    assert read.count() > SMALL.documents * 0.8
    assert not DocumentPage.objects.exclude(document__in=read).exists()
    # Each read document has its pages numbered from 1 to its page count, 20 at most.
    counted = read.annotate(n=Count("pages"), top=Max("pages__number"))
    assert all(d.n == d.top == d.page_count <= 20 for d in counted)
    pages = DocumentPage.objects.all()
    if connection.vendor == "postgresql":
        assert not pages.filter(search=None).exists()
        # The GIN index dropped for the vectors' UPDATE is there again.
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT indexdef FROM pg_indexes WHERE tablename = 'cases_documentpage' "
                "AND indexname = 'document_page_search'"
            )
            assert "USING gin" in cursor.fetchone()[0]
        common = pages.filter(search=COMMON_TERM).count()
        assert 0.5 < common / pages.count() < 0.85
    assert 0 < pages.filter(text__contains=PHRASE).count() < pages.count() / 20


def test_citations_cite_a_page_of_a_document_on_the_findings_own_case():
    scale_seed(sizes=SMALL, seed=3)
    citations = Citation.objects.select_related("document", "finding")
    assert citations.count() > 5
    for citation in citations:
        assert citation.document.case_id == citation.finding.case_id
        assert 1 <= citation.page <= citation.document.page_count
        assert citation.document.extraction_status == "done"


def test_referral_files_fill_the_intake_history_of_the_leads():
    from cases.permissions import referral_batches_visible_to

    scale_seed(sizes=SMALL, seed=3)
    batches = ReferralBatch.objects.all()
    assert batches.count() == SMALL.referral_batches
    assert referral_batches_visible_to(user("scale.review.lead")).exists()
    assert referral_batches_visible_to(user("scale.national.lead")).count() == batches.count()
    assert not batches.filter(status="imported", forces=None).exists()
    for batch in batches.filter(status="refused"):
        assert len(batch.problems) == batch.problem_count > 0
    for batch in batches.exclude(same_as=None).select_related("same_as"):
        assert batch.same_as.sha256 == batch.sha256
        assert batch.same_as.uploaded_at < batch.uploaded_at


def test_no_documents_are_written_when_none_are_asked_for():
    scale_seed(sizes=dataclasses.replace(SMALL, documents=0, referral_batches=0), seed=3)
    assert not Document.objects.exists()
    assert not Citation.objects.exists()
    assert not ReferralBatch.objects.exists()
