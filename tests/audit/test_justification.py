"""A sensitive read asks for a reason first, logs it, and carries it into the read's row."""

from urllib.parse import parse_qs, urlsplit

import pytest
from django.core import signing
from django.test import Client

from beaconport.audit.justification import (
    FORM_TTL,
    MAX_PENDING,
    PENDING_KEY,
    make_token,
    read_token,
)
from beaconport.audit.models import AuditEvent
from tests.audit.helpers import last_seq

pytestmark = [pytest.mark.django_db, pytest.mark.urls("tests.audit.urls")]

IDENTITY = "/test-audit/party/7/identity/"


def test_viewing_a_victims_identity_asks_for_a_reason_first(client, investigator):
    client.force_login(investigator)
    response = client.get(IDENTITY)
    assert response.status_code == 302
    assert response["Location"].startswith("/audit/justify/?t=")
    assert not AuditEvent.objects.exists()
    form = client.get(response["Location"])
    assert form.status_code == 200
    assert "victim identity" in form.content.decode()


def test_the_reason_is_logged_and_carried_into_the_read(client, investigator):
    client.force_login(investigator)
    justify_url = client.get(IDENTITY)["Location"]
    response = client.post(justify_url, {"justification": "Safeguarding referral received today"})
    assert response.status_code == 302
    assert response["Location"] == IDENTITY
    given = AuditEvent.objects.get()
    assert (given.operation, given.object_type, given.object_id, given.actor_id) == (
        "consult",
        "cases.caseparty",
        "7",
        investigator.pk,
    )
    assert given.justification == "Safeguarding referral received today"
    page = client.get(IDENTITY)
    assert page.status_code == 200
    read = AuditEvent.objects.order_by("-seq").first()
    assert read.seq == 2
    assert read.justification == "Safeguarding referral received today"


def test_a_reason_too_short_is_refused_and_nothing_is_logged(client, investigator):
    client.force_login(investigator)
    justify_url = client.get(IDENTITY)["Location"]
    response = client.post(justify_url, {"justification": "because"})
    assert response.status_code == 200
    assert "at least 10 characters" in response.content.decode()
    assert not AuditEvent.objects.exists()
    assert client.get(IDENTITY).status_code == 302


def test_a_reason_holds_only_for_the_record_it_was_given_for(client, investigator):
    client.force_login(investigator)
    client.post(client.get(IDENTITY)["Location"], {"justification": "Visit planned for today"})
    assert client.get("/test-audit/party/8/identity/").status_code == 302


def test_the_decorator_asks_only_when_access_is_outside_assignment(client, investigator):
    client.force_login(investigator)
    assert client.get("/test-audit/case/1/").status_code == 200
    outside = client.get("/test-audit/case/2/")
    assert outside.status_code == 302
    client.post(outside["Location"], {"justification": "Covering for a colleague on leave"})
    assert client.get("/test-audit/case/2/").status_code == 200
    rows = list(AuditEvent.objects.values_list("object_id", "justification"))
    assert rows == [
        ("1", ""),
        ("2", "Covering for a colleague on leave"),
        ("2", "Covering for a colleague on leave"),
    ]


def test_a_tampered_form_address_answers_404(client, investigator):
    client.force_login(investigator)
    justify_url = client.get(IDENTITY)["Location"]
    assert client.get(justify_url[:-3] + "abc").status_code == 404
    forged = signing.dumps({"key": "x", "next": "/"}, salt="other")
    assert client.get(f"/audit/justify/?t={forged}").status_code == 404


def test_a_return_address_elsewhere_is_refused(client, investigator):
    client.force_login(investigator)
    issued = read_token(token_of(client.get(IDENTITY)["Location"]))
    token = make_token(**{**issued, "next": "https://evil.example/"})
    response = client.get(f"/audit/justify/?t={token}")
    assert (response.status_code, response.content) == (400, b"Bad return address")


def token_of(justify_url: str) -> str:
    return parse_qs(urlsplit(justify_url).query)["t"][0]


def test_a_form_address_replayed_by_other_users_is_refused_and_logs_nothing(
    client, investigator, other_investigator, review_lead, liaison_officer, analyst
):
    client.force_login(investigator)
    justify_url = client.get(IDENTITY)["Location"]
    for other in (other_investigator, review_lead, liaison_officer, analyst):
        replay = Client()
        replay.force_login(other)
        assert replay.get(justify_url).status_code == 404
        posted = replay.post(justify_url, {"justification": "Replaying a colleague's form"})
        assert posted.status_code == 404
        assert replay.get(IDENTITY).status_code == 302  # still asked for a reason of their own
    assert not AuditEvent.objects.exists()
    # The form still works for the user it was issued to.
    assert (
        client.post(justify_url, {"justification": "Safeguarding visit this week"}).status_code
        == 302
    )
    assert AuditEvent.objects.get().actor_id == investigator.pk


def test_a_form_answered_once_cannot_log_a_second_reason(client, investigator):
    client.force_login(investigator)
    justify_url = client.get(IDENTITY)["Location"]
    assert (
        client.post(justify_url, {"justification": "Safeguarding visit this week"}).status_code
        == 302
    )
    again = client.post(justify_url, {"justification": "A second, made-up reason"})
    assert again.status_code == 400
    assert "already answered" in again.content.decode()
    assert client.get(justify_url).status_code == 400
    assert list(AuditEvent.objects.values_list("justification", flat=True)) == [
        "Safeguarding visit this week"
    ]


def test_a_form_opened_in_another_session_of_the_same_user_is_refused(client, investigator):
    client.force_login(investigator)
    justify_url = client.get(IDENTITY)["Location"]
    elsewhere = Client()
    elsewhere.force_login(investigator)  # a second session: another browser, a stolen link
    assert (
        elsewhere.post(justify_url, {"justification": "From a second browser"}).status_code == 400
    )
    assert not AuditEvent.objects.exists()


def test_a_form_answered_too_late_is_refused(client, investigator):
    client.force_login(investigator)
    justify_url = client.get(IDENTITY)["Location"]
    session = client.session
    pending = session[PENDING_KEY]
    for entry in pending.values():
        entry["at"] -= FORM_TTL + 1
    session[PENDING_KEY] = pending
    session.save()
    late = client.post(justify_url, {"justification": "Safeguarding visit this week"})
    assert late.status_code == 400
    assert not AuditEvent.objects.exists()


def test_a_session_holds_a_bounded_number_of_open_forms(client, investigator):
    client.force_login(investigator)
    first = client.get(IDENTITY)["Location"]
    for pk in range(100, 100 + MAX_PENDING):
        client.get(f"/test-audit/party/{pk}/identity/")
    assert len(client.session[PENDING_KEY]) == MAX_PENDING
    assert client.post(first, {"justification": "Safeguarding visit this week"}).status_code == 400


def test_signed_out_visitors_cannot_give_reasons(client):
    assert client.get("/audit/justify/?t=x").status_code == 302


def test_an_api_request_with_a_token_is_logged_as_the_token_user(client, investigator):
    from knox.models import AuthToken

    _, token = AuthToken.objects.create(user=investigator)
    response = client.get(
        "/test-audit/api/party/5/",
        HTTP_AUTHORIZATION=f"Token {token}",
        REMOTE_ADDR="192.0.2.10",
    )
    assert response.status_code == 200
    event = AuditEvent.objects.get()
    assert (event.actor_id, event.actor_label, event.ip) == (
        investigator.pk,
        investigator.username,
        "192.0.2.10",
    )
    assert event.source == "GET /test-audit/api/party/5/"


def test_the_case_read_that_shows_names_carries_the_reason_in_its_own_row(client, investigator):
    from django.urls import reverse

    from cases.permissions import grant_case_access
    from tests.factories import make_case

    case = make_case(victims=1)
    grant_case_access(investigator, case)
    victim = case.parties.select_related("person").get(ref="V1").person
    client.force_login(investigator)
    url = reverse("cases:detail", args=[case.reference])
    assert victim.full_name not in client.get(url).content.decode()
    asked = client.get(url, {"names": "1"})
    reason = "Preparing the victim's re-interview"
    back = client.post(asked["Location"], {"justification": reason})
    before = last_seq()

    page = client.get(back["Location"])
    assert victim.full_name in page.content.decode()
    read = AuditEvent.objects.filter(
        seq__gt=before, operation="consult", object_type="cases.case", object_id=str(case.pk)
    ).get()
    assert (read.actor_id, read.justification) == (investigator.pk, reason)
    # The reads before the reason was given showed no names and carry none.
    earlier = AuditEvent.objects.filter(
        seq__lte=before, object_type="cases.case", source__startswith="GET"
    )
    assert list(earlier.values_list("justification", flat=True)) == ["", ""]


def test_the_person_record_page_logs_its_read_with_the_reason(client, investigator):
    from django.urls import reverse

    from cases.permissions import grant_case_access
    from tests.cases.helpers import give_reason_for_names
    from tests.factories import make_case

    case = make_case(victims=1)
    grant_case_access(investigator, case)
    client.force_login(investigator)
    reason = give_reason_for_names(client, case, "Correcting the victim's date of birth")
    before = last_seq()
    page = client.get(reverse("cases:person_edit", args=[case.reference, "V1"]))
    assert page.status_code == 200
    read = AuditEvent.objects.filter(seq__gt=before, object_type="cases.case").get()
    assert read.justification == reason
