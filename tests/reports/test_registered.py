"""Every registered dashboard, whatever is registered when the suite runs (issue 11).

Each is opened, and downloaded, by every persona (200 for the roles it is registered for,
404 for everyone else, 405 for a POST only to those it opens); and each is walked as an
analyst over seeded cases with people, flags, findings, lines of inquiry and liaison records
whose names and free text are distinctive, none of which may appear on the page or in the
CSV. Lead and analyst pages of each also keep to one query count whatever they count.
"""

import datetime

import pytest
from django.test import Client
from django.utils import timezone

from beaconport.reports.registry import dashboards
from beaconport.roles import Role
from cases.models import Finding, LineOfInquiry, Person, SuspectFlag
from cases.permissions import grant_case_access
from liaison.models import FollowUp
from tests import access_policy as policy
from tests.factories import make_case
from tests.liaison.test_views_setup import overdue_followup, record_for

BOARDS = [board.key for board in dashboards()]


@pytest.fixture
def auditor(make_user):
    return make_user("aud.auditor", Role.AUDITOR)


def _persona(request, name):
    return request.getfixturevalue(policy.PERSONAS[name])


@pytest.mark.parametrize("key", BOARDS)
def test_each_dashboard_opens_to_its_roles_only(db, request, key):
    board = next(b for b in dashboards() if b.key == key)
    openers = set(policy.holders(board.roles))
    for name in policy.PERSONAS:
        if name == policy.ANONYMOUS:
            continue
        client = Client()
        client.force_login(_persona(request, name))
        for path in (f"/reports/{key}/", f"/reports/{key}.csv"):
            want = 200 if name in openers else 404
            assert client.get(path).status_code == want, (path, name)
            assert client.post(path).status_code == (405 if name in openers else 404), (path, name)
        index = client.get("/reports/")
        if name in openers:
            assert f'href="/reports/{key}/"' in index.content.decode()


# --- no names, no free text, for analysts ---------------------------------------------------

SURNAME = "Quillfeather"
FORENAMES = "Ottoline"
FREE_TEXT = {
    "summary": "Zanzibar-summary",
    "rationale": "Marzipan-rationale",
    "flag": "Periwinkle-flag-reason",
    "finding": "Tamarind-finding",
    "inquiry": "Juniper-inquiry",
    "late": "Kumquat-late-reason",
    "followup": "Saffron-follow-up",
}
STAFF_FIRST, STAFF_LAST = "Wilhelmina", "Brocklehurst"


@pytest.fixture
def seeded(investigator, liaison_officer, review_lead):
    """Cases in several forces with people named distinctively and free text everywhere."""
    for person in (investigator, liaison_officer):
        person.first_name, person.last_name = STAFF_FIRST, STAFF_LAST
        person.save()
    from cases.models import Force

    forces = list(Force.objects.exclude(slug="cumbria").order_by("name")[:3])
    cases = []
    for n in range(9):
        case = make_case(
            force=forces[n % 3],
            summary=FREE_TEXT["summary"],
            decision_rationale=FREE_TEXT["rationale"],
            received_on=datetime.date(2024, 1, 1 + n),
        )
        grant_case_access(investigator, case)
        cases.append(case)
        suspect = case.parties.get(ref="S1")
        SuspectFlag.objects.create(
            party=suspect,
            kind="dangerous",
            reason=FREE_TEXT["flag"],
            set_by=investigator,
            review_by=timezone.localdate() - datetime.timedelta(days=n),
        )
        Finding.objects.create(
            case=case,
            category="other",
            description=FREE_TEXT["finding"],
            severity="low",
            recorded_by=investigator,
        )
        LineOfInquiry.objects.create(
            case=case,
            description=FREE_TEXT["inquiry"],
            origin="review",
            created_by=investigator,
            allocated_to=investigator,
            due_on=timezone.localdate() - datetime.timedelta(days=n),
        )
        record = record_for(liaison_officer, party=case.parties.get(ref="V1"))
        follow_up = overdue_followup(record, days_late=n + 1, reason=FREE_TEXT["followup"])
        if n % 2:
            FollowUp.objects.filter(pk=follow_up.pk).update(
                status="done",
                completed_at=timezone.now(),
                completed_late=True,
                late_reason=FREE_TEXT["late"],
            )
    Person.objects.filter(parties__case__in=cases).update(surname=SURNAME, forenames=FORENAMES)
    return cases


FORBIDDEN = [SURNAME, FORENAMES, STAFF_FIRST, STAFF_LAST, *FREE_TEXT.values()]


@pytest.mark.parametrize("key", BOARDS)
def test_an_analyst_never_sees_a_name_or_free_text(client, analyst, seeded, key):
    client.force_login(analyst)
    for path in (f"/reports/{key}/", f"/reports/{key}.csv", "/reports/"):
        response = client.get(path)
        assert response.status_code == 200, path
        text = response.content.decode()
        found = [word for word in FORBIDDEN if word.lower() in text.lower()]
        assert not found, f"{path} shows {found} to an analyst"


@pytest.mark.parametrize("key", BOARDS)
def test_each_dashboard_makes_a_fixed_number_of_queries(client, request, seeded, key):
    """The same number of queries for each viewer with 9 cases and with 18."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    counts = {}
    for name in ("analyst", "review_lead"):
        client.force_login(_persona(request, name))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/reports/{key}/").status_code == 200
        counts[name] = len(captured)
    for n in range(9):
        make_case(received_on=datetime.date(2024, 2, 1 + n))
    for name in ("analyst", "review_lead"):
        client.force_login(_persona(request, name))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/reports/{key}/").status_code == 200
        assert len(captured) == counts[name], (key, name, counts[name], len(captured))
