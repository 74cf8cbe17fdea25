"""Referral files made at test time for intake tests: generated, then spoiled where asked."""

import io
import json

from cases.referrals.generator import referral_file_write, referrals_generate
from cases.referrals.generator_v2 import referrals_generate_v2
from cases.referrals.validate import FORMAT, FORMAT_V2

# Cumbria is the other team's force (tests/conftest.py): the personas' lead may not take it in.
OTHER_TEAM_FORCE = "cumbria"
STAND_IN_FORCE = "durham"


def referrals(count: int = 6, *, seed: int = 7, version: int = 1) -> list[dict]:
    """Synthetic referrals, all for forces of the personas' team."""
    if version == 1:
        drawn = list(referrals_generate(count=count, seed=seed))
    else:
        drawn = list(iter(referrals_generate_v2(count=count, seed=seed)))
    for referral in drawn:
        if referral["force"] == OTHER_TEAM_FORCE:
            referral["force"] = STAND_IN_FORCE
    return drawn


def spoil(drawn: list[dict], indexes) -> list[tuple[int, str, str]]:
    """Give each referral at `indexes` an impossible date of receipt; returns, for each,
    (index, force reference, JSON path) as the problem list will name it."""
    spoiled = []
    for index in indexes:
        drawn[index]["received_on"] = "2024-02-30"
        spoiled.append(
            (index, drawn[index]["force_reference"], f"$.referrals[{index}].received_on")
        )
    return spoiled


def file_bytes(drawn: list[dict], *, version: int = 1) -> bytes:
    out = io.StringIO()
    referral_file_write(out, iter(drawn), format=FORMAT if version == 1 else FORMAT_V2)
    return out.getvalue().encode()


def as_json(drawn: list[dict]) -> str:
    return json.dumps(drawn)
