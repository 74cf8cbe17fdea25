"""The reports pages with a tiny dashboard of the test's own: scope, filters, suppression on
the page and in the CSV, the charts, the audit rows and the query count (issue 11)."""

import csv
import datetime
import io
import re

import pytest
from django.db.models import Count
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.reports import registry
from beaconport.reports.registry import Dashboard
from beaconport.reports.suppression import FEWER_THAN_5, WITHHELD
from beaconport.reports.tables import Column, Kind, Table
from beaconport.roles import Role
from cases.models import Force
from tests.audit.helpers import last_seq
from tests.factories import CaseFactory

FORMULAS = ["=1+2", "+44 1632", "-3", "@SUM(A1)", "\tTab"]


def _by_force(user, cases, filters):
    rows = cases.values_list("force__name").annotate(n=Count("pk")).order_by("force__name")
    return [
        Table(
            "by_force",
            "Cases by force",
            [Column("force", "Force", Kind.LABEL), Column("cases", "Cases")],
            [list(row) for row in rows],
            chart="cases",
        ),
        Table(
            "formulas",
            "Labels a spreadsheet would run",
            [Column("label", "Label", Kind.LABEL), Column("n", "Count")],
            [[label, 10 + n] for n, label in enumerate(FORMULAS)],
            total=False,
            as_of=timezone.now() - datetime.timedelta(minutes=42),
        ),
    ]


TINY = Dashboard(
    key="tiny",
    title="Tiny",
    summary="Cases by force, for the tests.",
    roles=frozenset({Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    build=_by_force,
)


@pytest.fixture
def tiny(monkeypatch):
    monkeypatch.setattr(registry, "dashboards", lambda: (TINY,))
    return TINY


def force(slug):
    return Force.objects.get(slug=slug)


def short(name: str) -> str:
    return name.split()[0]


@pytest.fixture
def counted(db, team, other_team):
    """Kent 3, Durham 7 (the personas' team), Cumbria 20 (the other team's)."""
    for slug, n in (("kent", 3), ("durham", 7), ("cumbria", 20)):
        for i in range(n):
            CaseFactory(force=force(slug), received_on=datetime.date(2024, 1, 1 + i))
    return {"kent": 3, "durham": 7, "cumbria": 20}


def get(client, user, path, **query):
    client.force_login(user)
    return client.get(path, query)


def figures(response, key="by_force"):
    """The rows of the table's page as shown (forces by their short name), and its total."""
    section = next(s for s in response.context["sections"] if s.table.key == key)
    rows = [[short(row[0].text), *(c.text for c in row[1:])] for row in section.page.object_list]
    total = [cell.text for cell in section.shown.total] if section.shown.total else None
    return rows, total


URL = "/reports/tiny/"
OBJECT = "reports.dashboard"


def test_an_analyst_counts_every_case_with_small_numbers_hidden(client, tiny, counted, analyst):
    response = get(client, analyst, URL)
    assert response.status_code == 200
    # 3 + 7 + 20 = 30: the 3 is fewer than 5, and the 7 withheld or 30 - 20 - 7 gives it back.
    assert figures(response) == (
        [["Cumbria", "20"], ["Durham", WITHHELD], ["Kent", FEWER_THAN_5]],
        ["Total", "30"],
    )


def test_a_review_lead_counts_their_teams_forces_exactly(client, tiny, counted, review_lead):
    response = get(client, review_lead, URL)
    assert figures(response) == ([["Durham", "7"], ["Kent", "3"]], ["Total", "10"])


def test_another_teams_lead_counts_only_theirs(client, tiny, counted, other_team_review_lead):
    response = get(client, other_team_review_lead, URL)
    assert figures(response) == ([["Cumbria", "20"]], ["Total", "20"])


def test_a_national_lead_counts_everything_exactly(client, tiny, counted, national_lead):
    response = get(client, national_lead, URL)
    assert figures(response) == (
        [["Cumbria", "20"], ["Durham", "7"], ["Kent", "3"]],
        ["Total", "30"],
    )


def test_filters_narrow_to_forces_a_team_and_dates(client, tiny, counted, analyst, other_team):
    durham, kent = force("durham"), force("kent")
    response = get(client, analyst, URL, force=[durham.pk, kent.pk])
    assert figures(response) == ([["Durham", WITHHELD], ["Kent", FEWER_THAN_5]], ["Total", "10"])
    response = get(client, analyst, URL, team=other_team.pk)
    assert figures(response) == ([["Cumbria", "20"]], ["Total", "20"])
    # Received 2 to 6 January: Kent's 2nd and 3rd, Durham's 2nd to 6th, Cumbria's 2nd to 6th.
    # 5 + 5 + 2 = 12 would give the 2 back, so the first of the two 5s is withheld.
    response = get(client, analyst, URL, received_from="2024-01-02", received_to="2024-01-06")
    assert figures(response) == (
        [["Cumbria", WITHHELD], ["Durham", "5"], ["Kent", FEWER_THAN_5]],
        ["Total", "12"],
    )


@pytest.mark.parametrize(
    ("query", "field", "reason"),
    [
        ({"force": "cumbria"}, "force", "is not a force whose figures you can see"),
        ({"team": "other"}, "team", "is not a team whose figures you can see"),
        ({"received_from": "2024-13-01"}, "received_from", "Enter a valid date"),
        (
            {"received_to": "0001-01-01"},
            "received_to",
            "Enter a date between 1 January 1900 and 31 December 2100",
        ),
        (
            {"received_from": "2024-02-01", "received_to": "2024-01-01"},
            "received_to",
            "The end of the range is before its start",
        ),
    ],
)
def test_a_filter_outside_the_scope_is_refused_with_field_and_reason(
    client, tiny, counted, review_lead, other_team, query, field, reason
):
    values = {"cumbria": force("cumbria").pk, "other": other_team.pk}
    query = {name: values.get(value, value) for name, value in query.items()}
    seq = last_seq()
    response = get(client, review_lead, URL, **query)
    assert response.status_code == 400
    assert reason in " ".join(response.context["form"].errors[field])
    assert reason in response.content.decode()
    assert response.context["sections"] == []
    download = get(client, review_lead, "/reports/tiny.csv", **query)
    assert download.status_code == 400
    assert reason in download.content.decode()
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()  # nothing was shown


def test_a_role_the_dashboard_is_not_for_gets_404(
    client, tiny, counted, liaison_lead, investigator
):
    assert get(client, liaison_lead, URL).status_code == 404
    assert get(client, liaison_lead, "/reports/tiny.csv").status_code == 404
    assert get(client, liaison_lead, "/reports/").status_code == 200  # a report role
    assert "Tiny" not in get(client, liaison_lead, "/reports/").content.decode()
    assert get(client, investigator, "/reports/").status_code == 404
    assert get(client, investigator, URL).status_code == 404
    assert get(client, investigator, "/reports/nothing/").status_code == 404


def test_the_index_lists_what_the_viewer_may_open(client, tiny, analyst):
    page = get(client, analyst, reverse("reports:index")).content.decode()
    assert 'href="/reports/tiny/"' in page and 'href="/reports/tiny.csv"' in page
    assert '<a href="/reports/">Reports</a>' in page  # the nav entry


def test_the_csv_is_suppressed_as_the_page_and_formula_safe(client, tiny, counted, analyst):
    response = get(client, analyst, "/reports/tiny.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"] == 'attachment; filename="tiny.csv"'
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    start = rows.index(["Cases by force"])
    assert [[short(row[0]), *row[1:]] for row in rows[start + 1 : start + 6]] == [
        ["Force", "Cases"],
        ["Cumbria", "20"],
        ["Durham", WITHHELD],
        ["Kent", FEWER_THAN_5],
        ["Total", "30"],
    ]
    start = rows.index(["Labels a spreadsheet would run"])
    assert rows[start + 1][0].startswith("As of ")
    assert rows[start + 3 : start + 8] == [
        ["'=1+2", "10"],
        ["'+44 1632", "11"],
        ["'-3", "12"],
        ["'@SUM(A1)", "13"],
        ["'\tTab", "14"],
    ]


def test_a_lead_downloads_exact_figures(client, tiny, counted, review_lead):
    rows = list(csv.reader(io.StringIO(get(client, review_lead, "/reports/tiny.csv").text)))
    start = rows.index(["Cases by force"])
    shown = [[short(row[0]), *row[1:]] for row in rows[start + 2 : start + 5]]
    assert shown == [["Durham", "7"], ["Kent", "3"], ["Total", "10"]]


def test_a_download_is_logged_as_a_disclosure_to_the_viewer(client, tiny, counted, analyst):
    seq = last_seq()
    get(client, analyst, "/reports/tiny.csv", force=force("kent").pk)
    row = AuditEvent.objects.get(seq__gt=seq)
    assert (row.operation, row.object_type, row.object_id) == (
        "disclose",
        "reports.dashboard",
        "tiny",
    )
    assert (row.actor_id, row.recipient) == (analyst.pk, analyst.username)
    assert row.purpose == "Dashboard downloaded as CSV: Tiny; filters: forces Kent Police"


def test_a_page_read_is_logged_as_a_consult_with_its_filters(client, tiny, counted, analyst):
    seq = last_seq()
    get(client, analyst, URL, force=force("kent").pk)
    row = AuditEvent.objects.get(seq__gt=seq)
    assert (row.operation, row.object_type, row.object_id) == (
        "consult",
        "reports.dashboard",
        "tiny",
    )
    assert row.actor_id == analyst.pk
    assert row.source == f"GET /reports/tiny/?force={force('kent').pk}"


def test_each_chart_is_an_accessible_svg_beside_its_table(client, tiny, counted, analyst):
    response = get(client, analyst, URL)
    page = response.content.decode()
    assert page.count("<svg") == 1  # the formulas table names no chart column
    assert 'role="img" aria-labelledby="chart-by_force-title chart-by_force-desc"' in page
    assert 'tabindex="0"' in page
    assert '<title id="chart-by_force-title">Cases by force: Cases</title>' in page
    assert "3 bars. Longest: Cumbria Constabulary, 20. 2 figures are hidden" in page
    assert page.count('fill="url(#chart-by_force-hatch)"') == 2  # Durham and Kent
    assert 'id="by_force-table"' in page  # the numbers beside it
    inline_script = re.search(r"<script(?![^>]*\bsrc=)", page)
    assert not re.search(r"\sstyle=", page) and not inline_script  # the CSP allows neither
    assert "script-src 'self'" in response["Content-Security-Policy"]
    assert "As of" in page and "42" in page  # the formulas table's age


def test_a_long_table_comes_a_page_at_a_time(client, tiny, db, national_lead):
    for forces in Force.objects.order_by("name")[:30]:
        CaseFactory(force=forces)
    first = get(client, national_lead, URL)
    rows, total = figures(first)
    assert len(rows) == 25 and total == ["Total", "30"]
    assert "by_force-page=2" in first.content.decode()
    second = get(client, national_lead, URL, **{"by_force-page": 2})
    assert len(figures(second)[0]) == 5


def test_a_dashboard_page_makes_the_same_number_of_queries_whatever_it_counts(
    client, tiny, counted, analyst, review_lead, django_assert_num_queries
):
    # Session, user, roles, the scope's forces and teams, the look for a snapshot (none kept:
    # built live), the tiny build's one query and the audit row's insert (one statement,
    # chain head included): the same with 30 cases as with
    # 60 in more forces, and for a lead filtering.
    client.force_login(analyst)
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200
    for forces in Force.objects.order_by("name")[:30]:
        CaseFactory(force=forces)
    with django_assert_num_queries(QUERIES):
        assert client.get(URL).status_code == 200
    client.force_login(review_lead)
    kent = force("kent").pk
    with django_assert_num_queries(QUERIES):
        assert client.get(URL, {"force": kent}).status_code == 200


QUERIES = 8
