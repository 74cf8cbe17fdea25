"""The scope criteria and priority of the design card, edge by edge (pure rules, no database)."""

import datetime
import json
from pathlib import Path

import pytest

from cases.eligibility import evaluate, priority_for

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures"


def evaluation(**overrides):
    """A case in scope on every criterion, with the given inputs changed."""
    inputs = {
        "decision_outcome": "nfa",
        "decision_on": datetime.date(2020, 6, 1),
        "suspects": {"S1": False, "S2": False},
        "victim_count": 2,
        "offence_types": ["sexual_assault"],
        "independently_reviewed": False,
    }
    inputs.update(overrides)
    return evaluate(**inputs)


def test_a_case_meeting_every_criterion_is_eligible():
    result = evaluation()
    assert set(result.as_dict().values()) == {"pass"}
    assert len(result.criteria) == 7
    assert result.eligibility == "eligible"


@pytest.mark.parametrize(
    ("decided_on", "expected"),
    [
        ("2009-12-31", "fail"),
        ("2010-01-01", "pass"),
        ("2025-03-31", "pass"),
        ("2025-04-01", "fail"),
        (None, "unknown"),
    ],
)
def test_the_decision_window_includes_both_ends_and_nothing_beyond(decided_on, expected):
    result = evaluation(decision_on=decided_on)["decision_window"]
    assert result.result == expected


def test_the_decision_window_reason_says_which_side_the_date_falls():
    assert (
        evaluation(decision_on="2008-03-02")["decision_window"].reason
        == "Decision dated 2008-03-02 is before 1 January 2010"
    )
    assert (
        evaluation(decision_on=datetime.date(2025, 4, 1))["decision_window"].reason
        == "Decision dated 2025-04-01 is after 31 March 2025"
    )
    assert "data gap" in evaluation(decision_on=None)["decision_window"].reason


@pytest.mark.parametrize(("outcome", "expected"), [("nfa", "pass"), ("other", "fail")])
def test_only_a_no_further_action_decision_is_in_scope(outcome, expected):
    assert evaluation(decision_outcome=outcome)["nfa_decision"].result == expected


@pytest.mark.parametrize(
    ("suspects", "expected"),
    [({}, "fail"), ({"S1": False}, "fail"), ({"S1": False, "S2": True}, "pass")],
)
def test_two_or_more_suspects_counts_every_suspect_alive_or_dead(suspects, expected):
    assert evaluation(suspects=suspects)["two_or_more_suspects"].result == expected


@pytest.mark.parametrize(("count", "expected"), [(0, "fail"), (1, "fail"), (2, "pass")])
def test_more_than_one_victim_is_needed(count, expected):
    result = evaluation(victim_count=count)["two_or_more_victims"]
    assert result.result == expected
    assert result.reason == {0: "No victims recorded", 1: "Only one victim recorded"}.get(
        count, "2 victims recorded"
    )


@pytest.mark.parametrize(
    ("offences", "expected"),
    [
        ([], "unknown"),
        (["indecent_images", "other"], "fail"),
        (["indecent_images", "rape"], "pass"),
        (["child_sexual_exploitation"], "pass"),
    ],
)
def test_contact_offence_is_unknown_when_no_offence_is_recorded(offences, expected):
    assert evaluation(offence_types=offences)["contact_offence"].result == expected


@pytest.mark.parametrize(
    ("suspects", "expected"),
    [
        ({}, "fail"),
        ({"S1": True, "S2": True}, "fail"),
        ({"S1": None, "S2": True}, "unknown"),
        ({"S1": None, "S2": None}, "unknown"),
        ({"S1": None, "S2": False}, "pass"),
        ({"S1": True, "S2": False}, "pass"),
    ],
)
def test_suspect_alive_needs_one_known_alive_and_is_unknown_only_without_one(suspects, expected):
    assert evaluation(suspects=suspects)["suspect_alive"].result == expected


def test_an_unknown_life_status_names_the_suspects_to_chase():
    result = evaluation(suspects={"S1": True, "S2": None, "S3": None})["suspect_alive"]
    assert result.reason == "Suspect life status not recorded for S2, S3: a data gap to chase"
    unnamed = evaluation(suspects=[True, None, None])["suspect_alive"]
    assert unnamed.result == "unknown"
    assert unnamed.reason == "Suspect life status not recorded for 2 suspects: a data gap to chase"


@pytest.mark.parametrize(
    ("reviewed", "expected"), [(False, "pass"), (True, "fail"), (None, "unknown")]
)
def test_an_earlier_independent_review_excludes_and_not_knowing_is_unknown(reviewed, expected):
    assert (
        evaluation(independently_reviewed=reviewed)["not_independently_reviewed"].result == expected
    )


def test_any_fail_makes_the_case_ineligible_even_beside_unknowns():
    result = evaluation(decision_on=None, independently_reviewed=True)
    assert result["decision_window"].result == "unknown"
    assert result.eligibility == "ineligible"


def test_an_unknown_without_any_fail_leaves_eligibility_unknown():
    result = evaluation(independently_reviewed=None, offence_types=[])
    assert result.eligibility == "unknown"


def test_every_reason_fits_the_stored_column():
    suspects = {f"SUSPECT-REFERENCE-{n:03d}": None for n in range(60)}
    reason = evaluation(suspects=suspects)["suspect_alive"].reason
    assert len(reason) <= 300
    assert reason.startswith("Suspect life status not recorded for SUSPECT-REFERENCE-000")


@pytest.mark.parametrize(
    ("offences", "flagged", "expected"),
    [
        (["rape"], False, "P1"),
        (["assault_by_penetration", "other"], False, "P1"),
        (["rape"], True, "P1"),
        (["sexual_assault"], True, "P2"),
        (["sexual_assault"], False, "P3"),
        ([], False, "P3"),
    ],
)
def test_priority_puts_rape_first_then_dangerous_or_flight_risk_suspects(
    offences, flagged, expected
):
    assert (
        priority_for(offence_types=offences, has_active_danger_or_flight_flag=flagged) == expected
    )


def test_the_rules_over_the_sample_referrals_give_its_expected_results():
    """The sample file's expectations, from the referral dicts alone (no import)."""
    referrals = json.loads((FIXTURES / "referrals-sample.json").read_text())["referrals"]
    expected = json.loads((FIXTURES / "referrals-sample.expected.json").read_text())["cases"]
    assert len(referrals) == len(expected) == 40
    for referral in referrals:
        offences = [o["type"] for o in referral["offences"]]
        result = evaluate(
            decision_outcome=referral["original_decision"]["outcome"],
            decision_on=referral["original_decision"]["decided_on"],
            suspects={s["ref"]: s["deceased"] for s in referral["suspects"]},
            victim_count=len(referral["victims"]),
            offence_types=offences,
            independently_reviewed=referral["independently_reviewed"],
        )
        want = expected[f"{referral['force']}|{referral['force_reference']}"]
        assert result.as_dict() == want["criteria"], referral["force_reference"]
        assert result.eligibility == want["eligibility"]
        priority = priority_for(offence_types=offences, has_active_danger_or_flight_flag=False)
        assert priority == want["priority"]
