"""A victim's needs and safety (issue 13): the needs assessment, the safety plan and its
review, and the alert to review the plan when a suspect on the victim's case is flagged
dangerous.

The alert is driven as it happens: an investigator flags the suspect through the cases
flag service, and the signal it sends after commit reaches liaison's receiver. It tells
whoever holds each victim's record, once, and says nothing of the suspect.
"""

import datetime

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from cases.models import SuspectFlag
from cases.permissions import grant_case_access
from cases.services.errors import ActionNotPermitted, StaleEdit
from cases.services.flags import flag_clear, flag_set
from cases.signals import suspect_flag_changed
from liaison.models import LiaisonRecord, NeedsAssessment, Notification, SafetyPlan
from liaison.services import (
    needs_assessment_save,
    safety_plan_reviewed,
    safety_plan_save,
    safety_review_needed_for_flag,
)
from liaison.views.record_sections import safety_section
from tests.audit.helpers import last_seq
from tests.factories import make_case
from tests.liaison.test_views_setup import days_from_today, record_for

pytestmark = pytest.mark.django_db

SUSPECT_SURNAME = "Blackwoodhurst"
SUSPECT_FORENAMES = "Declan"
FLAG_REASON = "Seen with a blade outside the victim's school"


@pytest.fixture
def case(investigator):
    """A Kent case (the personas' team covers it) with one named suspect and two victims."""
    case = make_case(suspects=1, victims=2)
    grant_case_access(investigator, case)
    person = case.parties.get(ref="S1").person
    person.surname, person.forenames = SUSPECT_SURNAME, SUSPECT_FORENAMES
    person.save(update_fields=["surname", "forenames"])
    return case


@pytest.fixture
def record(case, liaison_officer):
    """The first victim's record, held by the liaison officer."""
    return record_for(liaison_officer, party=case.parties.get(ref="V1"))


def flag(case, investigator, kind="dangerous", capture=None):
    """Flag the case's suspect through the cases service, running what waits for commit."""
    party = case.parties.get(ref="S1")
    if capture is None:
        return flag_set(party=party, by=investigator, kind=kind, reason=FLAG_REASON)
    with capture(execute=True):
        return flag_set(party=party, by=investigator, kind=kind, reason=FLAG_REASON)


def safety_notes(user=None):
    notes = Notification.objects.filter(key__startswith="safety:")
    return notes.filter(user=user) if user is not None else notes


def mails_to(user):
    return [m for m in mail.outbox if user.email in (*m.to, *m.bcc)]


def url(name, record):
    return reverse(f"liaison:{name}", args=[record.pk])


# --- The alert ------------------------------------------------------------------------------


def test_flagging_a_suspect_dangerous_tells_the_officer_once_even_when_the_signal_comes_twice(
    case, record, investigator, liaison_officer, django_capture_on_commit_callbacks
):
    dangerous = flag(case, investigator, capture=django_capture_on_commit_callbacks)
    # The same event delivered again (a retried request): nothing more happens.
    with django_capture_on_commit_callbacks(execute=True):
        suspect_flag_changed.send(
            sender=SuspectFlag,
            case_id=case.pk,
            flag_id=dangerous.pk,
            kind="dangerous",
            active=True,
        )

    note = safety_notes(liaison_officer).get()
    assert note.key == f"safety:{record.pk}:{dangerous.pk}"
    assert note.case_id == case.pk
    assert note.text.startswith(f"{case.reference}: a person on this case")
    assert note.link == reverse("liaison:record", args=[record.pk]) + "#safety"
    plan = SafetyPlan.objects.get(record=record)
    assert plan.review_needed_since is not None
    assert len(mails_to(liaison_officer)) == 1


def test_a_review_recorded_before_the_same_flag_arrives_again_is_not_undone(
    case, record, investigator, liaison_officer, django_capture_on_commit_callbacks
):
    dangerous = flag(case, investigator, capture=django_capture_on_commit_callbacks)
    plan = SafetyPlan.objects.get(record=record)
    safety_plan_reviewed(
        record=record, by=liaison_officer, reviewed_on=timezone.localdate(), version=plan.version
    )

    assert safety_review_needed_for_flag(case_id=case.pk, flag_id=dangerous.pk) == 0

    plan.refresh_from_db()
    assert plan.review_needed_since is None
    assert safety_notes(liaison_officer).count() == 1


def test_the_alert_says_nothing_of_the_suspect(
    case, record, investigator, liaison_officer, django_capture_on_commit_callbacks
):
    flag(case, investigator, capture=django_capture_on_commit_callbacks)

    suspect = case.parties.get(ref="S1")
    note = safety_notes(liaison_officer).get()
    (email,) = mails_to(liaison_officer)
    plan = SafetyPlan.objects.get(record=record)
    for said in (note.text, email.subject, email.body, plan.review_needed_reason):
        assert SUSPECT_SURNAME not in said
        assert SUSPECT_FORENAMES not in said
        assert suspect.pseudonym not in said
        assert "blade" not in said
    assert case.reference in note.text and case.reference in email.subject
    assert record.pseudonym not in email.body  # email leaves the system: the reference only


def test_every_victims_record_on_the_case_is_called_to_review_and_none_elsewhere(
    case,
    record,
    investigator,
    liaison_officer,
    other_liaison_officer,
    django_capture_on_commit_callbacks,
):
    second = record_for(other_liaison_officer, party=case.parties.get(ref="V2"))
    elsewhere = record_for(liaison_officer, party=make_case().parties.get(ref="V1"))

    flag(case, investigator, capture=django_capture_on_commit_callbacks)

    assert safety_notes(other_liaison_officer).get().text.endswith(f"{second.pseudonym}.")
    assert safety_notes(liaison_officer).get().text.endswith(f"{record.pseudonym}.")
    assert not SafetyPlan.objects.filter(record=elsewhere).exists()


def test_a_flight_risk_flag_calls_for_no_review(
    case, record, investigator, liaison_officer, django_capture_on_commit_callbacks
):
    flag(case, investigator, kind="flight_risk", capture=django_capture_on_commit_callbacks)

    assert not safety_notes().exists()
    assert not SafetyPlan.objects.filter(record=record).exists()
    assert mails_to(liaison_officer) == []


def test_clearing_a_dangerous_flag_calls_for_no_review(
    case, record, investigator, liaison_officer, django_capture_on_commit_callbacks
):
    dangerous = flag(case, investigator)  # set without its after-commit work: no alert
    with django_capture_on_commit_callbacks(execute=True):
        flag_clear(flag=dangerous, by=investigator, reason="Reassessed", version=1)

    assert not safety_notes().exists()
    # Nor does a late delivery of the set, once the flag is cleared.
    assert safety_review_needed_for_flag(case_id=case.pk, flag_id=dangerous.pk) == 0


def test_a_record_nobody_holds_tells_the_liaison_leads_of_the_cases_team(
    case,
    investigator,
    liaison_lead,
    other_team_liaison_lead,
    national_lead,
    django_capture_on_commit_callbacks,
):
    unheld = record_for(None, party=case.parties.get(ref="V1"))

    dangerous = flag(case, investigator, capture=django_capture_on_commit_callbacks)

    note = safety_notes(liaison_lead).get()
    assert note.key == f"safety:{unheld.pk}:{dangerous.pk}"
    assert not safety_notes(other_team_liaison_lead).exists()
    assert not safety_notes(national_lead).exists()  # the team's own lead covers the force
    assert len(mails_to(liaison_lead)) == 1


def test_an_ended_assignment_tells_the_leads_not_the_former_officer(
    case, investigator, liaison_officer, liaison_lead, django_capture_on_commit_callbacks
):
    ended = record_for(liaison_officer, party=case.parties.get(ref="V1"))
    LiaisonRecord.objects.filter(pk=ended.pk).update(
        officer_until=timezone.now() - datetime.timedelta(hours=1)
    )

    flag(case, investigator, capture=django_capture_on_commit_callbacks)

    assert not safety_notes(liaison_officer).exists()
    assert safety_notes(liaison_lead).count() == 1


def test_a_second_flag_while_a_review_is_pending_keeps_the_first_calls_time(
    case, record, investigator, liaison_officer, django_capture_on_commit_callbacks
):
    first = flag(case, investigator, capture=django_capture_on_commit_callbacks)
    called = SafetyPlan.objects.get(record=record).review_needed_since
    with django_capture_on_commit_callbacks(execute=True):
        flag_clear(flag=first, by=investigator, reason="Reassessed", version=1)
    flag(case, investigator, capture=django_capture_on_commit_callbacks)

    assert SafetyPlan.objects.get(record=record).review_needed_since == called
    assert safety_notes(liaison_officer).count() == 2  # one per flag


def test_the_alert_is_audited_as_the_receiver(
    case, record, investigator, django_capture_on_commit_callbacks
):
    seq = last_seq()
    flag(case, investigator, capture=django_capture_on_commit_callbacks)

    plan = SafetyPlan.objects.get(record=record)
    rows = AuditEvent.objects.filter(seq__gt=seq, object_type="liaison.safetyplan")
    row = rows.get(operation="collect")
    assert row.object_id == str(plan.pk)
    assert row.source == "receiver:liaison.safety_review_for_flag"
    assert (row.case_id, row.person_id) == (case.pk, record.party.person_id)
    sent = rows.get(operation="disclose")  # the email, audited by the outbox when sent
    assert (sent.object_id, sent.case_id) == (str(plan.pk), case.pk)


# --- The review clears the notice -----------------------------------------------------------


def test_recording_a_review_clears_the_notice_on_the_record_page(
    client, case, record, investigator, liaison_officer, django_capture_on_commit_callbacks
):
    flag(case, investigator, capture=django_capture_on_commit_callbacks)
    client.force_login(liaison_officer)
    page = client.get(url("record", record)).content.decode()
    assert "The safety plan needs review since" in page
    plan = SafetyPlan.objects.get(record=record)

    response = client.post(
        url("safety_plan_review", record),
        {"version": plan.version, "reviewed_on": timezone.localdate().isoformat()},
    )

    assert response.status_code == 302
    assert response["Location"].endswith(f"{url('record', record)}#safety")
    plan.refresh_from_db()
    assert (plan.review_needed_since, plan.review_needed_reason) == (None, "")
    assert (plan.reviewed_on, plan.reviewed_by) == (timezone.localdate(), liaison_officer)
    assert (
        "The safety plan needs review since"
        not in client.get(url("record", record)).content.decode()
    )


def test_a_review_dated_before_the_call_does_not_answer_it(
    client, case, record, investigator, liaison_officer, django_capture_on_commit_callbacks
):
    flag(case, investigator, capture=django_capture_on_commit_callbacks)
    plan = SafetyPlan.objects.get(record=record)
    client.force_login(liaison_officer)

    response = client.post(
        url("safety_plan_review", record),
        {"version": plan.version, "reviewed_on": days_from_today(-3).isoformat()},
    )

    assert response.status_code == 400
    assert "Reviewed on: The plan needs review since" in response.content.decode()
    plan.refresh_from_db()
    assert plan.review_needed_since is not None


# --- Pages: saving, bad input, stale edits ----------------------------------------------------


def needs_post(**overrides) -> dict:
    data = {
        "communication_needs": "Short sentences; written follow-up after each call.",
        "interpreter_language": "Polish",
        "accessibility_needs": "",
        "special_measures": ["live_link", "screens"],
        "contact_person": "Synthetic Carer (foster carer)",
        "contact_person_details": "07700 900456",
        "assessed_on": timezone.localdate().isoformat(),
    }
    data.update(overrides)
    return data


def test_the_officer_records_a_needs_assessment_with_special_measures_ticked(
    client, record, liaison_officer
):
    client.force_login(liaison_officer)
    form = client.get(url("needs_edit", record)).content.decode()
    assert 'type="checkbox" name="special_measures" value="live_link"' in form

    response = client.post(url("needs_edit", record), needs_post())

    assert response.status_code == 302
    needs = NeedsAssessment.objects.get(record=record)
    assert needs.special_measures == ["screens", "live_link"]  # in the list's own order
    assert needs.assessed_by == liaison_officer
    page = client.get(url("record", record)).content.decode()
    assert "Screens in court, Live link" in page


@pytest.mark.parametrize(
    ("post", "field", "reason"),
    [
        (needs_post(assessed_on=days_from_today(2).isoformat()), "Assessed on", "in the future"),
        (needs_post(special_measures=["a_moat"]), "Special measures", "Select a valid choice"),
        (needs_post(interpreter_language="x" * 61), "Interpreter language", "at most 60"),
    ],
)
def test_a_bad_needs_assessment_is_refused_naming_the_field(
    client, record, liaison_officer, post, field, reason
):
    client.force_login(liaison_officer)
    response = client.post(url("needs_edit", record), post)
    assert response.status_code == 400
    body = response.content.decode()
    assert f"{field}:" in body and reason in body
    assert not NeedsAssessment.objects.filter(record=record).exists()


def test_a_high_risk_plan_with_nothing_written_is_refused_naming_the_plan(
    client, record, liaison_officer
):
    client.force_login(liaison_officer)
    response = client.post(url("safety_plan_edit", record), {"risk_level": "high", "plan": ""})
    assert response.status_code == 400
    assert (
        "Safety plan: At high risk, say how the victim is kept safe." in response.content.decode()
    )
    assert not SafetyPlan.objects.filter(record=record).exists()


def test_a_stale_safety_plan_edit_is_refused_with_what_changed(
    client, record, liaison_officer, liaison_lead
):
    plan = safety_plan_save(record=record, by=liaison_officer, risk_level="standard", plan="A")
    safety_plan_save(
        record=record, by=liaison_lead, risk_level="high", plan="Move them.", version=plan.version
    )
    client.force_login(liaison_officer)

    response = client.post(
        url("safety_plan_edit", record),
        {"version": plan.version, "risk_level": "medium", "plan": "Check in weekly."},
    )

    assert response.status_code == 409
    body = response.content.decode()
    assert "Level of risk" in body and "Move them." in body and "Check in weekly." in body
    plan.refresh_from_db()
    assert (plan.risk_level, plan.plan) == ("high", "Move them.")


def test_a_needs_assessment_made_meanwhile_is_not_overwritten_by_a_form_opened_before(
    client, record, liaison_officer, liaison_lead
):
    client.force_login(liaison_officer)
    assert 'name="version"' in client.get(url("needs_edit", record)).content.decode()
    needs_assessment_save(record=record, by=liaison_lead, interpreter_language="Urdu")

    response = client.post(url("needs_edit", record), needs_post(version=""))

    assert response.status_code == 409
    assert "Urdu" in response.content.decode()
    assert NeedsAssessment.objects.get(record=record).interpreter_language == "Urdu"


def test_the_services_refuse_a_stale_version_and_say_what_changed(record, liaison_officer):
    needs = needs_assessment_save(record=record, by=liaison_officer, interpreter_language="Welsh")
    needs_assessment_save(
        record=record, by=liaison_officer, interpreter_language="Somali", version=needs.version
    )
    with pytest.raises(StaleEdit) as stale:
        needs_assessment_save(
            record=record, by=liaison_officer, interpreter_language="Farsi", version=needs.version
        )
    assert stale.value.changes["interpreter_language"] == {"theirs": "Somali", "yours": "Farsi"}


# --- Who may ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["needs_edit", "safety_plan_edit", "safety_plan_review"])
@pytest.mark.parametrize("persona", ["investigator", "review_lead", "other_liaison_officer"])
def test_people_who_do_not_hold_the_record_get_404(client, request, record, name, persona):
    client.force_login(request.getfixturevalue(persona))
    assert client.get(url(name, record)).status_code == 404
    assert client.post(url(name, record), {"risk_level": "high"}).status_code == 404


def test_the_services_refuse_an_investigator_on_the_case(record, investigator):
    with pytest.raises(ActionNotPermitted):
        safety_plan_save(record=record, by=investigator, risk_level="high", plan="No.")
    with pytest.raises(ActionNotPermitted):
        needs_assessment_save(record=record, by=investigator)
    with pytest.raises(ActionNotPermitted):
        safety_plan_reviewed(
            record=record, by=investigator, reviewed_on=timezone.localdate(), version=1
        )


def test_the_teams_liaison_lead_may_change_the_plan(client, record, liaison_lead):
    client.force_login(liaison_lead)
    response = client.post(url("safety_plan_edit", record), {"risk_level": "standard", "plan": ""})
    assert response.status_code == 302
    assert SafetyPlan.objects.get(record=record).risk_level == "standard"


# --- The record page's section: a fixed number of queries -----------------------------------


@pytest.mark.parametrize("filled", [False, True])
def test_the_section_costs_one_query_with_or_without_needs_and_a_plan(
    record, liaison_officer, django_assert_num_queries, filled
):
    if filled:
        needs_assessment_save(
            record=record,
            by=liaison_officer,
            special_measures=["screens", "live_link", "in_private", "aids", "intermediary"],
            communication_needs="Plain words.",
        )
        plan = safety_plan_save(record=record, by=liaison_officer, risk_level="high", plan="P.")
        safety_plan_reviewed(
            record=record,
            by=liaison_officer,
            reviewed_on=timezone.localdate(),
            version=plan.version,
        )
    with django_assert_num_queries(1):
        section = safety_section(liaison_officer, record)
        # What the template reads of who assessed and reviewed comes with it.
        if filled:
            assert section["safety_needs"].assessed_by == liaison_officer
            assert section["safety_plan"].reviewed_by == liaison_officer
    assert len(section["safety_measures"]) == (5 if filled else 0)
