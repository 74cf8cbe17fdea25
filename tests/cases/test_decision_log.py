"""The senior investigating officer's decision log (issue 13): written by the case's leads,
read by its investigators, append-only everywhere (the model, the routes, the admin)."""

import datetime

import pytest
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from cases.models import DecisionLogEntry
from cases.permissions import grant_case_access
from cases.services.decision_log import decision_log_add
from cases.services.errors import ActionNotPermitted
from tests.factories import make_case

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 11, 2)


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


def _add(case, by, decision="Re-interview V1", **more):
    return decision_log_add(
        case=case,
        by=by,
        decision=decision,
        rationale=more.pop("rationale", "The first interview was not recorded."),
        decided_on=more.pop("decided_on", DAY),
        **more,
    )


def test_a_review_lead_records_a_decision_and_the_write_is_audited(case, review_lead):
    entry = _add(case, review_lead)
    assert (entry.case, entry.recorded_by, entry.decided_on) == (case, review_lead, DAY)
    row = AuditEvent.objects.get(object_type="cases.decisionlogentry", object_id=str(entry.pk))
    assert (row.operation, row.actor_id, row.case_id) == ("collect", review_lead.pk, case.pk)


def test_a_national_lead_records_a_decision_on_any_case(case, national_lead):
    assert _add(case, national_lead).recorded_by == national_lead


def test_an_assigned_investigator_may_not_write_the_log(case, investigator):
    with pytest.raises(ActionNotPermitted):
        _add(case, investigator)
    assert not DecisionLogEntry.objects.exists()


def test_another_teams_lead_may_not_write_the_log(case, other_team_review_lead):
    with pytest.raises(ActionNotPermitted):
        _add(case, other_team_review_lead)


def test_the_model_refuses_to_change_or_delete_an_entry(case, review_lead):
    entry = _add(case, review_lead)
    entry.decision = "Something else"
    with pytest.raises(ValidationError):
        entry.save()
    with pytest.raises(ValidationError):
        entry.delete()
    assert DecisionLogEntry.objects.get(pk=entry.pk).decision == "Re-interview V1"


def test_a_revision_names_the_entry_it_revises_which_stays_as_written(case, review_lead):
    first = _add(case, review_lead)
    second = _add(case, review_lead, decision="Do not re-interview V1", revises=first.pk)
    assert second.revises == first
    assert DecisionLogEntry.objects.get(pk=first.pk).decision == "Re-interview V1"


def test_a_revision_of_another_cases_entry_is_refused(case, review_lead):
    elsewhere = _add(make_case(), review_lead)
    with pytest.raises(ValidationError) as refused:
        _add(case, review_lead, revises=elsewhere.pk)
    assert "revises" in refused.value.message_dict


def test_the_rationale_is_required_and_the_date_may_not_be_in_the_future(case, review_lead):
    with pytest.raises(ValidationError) as refused:
        _add(
            case,
            review_lead,
            rationale=" ",
            decided_on=timezone.localdate() + datetime.timedelta(days=1),
        )
    assert set(refused.value.message_dict) == {"rationale", "decided_on"}


def test_there_is_no_route_to_edit_or_delete_an_entry(case, review_lead):
    for name in ("decision_log_edit", "decision_log_delete", "decision_edit"):
        with pytest.raises(NoReverseMatch):
            reverse(f"review:{name}", args=[case.reference, 1])


def test_the_admin_only_reads_the_log(rf, admin_user):
    model_admin = admin.site._registry[DecisionLogEntry]
    request = rf.get("/")
    request.user = admin_user
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)


def test_the_investigator_reads_the_log_but_is_offered_no_way_to_write(
    client, case, investigator, review_lead
):
    _add(case, review_lead, decision="Obtain the phone download")
    client.force_login(investigator)
    response = client.get(reverse("review:decision_log", args=[case.reference]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "Obtain the phone download" in page
    assert reverse("review:decision_log_add", args=[case.reference]) not in page
    add = reverse("review:decision_log_add", args=[case.reference])
    assert client.get(add).status_code == 404
    assert (
        client.post(add, {"decision": "x", "rationale": "y", "decided_on": DAY}).status_code == 404
    )
    assert DecisionLogEntry.objects.count() == 1


def test_another_teams_lead_gets_404_for_the_log(client, case, other_team_review_lead):
    client.force_login(other_team_review_lead)
    assert client.get(reverse("review:decision_log", args=[case.reference])).status_code == 404


def test_the_lead_adds_a_revision_through_the_page(client, case, review_lead):
    first = _add(case, review_lead)
    client.force_login(review_lead)
    url = reverse("review:decision_log_add", args=[case.reference])
    assert "revises the decision of" in client.get(f"{url}?revises={first.pk}").content.decode()
    response = client.post(
        url,
        {"decision": "Stop", "rationale": "V1 declined", "decided_on": DAY, "revises": first.pk},
    )
    assert response.status_code == 302
    assert DecisionLogEntry.objects.get(decision="Stop").revises == first


def test_the_page_answers_400_naming_a_missing_rationale(client, case, review_lead):
    client.force_login(review_lead)
    url = reverse("review:decision_log_add", args=[case.reference])
    response = client.post(url, {"decision": "Stop", "rationale": "", "decided_on": DAY})
    assert response.status_code == 400
    assert "Rationale" in response.content.decode()
    assert not DecisionLogEntry.objects.exists()


def test_the_log_is_paged(client, case, review_lead):
    for number in range(23):
        _add(case, review_lead, decision=f"Decision number {number:02d}")
    client.force_login(review_lead)
    url = reverse("review:decision_log", args=[case.reference])
    first = client.get(url).content.decode()
    assert "Decision number 22" in first and "Decision number 02" not in first
    assert "Decision number 02" in client.get(f"{url}?page=2").content.decode()


def test_the_case_page_shows_the_latest_decisions_with_a_link_to_the_log(
    client, investigator, review_lead
):
    case = make_case()
    grant_case_access(investigator, case)
    for number in range(5):
        _add(case, review_lead, decision=f"Decision number {number}")
    client.force_login(investigator)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    section = page[page.index('id="decision-log"') : page.index('id="timeline"')]
    assert "Decision number 4" in section and "Decision number 1" not in section
    assert reverse("review:decision_log", args=[case.reference]) in section
