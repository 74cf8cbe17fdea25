"""The review workflow: every legal move recorded, every other move refused with a clear error."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from cases import signals
from cases.models import CaseTransition
from cases.permissions import grant_case_access
from cases.services.errors import StaleEdit, TransitionNotAllowed
from cases.services.workflow import case_allowed_transitions, case_transition
from cases.vocabulary import CaseStatus
from cases.workflow import TRANSITIONS
from tests.cases.helpers import no_failings_recorded
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

S = CaseStatus
# The design card's workflow, written out independently of cases.workflow.
LEGAL = {
    (S.REFERRED, S.TRIAGE),
    (S.TRIAGE, S.UNDER_REVIEW),
    (S.UNDER_REVIEW, S.REVIEW_COMPLETE),
    (S.REVIEW_COMPLETE, S.REINVESTIGATION),
    (S.REVIEW_COMPLETE, S.NFA_UPHELD),
    (S.REFERRED, S.INELIGIBLE),
    (S.TRIAGE, S.INELIGIBLE),
    (S.REINVESTIGATION, S.CLOSED),
    (S.NFA_UPHELD, S.CLOSED),
    (S.INELIGIBLE, S.CLOSED),
}
ILLEGAL = sorted(set(itertools.product(S, S)) - LEGAL)


def _id(pair):
    return f"{pair[0]}->{pair[1]}"


@pytest.fixture
def status_changes():
    """Every case_status_changed signal sent during the test, as its keyword arguments."""
    received = []

    def receiver(sender, **kwargs):
        kwargs.pop("signal", None)
        received.append({"sender": sender, **kwargs})

    signals.case_status_changed.connect(receiver, weak=False)
    yield received
    signals.case_status_changed.disconnect(receiver)


def test_the_workflow_table_is_exactly_the_design_cards():
    assert set(TRANSITIONS) == LEGAL


def test_every_status_pair_outside_the_table_is_covered():
    assert len(ILLEGAL) == 8 * 8 - 10


@pytest.mark.parametrize(("frm", "to"), ILLEGAL, ids=[_id(p) for p in ILLEGAL])
def test_an_illegal_move_is_refused_and_nothing_is_recorded(frm, to, review_lead, status_changes):
    case = CaseFactory(status=frm)
    with pytest.raises(TransitionNotAllowed) as refused:
        case_transition(case=case, to=to, by=review_lead, reason="Trying an illegal move")
    message = refused.value.messages[0]
    assert message.startswith(
        f"Cannot move {case.reference} from {S(frm).label} to {S(to).label}: "
    )
    case.refresh_from_db()
    assert case.status == frm
    assert case.version == 1
    assert not CaseTransition.objects.filter(case=case).exists()
    assert status_changes == []


def test_an_illegal_move_names_the_allowed_next_steps(review_lead):
    case = CaseFactory(status=S.REFERRED)
    with pytest.raises(TransitionNotAllowed) as refused:
        case_transition(case=case, to=S.CLOSED, by=review_lead, reason="Close it")
    assert refused.value.messages == [
        f"Cannot move {case.reference} from Referred to Closed: "
        "allowed next steps are Triage, Ineligible"
    ]


def test_a_move_out_of_closed_says_closed_is_final(review_lead):
    case = CaseFactory(status=S.CLOSED)
    with pytest.raises(TransitionNotAllowed, match="Closed is final, with no further steps"):
        case_transition(case=case, to=S.TRIAGE, by=review_lead, reason="Reopen")


def test_a_move_to_a_status_that_does_not_exist_is_refused(review_lead):
    case = CaseFactory(status=S.REFERRED)
    with pytest.raises(TransitionNotAllowed, match="to 'archived'"):
        case_transition(case=case, to="archived", by=review_lead, reason="Archive")


@pytest.mark.parametrize(("frm", "to"), sorted(LEGAL), ids=[_id(p) for p in sorted(LEGAL)])
def test_a_legal_move_is_recorded_with_who_when_and_why(
    frm, to, review_lead, django_capture_on_commit_callbacks, status_changes
):
    case = no_failings_recorded(CaseFactory(status=frm), review_lead)
    before = timezone.now()
    with django_capture_on_commit_callbacks(execute=True):
        moved = case_transition(case=case, to=to, by=review_lead, reason="  Scope settled  ")
    assert moved.status == to
    assert moved.version == 2
    record = CaseTransition.objects.get(case=case)
    assert (record.from_status, record.to_status) == (frm, to)
    assert record.by == review_lead
    assert record.reason == "Scope settled"
    assert before <= record.at <= timezone.now()
    case.refresh_from_db()
    assert (case.status, case.version) == (to, 2)
    assert [type(status_changes[0]["from_status"]), type(status_changes[0]["to_status"])] == [
        str,
        str,
    ]
    assert status_changes == [
        {
            "sender": type(case),
            "case_id": case.pk,
            "from_status": frm,
            "to_status": to,
            "by_id": review_lead.pk,
            "at": record.at,
            "transition_id": record.pk,
        }
    ]


def test_the_status_signal_is_sent_only_after_commit(
    review_lead, django_capture_on_commit_callbacks, status_changes
):
    case = CaseFactory(status=S.REFERRED)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        case_transition(case=case, to=S.TRIAGE, by=review_lead, reason="Start triage")
        assert status_changes == []
    assert status_changes == []
    for callback in callbacks:
        callback()
    assert [c["to_status"] for c in status_changes] == ["triage"]


def test_a_case_walks_the_whole_workflow_and_keeps_its_timeline(review_lead, investigator):
    case = no_failings_recorded(CaseFactory(status=S.REFERRED), investigator)
    grant_case_access(investigator, case)
    steps = [
        (S.TRIAGE, review_lead),
        (S.UNDER_REVIEW, review_lead),
        (S.REVIEW_COMPLETE, investigator),
        (S.NFA_UPHELD, review_lead),
        (S.CLOSED, review_lead),
    ]
    for to, who in steps:
        case = case_transition(case=case, to=to, by=who, reason=f"Step to {to}")
    timeline = list(case.transitions.values_list("from_status", "to_status", "by__username"))
    assert timeline == [
        ("referred", "triage", "rowan.lead"),
        ("triage", "under_review", "rowan.lead"),
        ("under_review", "review_complete", "ivy.investigator"),
        ("review_complete", "nfa_upheld", "rowan.lead"),
        ("nfa_upheld", "closed", "rowan.lead"),
    ]
    assert case.version == 6


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_move_without_a_reason_is_refused(reason, review_lead):
    case = CaseFactory(status=S.REFERRED)
    with pytest.raises(ValidationError) as refused:
        case_transition(case=case, to=S.TRIAGE, by=review_lead, reason=reason)
    assert refused.value.message_dict == {"reason": ["Give the reason for this move."]}
    case.refresh_from_db()
    assert case.status == S.REFERRED


def test_the_move_is_checked_against_the_stored_status_not_a_stale_copy(review_lead):
    case = CaseFactory(status=S.REFERRED)
    stale_copy = type(case).objects.get(pk=case.pk)
    case_transition(case=case, to=S.INELIGIBLE, by=review_lead, reason="Out of scope")
    with pytest.raises(TransitionNotAllowed, match="from Ineligible to Triage"):
        case_transition(case=stale_copy, to=S.TRIAGE, by=review_lead, reason="Triage")


def test_a_move_made_on_a_stale_version_is_refused_with_what_changed(review_lead):
    case = CaseFactory(status=S.REFERRED)
    loaded = type(case).objects.get(pk=case.pk)
    case_transition(case=case, to=S.TRIAGE, by=review_lead, reason="Start triage")
    with pytest.raises(StaleEdit) as stale:
        case_transition(
            case=loaded, to=S.INELIGIBLE, by=review_lead, reason="Out of scope", version=1
        )
    assert stale.value.changes == {"status": {"theirs": "triage", "yours": "ineligible"}}
    assert stale.value.current.status == S.TRIAGE
    assert CaseTransition.objects.filter(case=case).count() == 1


def test_an_assigned_investigator_may_hand_in_a_completed_review(investigator):
    case = no_failings_recorded(CaseFactory(status=S.UNDER_REVIEW), investigator)
    grant_case_access(investigator, case)
    moved = case_transition(case=case, to=S.REVIEW_COMPLETE, by=investigator, reason="Done")
    assert moved.status == S.REVIEW_COMPLETE


@pytest.mark.parametrize(
    ("frm", "to"),
    [
        (S.REFERRED, S.TRIAGE),
        (S.TRIAGE, S.UNDER_REVIEW),
        (S.TRIAGE, S.INELIGIBLE),
        (S.REVIEW_COMPLETE, S.REINVESTIGATION),
        (S.REVIEW_COMPLETE, S.NFA_UPHELD),
        (S.NFA_UPHELD, S.CLOSED),
    ],
    ids=_id,
)
def test_an_assigned_investigator_cannot_make_a_review_leads_decision(frm, to, investigator):
    case = CaseFactory(status=frm)
    grant_case_access(investigator, case)
    with pytest.raises(TransitionNotAllowed, match="that move is for a review lead"):
        case_transition(case=case, to=to, by=investigator, reason="Deciding it myself")
    case.refresh_from_db()
    assert case.status == frm


def test_an_investigator_not_assigned_cannot_move_the_case(investigator, other_investigator):
    case = CaseFactory(status=S.UNDER_REVIEW)
    grant_case_access(investigator, case)
    with pytest.raises(TransitionNotAllowed):
        case_transition(case=case, to=S.REVIEW_COMPLETE, by=other_investigator, reason="Mine")
    case.refresh_from_db()
    assert case.status == S.UNDER_REVIEW


@pytest.mark.parametrize("persona", ["liaison_officer", "liaison_lead", "analyst"])
def test_other_roles_cannot_move_a_case(persona, request):
    user = request.getfixturevalue(persona)
    case = CaseFactory(status=S.UNDER_REVIEW)
    with pytest.raises(TransitionNotAllowed):
        case_transition(case=case, to=S.REVIEW_COMPLETE, by=user, reason="Not mine to do")


def test_allowed_transitions_without_a_user_are_what_the_workflow_allows_now():
    assert case_allowed_transitions(case=CaseFactory(status=S.REFERRED)) == [
        S.TRIAGE,
        S.INELIGIBLE,
    ]
    assert case_allowed_transitions(case=CaseFactory(status=S.REVIEW_COMPLETE)) == [
        S.REINVESTIGATION,
        S.NFA_UPHELD,
    ]
    assert case_allowed_transitions(case=CaseFactory(status=S.CLOSED)) == []


def test_allowed_transitions_for_a_user_are_only_the_moves_they_may_make(
    review_lead, investigator, other_investigator, liaison_officer
):
    under_review = CaseFactory(status=S.UNDER_REVIEW)
    triage = CaseFactory(status=S.TRIAGE)
    grant_case_access(investigator, under_review)
    grant_case_access(investigator, triage)
    assert case_allowed_transitions(case=under_review, user=investigator) == [S.REVIEW_COMPLETE]
    assert case_allowed_transitions(case=triage, user=investigator) == []
    assert case_allowed_transitions(case=triage, user=review_lead) == [
        S.UNDER_REVIEW,
        S.INELIGIBLE,
    ]
    assert case_allowed_transitions(case=under_review, user=other_investigator) == []
    assert case_allowed_transitions(case=under_review, user=liaison_officer) == []
