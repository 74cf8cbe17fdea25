"""Suspect flags: set at once, lift priority, tell the team's review leads (reference, kind)."""

import datetime

import pytest
from django.core import mail
from django.core.exceptions import ValidationError

from cases import signals
from cases.models import SuspectFlag
from cases.permissions import grant_case_access
from cases.services.errors import ActionNotPermitted
from cases.services.flags import flag_clear, flag_set, flag_update
from cases.services.intake import case_recompute
from cases.tasks import notify_review_leads_of_flag
from cases.vocabulary import Basis, FlagKind, Priority
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(investigator):
    case = make_case(suspects=2, victims=2, offences=("sexual_assault",))
    case_recompute(case=case)
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def suspect(case):
    return case.parties.get(ref="S1")


@pytest.fixture
def flag_changes():
    received = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        received.append(kwargs)

    signals.suspect_flag_changed.connect(receiver, weak=False)
    yield received
    signals.suspect_flag_changed.disconnect(receiver)


def _priority(case):
    case.refresh_from_db()
    return case.priority


def test_a_dangerous_flag_lifts_a_p3_case_to_p2_and_clearing_it_drops_it_back(
    case, suspect, investigator
):
    assert _priority(case) == Priority.P3
    flag = flag_set(party=suspect, by=investigator, kind=FlagKind.DANGEROUS, reason="Threats")
    assert _priority(case) == Priority.P2
    flag_clear(flag=flag, by=investigator, reason="Threat assessed as withdrawn", version=1)
    assert _priority(case) == Priority.P3


def test_a_flight_risk_flag_also_lifts_priority(case, suspect, investigator):
    flag_set(party=suspect, by=investigator, kind=FlagKind.FLIGHT_RISK, reason="Booked travel")
    assert _priority(case) == Priority.P2


def test_a_flag_does_not_lower_a_p1_case(investigator):
    case = make_case(offences=("rape",))
    case_recompute(case=case)
    grant_case_access(investigator, case)
    flag_set(party=case.parties.get(ref="S1"), by=investigator, kind="dangerous", reason="Risk")
    assert _priority(case) == Priority.P1


def test_priority_stays_p2_while_another_flag_is_active(case, investigator):
    first = flag_set(
        party=case.parties.get(ref="S1"), by=investigator, kind="dangerous", reason="A"
    )
    flag_set(party=case.parties.get(ref="S2"), by=investigator, kind="flight_risk", reason="B")
    flag_clear(flag=first, by=investigator, reason="Reassessed", version=1)
    assert _priority(case) == Priority.P2


def test_a_flag_records_who_when_why_and_its_basis(case, suspect, investigator):
    review_by = datetime.date.today() + datetime.timedelta(days=30)
    flag = flag_set(
        party=suspect,
        by=investigator,
        kind=FlagKind.FLIGHT_RISK,
        reason="  Holds two passports  ",
        basis=Basis.FACT,
        review_by=review_by,
    )
    flag.refresh_from_db()
    assert (flag.set_by, flag.reason, flag.basis, flag.review_by) == (
        investigator,
        "Holds two passports",
        "fact",
        review_by,
    )
    assert flag.is_active


def test_flags_are_assessments_unless_said_otherwise(case, suspect, investigator):
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Intelligence")
    assert flag.basis == Basis.ASSESSMENT


def test_only_suspects_can_be_flagged(case, investigator):
    victim = case.parties.get(ref="V1")
    with pytest.raises(ValidationError, match="Only suspects are flagged; V1 is a victim"):
        flag_set(party=victim, by=investigator, kind="dangerous", reason="Wrong person")
    assert not SuspectFlag.objects.exists()


def test_a_second_active_flag_of_the_same_kind_is_refused(case, suspect, investigator):
    flag_set(party=suspect, by=investigator, kind="dangerous", reason="First")
    with pytest.raises(ValidationError) as refused:
        flag_set(party=suspect, by=investigator, kind="dangerous", reason="Again")
    assert "already flagged dangerous" in refused.value.message_dict["kind"][0]
    assert SuspectFlag.objects.count() == 1


def test_a_cleared_flag_can_be_set_again(case, suspect, investigator):
    first = flag_set(party=suspect, by=investigator, kind="dangerous", reason="First")
    flag_clear(flag=first, by=investigator, reason="Reassessed", version=1)
    again = flag_set(party=suspect, by=investigator, kind="dangerous", reason="New threats")
    assert again.pk != first.pk
    assert _priority(case) == Priority.P2


@pytest.mark.parametrize(
    ("fields", "error_field"),
    [
        ({"reason": "   "}, "reason"),
        ({"reason": "Risk", "basis": "rumour"}, "basis"),
        ({"reason": "Risk", "review_by": datetime.date(2020, 1, 1)}, "review_by"),
        ({"reason": "Risk", "kind": "violent"}, "kind"),
    ],
)
def test_a_flag_needs_a_reason_a_basis_and_a_review_date_ahead(
    fields, error_field, case, suspect, investigator
):
    fields = {"kind": "dangerous", **fields}
    with pytest.raises(ValidationError) as refused:
        flag_set(party=suspect, by=investigator, **fields)
    assert error_field in refused.value.message_dict
    assert not SuspectFlag.objects.exists()
    assert _priority(case) == Priority.P3


def test_clearing_records_who_when_and_why(case, suspect, investigator):
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Threats")
    cleared = flag_clear(flag=flag, by=investigator, reason=" Suspect in custody ", version=1)
    cleared.refresh_from_db()
    assert cleared.cleared_by == investigator
    assert cleared.cleared_reason == "Suspect in custody"
    assert cleared.cleared_at is not None
    assert cleared.version == 2


def test_clearing_needs_a_reason_and_happens_once(case, suspect, investigator):
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Threats")
    with pytest.raises(ValidationError) as refused:
        flag_clear(flag=flag, by=investigator, reason="", version=1)
    assert "reason" in refused.value.message_dict
    flag_clear(flag=flag, by=investigator, reason="Reassessed", version=1)
    with pytest.raises(ValidationError, match="already been cleared"):
        flag_clear(flag=flag, by=investigator, reason="Again", version=2)


def test_an_active_flags_reason_and_review_date_can_be_corrected(case, suspect, investigator):
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Threats")
    updated = flag_update(flag=flag, by=investigator, version=1, reason="Threats to a witness")
    assert (updated.reason, updated.version) == ("Threats to a witness", 2)


def test_setting_a_flag_emails_every_review_lead_of_the_team_once_with_reference_and_kind_only(
    case,
    suspect,
    investigator,
    review_lead,
    make_user,
    team,
    other_team_review_lead,
    national_lead,
    django_capture_on_commit_callbacks,
):
    from beaconport.roles import Role

    second_lead = make_user("rhea.lead", Role.REVIEW_LEAD)
    make_user("ruth.retired", Role.REVIEW_LEAD, is_active=False)
    team.members.add(second_lead)
    person = suspect.person
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        flag = flag_set(
            party=suspect, by=investigator, kind="flight_risk", reason="Secret travel plans"
        )
    assert mail.outbox == []
    assert callbacks, "the email task is enqueued only when the transaction commits"
    # Run the task the way a worker would, twice: the leads hear of it once.
    notify_review_leads_of_flag(flag.pk)
    notify_review_leads_of_flag(flag.pk)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([review_lead.email, second_lead.email])
    assert all(len(m.to) == 1 and not m.cc and not m.bcc for m in mail.outbox)
    for message in mail.outbox:
        text = message.subject + message.body
        assert case.reference in text
        assert "At risk of leaving the UK" in text
        for secret in (person.surname, person.forenames, "Secret travel plans", suspect.ref):
            assert secret not in text
    assert investigator.email not in [m.to[0] for m in mail.outbox]
    # Neither another region's lead nor the national lead: the team covering the force has one.
    assert other_team_review_lead.email not in [m.to[0] for m in mail.outbox]
    assert national_lead.email not in [m.to[0] for m in mail.outbox]


def test_a_flag_on_a_force_no_team_lead_covers_goes_to_the_national_leads(
    investigator, national_lead, make_user
):
    from cases.models import Force
    from cases.permissions import grant_case_access
    from tests.factories import make_case

    case = make_case(force=Force.objects.get(slug="cumbria"))
    grant_case_access(investigator, case)
    flag = flag_set(
        party=case.parties.get(ref="S1"), by=investigator, kind="dangerous", reason="Threats"
    )
    notify_review_leads_of_flag(flag.pk)
    assert [m.to for m in mail.outbox] == [[national_lead.email]]


def test_no_email_or_signal_when_setting_a_flag_fails(
    case, suspect, investigator, review_lead, django_capture_on_commit_callbacks, flag_changes
):
    with django_capture_on_commit_callbacks(execute=True), pytest.raises(ValidationError):
        flag_set(party=suspect, by=investigator, kind="dangerous", reason="")
    assert mail.outbox == []
    assert flag_changes == []


def test_flag_changes_are_announced_after_commit(
    case, suspect, investigator, django_capture_on_commit_callbacks, flag_changes
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Threats")
    assert flag_changes == []
    for callback in callbacks:
        callback()
    with django_capture_on_commit_callbacks(execute=True):
        flag_clear(flag=flag, by=investigator, reason="Reassessed", version=1)
    assert flag_changes == [
        {"case_id": case.pk, "flag_id": flag.pk, "kind": "dangerous", "active": True},
        {"case_id": case.pk, "flag_id": flag.pk, "kind": "dangerous", "active": False},
    ]


def test_clearing_a_flag_does_not_email_the_leads(
    case, suspect, investigator, review_lead, django_capture_on_commit_callbacks
):
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Threats")
    notify_review_leads_of_flag(flag.pk)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        flag_clear(flag=flag, by=investigator, reason="Reassessed", version=1)
    assert mail.outbox == []


def test_an_investigator_not_assigned_cannot_flag_or_clear(
    case, suspect, investigator, other_investigator
):
    with pytest.raises(ActionNotPermitted):
        flag_set(party=suspect, by=other_investigator, kind="dangerous", reason="Not mine")
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Threats")
    with pytest.raises(ActionNotPermitted):
        flag_clear(flag=flag, by=other_investigator, reason="Not mine", version=1)
    assert _priority(case) == Priority.P2


def test_a_liaison_officer_cannot_flag_a_suspect(case, suspect, liaison_officer):
    with pytest.raises(ActionNotPermitted):
        flag_set(party=suspect, by=liaison_officer, kind="dangerous", reason="Worried")
    assert not SuspectFlag.objects.exists()


@pytest.mark.worker
def test_a_real_worker_emails_the_leads_once_the_flag_is_committed(
    tmp_path, monkeypatch, redis_url, start_worker, make_user, team
):
    from beaconport.roles import Role
    from tests.worker import wait_for

    folder = tmp_path / "mail"
    folder.mkdir()
    monkeypatch.setenv("EMAIL_BACKEND", "django.core.mail.backends.filebased.EmailBackend")
    monkeypatch.setenv("EMAIL_FILE_PATH", str(folder))
    worker = start_worker()
    investigator = make_user("ivy.investigator", Role.INVESTIGATOR)
    lead = make_user("rowan.lead", Role.REVIEW_LEAD)
    team.members.add(lead)
    case = make_case()
    grant_case_access(investigator, case)
    suspect = case.parties.get(ref="S1")
    flag = flag_set(party=suspect, by=investigator, kind="dangerous", reason="Made threats")

    def told():
        return SuspectFlag.objects.filter(pk=flag.pk, leads_notified_at__isnull=False).exists()

    wait_for(told)
    sent = "".join(path.read_text() for path in folder.iterdir())
    assert sent.count(f"To: {lead.email}") == 1
    assert case.reference in sent
    assert suspect.person.surname not in sent
    assert "Made threats" not in sent
    assert "cases.notify_review_leads_of_flag" in worker.log()
