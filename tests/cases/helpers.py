"""Helpers for case page tests."""

from django.urls import reverse


def give_reason_for_names(client, case, reason: str = "Preparing the victim's re-interview"):
    """Walk the justification form as a person would, so the case's names are shown."""
    asked = client.get(reverse("cases:detail", args=[case.reference]), {"names": "1"})
    assert asked.status_code == 302, asked.status_code
    answered = client.post(asked["Location"], {"justification": reason})
    assert answered.status_code == 302, answered.status_code
    return reason


def no_failings_recorded(case, by, reason: str = "Synthetic: every line was followed"):
    """Mark a case's review as having found no failings (the record the gate accepts in
    place of a finding), written straight to the row: for tests about what comes after."""
    from django.utils import timezone

    type(case).objects.filter(pk=case.pk).update(
        no_failings_reason=reason, no_failings_by=by, no_failings_at=timezone.now()
    )
    return case
