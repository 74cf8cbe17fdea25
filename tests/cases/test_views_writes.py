"""The forms on a case: people, lines of inquiry, findings, flags and events, through the pages."""

import datetime

import pytest
from django.urls import reverse

from cases.permissions import grant_case_access
from cases.services.intake import case_recompute
from tests.cases.helpers import give_reason_for_names
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def url(name, case, *args):
    return reverse(f"cases:{name}", args=[case.reference, *args])


@pytest.fixture
def case(investigator):
    case = make_case(summary="Case for the forms.")
    case_recompute(case=case)
    grant_case_access(investigator, case)
    case.refresh_from_db()
    return case


@pytest.fixture
def signed_in(client, investigator):
    client.force_login(investigator)
    return client


def test_investigator_adds_a_victim_with_the_next_free_reference(signed_in, case):
    assert signed_in.get(url("party_add", case)).status_code == 200
    response = signed_in.post(
        url("party_add", case),
        {
            "role": "victim",
            "ref": "",
            "surname": "Synthetic",
            "forenames": "Vic",
            "gender": "female",
            "ethnicity": "not_stated",
            "ethnicity_source": "self",
            "age_at_first_offence": "13",
        },
    )
    assert response.status_code == 302
    victim = case.parties.select_related("person").get(ref="V3")
    assert (victim.role, victim.age_at_first_offence) == ("victim", 13)
    assert victim.person.ethnicity == "not_stated"


def test_a_victim_cannot_be_given_a_suspects_facts(signed_in, case):
    response = signed_in.post(
        url("party_add", case),
        {"role": "victim", "surname": "Synthetic", "gender": "unknown", "deceased": "true"},
    )
    assert response.status_code == 400
    assert "Only suspects have this." in response.content.decode()
    assert case.parties.count() == 4


def test_recording_every_suspect_deceased_makes_the_case_ineligible(signed_in, case):
    assert case.eligibility == "eligible"
    for ref in ("S1", "S2"):
        party = case.parties.get(ref=ref)
        response = signed_in.post(
            url("party_edit", case, ref),
            {"version": party.version, "deceased": "true", "interviewed": ""},
        )
        assert response.status_code == 302
    case.refresh_from_db()
    assert case.eligibility == "ineligible"
    page = signed_in.get(url("detail", case)).content.decode()
    assert "Deceased" in page


def test_a_persons_record_asks_why_before_it_shows_a_name(signed_in, case):
    response = signed_in.get(url("person_edit", case, "V1"))
    assert response.status_code == 302
    assert "/audit/justify/" in response["Location"]


def test_the_assigned_investigator_corrects_a_persons_record(signed_in, case):
    give_reason_for_names(signed_in, case)
    person = case.parties.get(ref="V1").person
    response = signed_in.post(
        url("person_edit", case, "V1"),
        {
            "version": person.version,
            "surname": "Renamed",
            "forenames": person.forenames,
            "gender": "female",
            "ethnicity": "",
            "ethnicity_source": "",
        },
    )
    assert response.status_code == 302
    person.refresh_from_db()
    assert person.surname == "Renamed"


def test_a_review_lead_who_may_not_see_names_cannot_open_a_persons_record(
    client, review_lead, case
):
    client.force_login(review_lead)
    assert client.get(url("person_edit", case, "V1")).status_code == 404
    assert client.get(url("party_edit", case, "V1")).status_code == 200


def test_investigator_adds_and_updates_a_line_of_inquiry(signed_in, case, investigator):
    response = signed_in.post(
        url("inquiry_add", case),
        {"description": "Trace the second phone.", "origin": "review", "allocated_to": ""},
    )
    assert response.status_code == 302
    inquiry = case.lines_of_inquiry.get()
    edit = url("inquiry_edit", case, inquiry.pk)
    assert signed_in.get(edit).status_code == 200
    refused = signed_in.post(
        edit,
        {
            "version": inquiry.version,
            "description": inquiry.description,
            "origin": "review",
            "status": "not_pursued",
            "rationale": "",
            "result": "",
        },
    )
    assert refused.status_code == 400
    assert "Say why this line of inquiry is not pursued." in refused.content.decode()
    done = signed_in.post(
        edit,
        {
            "version": inquiry.version,
            "description": inquiry.description,
            "origin": "review",
            "status": "allocated",
            "allocated_to": investigator.pk,
            "due_on": (datetime.date.today() + datetime.timedelta(days=14)).isoformat(),
            "rationale": "",
            "result": "",
        },
    )
    assert done.status_code == 302
    inquiry.refresh_from_db()
    assert (inquiry.status, inquiry.allocated_to) == ("allocated", investigator)


def test_a_stale_line_of_inquiry_edit_shows_what_changed(signed_in, case, investigator):
    signed_in.post(url("inquiry_add", case), {"description": "First.", "origin": "review"})
    inquiry = case.lines_of_inquiry.get()
    data = {
        "version": inquiry.version,
        "origin": "review",
        "status": "open",
        "rationale": "",
        "result": "",
    }
    signed_in.post(url("inquiry_edit", case, inquiry.pk), {**data, "description": "Theirs."})
    response = signed_in.post(
        url("inquiry_edit", case, inquiry.pk), {**data, "description": "Mine."}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "This case changed since you opened it" in page
    assert "Theirs." in page and "Mine.</textarea>" in page


def test_a_finding_raises_an_allocated_line_of_inquiry(signed_in, case, investigator):
    due = datetime.date.today() + datetime.timedelta(days=21)
    response = signed_in.post(
        url("finding_add", case),
        {
            "category": "line_not_followed",
            "description": "Phone records were identified but never requested.",
            "severity": "high",
            "raise_inquiry": "Request the phone records.",
            "allocate_to": investigator.pk,
            "due_on": due.isoformat(),
        },
    )
    assert response.status_code == 302
    finding = case.findings.get()
    inquiry = case.lines_of_inquiry.get()
    assert inquiry.finding == finding
    assert (inquiry.allocated_to, inquiry.due_on) == (investigator, due)


def test_a_finding_without_a_category_answers_400(signed_in, case):
    response = signed_in.post(
        url("finding_add", case), {"category": "", "description": "x", "severity": "low"}
    )
    assert response.status_code == 400
    assert case.findings.count() == 0


def test_flagging_a_suspect_dangerous_lifts_p3_to_p2_and_clearing_drops_it(signed_in, case):
    assert case.priority == "P3"
    response = signed_in.post(
        url("flag_add", case, "S1"),
        {"kind": "dangerous", "reason": "Recent violent conviction.", "basis": "fact"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.priority == "P2"
    flag = case.parties.get(ref="S1").flags.get()
    cleared = signed_in.post(
        url("flag_clear", case, flag.pk),
        {"version": flag.version, "reason": "Conviction was quashed."},
    )
    assert cleared.status_code == 302
    case.refresh_from_db()
    assert case.priority == "P3"


def test_victims_are_not_flagged(signed_in, case):
    assert signed_in.get(url("flag_add", case, "V1")).status_code == 404


def test_investigator_records_an_event_from_the_case_page(signed_in, case):
    response = signed_in.post(
        url("event_add", case), {"type": "arrest", "occurred_on": "2025-08-22", "notes": ""}
    )
    assert response.status_code == 302
    assert case.events.get().type == "arrest"


def test_an_event_in_the_future_is_refused(signed_in, case):
    future = datetime.date.today() + datetime.timedelta(days=3)
    response = signed_in.post(
        url("event_add", case), {"type": "arrest", "occurred_on": future.isoformat()}
    )
    assert response.status_code == 400
    assert "in the future" in response.content.decode()
    assert case.events.count() == 0


def test_only_those_who_see_names_are_offered_the_persons_record(
    signed_in, client, review_lead, case
):
    record = url("person_edit", case, "V1")
    assert record in signed_in.get(url("party_edit", case, "V1")).content.decode()
    client.force_login(review_lead)
    assert record not in client.get(url("party_edit", case, "V1")).content.decode()
