"""Offences added, corrected or removed after import (issue 13): a reason each time, priority
and eligibility recomputed, the history kept, the case's version checked, and the team's
review leads told once when a correction makes the case P1."""

import pytest
from django.core import mail
from django.core.exceptions import ValidationError
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from cases.models import Case, CaseCriterion, Offence, OffenceChange
from cases.permissions import grant_case_access
from cases.services.errors import ActionNotPermitted, StaleEdit
from cases.services.intake import case_recompute
from cases.services.offences import offence_add, offence_correct, offence_remove
from cases.tasks import notify_review_leads_of_priority
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(investigator):
    case = make_case(suspects=2, victims=2, offences=("sexual_assault",))
    case_recompute(case=case)
    grant_case_access(investigator, case)
    return Case.objects.get(pk=case.pk)


def _contact(case) -> str:
    return CaseCriterion.objects.get(case=case, name="contact_offence").result


def test_correcting_an_offence_to_rape_makes_the_case_p1_and_keeps_the_history(case, investigator):
    assert case.priority == "P3"
    offence = case.offences.get()
    change = offence_correct(
        offence=offence,
        by=investigator,
        type="rape",
        reason="Victim's second statement describes penetration",
        version=case.version,
    )
    case.refresh_from_db()
    assert case.priority == "P1"
    assert case.version == 2
    assert Offence.objects.get(pk=offence.pk).type == "rape"
    assert (change.kind, change.type_before, change.type_after) == (
        "corrected",
        "sexual_assault",
        "rape",
    )
    assert (change.priority_before, change.priority_after) == ("P3", "P1")
    row = AuditEvent.objects.filter(object_type="cases.offencechange", object_id=str(change.pk))
    assert row.get().actor_id == investigator.pk


def test_adding_the_first_offence_turns_the_contact_criterion_from_unknown_to_pass(investigator):
    case = make_case(suspects=2, victims=2, offences=())
    case_recompute(case=case)
    grant_case_access(investigator, case)
    case = Case.objects.get(pk=case.pk)
    assert _contact(case) == "unknown"
    change = offence_add(
        case=case, by=investigator, type="sexual_assault", reason="Found in the ABE transcript",
        version=case.version,
    )  # fmt: skip
    assert _contact(case) == "pass"
    assert change.eligibility_before == "unknown"
    assert change.eligibility_after == Case.objects.get(pk=case.pk).eligibility


def test_removing_the_only_offence_sends_the_contact_criterion_back_to_unknown(case, investigator):
    offence = case.offences.get()
    change = offence_remove(
        offence=offence, by=investigator, reason="Recorded twice in error", version=case.version
    )
    assert not Offence.objects.filter(pk=offence.pk).exists()
    assert _contact(case) == "unknown"
    assert (change.type_before, change.type_after, change.offence) == ("sexual_assault", "", None)


def test_the_leads_are_told_once_when_an_offence_makes_the_case_p1(
    case, investigator, review_lead, other_team_review_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        first = offence_correct(
            offence=case.offences.get(), by=investigator, type="rape", reason="Disclosed",
            version=case.version,
        )  # fmt: skip
    assert len(callbacks) == 1, "the leads are told once the change commits"
    assert mail.outbox == []
    # Run the task the way a worker would, twice (a redelivery): the leads hear of it once.
    notify_review_leads_of_priority(first.pk)
    notify_review_leads_of_priority(first.pk)
    assert [m.to for m in mail.outbox] == [[review_lead.email]]
    assert case.reference in mail.outbox[0].subject
    assert "Disclosed" not in mail.outbox[0].body
    # Already P1: a second P1 offence enqueues nothing, and its task would tell no one.
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        second = offence_add(
            case=case, by=investigator, type="assault_by_penetration", reason="Also disclosed",
            version=Case.objects.get(pk=case.pk).version,
        )  # fmt: skip
    assert callbacks == []
    notify_review_leads_of_priority(second.pk)
    assert len(mail.outbox) == 1


def test_an_edit_that_leaves_the_priority_alone_tells_no_one(
    case, investigator, review_lead, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        change = offence_add(
            case=case, by=investigator, type="sexual_communication_with_child",
            reason="Messages found", version=case.version,
        )  # fmt: skip
    assert callbacks == []
    notify_review_leads_of_priority(change.pk)
    assert mail.outbox == []


def test_a_stale_edit_is_refused_with_the_offences_now_and_nothing_is_written(
    case, investigator, review_lead
):
    offence = case.offences.get()
    offence_add(
        case=case, by=review_lead, type="sexual_communication_with_child", reason="Found", version=1
    )
    with pytest.raises(StaleEdit) as stale:
        offence_correct(offence=offence, by=investigator, type="rape", reason="Mine", version=1)
    assert "Sexual assault, Sexual communication with a child" in stale.value.messages[0]
    assert stale.value.changes["offences"]["yours"] == "Sexual assault corrected to Rape"
    assert Offence.objects.get(pk=offence.pk).type == "sexual_assault"
    assert OffenceChange.objects.filter(case=case).count() == 1


def test_a_reason_is_required(case, investigator):
    with pytest.raises(ValidationError) as refused:
        offence_add(case=case, by=investigator, type="rape", reason="  ", version=case.version)
    assert "reason" in refused.value.message_dict
    assert case.offences.count() == 1


def test_someone_who_may_not_change_the_case_is_refused(case, other_investigator):
    with pytest.raises(ActionNotPermitted):
        offence_add(case=case, by=other_investigator, type="rape", reason="x", version=1)


def test_the_history_rows_are_never_changed(case, investigator):
    change = offence_add(
        case=case, by=investigator, type="sexual_communication_with_child", reason="x", version=1
    )
    change.reason = "rewritten"
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()


def test_the_add_page_refuses_a_missing_reason_with_400_naming_it(client, case, investigator):
    client.force_login(investigator)
    url = reverse("review:offence_add", args=[case.reference])
    response = client.post(url, {"type": "rape", "reason": "", "version": case.version})
    assert response.status_code == 400
    assert "Reason for the change" in response.content.decode()
    assert case.offences.count() == 1


def test_the_correct_page_makes_the_case_p1_and_returns_to_the_offences(client, case, investigator):
    client.force_login(investigator)
    offence = case.offences.get()
    url = reverse("review:offence_correct", args=[case.reference, offence.pk])
    response = client.post(url, {"type": "rape", "reason": "Disclosed", "version": case.version})
    assert response.status_code == 302
    assert response["Location"].endswith("#offences")
    case.refresh_from_db()
    assert case.priority == "P1"


def test_the_correct_page_answers_409_when_the_case_moved_on(client, case, investigator):
    client.force_login(investigator)
    offence_add(
        case=case,
        by=investigator,
        type="sexual_communication_with_child",
        reason="Found",
        version=1,
    )
    url = reverse("review:offence_remove", args=[case.reference, case.offences.first().pk])
    response = client.post(url, {"reason": "Error", "version": 1})
    assert response.status_code == 409
    assert case.offences.count() == 2


def test_an_offence_of_another_case_is_not_found_through_this_one(client, case, investigator):
    other = make_case(offences=("rape",))
    grant_case_access(investigator, other)
    client.force_login(investigator)
    url = reverse("review:offence_correct", args=[case.reference, other.offences.get().pk])
    assert client.get(url).status_code == 404


def test_the_case_api_shows_the_corrected_offence_and_the_new_priority(case, investigator):
    from rest_framework.test import APIClient

    offence_correct(
        offence=case.offences.get(), by=investigator, type="rape", reason="Disclosed", version=1
    )
    api = APIClient()
    api.force_login(investigator)
    body = api.get(reverse("api:case-detail", args=[case.reference])).json()
    assert [o["type"] for o in body["offences"]] == ["rape"]
    assert body["priority"] == "P1"
