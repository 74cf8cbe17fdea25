"""The bench's person searches are searches: asked by POST as the page takes them, so the
figures are those of a page of people found, not of the empty form a GET draws."""

import io
import json

import pytest
from django.core.management import call_command
from django.test import Client

from cases.models import CaseParty
from cases.permissions import cases_visible_to
from tests.beaconport.test_bench import _services, scale_personas  # noqa: F401 - a fixture


def _figures(tmp_path, only: str) -> dict:
    figures_file = tmp_path / "bench.json"
    call_command(
        "bench", "--smoke", "--only", only, "--json", str(figures_file), stdout=io.StringIO()
    )
    return json.loads(figures_file.read_text())["scenarios"]


def _queries_of(client, method, path, data=None) -> tuple[int, bytes]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as captured:
        response = getattr(client, method)(path, data or {}, secure=True)
    assert response.status_code == 200
    return len(captured.captured_queries), response.content


@pytest.mark.django_db(transaction=True)
def test_the_bench_times_a_search_that_finds_people(scale_personas, tmp_path):  # noqa: F811
    _services()
    heavy = scale_personas["heavy"]
    scenarios = _figures(tmp_path, "person_search,person_search_lead")
    for name in ("person_search", "person_search_lead"):
        assert scenarios[name]["error"] is None and not scenarios[name]["skipped"], name

    # The investigator's first record in their cases, by id: the bench's surname.
    party = (
        CaseParty.objects.filter(case__in=cases_visible_to(heavy))
        .select_related("person")
        .order_by("pk")
        .first()
    )
    client = Client()
    client.force_login(heavy)
    _queries_of(client, "post", "/people/search/", {"q": party.person.surname})  # warm
    searched, page = _queries_of(client, "post", "/people/search/", {"q": party.person.surname})
    form_only, _ = _queries_of(client, "get", "/people/search/")
    # A page of people found, the record among them (named: the investigator holds its case).
    assert party.person.full_name.encode() in page
    assert scenarios["person_search"]["figures"]["queries"] == searched
    assert searched > form_only
