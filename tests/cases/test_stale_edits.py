"""A stale edit is refused, nothing is overwritten, and the user is told what changed."""

import datetime

import pytest

from cases.models import Finding, LineOfInquiry, Person, SuspectFlag
from cases.permissions import grant_case_access
from cases.services.cases import case_eligibility_decide, case_update
from cases.services.errors import StaleEdit
from cases.services.findings import finding_create, finding_update
from cases.services.flags import flag_clear, flag_set, flag_update
from cases.services.inquiries import inquiry_create, inquiry_update
from cases.services.intake import case_recompute
from cases.services.people import party_update, person_update
from tests.factories import make_case

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(investigator, other_investigator):
    case = make_case()
    case_recompute(case=case)
    grant_case_access(investigator, case)
    grant_case_access(other_investigator, case)
    return case


def _fresh(obj):
    return type(obj).objects.get(pk=obj.pk)


def test_two_investigators_edit_a_case_at_once_and_the_second_is_told_what_changed(
    case, investigator, other_investigator
):
    mine = _fresh(case)
    theirs = _fresh(case)
    case_update(case=theirs, by=other_investigator, version=1, summary="Their summary")
    with pytest.raises(StaleEdit) as stale:
        case_update(case=mine, by=investigator, version=1, decision_rationale="My rationale")
    assert stale.value.changes == {
        "summary": {"theirs": "Their summary", "yours": mine.summary},
    }
    assert stale.value.current.summary == "Their summary"
    assert stale.value.current.version == 2
    assert f"{case.reference} was changed by someone else" in stale.value.messages[0]
    stored = _fresh(case)
    assert (stored.summary, stored.decision_rationale, stored.version) == (
        "Their summary",
        case.decision_rationale,
        2,
    )


def test_a_stale_edit_of_the_same_field_shows_theirs_and_yours(
    case, investigator, other_investigator
):
    mine = _fresh(case)
    case_update(case=_fresh(case), by=other_investigator, version=1, summary="Theirs")
    with pytest.raises(StaleEdit) as stale:
        case_update(case=mine, by=investigator, version=1, summary="Mine")
    assert stale.value.changes == {"summary": {"theirs": "Theirs", "yours": "Mine"}}
    assert _fresh(case).summary == "Theirs"


def test_a_stale_edit_through_a_fresh_copy_reports_the_fields_that_differ(
    case, investigator, other_investigator
):
    # A view that re-reads the case on POST only has the version the form carried.
    case_update(case=_fresh(case), by=other_investigator, version=1, summary="Theirs")
    with pytest.raises(StaleEdit) as stale:
        case_update(
            case=_fresh(case),
            by=investigator,
            version=1,
            summary="Mine",
            decision_rationale=case.decision_rationale,
        )
    assert stale.value.changes == {"summary": {"theirs": "Theirs", "yours": "Mine"}}


def test_an_edit_on_the_current_version_is_saved_and_bumps_the_version(case, investigator):
    updated = case_update(case=case, by=investigator, version=1, summary="New summary")
    assert (updated.summary, updated.version) == ("New summary", 2)
    assert _fresh(case).version == 2


def test_an_edit_that_changes_nothing_keeps_the_version(case, investigator):
    updated = case_update(case=case, by=investigator, version=1, summary=case.summary)
    assert updated.version == 1


def test_a_stale_eligibility_decision_is_refused(case, review_lead, investigator):
    loaded = _fresh(case)
    case_update(case=_fresh(case), by=investigator, version=1, independently_reviewed=True)
    with pytest.raises(StaleEdit) as stale:
        case_eligibility_decide(
            case=loaded, by=review_lead, decision="eligible", reason="In scope", version=1
        )
    assert stale.value.changes["independently_reviewed"] == {"theirs": True, "yours": False}
    assert _fresh(case).eligibility_decision == ""


def test_a_stale_edit_of_a_party_is_refused(case, investigator, other_investigator):
    party = case.parties.get(ref="S1")
    mine = _fresh(party)
    party_update(party=_fresh(party), by=other_investigator, version=1, deceased=True)
    with pytest.raises(StaleEdit) as stale:
        party_update(party=mine, by=investigator, version=1, interviewed=True)
    assert stale.value.changes == {"deceased": {"theirs": True, "yours": False}}
    stored = _fresh(party)
    assert (stored.deceased, stored.interviewed, stored.version) == (True, False, 2)


def test_a_stale_edit_of_a_person_is_refused(case, investigator, other_investigator):
    person = case.parties.get(ref="V1").person
    mine = _fresh(person)
    person_update(
        person=_fresh(person),
        by=other_investigator,
        version=1,
        ethnicity="white_british",
        ethnicity_source="self",
    )
    with pytest.raises(StaleEdit) as stale:
        person_update(person=mine, by=investigator, version=1, surname="Corrected")
    assert stale.value.changes == {
        "ethnicity": {"theirs": "white_british", "yours": None},
        "ethnicity_source": {"theirs": "self", "yours": None},
    }
    assert _fresh(person).surname == person.surname
    assert isinstance(stale.value.current, Person)


def test_a_stale_edit_of_a_line_of_inquiry_is_refused(case, investigator, other_investigator):
    inquiry = inquiry_create(
        case=case, by=investigator, description="Request phone records", origin="review"
    )
    mine = _fresh(inquiry)
    inquiry_update(inquiry=_fresh(inquiry), by=other_investigator, version=1, status="in_progress")
    with pytest.raises(StaleEdit) as stale:
        inquiry_update(
            inquiry=mine, by=investigator, version=1, status="not_pursued", rationale="No value"
        )
    assert stale.value.changes == {"status": {"theirs": "in_progress", "yours": "not_pursued"}}
    stored = _fresh(inquiry)
    assert (stored.status, stored.rationale, stored.version) == ("in_progress", "", 2)
    assert isinstance(stale.value.current, LineOfInquiry)


def test_a_stale_allocation_reports_the_officers(case, investigator, other_investigator):
    inquiry = inquiry_create(case=case, by=investigator, description="Trace", origin="review")
    mine = _fresh(inquiry)
    inquiry_update(
        inquiry=_fresh(inquiry), by=investigator, version=1, allocated_to=other_investigator
    )
    with pytest.raises(StaleEdit) as stale:
        inquiry_update(inquiry=mine, by=investigator, version=1, allocated_to=investigator)
    assert stale.value.changes["allocated_to"] == {
        "theirs": other_investigator,
        "yours": investigator,
    }


def test_a_stale_edit_of_a_finding_is_refused(case, investigator, other_investigator):
    finding = finding_create(
        case=case,
        by=investigator,
        category="victim_account",
        description="No video interview",
        severity="high",
    )
    mine = _fresh(finding)
    finding_update(finding=_fresh(finding), by=other_investigator, version=1, severity="medium")
    with pytest.raises(StaleEdit) as stale:
        finding_update(finding=mine, by=investigator, version=1, description="Rewritten")
    assert stale.value.changes == {"severity": {"theirs": "medium", "yours": "high"}}
    stored = _fresh(finding)
    assert (stored.description, stored.severity) == ("No video interview", "medium")
    assert isinstance(stale.value.current, Finding)


def test_a_stale_edit_of_a_flag_is_refused(case, investigator, other_investigator):
    flag = flag_set(
        party=case.parties.get(ref="S1"), by=investigator, kind="dangerous", reason="Threats"
    )
    mine = _fresh(flag)
    later = datetime.date.today() + datetime.timedelta(days=60)
    flag_update(flag=_fresh(flag), by=other_investigator, version=1, review_by=later)
    with pytest.raises(StaleEdit) as stale:
        flag_update(flag=mine, by=investigator, version=1, reason="Threats to a witness")
    assert stale.value.changes == {"review_by": {"theirs": later, "yours": None}}
    assert _fresh(flag).reason == "Threats"


def test_clearing_a_flag_someone_just_changed_is_refused(case, investigator, other_investigator):
    flag = flag_set(
        party=case.parties.get(ref="S1"), by=investigator, kind="dangerous", reason="Threats"
    )
    mine = _fresh(flag)
    flag_update(flag=_fresh(flag), by=other_investigator, version=1, reason="New threats")
    with pytest.raises(StaleEdit) as stale:
        flag_clear(flag=mine, by=investigator, reason="No longer a risk", version=1)
    assert stale.value.changes == {"reason": {"theirs": "New threats", "yours": "Threats"}}
    stored = _fresh(flag)
    assert stored.is_active
    assert isinstance(stale.value.current, SuspectFlag)
    case.refresh_from_db()
    assert case.priority == "P2"


def test_two_simultaneous_edits_on_the_same_version_save_exactly_one(
    transactional_db, investigator, other_investigator
):
    import threading

    from django.db import connection

    case = make_case()
    grant_case_access(investigator, case)
    grant_case_access(other_investigator, case)
    barrier = threading.Barrier(2)
    outcomes = {}

    def edit(user, summary):
        try:
            barrier.wait(timeout=10)
            case_update(case=_fresh(case), by=user, version=1, summary=summary)
            outcomes[summary] = "saved"
        except StaleEdit as stale:
            outcomes[summary] = stale.changes
        finally:
            connection.close()

    threads = [
        threading.Thread(target=edit, args=(investigator, "Mine")),
        threading.Thread(target=edit, args=(other_investigator, "Theirs")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    stored = _fresh(case)
    assert stored.version == 2
    winner = stored.summary
    loser = {"Mine": "Theirs", "Theirs": "Mine"}[winner]
    assert outcomes == {
        winner: "saved",
        loser: {"summary": {"theirs": winner, "yours": loser}},
    }
