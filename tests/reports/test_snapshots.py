# ruff: noqa: F811  (pytest fixtures imported from the figure and view tests are used by name)
"""Dashboard snapshots (issue 11, part 8): the periodic refresh keeps each registered
dashboard per scope and audience; a page with only force, team or no filters serves a young
snapshot with its age, anything else is built live."""

import datetime
import json

import psycopg
import pytest
from django.db import connection
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.models import DashboardSnapshot
from beaconport.reports import registry, snapshots
from beaconport.reports.audience import Audience, Viewer
from beaconport.reports.tasks import refresh_dashboard_snapshots
from tests.audit.helpers import last_seq
from tests.factories import CaseFactory
from tests.liaison.test_figures_compliance import REASON_A, REASON_B
from tests.liaison.test_figures_compliance import fixture as compliance  # noqa: F401
from tests.reports.test_views import TINY, URL, counted, figures, force, get  # noqa: F401

FROZEN = datetime.datetime(2026, 6, 15, 12, 0, tzinfo=datetime.UTC)


@pytest.fixture
def frozen(monkeypatch):
    """One instant for the refresh and the live build, so spells and ages agree exactly."""
    monkeypatch.setattr(timezone, "now", lambda: FROZEN)
    return FROZEN


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(registry, "dashboards", lambda: (TINY,))
    return TINY


def snapshot(board: str, key: str, audience: Audience) -> DashboardSnapshot:
    return DashboardSnapshot.objects.get(dashboard=board, scope_key=key, audience=audience)


def test_every_snapshot_equals_a_live_build_of_its_scope_and_audience(
    frozen, counted, compliance, review_lead, liaison_lead, other_team_review_lead, team
):
    built = snapshots.refresh_snapshots()
    targets = snapshots.targets()
    opened = [
        (board, target)
        for board in registry.dashboards()
        for target in targets
        if board.roles & target.viewer.audience.roles
    ]
    assert len(built) == len(opened)
    # Liaison leads open compliance alone: only it is kept for them.
    assert {b.dashboard for b in built if b.audience == Audience.LIAISON_LEAD} == {"compliance"}
    for board, target in opened:
        live = board.build(target.viewer, target.cases(), target.filters)
        kept = snapshot(board.key, target.key, target.viewer.audience).tables
        assert kept == json.loads(json.dumps([table.to_json() for table in live]))
    # Hand-counted: Kent 3, Durham 7, Cumbria 20 and one case per liaison record (Kent 2,
    # Lancashire 1, Cumbria 1): 34 cases in all, 13 outside Cumbria (the personas' team).
    by_status = {t["key"]: t for t in snapshot("review", "all", Audience.ANALYST).tables}
    assert sum(row[-1] for row in by_status["referrals_by_status"]["rows"]) == 34
    lead = snapshots.scope_key(set(team.forces.values_list("pk", flat=True)), {team.pk})
    lead_tables = {t["key"]: t for t in snapshot("review", lead, Audience.REVIEW_LEAD).tables}
    assert sum(row[-1] for row in lead_tables["referrals_by_status"]["rows"]) == 13
    # The liaison lead's compliance snapshot holds the late reasons, and the ids to log.
    reasons = {t["key"]: t for t in snapshot("compliance", lead, Audience.LIAISON_LEAD).tables}[
        "late_reasons_latest"
    ]
    assert [row[4] for row in reasons["rows"]] == [REASON_A, REASON_B]
    assert reasons["consulted"] == [compliance["ra"].pk, compliance["rb"].pk]


def _strings(value):
    if isinstance(value, str):
        yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item)


def test_an_analysts_snapshot_never_holds_a_name(
    frozen, compliance, analyst, review_lead, liaison_lead, django_user_model
):
    snapshots.refresh_snapshots()
    names = set()
    for first, last, username in django_user_model.objects.values_list(
        "first_name", "last_name", "username"
    ):
        names |= {username, f"{first} {last}".strip()} - {""}
    lead_text = set()
    for kept in DashboardSnapshot.objects.exclude(audience=Audience.ANALYST):
        lead_text |= set(_strings(kept.tables))
    assert "Lee Officerson" in lead_text  # the leads' snapshots name officers: the walk sees
    analyst_text = set()
    for kept in DashboardSnapshot.objects.filter(audience=Audience.ANALYST):
        analyst_text |= set(_strings(kept.tables))
    assert analyst_text and not analyst_text & names
    assert not analyst_text & {REASON_A, REASON_B}


def test_the_page_serves_the_snapshot_with_its_age_and_a_date_range_is_live(
    client, tiny, counted, national_lead, review_lead
):
    snapshots.refresh_snapshots()
    for _ in range(5):
        CaseFactory(force=force("kent"), received_on=datetime.date(2024, 2, 1))
    page = get(client, national_lead, URL)
    assert figures(page)[0][:3] == [["Cumbria", "20"], ["Durham", "7"], ["Kent", "3"]]
    assert page.context["as_of"] is not None
    assert "Figures as of" in page.content.decode() and "minute" in page.content.decode()
    # The lead's own scope and a single force are kept too (their forces: Durham and Kent).
    assert figures(get(client, review_lead, URL))[0] == [["Durham", "7"], ["Kent", "3"]]
    kent = force("kent").pk
    assert figures(get(client, review_lead, URL, force=kent))[0] == [["Kent", "3"]]
    # A date range is always counted live: the five new Kent cases show.
    live = get(client, national_lead, URL, received_from="2024-01-01")
    assert figures(live)[0][2] == ["Kent", "8"]
    assert live.context["as_of"] is None and "computed just now" in live.content.decode()
    # The CSV says which figures it holds.
    download = get(client, national_lead, "/reports/tiny.csv")
    assert "Figures as of" in download.content.decode()


def test_a_stale_snapshot_is_ignored(client, tiny, counted, national_lead, settings):
    snapshots.refresh_snapshots()
    CaseFactory(force=force("kent"))
    old = timezone.now() - datetime.timedelta(minutes=settings.REPORTS_SNAPSHOT_MAX_AGE_MINUTES + 1)
    DashboardSnapshot.objects.update(computed_at=old)
    page = get(client, national_lead, URL)
    assert figures(page)[0][2] == ["Kent", "4"]
    assert page.context["as_of"] is None


def test_the_late_reasons_are_logged_when_shown_from_a_snapshot(
    client, compliance, liaison_lead, analyst
):
    snapshots.refresh_snapshots(dashboards={"compliance"})
    before = last_seq()
    page = get(client, liaison_lead, "/reports/compliance/")
    assert page.context["as_of"] is not None
    logged = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
    consults = [e for e in logged if e.object_type == "liaison.liaisonrecord"]
    assert [(e.operation, e.actor_id) for e in consults] == [("consult", liaison_lead.pk)]
    assert set(consults[0].object_ids) == {str(compliance["ra"].pk), str(compliance["rb"].pk)}
    # An analyst's page shows no reasons and logs no record read.
    before = last_seq()
    get(client, analyst, "/reports/compliance/")
    assert not AuditEvent.objects.filter(
        seq__gt=before, object_type="liaison.liaisonrecord"
    ).exists()


# Session, user, roles, the scope's forces and teams, the snapshot, the audit row: nothing
# counted. Live: the same with the build's one query in place of the snapshot's; a date
# range looks for no snapshot. A team filter reads the team's forces first.
FROM_SNAPSHOT = 7
LIVE_WITH_DATES = 7
LIVE_WITHOUT_SNAPSHOT = 8


def test_query_counts_are_fixed_from_a_snapshot_and_live(
    client, tiny, counted, national_lead, review_lead, team, django_assert_num_queries
):
    client.force_login(national_lead)
    with django_assert_num_queries(LIVE_WITHOUT_SNAPSHOT):
        assert client.get(URL).status_code == 200
    snapshots.refresh_snapshots()
    for forces in force("kent"), force("durham"):
        CaseFactory(force=forces)
    with django_assert_num_queries(FROM_SNAPSHOT):
        assert client.get(URL).status_code == 200
    with django_assert_num_queries(LIVE_WITH_DATES):
        assert client.get(URL, {"received_to": "2030-01-01"}).status_code == 200
    client.force_login(review_lead)
    kent = force("kent").pk
    with django_assert_num_queries(FROM_SNAPSHOT):
        assert client.get(URL, {"force": kent}).status_code == 200
    with django_assert_num_queries(FROM_SNAPSHOT + 1):
        page = client.get(URL, {"team": team.pk})
    assert page.context["as_of"] is not None


def test_the_task_refreshes_once_and_waits_for_no_one(tiny, counted, national_lead):
    """A refresh holding the advisory lock makes another give way; free, one runs."""
    if connection.vendor != "postgresql":
        pytest.skip("the lock is PostgreSQL's")
    settings_dict = connection.settings_dict
    other = psycopg.connect(
        dbname=settings_dict["NAME"],
        user=settings_dict["USER"],
        host=settings_dict["HOST"],
        port=settings_dict["PORT"] or 5432,
        password=settings_dict["PASSWORD"] or None,
        autocommit=True,
    )
    try:
        other.execute("SELECT pg_advisory_lock(%s)", [snapshots.LOCK_KEY])
        assert refresh_dashboard_snapshots.apply().get() == -1
        assert not DashboardSnapshot.objects.exists()
        other.execute("SELECT pg_advisory_unlock(%s)", [snapshots.LOCK_KEY])
    finally:
        other.close()
    built = refresh_dashboard_snapshots.apply().get()
    assert built == len(snapshots.targets()) == DashboardSnapshot.objects.count()
    assert set(DashboardSnapshot.objects.values_list("audience", flat=True)) == {
        Audience.ANALYST,
        Audience.NATIONAL_LEAD,
    }  # national lead and analyst only: no team lead here
    # Once more: the same rows replaced, not added.
    assert refresh_dashboard_snapshots.apply().get() == built
    assert DashboardSnapshot.objects.count() == built


def test_a_viewer_for_every_role_mix(make_user, team):
    from beaconport.reports.audience import viewer_of
    from beaconport.roles import Role

    both = make_user("both.leads", Role.REVIEW_LEAD, Role.LIAISON_LEAD)
    team.members.add(both)
    analyst_lead = make_user("ana.lead", Role.ANALYST, Role.REVIEW_LEAD)
    team.members.add(analyst_lead)
    assert viewer_of(both) == Viewer(Audience.REVIEW_AND_LIAISON_LEAD, frozenset({team.pk}))
    assert viewer_of(analyst_lead) == Viewer(Audience.ANALYST)


def test_the_one_scheduler_refreshes_every_fifteen_minutes(settings):
    from beaconport.celery import app

    entry = next(
        e
        for e in settings.CELERY_BEAT_SCHEDULE.values()
        if e["task"] == "reports.refresh_snapshots"
    )
    assert entry["schedule"] == settings.REPORTS_SNAPSHOT_REFRESH_MINUTES * 60 == 15 * 60
    assert entry["options"]["expires"] < entry["schedule"]  # a backlog never piles up
    assert settings.REPORTS_SNAPSHOT_MAX_AGE_MINUTES > settings.REPORTS_SNAPSHOT_REFRESH_MINUTES
    app.loader.import_default_modules()  # what a worker does at start
    assert "reports.refresh_snapshots" in app.tasks
