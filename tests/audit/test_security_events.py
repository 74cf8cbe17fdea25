"""Refused access leaves a trace (issue 8: 617 probes of other people's ids left none).

Each refusal is counted into one row per (who, kind, route, object type, minute); past the
hour's cap only one overflow row counts, so a flood grows a counter, not the table. The
auditor reads them on /audit/security/; everyone else gets 404 there.
"""

import datetime

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from beaconport.models import SecurityEvent
from beaconport.security import security_event_record
from cases.models import Case
from cases.permissions import grant_case_access
from tests.factories import CaseFactory, make_case

pytestmark = pytest.mark.django_db

PROBES = 617


def hits(**filters) -> int:
    return SecurityEvent.objects.filter(**filters).aggregate(total=Sum("hits"))["total"] or 0


def test_617_probes_of_other_investigators_cases_are_all_counted(client, investigator):
    others = Case.objects.bulk_create(CaseFactory.build() for _ in range(PROBES))
    api = APIClient()
    api.force_login(investigator)
    for case in others:
        assert api.get(reverse("api:case-detail", args=[case.reference])).status_code == 404
    assert hits(user=investigator, kind="not_yours", route="api:case-detail") == PROBES
    rows = SecurityEvent.objects.filter(user=investigator)
    # One row a minute: the run crosses at most a few minute boundaries.
    assert 1 <= rows.count() <= 5
    first = rows.order_by("minute").first()
    assert first.object_type == "cases.case"
    assert first.object_ids.split(",")[0] == str(others[0].pk)
    assert len(first.object_ids) <= 300


def test_a_reference_that_does_not_exist_is_not_a_refusal(client, investigator):
    client.force_login(investigator)
    assert client.get(reverse("cases:detail", args=["BP-999999"])).status_code == 404
    assert not SecurityEvent.objects.exists()


def test_the_owner_opening_their_case_leaves_no_security_event(client, investigator):
    case = make_case()
    grant_case_access(investigator, case)
    client.force_login(investigator)
    assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 200
    assert not SecurityEvent.objects.exists()


def test_a_page_the_role_does_not_have_is_logged_with_its_route(client, investigator):
    client.force_login(investigator)
    assert client.get(reverse("liaison:team")).status_code == 404
    event = SecurityEvent.objects.get()
    assert (event.kind, event.route, event.username, event.address) == (
        "wrong_role",
        "liaison:team",
        investigator.username,
        "127.0.0.1",
    )


def test_the_apis_403_is_logged_for_a_user_and_for_an_address(investigator):
    api = APIClient()
    api.force_login(investigator)
    assert api.get(reverse("api:liaison-record-list")).status_code == 403
    assert hits(user=investigator, kind="forbidden", route="api:liaison-record-list") == 1
    anonymous = APIClient(REMOTE_ADDR="198.51.100.7")
    assert anonymous.get(reverse("api:case-list")).status_code in (401, 403)
    if SecurityEvent.objects.filter(user=None).exists():  # 401 is no refusal of a person
        event = SecurityEvent.objects.get(user=None)
        assert (event.who, event.address) == ("address:198.51.100.7", "198.51.100.7")


def test_a_flood_fills_at_most_the_hours_cap_and_then_only_counts(settings, make_user):
    settings.SECURITY_EVENTS_PER_HOUR = 5
    users = [make_user(f"prober{n}") for n in range(4)]
    at = timezone.now().replace(minute=30, second=0, microsecond=0)
    for n in range(200):
        security_event_record(
            kind="not_yours",
            route=f"cases:route{n % 20}",
            user=users[n % 4],
            address="192.0.2.1",
            object_type="cases.case",
            object_id=str(n),
            at=at + datetime.timedelta(seconds=n % 60),
        )
    assert SecurityEvent.objects.count() == 5 + 1
    overflow = SecurityEvent.objects.get(kind="overflow")
    assert overflow.minute == at.replace(minute=0)
    assert hits() == 200
    # The next hour starts afresh.
    security_event_record(
        kind="wrong_role", route="liaison:team", at=at + datetime.timedelta(hours=1)
    )
    assert SecurityEvent.objects.count() == 7


def test_one_prober_hammering_one_route_grows_a_counter_and_a_capped_list_of_ids(make_user):
    prober = make_user("prober")
    at = timezone.now().replace(second=0, microsecond=0)
    for n in range(1000):
        security_event_record(
            kind="not_yours",
            route="liaison:record",
            user=prober,
            object_type="liaison.liaisonrecord",
            object_id=str(10_000 + n),
            at=at,
        )
    event = SecurityEvent.objects.get()
    assert event.hits == 1000
    assert 240 <= len(event.object_ids) <= 300
    assert event.object_ids.startswith("10000,10001,")


def test_the_same_id_twice_is_kept_once(make_user):
    prober = make_user("prober")
    for _ in range(3):
        security_event_record(
            kind="not_yours",
            route="cases:detail",
            user=prober,
            object_type="cases.case",
            object_id="7",
        )
    assert SecurityEvent.objects.get().object_ids == "7"


def test_only_an_auditor_reads_the_refusals(
    client, request, auditor, investigator, review_lead, liaison_officer, analyst, admin_user
):
    security_event_record(kind="wrong_role", route="liaison:team", user=investigator)
    url = reverse("audit:security_events")
    for outsider in (investigator, review_lead, liaison_officer, analyst, admin_user):
        client.force_login(outsider)
        assert client.get(url).status_code == 404, outsider
    client.force_login(auditor)
    page = client.get(url)
    assert page.status_code == 200
    assert investigator.username in page.content.decode()


def test_the_auditor_filters_by_user_and_day_and_pages(client, auditor, investigator, analyst):
    now = timezone.now()
    for n in range(60):
        security_event_record(
            kind="not_yours",
            route=f"cases:r{n}",
            user=investigator,
            object_type="cases.case",
            object_id=str(n),
            at=now,
        )
    security_event_record(
        kind="wrong_role", route="cases:queue", user=analyst, at=now - datetime.timedelta(days=3)
    )
    client.force_login(auditor)
    url = reverse("audit:security_events")
    first = client.get(url, {"username": investigator.username})
    assert first.context["page_obj"].paginator.count == 60
    assert len(first.context["events"]) == 50
    second = client.get(url, {"username": investigator.username, "page": 2})
    assert len(second.context["events"]) == 10
    three_days_ago = timezone.localdate(now - datetime.timedelta(days=3)).isoformat()
    dated = client.get(url, {"since": three_days_ago, "until": three_days_ago})
    assert [event.username for event in dated.context["events"]] == [analyst.username]
    wrong = client.get(url, {"since": "2026-02-02", "until": "2026-01-01"})
    assert wrong.status_code == 400


def test_the_purge_keeps_what_is_younger_than_the_retention_and_says_how_many(make_user):
    from io import StringIO

    from django.core.management import CommandError, call_command

    prober = make_user("prober")
    now = timezone.now()
    for days_ago in (500, 401, 10):
        security_event_record(
            kind="wrong_role",
            route=f"cases:r{days_ago}",
            user=prober,
            at=now - datetime.timedelta(days=days_ago),
        )
    out = StringIO()
    call_command("security_events_purge", "--days", "400", "--dry-run", stdout=out)
    assert out.getvalue().startswith("Would delete 2 security event row(s)")
    assert SecurityEvent.objects.count() == 3
    call_command("security_events_purge", "--days", "400", stdout=StringIO())
    assert list(SecurityEvent.objects.values_list("route", flat=True)) == ["cases:r10"]
    with pytest.raises(CommandError):
        call_command("security_events_purge", "--days", "0")


def test_a_route_name_is_kept_whole_and_an_id_loses_only_separators(client, investigator):
    client.force_login(investigator)
    assert client.get(reverse("liaison:my_victims")).status_code == 404
    assert SecurityEvent.objects.get().route == "liaison:my_victims"
    security_event_record(
        kind="not_yours", route="cases:party_edit", object_type="cases.caseparty", object_id="S_1,%"
    )
    assert SecurityEvent.objects.get(route="cases:party_edit").object_ids == "S1"
