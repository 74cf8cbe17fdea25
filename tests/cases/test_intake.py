"""Cases from referrals (case_create_from_referral) and eligibility/priority kept current
(case_recompute) as suspects, offences and flags change."""

import copy
import json
from pathlib import Path

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from cases.models import Case, CaseCriterion, CaseParty, Offence, Person, SuspectFlag
from cases.referrals.generator import referrals_generate
from cases.referrals.validate import ReferralInvalid
from cases.services.intake import (
    case_create_from_referral,
    case_recompute,
    cases_create_from_referrals,
)
from cases.signals import case_parties_added
from tests.factories import make_case

pytestmark = pytest.mark.django_db

SAMPLE = Path(__file__).resolve().parent.parent / "fixtures" / "referrals-sample.json"


@pytest.fixture
def referral():
    """The sample's second referral: eligible, P3, two suspects and two victims."""
    return copy.deepcopy(json.loads(SAMPLE.read_text())["referrals"][1])


def criteria_of(case):
    return dict(CaseCriterion.objects.filter(case=case).values_list("name", "result"))


def test_a_referral_becomes_a_case_with_its_people_offences_and_criteria(referral):
    case, outcome = case_create_from_referral(referral=referral)
    assert outcome == "created"
    assert (case.force.slug, case.force_reference) == ("lincolnshire", "LIN/00002/18")
    assert case.eligibility == "eligible"
    stored = Case.objects.get(pk=case.pk)
    assert (stored.eligibility, stored.priority, stored.version) == ("eligible", "P3", 1)
    parties = list(case.parties.order_by("pk").values_list("role", "ref"))
    suspects = [("suspect", s["ref"]) for s in referral["suspects"]]
    victims = [("victim", v["ref"]) for v in referral["victims"]]
    assert parties == suspects + victims
    offence = Offence.objects.get(case=case)
    assert offence.type == referral["offences"][0]["type"]
    assert sorted(offence.victims.values_list("ref", flat=True)) == sorted(
        referral["offences"][0]["victim_refs"]
    )
    assert sorted(offence.suspects.values_list("ref", flat=True)) == sorted(
        referral["offences"][0]["suspect_refs"]
    )
    assert set(criteria_of(case).values()) == {"pass"}
    assert len(criteria_of(case)) == 7


def test_the_same_referral_again_changes_nothing(referral):
    case, _ = case_create_from_referral(referral=referral)
    counts = (Case.objects.count(), Person.objects.count(), Offence.objects.count())
    again, outcome = case_create_from_referral(referral=referral)
    assert outcome == "unchanged"
    assert again.pk == case.pk
    assert (Case.objects.count(), Person.objects.count(), Offence.objects.count()) == counts
    assert Case.objects.get(pk=case.pk).version == 1


def test_a_changed_referral_updates_people_in_place_adds_and_removes_and_bumps_the_version(
    referral,
):
    case, _ = case_create_from_referral(referral=referral)
    kept = CaseParty.objects.get(case=case, ref="S1")
    dropped = CaseParty.objects.get(case=case, ref="V2")
    referral["suspects"][0]["surname"] = "Renamed"
    referral["victims"] = [v for v in referral["victims"] if v["ref"] != "V2"]
    for offence in referral["offences"]:
        offence["victim_refs"] = [r for r in offence["victim_refs"] if r != "V2"] or ["V1"]
    referral["victims"].append({**referral["victims"][0], "ref": "V7"})
    referral["offences"][0]["victim_refs"].append("V7")

    _, outcome = case_create_from_referral(referral=referral)

    assert outcome == "updated"
    assert Case.objects.get(pk=case.pk).version == 2
    kept.refresh_from_db()
    assert kept.person.surname == "Renamed"
    assert kept.person.version == 2
    assert not CaseParty.objects.filter(pk=dropped.pk).exists()
    assert not Person.objects.filter(pk=dropped.person_id).exists()
    assert CaseParty.objects.filter(case=case, ref="V7", role="victim").exists()
    assert "V7" in Offence.objects.get(case=case).victims.values_list("ref", flat=True)


def test_a_suspect_now_recorded_dead_makes_the_case_ineligible(referral):
    case, _ = case_create_from_referral(referral=referral)
    for suspect in referral["suspects"]:
        suspect["deceased"] = True
    _, outcome = case_create_from_referral(referral=referral)
    assert outcome == "updated"
    assert Case.objects.get(pk=case.pk).eligibility == "ineligible"
    assert criteria_of(case)["suspect_alive"] == "fail"


def test_an_invalid_referral_is_refused_with_every_problem_and_nothing_written(referral):
    referral["force"] = "atlantis"
    referral["suspects"][0]["date_of_birth"] = "2023-02-30"
    with pytest.raises(ReferralInvalid) as refused:
        case_create_from_referral(referral=referral)
    paths = [p.path for p in refused.value.problems]
    assert paths == ["$.referrals[0].force", "$.referrals[0].suspects[0].date_of_birth"]
    assert Case.objects.count() == 0


def test_each_added_party_is_announced_once_after_commit(
    referral, django_capture_on_commit_callbacks
):
    heard = []

    def listener(sender, *, parties, **kwargs):
        heard.extend(parties)

    case_parties_added.connect(listener, dispatch_uid="test-intake-listener")
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            case, _ = case_create_from_referral(referral=referral)
        assert heard == []  # nothing before the commit
        for callback in callbacks:
            callback()
        expected = list(case.parties.order_by("pk").values_list("case_id", "pk", "role"))
        assert sorted(heard) == sorted(expected)

        heard.clear()
        referral["victims"].append({**referral["victims"][0], "ref": "V9"})
        with django_capture_on_commit_callbacks(execute=True):
            case_create_from_referral(referral=referral)
        new = CaseParty.objects.get(case=case, ref="V9")
        assert heard == [(case.pk, new.pk, "victim")]
    finally:
        case_parties_added.disconnect(dispatch_uid="test-intake-listener")


def test_a_batch_costs_the_same_number_of_queries_at_5_and_at_50_referrals():
    referrals = list(referrals_generate(count=55, seed=11, forces=5, rape=10))
    counts = []
    for batch in (referrals[:5], referrals[5:]):
        with CaptureQueriesContext(connection) as queries:
            results = cases_create_from_referrals(referrals=batch, validated=True)
        assert {outcome for _, outcome in results} == {"created"}
        counts.append(len(queries))
    # Savepoint (2), forces, existing cases, cases, people, parties, offences, two links,
    # criteria, one audit row naming the new cases.
    assert counts[0] == 12
    if connection.vendor == "postgresql":
        assert counts[1] == 12
    else:
        # SQLite caps a statement's parameters (999), so Django splits the larger batch's
        # inserts: more statements, never more than one per 999 values.
        assert 12 < counts[1] < 12 + 50
    # Again, nothing to write: the savepoint, forces, cases (locked), parties, their
    # people's identifiers (to compare with the file's), offences and their two link tables.
    with CaptureQueriesContext(connection) as queries:
        results = cases_create_from_referrals(referrals=referrals[5:], validated=True)
    assert {outcome for _, outcome in results} == {"unchanged"}
    assert len(queries) == 9


@pytest.mark.parametrize("suspects", [2, 20])
def test_recompute_costs_a_fixed_number_of_queries_whatever_the_case_size(
    suspects, django_assert_num_queries
):
    case = make_case(suspects=suspects, victims=suspects, offences=["sexual_assault", "other"])
    # Five reads, then the case's two columns and its seven criteria written.
    with django_assert_num_queries(7):
        assert case_recompute(case=case) is True
    with django_assert_num_queries(5):
        assert case_recompute(case=case) is False


def test_recompute_writes_only_what_changed_and_bumps_nothing_else():
    case = make_case()
    case_recompute(case=case)
    before = Case.objects.get(pk=case.pk)
    assert case_recompute(case=case) is False
    after = Case.objects.get(pk=case.pk)
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    CaseParty.objects.filter(case=case, role="suspect").update(deceased=True)
    assert case_recompute(case=case) is True
    after = Case.objects.get(pk=case.pk)
    assert after.eligibility == "ineligible"
    assert (after.version, after.updated_at) == (before.version, before.updated_at)
    assert case.eligibility == "ineligible"  # the instance passed in is brought up to date


def test_priority_is_p1_for_rape_whatever_the_flags(investigator):
    case = make_case(offences=["rape", "sexual_assault"])
    SuspectFlag.objects.create(
        party=case.parties.filter(role="suspect").first(),
        kind="dangerous",
        reason="Synthetic reason.",
        set_by=investigator,
    )
    case_recompute(case=case)
    assert Case.objects.get(pk=case.pk).priority == "P1"


@pytest.mark.parametrize("kind", ["dangerous", "flight_risk"])
def test_a_flagged_suspect_lifts_the_case_to_p2_and_clearing_the_flag_drops_it_back(
    kind, investigator
):
    case = make_case(offences=["sexual_assault"])
    case_recompute(case=case)
    assert Case.objects.get(pk=case.pk).priority == "P3"
    flag = SuspectFlag.objects.create(
        party=case.parties.filter(role="suspect").first(),
        kind=kind,
        reason="Synthetic reason.",
        set_by=investigator,
    )
    assert case_recompute(case=case) is True
    assert Case.objects.get(pk=case.pk).priority == "P2"
    flag.cleared_at = timezone.now()
    flag.cleared_by = investigator
    flag.save()
    assert case_recompute(case=case) is True
    assert Case.objects.get(pk=case.pk).priority == "P3"


def test_a_flag_on_another_case_does_not_lift_this_one(investigator):
    case, other = make_case(), make_case()
    SuspectFlag.objects.create(
        party=other.parties.filter(role="suspect").first(),
        kind="dangerous",
        reason="Synthetic reason.",
        set_by=investigator,
    )
    case_recompute(case=case)
    case_recompute(case=other)
    assert Case.objects.get(pk=case.pk).priority == "P3"
    assert Case.objects.get(pk=other.pk).priority == "P2"


def test_recompute_names_the_suspects_whose_life_status_is_a_gap():
    case = make_case(suspects=3)
    CaseParty.objects.filter(case=case, ref__in=["S2", "S3"]).update(deceased=None)
    CaseParty.objects.filter(case=case, ref="S1").update(deceased=True)
    case_recompute(case=case)
    criterion = CaseCriterion.objects.get(case=case, name="suspect_alive")
    assert criterion.result == "unknown"
    assert criterion.reason == "Suspect life status not recorded for S2, S3: a data gap to chase"
    assert Case.objects.get(pk=case.pk).eligibility == "unknown"
