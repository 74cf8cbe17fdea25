"""API tokens: hashed at rest, shown once, expiring, revoked by a password change, listed
and revoked without their secret, by their owner on /accounts/tokens/ and by administrators."""

import datetime

import pytest
from django.contrib.admin.models import DELETION, LogEntry
from django.db import connection
from django.utils import timezone
from knox.models import AuthToken
from rest_framework.test import APIClient

from beaconport.accounts.selectors import token_fingerprint
from beaconport.accounts.services import token_create
from beaconport.audit.models import AuditEvent
from cases.permissions import grant_case_access
from tests.factories import make_case
from tests.services import require_service

pytestmark = pytest.mark.django_db

PASSWORD = "correct-horse-battery-staple"  # the personas' password (tests/conftest.py)
PAGE = "/accounts/tokens/"
API = "/api/v1/cases/"
# What the API answers a refused token: 403, as session authentication is tried first
# (DRF answers 401 only when the first authentication names a WWW-Authenticate scheme).
REFUSED = 403


def create_on_page(client, user, password=PASSWORD):
    client.force_login(user)
    return client.post(PAGE, {"password": password})


def api_status(secret, address="192.0.2.1"):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Token {secret}")
    return client.get(API).status_code


def admin_login(client, user):
    """Sign an administrator in (tests/conftest.py's forced login has done the second step
    the admin site requires)."""
    client.force_login(user)


def every_text_in_the_database() -> str:
    """Every text, JSON and character column of every table, as one string."""
    found = []
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT table_name, column_name FROM information_schema.columns "
            "WHERE table_schema = current_schema() "
            "AND data_type IN ('text', 'character varying', 'jsonb', 'json')"
        )
        for table, column in cursor.fetchall():
            cursor.execute(f'SELECT "{column}"::text FROM "{table}"')  # noqa: S608 - catalog names
            found.extend(value for (value,) in cursor.fetchall() if value)
    return "\n".join(found)


def test_the_page_shows_a_new_token_once_and_the_api_accepts_it(client, investigator):
    case = make_case()
    grant_case_access(investigator, case)
    response = create_on_page(client, investigator)
    assert response.status_code == 200
    secret = response.context["secret"]
    assert secret.startswith("bpt_") and len(secret) == 4 + 64
    assert secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert api_status(secret) == 200
    again = client.get(PAGE)
    assert secret not in again.content.decode()
    assert again.context["secret"] is None


def test_a_token_is_stored_only_as_a_digest(client, investigator):
    require_service(
        "PostgreSQL", connection.vendor == "postgresql", "this test reads its catalogue"
    )
    secret = create_on_page(client, investigator).context["secret"]
    token = AuthToken.objects.get(user=investigator)
    assert token.digest != secret and len(token.digest) == 128
    # knox keeps the first 15 characters to find the row: the prefix and 11 of 64 hex digits.
    assert token.token_key == secret[:15]
    stored = every_text_in_the_database()
    assert secret not in stored
    assert secret[15:30] not in stored


def test_creating_a_token_needs_the_password_and_writes_an_audit_row(client, investigator):
    refused = create_on_page(client, investigator, password="not-my-password-at-all")
    assert refused.status_code == 400
    assert "That is not your password." in refused.content.decode()
    assert not AuthToken.objects.exists()
    create_on_page(client, investigator)
    token = AuthToken.objects.get(user=investigator)
    row = AuditEvent.objects.get(object_type="knox.authtoken", operation="collect")
    assert (row.actor_id, row.object_id) == (investigator.pk, token_fingerprint(token))
    assert row.changes["user"] == [None, investigator.pk]


def test_a_token_expires_after_the_documented_time(client, investigator, settings):
    before = timezone.now()
    secret = create_on_page(client, investigator).context["secret"]
    token = AuthToken.objects.get(user=investigator)
    ttl = datetime.timedelta(hours=settings.API_TOKEN_TTL_HOURS)
    assert before + ttl <= token.expiry <= timezone.now() + ttl
    AuthToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - datetime.timedelta(1))
    assert api_status(secret) == REFUSED
    assert client.get(PAGE).context["tokens"] == []


def test_a_token_is_useless_after_a_password_change_on_the_password_page(client, investigator):
    secret = create_on_page(client, investigator).context["secret"]
    other = token_create(user=investigator, by=investigator)[1]
    assert api_status(secret) == 200
    response = client.post(
        "/accounts/password/",
        {
            "old_password": PASSWORD,
            "new_password1": "a-new-and-longer-passphrase-2026",
            "new_password2": "a-new-and-longer-passphrase-2026",
        },
    )
    assert response.status_code == 302
    assert (api_status(secret), api_status(other)) == (REFUSED, REFUSED)
    assert not AuthToken.objects.filter(user=investigator).exists()
    row = AuditEvent.objects.filter(operation="erase", object_type="knox.authtoken").get()
    assert (row.actor_id, row.justification, len(row.object_ids)) == (
        investigator.pk,
        "password changed",
        2,
    )


def test_a_token_is_useless_after_set_password_anywhere(investigator, other_investigator):
    mine = token_create(user=investigator, by=investigator)[1]
    theirs = token_create(user=other_investigator, by=other_investigator)[1]
    investigator.set_password("another-long-passphrase-2026")
    investigator.save()
    assert (api_status(mine), api_status(theirs)) == (REFUSED, 200)


def test_tokens_are_listed_without_their_secret_or_digest(client, investigator):
    secrets = [token_create(user=investigator, by=investigator)[1] for _ in range(2)]
    client.force_login(investigator)
    response = client.get(PAGE)
    html = response.content.decode()
    assert len(response.context["tokens"]) == 2
    for token, secret in zip(AuthToken.objects.all(), secrets, strict=True):
        assert secret not in html and secret[:15] not in html
        assert token.digest not in html
        assert token_fingerprint(token) in html


def test_the_owner_revokes_a_token_and_it_stops_working(client, investigator):
    secret = create_on_page(client, investigator).context["secret"]
    token = AuthToken.objects.get(user=investigator)
    response = client.post("/accounts/tokens/revoke/", {"token": token_fingerprint(token)})
    assert response.status_code == 302
    assert api_status(secret) == REFUSED
    row = AuditEvent.objects.get(operation="erase", object_type="knox.authtoken")
    assert (row.object_id, row.justification) == (token_fingerprint(token), "revoked by its owner")


def test_nobody_revokes_someone_elses_token(client, investigator, other_investigator):
    token, secret = token_create(user=other_investigator, by=other_investigator)
    client.force_login(investigator)
    response = client.post("/accounts/tokens/revoke/", {"token": token_fingerprint(token)})
    assert response.status_code == 404
    assert client.post("/accounts/tokens/revoke/", {"token": "x"}).status_code == 404
    assert api_status(secret) == 200


def test_a_user_holds_a_limited_number_of_tokens(client, investigator, settings):
    settings.API_TOKEN_LIMIT_PER_USER = 2
    for _ in range(2):
        token_create(user=investigator, by=investigator)
    response = create_on_page(client, investigator)
    assert response.status_code == 400
    assert "revoke one" in response.content.decode()
    assert AuthToken.objects.filter(user=investigator).count() == 2


def test_signed_out_visitors_are_sent_to_sign_in(client):
    assert client.get(PAGE).status_code == 302
    assert client.post("/accounts/tokens/revoke/", {"token": "x"}).status_code == 302


def test_the_admin_lists_tokens_without_digests_and_cannot_create_one(
    client, admin_user, investigator
):
    token, secret = token_create(user=investigator, by=investigator)
    admin_login(client, admin_user)
    response = client.get("/admin/knox/authtoken/")
    html = response.content.decode()
    assert response.status_code == 200
    assert investigator.username in html
    assert secret not in html and secret[:15] not in html
    assert f">{token.digest}<" not in html  # no column, no link shows it
    assert client.get("/admin/knox/authtoken/add/").status_code == 403


def test_an_administrator_revokes_a_token_with_an_audit_row_and_a_log_entry(
    client, admin_user, investigator
):
    token, secret = token_create(user=investigator, by=investigator)
    admin_login(client, admin_user)
    response = client.post(
        "/admin/knox/authtoken/",
        {"action": "revoke_selected", "_selected_action": [token.pk]},
    )
    assert response.status_code == 302
    assert api_status(secret) == REFUSED
    row = AuditEvent.objects.get(operation="erase", object_type="knox.authtoken")
    assert (row.actor_id, row.justification) == (admin_user.pk, "revoked by an administrator")
    entry = LogEntry.objects.get(action_flag=DELETION)
    assert entry.user_id == admin_user.pk
    assert token.digest not in entry.object_repr and token.digest != entry.object_id


def test_api_calls_with_a_token_are_attributed_to_its_owner(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    secret = token_create(user=investigator, by=investigator)[1]
    assert api_status(secret) == 200
    row = AuditEvent.objects.filter(operation="consult").latest("seq")
    assert row.actor_id == investigator.pk
