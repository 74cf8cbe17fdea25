"""How a test says it needs a real service: skip on a laptop without it, fail under CI."""

import os

import pytest


def under_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


def require_service(name: str, available: bool, how: str = "") -> None:
    """Skip (or, under CI, fail) the calling test when the named service is missing."""
    if available:
        return
    message = f"{name} is not available{': ' + how if how else ''}"
    if under_ci():
        pytest.fail(f"{message} (CI=true: a missing service fails the run)")
    pytest.skip(message)
