"""Reads are logged where access is decided: one row per detail, one row per list page."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from beaconport.audit.models import AuditEvent
from cases.models import parse_reference
from cases.permissions import grant_case_access
from tests.audit.helpers import assert_audited, last_seq
from tests.factories import make_case
from tests.liaison.test_views_setup import open_followup, overdue_followup, record_for

pytestmark = pytest.mark.django_db


def _rows_after(seq):
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq"))


@pytest.fixture
def case(investigator):
    case = make_case(suspects=1, victims=1)
    grant_case_access(investigator, case)
    return case


def test_the_case_page_is_logged_as_consulted_by_the_user_from_their_address(
    client, investigator, case
):
    client.force_login(investigator)
    seq = last_seq()
    url = reverse("cases:detail", args=[case.reference])
    assert client.get(url).status_code == 200
    (row,) = [r for r in _rows_after(seq) if r.operation == "consult"]
    assert (row.object_type, row.object_id, row.case_id) == ("cases.case", str(case.pk), case.pk)
    assert (row.actor_id, row.ip, row.source) == (investigator.pk, "127.0.0.1", f"GET {url}")


def test_the_case_api_detail_is_logged_as_consulted(investigator, case):
    api = APIClient()
    api.force_authenticate(investigator)
    seq = last_seq()
    assert api.get(reverse("api:case-detail", args=[case.reference])).status_code == 200
    (row,) = _rows_after(seq)
    assert (row.operation, row.object_id, row.actor_id) == (
        "consult",
        str(case.pk),
        investigator.pk,
    )


def test_a_case_that_is_not_yours_answers_404_and_logs_no_read(client, other_investigator, case):
    client.force_login(other_investigator)
    seq = last_seq()
    assert client.get(reverse("cases:detail", args=[case.reference])).status_code == 404
    assert _rows_after(seq) == []


def test_the_liaison_record_page_is_logged_with_the_victims_case_and_person(
    client, liaison_officer
):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    seq = last_seq()
    assert client.get(reverse("liaison:record", args=[record.pk])).status_code == 200
    (row,) = _rows_after(seq)
    assert (row.operation, row.object_type, row.object_id) == (
        "consult",
        "liaison.liaisonrecord",
        str(record.pk),
    )
    assert (row.case_id, row.person_id, row.actor_id) == (
        record.case_id,
        record.party.person_id,
        liaison_officer.pk,
    )


def test_another_officers_record_answers_404_and_logs_no_read(
    client, liaison_officer, other_liaison_officer
):
    record = record_for(other_liaison_officer)
    client.force_login(liaison_officer)
    seq = last_seq()
    assert client.get(reverse("liaison:record", args=[record.pk])).status_code == 404
    assert _rows_after(seq) == []


def test_a_follow_up_form_is_logged_as_consulting_the_follow_up(client, liaison_officer):
    follow_up = open_followup(record_for(liaison_officer))
    client.force_login(liaison_officer)
    response = client.get(reverse("liaison:followup_complete", args=[follow_up.pk]))
    assert response.status_code == 200
    row = assert_audited("consult", follow_up, actor=liaison_officer)
    assert row.person_id == follow_up.record.party.person_id


def test_my_victims_names_exactly_the_records_shown_in_one_row(
    client, liaison_officer, other_liaison_officer
):
    mine = [record_for(liaison_officer) for _ in range(3)]
    theirs = record_for(other_liaison_officer)
    client.force_login(liaison_officer)
    seq = last_seq()
    client.get(reverse("liaison:my_victims"))
    (row,) = _rows_after(seq)
    assert (row.operation, row.object_type) == ("consult", "liaison.liaisonrecord")
    assert sorted(row.object_ids) == sorted(str(r.pk) for r in mine)
    assert str(theirs.pk) not in row.object_ids


def test_the_team_view_names_the_records_on_its_page_in_one_row(
    client, liaison_lead, liaison_officer
):
    late = record_for(liaison_officer)
    overdue_followup(late)
    calm = record_for(liaison_officer)
    open_followup(calm)
    nobody = record_for(None)
    client.force_login(liaison_lead)
    seq = last_seq()
    assert client.get(reverse("liaison:team")).status_code == 200
    (row,) = _rows_after(seq)
    assert row.object_ids == [str(late.pk), str(calm.pk), str(nobody.pk)]  # as listed


def test_an_api_list_logs_the_page_it_answered_not_every_record(liaison_officer):
    records = [record_for(liaison_officer) for _ in range(55)]
    for record in records[:3]:
        open_followup(record)
    api = APIClient()
    api.force_authenticate(liaison_officer)
    seq = last_seq()
    first = api.get(reverse("api:liaison-record-list")).json()
    (row,) = _rows_after(seq)
    assert row.object_type == "liaison.liaisonrecord"
    assert row.object_ids == [str(r["id"]) for r in first["results"]] and len(row.object_ids) == 50
    seq = last_seq()
    api.get(reverse("api:liaison-followup-list"))
    (row,) = _rows_after(seq)
    assert (row.object_type, len(row.object_ids)) == ("liaison.followup", 3)


def test_an_outsider_gets_403_from_the_liaison_api_and_logs_no_read(investigator):
    api = APIClient()
    api.force_authenticate(investigator)
    seq = last_seq()
    assert api.get(reverse("api:liaison-record-list")).status_code == 403
    assert _rows_after(seq) == []


def test_my_cases_names_exactly_the_cases_shown_in_one_row(client, investigator, case):
    other = make_case(suspects=1, victims=1)
    client.force_login(investigator)
    seq = last_seq()
    assert client.get(reverse("cases:my_cases")).status_code == 200
    (row,) = _rows_after(seq)
    assert (row.operation, row.object_type, row.actor_id) == (
        "consult",
        "cases.case",
        investigator.pk,
    )
    assert row.object_ids == [str(case.pk)]
    assert str(other.pk) not in row.object_ids


def test_the_review_queue_and_the_case_api_list_each_log_the_page_they_showed(client, review_lead):
    cases = [make_case(suspects=1, victims=1) for _ in range(3)]
    client.force_login(review_lead)
    seq = last_seq()
    assert client.get(reverse("cases:queue")).status_code == 200
    (row,) = _rows_after(seq)
    assert sorted(row.object_ids) == sorted(str(c.pk) for c in cases)
    api = APIClient()
    api.force_authenticate(review_lead)
    seq = last_seq()
    answered = api.get(reverse("api:case-list")).json()
    (row,) = _rows_after(seq)
    assert row.object_ids == [str(parse_reference(r["reference"])) for r in answered["results"]]
