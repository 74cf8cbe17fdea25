"""Two-step verification: required for leads, administrators and auditors, offered to
everyone; until the code is given a session reaches only the two-step pages."""

import re
from datetime import timedelta

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from beaconport.audit.models import AuditEvent
from beaconport.roles import Role
from beaconport.signin.services import totp_device_create, totp_key_new
from beaconport.signin.sessions import SECOND_STEP
from tests.audit.helpers import last_seq
from tests.browser import PASSWORD
from tests.signin.helpers import device_code, totp_code

pytestmark = pytest.mark.django_db

VERIFY = reverse("two_factor_verify")
ENROL = reverse("two_factor_enrol")


def password_step(client, user, next_url=""):
    data = {"username": user.username, "password": PASSWORD}
    url = reverse("login") + (f"?next={next_url}" if next_url else "")
    if next_url:
        data["next"] = next_url
    response = client.post(url, data)
    assert response.status_code == 302
    return client.get(response.url)


def with_app(user):
    return totp_device_create(user=user, key=totp_key_new(), by=user)


def test_a_review_lead_with_an_app_is_asked_for_a_code_after_the_password(client, review_lead):
    with_app(review_lead)
    page = password_step(client, review_lead)
    assert page.status_code == 302
    assert page.url.startswith(VERIFY)


@pytest.mark.parametrize(
    ("url", "answer"),
    [
        (reverse("home"), 302),
        (reverse("cases:queue"), 302),
        (reverse("two_factor"), 302),
        (reverse("password_change"), 302),
        (reverse("admin:index"), 302),
        (reverse("api:case-list"), 403),
    ],
)
def test_until_the_code_is_given_the_lead_reaches_nothing_else(client, review_lead, url, answer):
    with_app(review_lead)
    password_step(client, review_lead)
    response = client.get(url)
    assert response.status_code == answer
    if answer == 302:
        assert response.url.startswith(VERIFY)
    assert client.get(VERIFY).status_code == 200
    assert client.post(reverse("logout")).status_code == 302
    assert "_auth_user_id" not in client.session


def test_a_wrong_code_is_refused_and_the_right_one_lets_the_lead_in(client, review_lead):
    with_app(review_lead)
    password_step(client, review_lead)
    wrong = client.post(VERIFY, {"code": "000000"})
    assert wrong.status_code == 200
    assert "That code is not right" in wrong.content.decode()
    assert client.get(reverse("cases:queue")).status_code == 302
    # django-otp makes each wrong code cost a wait (1 s, then doubling): no guessing spree.
    assert client.post(VERIFY, {"code": device_code(review_lead)}).status_code == 200
    _wait_out_the_throttle(review_lead)
    right = client.post(VERIFY, {"code": device_code(review_lead), "next": "/cases/queue/"})
    assert right.status_code == 302
    assert right.url == "/cases/queue/"
    assert client.get(reverse("cases:queue")).status_code == 200
    assert (
        client.session[DEVICE_ID_SESSION_KEY]
        == TOTPDevice.objects.get(user=review_lead).persistent_id
    )


def _wait_out_the_throttle(user):
    device = TOTPDevice.objects.get(user=user)
    device.throttling_failure_timestamp -= timedelta(minutes=5)
    device.save(update_fields=["throttling_failure_timestamp"])


def test_a_code_is_taken_once(client, review_lead):
    with_app(review_lead)
    password_step(client, review_lead)
    code = device_code(review_lead)
    assert client.post(VERIFY, {"code": code}).status_code == 302
    client.post(reverse("logout"))
    password_step(client, review_lead)
    assert client.post(VERIFY, {"code": code}).status_code == 200


def test_the_next_address_must_be_on_this_site(client, review_lead):
    with_app(review_lead)
    password_step(client, review_lead)
    response = client.post(
        VERIFY, {"code": device_code(review_lead), "next": "https://evil.example/"}
    )
    assert response.url == reverse("home")


@pytest.mark.parametrize("persona", ["review_lead", "liaison_lead", "admin_user"])
def test_each_role_that_needs_it_is_sent_to_set_up_an_app(client, request, persona):
    user = request.getfixturevalue(persona)
    page = password_step(client, user)
    assert page.status_code == 302
    assert page.url.startswith(ENROL)
    assert client.get(reverse("home")).url.startswith(ENROL)


@pytest.mark.parametrize("role", [Role.AUDITOR, Role.NATIONAL_LEAD])
def test_auditors_and_national_leads_are_sent_to_set_up_an_app(client, make_user, role):
    Group.objects.get_or_create(name=role.value)
    user = make_user("sam.someone", role)
    assert password_step(client, user).url.startswith(ENROL)


def _secret_key(page) -> str:
    import base64

    secret = re.search(r"data-totp-secret>([A-Z2-7]+)<", page.content.decode()).group(1)
    return base64.b32decode(secret + "=" * (-len(secret) % 8)).hex()


def test_setting_up_an_app_shows_its_secret_takes_a_first_code_and_is_audited(client, review_lead):
    password_step(client, review_lead)
    page = client.get(ENROL)
    html = page.content.decode()
    assert "otpauth://totp/Beaconport%3Arowan.lead?secret=" in html
    assert 'src="data:image/svg+xml' in html
    # No inline script or style (the CSP allows neither); the site's own script files load.
    assert not re.search(r"<script(?![^>]*\bsrc=)", html) and "style=" not in html
    assert page["Cache-Control"].startswith("max-age=0") or "no-store" in page["Cache-Control"]
    key = _secret_key(page)
    assert client.post(ENROL, {"code": "123456"}).status_code == 200  # wrong: nothing kept
    assert not TOTPDevice.objects.filter(user=review_lead).exists()
    seq = last_seq()
    done = client.post(ENROL, {"code": totp_code(key)})
    assert done.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", done.content.decode())
    assert len(codes) == 10
    device = TOTPDevice.objects.get(user=review_lead, confirmed=True)
    assert device.key == key
    rows = AuditEvent.objects.filter(seq__gt=seq, actor=review_lead, operation="collect")
    assert sorted(rows.values_list("object_type", flat=True)) == [
        "otp_static.staticdevice",
        "otp_totp.totpdevice",
    ]
    assert key not in str(list(AuditEvent.objects.filter(seq__gt=seq).values()))
    assert client.get(reverse("cases:queue")).status_code == 200


def test_a_user_who_has_an_app_cannot_add_another_before_the_code(client, review_lead):
    with_app(review_lead)
    password_step(client, review_lead)
    assert client.get(ENROL).url == VERIFY
    assert client.post(ENROL, {"code": "123456"}).url == VERIFY
    assert TOTPDevice.objects.filter(user=review_lead).count() == 1


def test_a_backup_code_lets_the_user_in_once(client, review_lead):
    with_app(review_lead)
    device = StaticDevice.objects.create(user=review_lead, name="Backup codes")
    device.token_set.create(token="abcd2345")
    password_step(client, review_lead)
    assert client.post(VERIFY, {"code": "ABCD 2345"}).status_code == 302
    assert not StaticToken.objects.filter(device=device).exists()
    client.post(reverse("logout"))
    password_step(client, review_lead)
    assert client.post(VERIFY, {"code": "abcd2345"}).status_code == 200


def test_an_investigator_is_not_asked_for_a_second_step(client, investigator):
    page = password_step(client, investigator)
    assert page.status_code == 200
    assert SECOND_STEP not in client.session


def test_an_investigator_may_turn_it_on_and_is_then_asked_for_the_code(client, investigator):
    password_step(client, investigator)
    assert "is <strong>off</strong>" in client.get(reverse("two_factor")).content.decode()
    key = _secret_key(client.get(ENROL))
    assert client.post(ENROL, {"code": totp_code(key)}).status_code == 200
    assert "is <strong>on</strong>" in client.get(reverse("two_factor")).content.decode()
    client.post(reverse("logout"))
    assert password_step(client, investigator).url.startswith(VERIFY)


def test_an_investigator_may_turn_it_off_and_that_is_audited(client, investigator):
    with_app(investigator)
    client.force_login(investigator)
    seq = last_seq()
    assert client.post(reverse("two_factor"), {"action": "remove"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=investigator).exists()
    assert AuditEvent.objects.filter(seq__gt=seq, operation="erase").count() == 1


def test_a_lead_may_not_turn_it_off(client, review_lead):
    with_app(review_lead)
    client.force_login(review_lead)
    page = client.get(reverse("two_factor"))
    assert "Turn off" not in page.content.decode()
    client.post(reverse("two_factor"), {"action": "remove"})
    assert TOTPDevice.objects.filter(user=review_lead).exists()


def test_the_admin_asks_staff_for_the_second_step(client, admin_user):
    with_app(admin_user)
    response = client.post(
        reverse("admin:login"),
        {"username": admin_user.username, "password": PASSWORD, "next": "/admin/"},
    )
    assert response.status_code == 302
    assert client.get("/admin/").url.startswith(VERIFY)
    client.post(VERIFY, {"code": device_code(admin_user)})
    assert client.get("/admin/").status_code == 200


def test_the_admin_asks_for_it_even_if_sign_in_did_not(client, investigator):
    """Made staff after signing in: the admin still insists on the second step."""
    password_step(client, investigator)
    investigator.is_staff = True
    investigator.save()
    assert client.get("/admin/").url.startswith(ENROL)


def test_an_administrator_resets_a_lost_phone_and_the_user_sets_up_again(
    client, admin_user, review_lead
):
    device = with_app(review_lead)
    client.force_login(admin_user)
    seq = last_seq()
    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(pk=device.pk).exists()
    row = AuditEvent.objects.get(seq__gt=seq, operation="erase")
    assert (row.actor_id, row.object_type, row.object_id) == (
        admin_user.pk,
        "otp_totp.totpdevice",
        str(device.pk),
    )
    client.logout()
    assert password_step(client, review_lead).url.startswith(ENROL)


def test_the_admin_never_shows_or_takes_a_device_secret(client, admin_user, review_lead):
    device = with_app(review_lead)
    client.force_login(admin_user)
    page = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert page.status_code == 200
    assert device.key not in page.content.decode()
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403


def test_forced_logins_in_tests_have_done_the_second_step(client, review_lead):
    client.force_login(review_lead)
    assert SECOND_STEP not in client.session
    assert client.get(reverse("cases:queue")).status_code == 200


def test_the_reset_command_removes_a_users_devices_and_is_audited(review_lead):
    from io import StringIO

    from django.core.management import call_command

    with_app(review_lead)
    out = StringIO()
    call_command("two_factor_reset", review_lead.username, "--dry-run", stdout=out)
    assert "1 device(s) of rowan.lead would go" in out.getvalue()
    assert TOTPDevice.objects.filter(user=review_lead).exists()
    seq = last_seq()
    call_command("two_factor_reset", review_lead.username, stdout=StringIO())
    assert not TOTPDevice.objects.filter(user=review_lead).exists()
    row = AuditEvent.objects.get(seq__gt=seq)
    assert (row.operation, row.object_type, row.source) == (
        "erase",
        "otp_totp.totpdevice",
        "command:two_factor_reset",
    )
