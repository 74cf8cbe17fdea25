"""What the API fuzz found, each pinned so it cannot come back.

- An event dated 1899-01-01 was accepted by POST /api/v1/cases/{reference}/events/; the
  liaison follow-up it sets off after commit then raised in the working-day count (a 500
  once the event was already stored).
- A 100,000-character `justification` on GET /api/v1/cases/{reference}/ was accepted and
  written into the audit log, where the web page's form caps a reason at 2,000.
- `overdue=<anything>` on GET /api/v1/liaison/records/ was read as "no filter" and
  answered every record, where the schema says a boolean (found with Schemathesis's
  negative_data_rejection check, tried outside CI).
- A multipart body with a broken boundary answered 415, which the schema did not list
  (pinned in test_schema.py: every operation with a body documents 415).

The API now refuses these at the field, with the rules of beaconport.inputs and of the web
page's reason form; the services check dates and text again for every other caller.
"""

import datetime

import pytest
from rest_framework.test import APIClient

from beaconport.audit.models import AuditEvent
from beaconport.inputs import TEXT_MAX_LENGTH
from cases.models import InvestigativeEvent
from cases.permissions import grant_case_access
from liaison.models import FollowUp
from tests.factories import LiaisonRecordFactory, make_case, make_followup

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_case(investigator, liaison_officer):
    case = make_case(victims=1)
    grant_case_access(investigator, case)
    LiaisonRecordFactory(party=case.parties.get(role="victim"), officer=liaison_officer)
    return case


@pytest.fixture
def api(investigator):
    client = APIClient()
    client.force_login(investigator)
    return client


def post_event(api, case, **body):
    return api.post(
        f"/api/v1/cases/{case.reference}/events/",
        {"type": "arrest", "occurred_on": "2024-03-01", **body},
        format="json",
    )


@pytest.mark.parametrize("day", ["1899-01-01", "0001-01-01", "9999-12-31", "2100-12-31"])
def test_an_event_dated_outside_the_plausible_past_is_refused_and_nothing_written(
    api, own_case, day, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = post_event(api, own_case, occurred_on=day)
    assert response.status_code == 400
    assert list(response.json()) == ["occurred_on"]
    assert not InvestigativeEvent.objects.filter(case=own_case).exists()
    assert not FollowUp.objects.filter(case=own_case).exists()


def test_an_event_on_the_first_plausible_day_is_recorded_and_liaison_reacts_without_error(
    api, own_case, django_capture_on_commit_callbacks
):
    # The after-commit receivers run here: in 1899 the working-day count raised in them.
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = post_event(api, own_case, occurred_on="1900-01-01")
    assert response.status_code == 201, response.json()
    assert callbacks, "the event should be announced to liaison after commit"
    assert InvestigativeEvent.objects.get(case=own_case).occurred_on == datetime.date(1900, 1, 1)


def test_event_notes_longer_than_the_one_text_cap_are_refused(api, own_case):
    response = post_event(api, own_case, notes="x" * (TEXT_MAX_LENGTH + 1))
    assert response.status_code == 400
    assert list(response.json()) == ["notes"]
    assert post_event(api, own_case, notes="x" * TEXT_MAX_LENGTH).status_code == 201


def test_a_reason_longer_than_the_web_form_allows_is_refused_and_not_logged(api, own_case):
    too_long = "Because " + "x" * 2000
    response = api.get(f"/api/v1/cases/{own_case.reference}/", {"justification": too_long})
    assert response.status_code == 400
    assert list(response.json()) == ["justification"]
    assert not AuditEvent.objects.filter(justification=too_long).exists()
    reason = "Preparing the victim's re-interview"
    shown = api.get(f"/api/v1/cases/{own_case.reference}/", {"justification": reason})
    assert shown.status_code == 200
    assert AuditEvent.objects.filter(justification=reason).exists()


@pytest.mark.parametrize("value", ["maybe", "2", "\u202etrue"])
def test_an_overdue_filter_that_is_neither_true_nor_false_is_refused(liaison_officer, value):
    client = APIClient()
    client.force_login(liaison_officer)
    response = client.get("/api/v1/liaison/records/", {"overdue": value})
    assert response.status_code == 400
    assert response.json() == {"overdue": ["Give true or false."]}


def test_the_overdue_filter_reads_true_and_false(liaison_officer, own_case):
    record = own_case.liaison_records.get()
    make_followup(record, due_on=datetime.date.today() - datetime.timedelta(days=2))
    client = APIClient()
    client.force_login(liaison_officer)

    def count(value):
        return client.get("/api/v1/liaison/records/", {"overdue": value}).json()["count"]

    assert (count("true"), count("false"), count("1"), count("0")) == (1, 0, 1, 0)
