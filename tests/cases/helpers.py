"""Helpers for case page tests."""

from django.urls import reverse


def give_reason_for_names(client, case, reason: str = "Preparing the victim's re-interview"):
    """Walk the justification form as a person would, so the case's names are shown."""
    asked = client.get(reverse("cases:detail", args=[case.reference]), {"names": "1"})
    assert asked.status_code == 302, asked.status_code
    answered = client.post(asked["Location"], {"justification": reason})
    assert answered.status_code == 302, answered.status_code
    return reason
