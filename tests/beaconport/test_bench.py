"""`manage.py bench --smoke`: every scenario prints real numbers, and its query counts are
the counts the pages really make (measured here on their own, so the bench cannot lie)."""

import datetime
import io
import json
import shutil

import pytest
from django.contrib.auth.models import Group, Permission
from django.core.management import CommandError, call_command
from django.db import connection
from django.test import Client
from django.utils import timezone

from beaconport.bench.linkage import LINKAGE_PAGE_NAMES
from beaconport.bench.material import MATERIAL_PAGE_NAMES
from beaconport.bench.reports import PERSONAS as REPORT_PERSONAS
from beaconport.bench.run import ALL
from beaconport.bench.scenarios import PERSONAS
from beaconport.roles import Role
from cases.models import Case, CaseGroupObjectPermission, Force, LineOfInquiry, Team
from cases.permissions import grant_case_access
from tests.factories import LiaisonRecordFactory, make_case, make_dated_work, make_followup
from tests.services import require_service

# The figure each scenario is judged by: a page's p95, a job's rate, an insert's p99.9.
MEASURED = ("p95", "rate", "throughput", "p99.9")


@pytest.fixture
def scale_personas(make_user):
    """The scale data contract's personas on a handful of records (what `seed_scale` names,
    at the smallest size): grants direct and through a group, a team, victims, follow-ups."""
    kent = Force.objects.get(slug="kent")
    team = Team.objects.create(name="Bench team")
    team.forces.set([kent])
    roles = {
        "heavy": Role.INVESTIGATOR,
        "light": Role.INVESTIGATOR,
        "review_lead": Role.REVIEW_LEAD,
        "national_lead": Role.NATIONAL_LEAD,
        "liaison_officer": Role.LIAISON_OFFICER,
        "liaison_lead": Role.LIAISON_LEAD,
    }
    users = {key: make_user(PERSONAS[key], role) for key, role in roles.items()}
    team.members.add(*users.values())
    # The dashboards' analyst (issue 11), in no team: analysts count every case.
    users["analyst"] = make_user(REPORT_PERSONAS["analyst"], Role.ANALYST)
    cases = [make_case(force=kent, suspects=1, victims=1) for _ in range(6)]
    for case in cases[:4]:
        grant_case_access(users["heavy"], case)
    group = Group.objects.create(name="Bench squad")
    users["heavy"].groups.add(group)
    view = Permission.objects.get(content_type__app_label="cases", codename="view_case")
    CaseGroupObjectPermission.objects.create(group=group, permission=view, content_object=cases[4])
    grant_case_access(users["light"], cases[5])
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    for case in cases[:3]:
        record = LiaisonRecordFactory(
            party__case=case, officer=users["liaison_officer"], assigned_at=timezone.now()
        )
        make_followup(record, due_on=yesterday, starts_at=timezone.now())
    LiaisonRecordFactory(party__case=cases[3])  # nobody's yet: the lead's team page lists it
    # The work lists' rows (issue 11): a flag and a line of inquiry of the heavy
    # investigator's, on a Kent case, the line due yesterday (set due today, as a past date
    # is refused, and since passed), so every list has a row for every persona.
    case, _, line = make_dated_work(users["heavy"], due_on=timezone.localdate())
    Case.objects.filter(pk=case.pk).update(force=kent)
    LineOfInquiry.objects.filter(pk=line.pk).update(due_on=yesterday)
    _material(users, cases, kent)
    return users


def _material(users, cases, kent):
    """Case-file material as seed_scale writes it (issue 12): documents with searchable
    pages holding the bench's rare and common words on two of the heavy investigator's cases,
    and a referral file the review lead sent, imported into their force."""
    from django.contrib.postgres.search import SearchVector

    from beaconport.bench.material import RARE_TERM
    from beaconport.scale.material import COMMON_TERM
    from cases.models import Document, DocumentPage, ReferralBatch

    for n, case in enumerate(cases[:2]):
        document = Document.objects.create(
            case=case, kind="statement", title=f"Statement {n}", source="Box 1",
            filename=f"s{n}.pdf", content_type="application/pdf", size=1000,
            sha256=f"{n:064d}", storage_name=f"bench/{n}.pdf", added_by=users["heavy"],
            page_count=2, extraction_status="done",
        )  # fmt: skip
        for number in (1, 2):
            DocumentPage.objects.create(
                document=document, number=number, text=f"A {COMMON_TERM} and {RARE_TERM}."
            )
    if connection.vendor == "postgresql":
        DocumentPage.objects.update(search=SearchVector("text", config="english"))
    batch = ReferralBatch.objects.create(
        channel="browser", uploaded_by=users["review_lead"], filename="kent.json", size=10,
        sha256="b" * 64, storage_name="referral-files/bench.json", status="imported",
        referrals=2, created=2,
    )  # fmt: skip
    batch.forces.set([kent])


def _services():
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    from django.conf import settings

    require_service("Redis", bool(settings.REDIS_URL), "set REDIS_URL")


@pytest.mark.django_db(transaction=True)
def test_smoke_bench_prints_real_numbers_for_every_scenario(scale_personas, tmp_path):
    _services()
    figures_file = tmp_path / "bench.json"
    out = io.StringIO()

    try:
        call_command("bench", "--smoke", "--json", str(figures_file), stdout=out)
    except CommandError:
        pytest.fail(f"the bench failed:\n{out.getvalue()}")

    printed = out.getvalue()
    scenarios = json.loads(figures_file.read_text())["scenarios"]
    assert sorted(scenarios) == sorted(ALL)
    for name, row in scenarios.items():
        assert row["error"] is None, (name, row["error"])
        assert row["label"] in printed
        if row["skipped"]:
            # Only the person index's scenarios wait for their pages and data.
            assert name in (*LINKAGE_PAGE_NAMES, "link_people"), (name, row["skipped"])
            continue
        # No error answers under load, and the sweep's query is still the one timed.
        assert not [note for note in row["notes"] if "WARNING" in note], (name, row["notes"])
        measured = [c["value"] for c in row["checks"] if c["what"] in MEASURED]
        assert measured and all(value > 0 for value in measured), (name, row["checks"])
    work_lists = ("my_actions_heavy", "overdue_review_lead", "flags_review_lead")
    for name in (
        "my_cases_heavy",
        "review_queue",
        "my_victims",
        "liaison_team",
        "api_cases",
        *work_lists,
        *MATERIAL_PAGE_NAMES,
    ):
        assert scenarios[name]["figures"]["queries"] > 0
        assert scenarios[name]["figures"]["bytes"] > 0
        assert scenarios[name]["figures"]["sql_median_ms"] > 0
    assert scenarios["import"]["figures"]["referrals"] == 100
    assert scenarios["reminders_worker"]["figures"]["reminders"] == 40
    assert scenarios["audit_inserts"]["figures"]["inserts"] == 200
    tool = "wrk" if shutil.which("wrk") else "Python load generator"
    assert tool in " ".join(scenarios["http_my_cases"]["notes"])
    assert "targets missed:" in printed


def _bench_figures(tmp_path, only: str) -> dict:
    figures_file = tmp_path / "bench.json"
    call_command(
        "bench", "--smoke", "--only", only, "--json", str(figures_file), stdout=io.StringIO()
    )
    return json.loads(figures_file.read_text())["scenarios"]


@pytest.mark.parametrize(
    ("scenario", "persona", "path"),
    [
        ("my_cases_heavy", "heavy", "/cases/"),
        ("review_queue", "review_lead", "/cases/queue/"),
        ("my_victims", "liaison_officer", "/liaison/"),
        ("my_actions_heavy", "heavy", "/cases/actions/"),
        ("overdue_review_lead", "review_lead", "/cases/actions/overdue/"),
        ("flags_national_lead", "national_lead", "/cases/flags/"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_bench_reports_the_query_count_the_page_makes(
    scale_personas, tmp_path, django_assert_num_queries, scenario, persona, path
):
    reported = _bench_figures(tmp_path, scenario)[scenario]["figures"]["queries"]
    client = Client()
    client.force_login(scale_personas[persona])

    with django_assert_num_queries(reported):
        response = client.get(path)

    assert response.status_code == 200


@pytest.mark.parametrize(
    ("scenario", "persona", "path"),
    [
        ("documents_list", "heavy", "/cases/{documents}/documents/"),
        ("intake_history_review_lead", "review_lead", "/intake/"),
        ("intake_history_national_lead", "national_lead", "/intake/"),
        ("api_inquiries", "heavy", "/api/v1/cases/{lines}/lines-of-inquiry/"),
    ],
)
@pytest.mark.django_db(transaction=True)
def test_bench_reports_the_query_count_of_the_material_pages_held_for_another_record(
    scale_personas, tmp_path, django_assert_num_queries, scenario, persona, path
):
    from cases.models import Document, format_reference

    figures = _bench_figures(tmp_path, scenario)[scenario]["figures"]
    documents = Document.objects.order_by("pk").first().case_id
    line = LineOfInquiry.objects.get(allocated_to=scale_personas["heavy"])
    client = Client()
    client.force_login(scale_personas[persona])
    path = path.format(documents=format_reference(documents), lines=format_reference(line.case_id))

    with django_assert_num_queries(figures["queries"]):
        response = client.get(path)

    assert response.status_code == 200
    assert figures["queries_other_record"] == figures["queries"]


@pytest.mark.parametrize(
    ("scenario", "persona"),
    [("document_search_heavy_common", "heavy"), ("document_search_lead_rare", "review_lead")],
)
@pytest.mark.django_db(transaction=True)
def test_bench_reports_the_query_count_of_a_document_search_the_same_for_either_word(
    scale_personas, tmp_path, django_assert_num_queries, scenario, persona
):
    from beaconport.bench.material import RARE_TERM
    from beaconport.scale.material import COMMON_TERM

    figures = _bench_figures(tmp_path, scenario)[scenario]["figures"]
    client = Client()
    client.force_login(scale_personas[persona])
    word = COMMON_TERM if scenario.endswith("common") else RARE_TERM

    with django_assert_num_queries(figures["queries"]):
        response = client.post("/documents/search/", {"q": word})

    assert response.status_code == 200
    assert figures["queries_other_record"] == figures["queries"]


@pytest.mark.django_db(transaction=True)
def test_bench_counts_only_case_table_reads_as_list_queries(scale_personas, tmp_path):
    figures = _bench_figures(tmp_path, "my_cases_light")["my_cases_light"]["figures"]
    client = Client()
    client.force_login(scale_personas["light"])
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        client.get("/cases/")

    reading_cases = [q for q in captured.captured_queries if '"cases_case"' in q["sql"]]
    assert figures["list_queries"] == len(reading_cases)
    assert 0 < figures["list_queries"] < figures["queries"]


def test_repetitions_are_interleaved_round_robin_after_the_warm_up():
    from beaconport.bench.timing import interleaved

    calls = []
    stats = interleaved(
        {name: (lambda name=name: calls.append(name)) for name in ("page", "sql", "other")},
        reps=3,
        warmup=1,
    )

    assert calls == ["page", "sql", "other"] * 4
    assert {name: len(s.samples) for name, s in stats.items()} == {
        "page": 3,
        "sql": 3,
        "other": 3,
    }


def test_p95_is_a_measured_value_by_nearest_rank():
    from beaconport.bench.timing import Stats

    stats = Stats(tuple(float(n) for n in range(1, 101)))

    assert stats.p95 == 95.0
    assert stats.median == 50.5
