"""Failed sign-ins and lockouts reach the auditors (issue 8): each is a security event on
/audit/security/, counted within the same bound as every refusal, naming the username tried
and never the password."""

import pytest
from django.db.models import Sum
from django.test import Client
from django.urls import reverse

from beaconport.models import SecurityEvent

pytestmark = pytest.mark.django_db

LOGIN = reverse("login")
ADDRESS = "192.0.2.44"
WRONG = "not-the-password-7Qx"


def fail(client, username, times, address=ADDRESS, url=LOGIN):
    for _ in range(times):
        response = client.post(url, {"username": username, "password": WRONG}, REMOTE_ADDR=address)
        assert response.status_code == 200


def hits(**filters) -> int:
    return SecurityEvent.objects.filter(**filters).aggregate(n=Sum("hits"))["n"] or 0


def test_six_wrong_passwords_leave_failed_sign_ins_and_a_lockout_the_auditor_reads(
    client, auditor, investigator
):
    fail(client, investigator.username, 6)
    assert hits(kind="signin_failed", user=investigator, route="login") == 6
    # The fifth failure locks the account; the sixth is refused while it is locked.
    assert hits(kind="locked_out", user=investigator) == 2
    event = SecurityEvent.objects.filter(kind="locked_out").first()
    assert event.who == f"signin:{investigator.username}"
    assert event.username == investigator.username
    assert event.address == ADDRESS
    assert not SecurityEvent.objects.filter(object_ids__contains=WRONG).exists()

    reader = Client()
    reader.force_login(auditor)
    page = reader.get(reverse("audit:security_events"), {"username": investigator.username})
    assert page.status_code == 200
    body = page.content.decode()
    assert "Wrong password or unknown username at sign-in" in body
    assert "account or address locked out" in body
    assert WRONG not in body


def test_the_sign_in_events_are_not_shown_to_anyone_but_an_auditor(
    client, investigator, review_lead, analyst, admin_user
):
    fail(client, investigator.username, 6)
    assert SecurityEvent.objects.filter(kind="locked_out").exists()
    reader = Client()
    for outsider in (investigator, review_lead, analyst, admin_user):
        reader.force_login(outsider)
        assert reader.get(reverse("audit:security_events")).status_code == 404, outsider


def test_a_username_that_names_no_account_is_kept_only_as_the_name_tried(client, auditor):
    fail(client, "no.such.person", 2)
    event = SecurityEvent.objects.get(kind="signin_failed")
    assert (event.who, event.user, event.username, event.hits) == (
        "signin:no.such.person",
        None,
        "",
        2,
    )
    reader = Client()
    reader.force_login(auditor)
    assert 'tried "no.such.person"' in reader.get(reverse("audit:security_events")).content.decode()


def test_the_admin_login_failures_are_events_of_their_own_page(client, admin_user):
    fail(client, admin_user.username, 1, url=reverse("admin:login"))
    assert hits(kind="signin_failed", user=admin_user, route="admin:login") == 1


def test_a_flood_of_failures_with_made_up_names_fills_at_most_the_hours_cap(client, settings):
    settings.SECURITY_EVENTS_PER_HOUR = 5
    for n in range(40):
        fail(client, f"guess{n}-" + "x" * 200, 1, address=f"198.51.100.{n % 7}")
    # A minute boundary crossed mid-run cannot add rows: the cap is per hour (or two hours).
    assert SecurityEvent.objects.exclude(kind="overflow").count() <= 10
    assert SecurityEvent.objects.filter(kind="overflow").count() <= 2
    assert hits() == 40
    assert all(len(event.who) <= 80 for event in SecurityEvent.objects.all())
