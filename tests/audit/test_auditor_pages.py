"""The auditor's page and download: everything about a case or a person, itself logged."""

import csv
import io

import pytest

from beaconport.audit.models import AuditEvent, Operation
from beaconport.audit.services import audit_consult, audit_record
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def history(investigator, liaison_officer):
    """A case with a victim, looked at and changed by several people, and an unrelated case."""
    case = make_case(suspects=1, victims=1)
    other = make_case(suspects=1, victims=1)
    victim = case.parties.get(role="victim")
    audit_record(operation=Operation.COLLECT, obj=case, source="command:import_referrals")
    audit_consult(obj=case, actor=investigator)
    audit_consult(ids=[other, case], actor=investigator)  # a list that showed the case
    audit_consult(obj=victim, actor=liaison_officer, justification="Preparing a visit")
    audit_record(operation=Operation.ALTER, obj=victim, changes={"ref": ("V1", "V2")})
    audit_consult(obj=other, actor=investigator)  # not about our case
    return case, other, victim


def seqs(response):
    return [event.seq for event in response.context["events"]]


def test_auditor_sees_everything_about_a_case_and_the_search_is_logged(client, auditor, history):
    case, _, _ = history
    client.force_login(auditor)
    response = client.get("/audit/", {"subject": "case", "value": case.reference.lower()})
    assert response.status_code == 200
    assert seqs(response) == [1, 2, 3, 4, 5]
    assert b"Preparing a visit" in response.content
    logged = AuditEvent.objects.order_by("-seq").first()
    assert (logged.operation, logged.actor_id, logged.case_id) == ("consult", auditor.pk, case.pk)
    assert logged.object_ids == ["1", "2", "3", "4", "5"]


def test_auditor_sees_everything_about_a_person(client, auditor, history):
    _, _, victim = history
    client.force_login(auditor)
    response = client.get("/audit/", {"subject": "person", "value": str(victim.person_id)})
    assert seqs(response) == [4, 5]
    assert AuditEvent.objects.order_by("-seq").first().person_id == victim.person_id


def test_the_date_range_limits_the_answer(client, auditor, history):
    case, _, _ = history
    client.force_login(auditor)
    response = client.get(
        "/audit/",
        {"subject": "case", "value": case.reference, "since": "2001-01-01", "until": "2001-12-31"},
    )
    assert response.status_code == 200
    assert seqs(response) == []


def test_a_bad_reference_is_a_form_error_and_logs_nothing(client, auditor):
    client.force_login(auditor)
    response = client.get("/audit/", {"subject": "case", "value": "nonsense"})
    assert response.status_code == 200
    assert "Enter a case reference" in response.content.decode()
    assert not AuditEvent.objects.exists()


def test_the_csv_download_is_logged_as_a_disclosure(client, auditor, history):
    case, _, _ = history
    client.force_login(auditor)
    response = client.post(
        "/audit/export.csv",
        {
            "subject": "case",
            "value": case.reference,
            "recipient": "Professional Standards Dept",
            "purpose": "Misconduct inquiry 42",
        },
    )
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.reader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert rows[0][:4] == ["seq", "at", "actor_label", "operation"]
    assert [row[0] for row in rows[1:]] == ["1", "2", "3", "4", "5"]
    disclosure = AuditEvent.objects.get(operation="disclose")
    assert (disclosure.recipient, disclosure.purpose) == (
        "Professional Standards Dept",
        "Misconduct inquiry 42",
    )
    assert disclosure.object_ids == ["1", "2", "3", "4", "5"]
    assert (disclosure.actor_id, disclosure.case_id) == (auditor.pk, case.pk)


def test_a_download_without_recipient_and_purpose_is_refused_and_not_logged(
    client, auditor, history
):
    case, _, _ = history
    client.force_login(auditor)
    before = AuditEvent.objects.count()
    response = client.post("/audit/export.csv", {"subject": "case", "value": case.reference})
    assert response.status_code == 400
    assert AuditEvent.objects.count() == before


def test_a_formula_in_the_log_is_kept_as_text_in_the_csv(client, auditor):
    case = make_case(suspects=0, victims=0)
    audit_consult(obj=case, justification='=HYPERLINK("http://evil")')
    client.force_login(auditor)
    response = client.post(
        "/audit/export.csv",
        {"subject": "case", "value": case.reference, "recipient": "R", "purpose": "P"},
    )
    body = b"".join(response.streaming_content).decode()
    assert "'=HYPERLINK" in body


@pytest.mark.parametrize(
    "persona",
    ["investigator", "review_lead", "liaison_officer", "liaison_lead", "analyst", "admin_user"],
)
def test_everyone_but_an_auditor_gets_404(client, request, persona, history):
    case, _, _ = history
    client.force_login(request.getfixturevalue(persona))
    before = AuditEvent.objects.count()
    assert client.get("/audit/", {"subject": "case", "value": case.reference}).status_code == 404
    export = {"subject": "case", "value": case.reference, "recipient": "R", "purpose": "P"}
    assert client.post("/audit/export.csv", export).status_code == 404
    assert AuditEvent.objects.count() == before


def test_signed_out_visitors_are_sent_to_sign_in(client):
    response = client.get("/audit/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_the_page_costs_the_same_queries_for_few_or_many_rows(
    client, auditor, django_assert_num_queries
):
    case = make_case(suspects=0, victims=0)
    client.force_login(auditor)
    query = {"subject": "case", "value": case.reference}

    def count_for(rows):
        for _ in range(rows):
            audit_consult(obj=case)
        with django_assert_num_queries(7) as captured:
            client.get("/audit/", query)
        return len(captured.captured_queries)

    # session, user, auditor group, count, page, the audit row (the page's one extra
    # query), the navigation's roles; the session is saved only when its expiry is near
    assert count_for(3) == count_for(40) == 7
