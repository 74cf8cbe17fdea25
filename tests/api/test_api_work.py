"""Lines of inquiry and findings over the API: a force's system reports progress on a case.

Same access and audit as the case page's forms: the case's investigators and its leads write,
anyone else gets 404; a stale update answers 409 and overwrites nothing.
"""

import datetime
import json

import pytest
from django.urls import reverse
from knox.models import AuthToken
from rest_framework.test import APIClient

from beaconport.audit.models import AuditEvent
from beaconport.idempotency import KEY_HEADER, REPLAYED_HEADER
from cases.models import LineOfInquiry
from cases.permissions import grant_case_access
from cases.services.findings import finding_create
from cases.services.inquiries import inquiry_create
from tests.factories import make_case

pytestmark = pytest.mark.django_db

NEW_LINE = {"description": "Trace the taxi driver seen at the hotel.", "origin": "review"}
NEW_FINDING = {
    "category": "victim_account",
    "description": "The victim's account was doubted without basis.",
    "severity": "high",
}


def token_client(user) -> APIClient:
    client = APIClient()
    _, token = AuthToken.objects.create(user=user)
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def send(client, method, url, body, **headers):
    return getattr(client, method)(
        url, json.dumps(body), content_type="application/json", headers=headers
    )


def lines_url(case, pk=None):
    if pk is None:
        return reverse("api:case-inquiry-list", args=[case.reference])
    return reverse("api:case-inquiry-detail", args=[case.reference, pk])


def findings_url(case, pk=None):
    if pk is None:
        return reverse("api:case-finding-list", args=[case.reference])
    return reverse("api:case-finding-detail", args=[case.reference, pk])


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def api(investigator):
    return token_client(investigator)


@pytest.fixture
def line(case, investigator):
    return inquiry_create(
        case=case, by=investigator, description="Re-interview S1", origin="review"
    )


@pytest.fixture
def finding(case, investigator):
    return finding_create(case=case, by=investigator, **NEW_FINDING)


# --- lines of inquiry ---------------------------------------------------------------------------


def test_an_investigator_lists_the_lines_of_inquiry_of_their_case(api, case, line):
    response = api.get(lines_url(case))
    assert response.status_code == 200
    [row] = response.json()["results"]
    assert (row["id"], row["status"], row["version"]) == (line.pk, "open", 1)
    shown = AuditEvent.objects.filter(operation="consult", object_type="cases.lineofinquiry")
    assert shown.last().object_ids == [str(line.pk)]


def test_an_investigator_raises_a_line_of_inquiry_allocated_to_themselves(api, case, investigator):
    due = (datetime.date.today() + datetime.timedelta(days=14)).isoformat()
    response = send(
        api,
        "post",
        lines_url(case),
        {**NEW_LINE, "allocated_to": investigator.username, "due_on": due},
    )

    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["allocated_to"], body["due_on"]) == (
        "allocated",
        investigator.username,
        due,
    )
    created = LineOfInquiry.objects.get(pk=body["id"])
    assert AuditEvent.objects.filter(
        operation="collect", object_type="cases.lineofinquiry", object_id=str(created.pk)
    ).exists()


def test_a_line_cannot_be_allocated_to_someone_not_on_the_case(api, case, other_investigator):
    for username in (other_investigator.username, "nobody-at-all"):
        response = send(api, "post", lines_url(case), {**NEW_LINE, "allocated_to": username})
        assert response.status_code == 400
        assert list(response.json()) == ["allocated_to"]
        assert "is not an investigator assigned" in response.json()["allocated_to"][0]
    assert not case.lines_of_inquiry.exists()


def test_a_line_completed_without_its_result_answers_400(api, case, line):
    response = send(api, "patch", lines_url(case, line.pk), {"version": 1, "status": "completed"})
    assert response.status_code == 400
    assert list(response.json()) == ["result"]


def test_an_update_with_the_version_read_moves_the_line_on(api, case, line):
    response = send(
        api,
        "patch",
        lines_url(case, line.pk),
        {"version": 1, "status": "completed", "result": "S1 re-interviewed; denies."},
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["version"]) == ("completed", 2)
    line.refresh_from_db()
    assert (line.status, line.result) == ("completed", "S1 re-interviewed; denies.")
    assert AuditEvent.objects.filter(
        operation="alter", object_type="cases.lineofinquiry", object_id=str(line.pk)
    ).exists()


def test_a_stale_update_answers_409_and_overwrites_nothing(api, case, line, investigator):
    from cases.services.inquiries import inquiry_update

    inquiry_update(inquiry=line, by=investigator, version=1, description="Re-interview S1 and S2")

    response = send(api, "patch", lines_url(case, line.pk), {"version": 1, "description": "Mine"})

    assert response.status_code == 409
    assert response.json()["version"] == 2
    assert "changed by someone else" in response.json()["detail"]
    line.refresh_from_db()
    assert (line.description, line.version) == ("Re-interview S1 and S2", 2)


def test_a_line_can_serve_a_finding_of_its_case_only(api, case, finding, investigator):
    other = make_case()
    grant_case_access(investigator, other)
    elsewhere = finding_create(case=other, by=investigator, **NEW_FINDING)

    refused = send(api, "post", lines_url(case), {**NEW_LINE, "finding": elsewhere.pk})
    taken = send(api, "post", lines_url(case), {**NEW_LINE, "finding": finding.pk})

    assert refused.status_code == 400
    assert list(refused.json()) == ["finding"]
    assert (taken.status_code, taken.json()["finding"]) == (201, finding.pk)


def test_the_same_idempotency_key_raises_one_line_and_replays_the_answer(api, case):
    first = send(api, "post", lines_url(case), NEW_LINE, **{KEY_HEADER: "line-7"})
    again = send(api, "post", lines_url(case), NEW_LINE, **{KEY_HEADER: "line-7"})
    fresh = send(api, "post", lines_url(case), NEW_LINE)  # no key: a second line, as asked

    assert (first.status_code, again.status_code, fresh.status_code) == (201, 201, 201)
    assert again.json() == first.json()
    assert again[REPLAYED_HEADER] == "true"
    assert case.lines_of_inquiry.count() == 2


def test_a_retried_update_with_its_key_gets_its_answer_not_a_409(api, case, line):
    change = {"version": 1, "status": "completed", "result": "Done."}
    first = send(api, "patch", lines_url(case, line.pk), change, **{KEY_HEADER: "upd-1"})
    again = send(api, "patch", lines_url(case, line.pk), change, **{KEY_HEADER: "upd-1"})
    unkeyed = send(api, "patch", lines_url(case, line.pk), change)

    assert (first.status_code, again.status_code, unkeyed.status_code) == (200, 200, 409)
    assert again.json() == first.json()
    assert again[REPLAYED_HEADER] == "true"
    line.refresh_from_db()
    assert line.version == 2


# --- findings -----------------------------------------------------------------------------------


def test_an_investigator_records_a_finding_raising_its_line_of_inquiry(api, case, investigator):
    response = send(
        api,
        "post",
        findings_url(case),
        {
            **NEW_FINDING,
            "raise_inquiry": "Re-interview the victim.",
            "allocate_to": "ivy.investigator",
        },
    )
    assert response.status_code == 201, response.content
    finding_id = response.json()["id"]
    raised = case.lines_of_inquiry.get()
    assert (raised.finding_id, raised.allocated_to, raised.origin) == (
        finding_id,
        investigator,
        "review",
    )
    assert AuditEvent.objects.filter(
        operation="collect", object_type="cases.finding", object_id=str(finding_id)
    ).exists()


def test_a_finding_lists_and_reads_with_its_version(api, case, finding):
    listed = api.get(findings_url(case)).json()["results"]
    one = api.get(findings_url(case, finding.pk)).json()
    assert [row["id"] for row in listed] == [finding.pk]
    assert (one["severity"], one["version"]) == ("high", 1)


def test_a_stale_finding_correction_answers_409(api, case, finding, investigator):
    from cases.services.findings import finding_update

    finding_update(finding=finding, by=investigator, version=1, severity="medium")

    response = send(api, "patch", findings_url(case, finding.pk), {"version": 1, "severity": "low"})

    assert response.status_code == 409
    assert response.json()["version"] == 2
    finding.refresh_from_db()
    assert finding.severity == "medium"


def test_a_finding_corrected_with_the_version_read(api, case, finding):
    response = send(api, "patch", findings_url(case, finding.pk), {"version": 1, "severity": "low"})
    assert (response.status_code, response.json()["severity"]) == (200, "low")


# --- who may ------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["other_investigator", "liaison_officer", "analyst"])
def test_people_outside_the_case_get_404_on_every_route(request, case, line, finding, persona):
    outsider = token_client(request.getfixturevalue(persona))
    answers = [
        outsider.get(lines_url(case)).status_code,
        send(outsider, "post", lines_url(case), NEW_LINE).status_code,
        outsider.get(lines_url(case, line.pk)).status_code,
        send(outsider, "patch", lines_url(case, line.pk), {"version": 1}).status_code,
        outsider.get(findings_url(case)).status_code,
        send(outsider, "post", findings_url(case), NEW_FINDING).status_code,
        outsider.get(findings_url(case, finding.pk)).status_code,
        send(outsider, "patch", findings_url(case, finding.pk), {"version": 1}).status_code,
    ]
    assert answers == [404] * 8
    assert case.lines_of_inquiry.count() == 1
    assert case.findings.count() == 1


def test_a_record_of_another_case_or_not_a_number_answers_404(api, case, investigator):
    other = make_case()
    grant_case_access(investigator, other)
    theirs = inquiry_create(case=other, by=investigator, description="x", origin="review")
    assert api.get(lines_url(case, theirs.pk)).status_code == 404
    assert api.get(lines_url(case, "1e3")).status_code == 404
    assert api.get(findings_url(case, "٣")).status_code == 404


def test_a_review_lead_of_the_force_updates_a_line(review_lead, case, line):
    response = send(
        token_client(review_lead), "patch", lines_url(case, line.pk), {"version": 1, "due_on": None}
    )
    assert response.status_code == 200, response.content


# --- what a page costs --------------------------------------------------------------------------

# The token (knox: two reads), the caller's roles, their case grants, the case, its consult
# row, the page (allocated officers and recorders joined), the page's consult row.
LIST_QUERIES = 8


@pytest.mark.parametrize("rows", [1, 25])
def test_a_page_of_lines_or_findings_costs_the_same_queries_at_any_size(
    api, case, investigator, rows, django_assert_num_queries
):
    for n in range(rows):
        inquiry_create(
            case=case,
            by=investigator,
            description=f"Line {n}",
            origin="review",
            allocated_to=investigator,
        )
        finding_create(case=case, by=investigator, **NEW_FINDING)
    for url in (lines_url(case), findings_url(case)):
        with django_assert_num_queries(LIST_QUERIES):
            response = api.get(url)
        assert len(response.json()["results"]) == rows
