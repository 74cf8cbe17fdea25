"""Two-step verification: enrolling an authenticator app, checking a code, removing devices.

Each change is audited: a new device or set of backup codes is a collection, a removed one an
erasure. The device's secret never enters the log; it is kept only in django-otp's table.
"""

import base64

from django.db import transaction
from django_otp import devices_for_user, verify_token
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from django_otp.util import random_hex

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record

BACKUP_CODES = 10
APP_DEVICE_NAME = "Authenticator app"
BACKUP_DEVICE_NAME = "Backup codes"


class SecondStepError(ValueError):
    """A code or request the second step cannot accept; the message is for the user."""


def totp_key_new() -> str:
    """A fresh secret for an authenticator app (hex, as django-otp stores it)."""
    return random_hex(20)


def totp_secret(key: str) -> str:
    """The secret as an authenticator app takes it when typed in (base32, no padding)."""
    return base64.b32encode(bytes.fromhex(key)).decode().rstrip("=")


def totp_uri(*, user, key: str) -> str:
    """The otpauth:// address an app reads from the QR code."""
    return TOTPDevice(user=user, name=APP_DEVICE_NAME, key=key).config_url


def totp_device_has(*, user) -> bool:
    """Whether the user has a confirmed authenticator app."""
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def backup_codes_left(*, user) -> int:
    """How many unused backup codes the user has."""
    return StaticToken.objects.filter(device__user=user).count()


@transaction.atomic
def totp_device_create(*, user, key: str, by) -> TOTPDevice:
    """A confirmed authenticator app for the user, holding a secret they already have."""
    device = TOTPDevice.objects.create(user=user, name=APP_DEVICE_NAME, key=key, confirmed=True)
    audit_record(operation=Operation.COLLECT, obj=device, actor=by)
    return device


@transaction.atomic
def totp_device_confirm(*, user, key: str, token: str) -> tuple[TOTPDevice, list[str]]:
    """Enrol: the first code from the app proves the secret reached it. Issues backup codes.

    Nothing is kept if the code is wrong (the transaction is undone with the error).
    """
    if totp_device_has(user=user):
        raise SecondStepError("You already have an authenticator app set up.")
    device = totp_device_create(user=user, key=key, by=user)
    if not device.verify_token(_clean(token)):
        raise SecondStepError(
            "That code is not right. Enter the 6 digits your app shows now for Beaconport."
        )
    return device, backup_codes_issue(user=user, by=user)


@transaction.atomic
def backup_codes_issue(*, user, by) -> list[str]:
    """Single-use backup codes for a lost phone, replacing any the user had; shown once."""
    for device in StaticDevice.objects.filter(user=user):
        two_factor_device_remove(device=device, by=by)
    device = StaticDevice.objects.create(user=user, name=BACKUP_DEVICE_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODES)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    audit_record(operation=Operation.COLLECT, obj=device, actor=by)
    return codes


def second_step_verify(*, user, token: str):
    """The device that accepts this code (the app's 6 digits, or an unused backup code,
    which is then spent), or None. django-otp throttles repeated wrong codes per device."""
    token = _clean(token)
    model = TOTPDevice if token.isdigit() and len(token) == 6 else StaticDevice
    for device in model.objects.devices_for_user(user, confirmed=True):
        verified = verify_token(user, device.persistent_id, token)
        if verified is not None:
            return verified
    return None


@transaction.atomic
def two_factor_device_remove(*, device, by) -> None:
    """Remove one device (a lost phone, used-up codes). If the user's role needs the second
    step they are asked to enrol again at their next sign-in."""
    audit_record(operation=Operation.ERASE, obj=device, actor=by)
    device.delete()


@transaction.atomic
def two_factor_devices_remove(*, user, by) -> int:
    """Remove every device the user has (app and backup codes); returns how many."""
    devices = list(devices_for_user(user, confirmed=None))
    for device in devices:
        two_factor_device_remove(device=device, by=by)
    return len(devices)


def _clean(token: str) -> str:
    """Codes as people type them: spaces and hyphens dropped, letters in lower case."""
    return "".join(ch for ch in str(token) if ch not in " -").lower()[:32]
