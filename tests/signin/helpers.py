"""Signing in, in tests: a forced login that has done its second step, and codes from devices."""

import time

from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from beaconport.bench.sessions import pass_second_step


def verified_force_login(original):
    """Wrap `Client.force_login`: the session also carries a confirmed device, as though the
    user had typed their code. Hundreds of tests sign in leads and administrators this way;
    the tests of the second step sign in through the form instead."""

    def force_login(self, user, backend=None):
        original(self, user, backend)
        pass_second_step(self.session, user, device_name="Test authenticator")

    force_login.__wrapped__ = original
    return force_login


def totp_code(key: str, *, device: TOTPDevice | None = None) -> str:
    """The code an authenticator app holding `key` (hex) shows now. With the device, a code
    it has not accepted yet: the next step's when this step's code was used already (a
    device takes each time step once; it accepts one step ahead)."""
    totp = TOTP(bytes.fromhex(key), step=30, t0=0, digits=6, drift=0)
    totp.time = time.time()
    if device is not None and device.last_t >= totp.t():
        totp.time += 30 * (device.last_t + 1 - totp.t())
    return f"{totp.token():06d}"


def device_code(user) -> str:
    """The code the user's confirmed authenticator app shows now (or next, if now's is used)."""
    device = TOTPDevice.objects.get(user=user, confirmed=True)
    return totp_code(device.key, device=device)
