"""A sensitive read asks for a reason first, logs it, and carries it into the read's row."""

import pytest
from django.core import signing

from beaconport.audit.justification import make_token
from beaconport.audit.models import AuditEvent

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
    token = make_token(
        key="cases.case:1:x",
        object_type="cases.case",
        object_id="1",
        reason="x",
        label="x",
        case=None,
        person=None,
        next="https://evil.example/",
    )
    assert client.get(f"/audit/justify/?t={token}").status_code == 400


def test_signed_out_visitors_cannot_give_reasons(client):
    assert client.get("/audit/justify/?t=x").status_code == 302


def test_an_api_request_with_a_token_is_logged_as_the_token_user(client, investigator):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=investigator)
    response = client.get(
        "/test-audit/api/party/5/",
        HTTP_AUTHORIZATION=f"Token {token.key}",
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
