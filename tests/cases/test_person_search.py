"""Searching the person index: what each kind of search finds, and only within the user's scope."""

import datetime

import pytest

from cases.linkage import keys
from cases.linkage.search import (
    person_search,
    query_parse,
    records_searchable_by,
    search_matches,
)
from cases.models import CaseParty, Person, PersonIdentifier
from cases.permissions import grant_case_access
from tests.factories import CaseFactory, make_nominal

pytestmark = pytest.mark.django_db


def person(surname, forenames="", *, born=None, pnc="", **identifiers):
    """A person as every writer stores them: names, phonetic codes, identifier keys."""
    made = Person.objects.create(
        surname=surname,
        forenames=forenames,
        date_of_birth=born,
        pnc_id=keys.pnc_key(pnc),
        surname_phonetic=keys.phonetic(surname),
        forenames_phonetic=keys.phonetic(forenames),
    )
    for kind, values in identifiers.items():
        for value in values if isinstance(values, list) else [values]:
            PersonIdentifier.objects.create(
                person=made, kind=kind, value=value, key=keys.identifier_key(kind, value)
            )
    return made


def on_case(case, who, ref, role="suspect"):
    return CaseParty.objects.create(case=case, person=who, ref=ref, role=role)


@pytest.fixture
def world(investigator, other_investigator):
    """Two cases of the investigator's, one of another investigator's, in the team's forces."""
    mine, also_mine, theirs = (CaseFactory() for _ in range(3))
    grant_case_access(investigator, mine)
    grant_case_access(investigator, also_mine)
    grant_case_access(other_investigator, theirs)
    iqbal = on_case(
        mine,
        person(
            "Iqbal",
            "Mohammed",
            born=datetime.date(1979, 5, 3),
            pnc="98/1234567X",
            phone="07700 900123",
            vehicle="AB12 CDE",
            postcode="LS1 1AA",
            alias="Big Mo",
        ),
        "S1",
    )
    iqbal_again = on_case(
        also_mine, person("IQBAL", "Muhammad", born=datetime.date(1979, 3, 5)), "S1"
    )
    smith = on_case(mine, person("Smith", "Daniel", phone="+44 7700 900999"), "S2")
    victim = on_case(mine, person("Iqbal", "Aisha"), "V1", role="victim")
    hidden = on_case(theirs, person("Iqbal", "Mohammed", pnc="98/1234567X"), "S1")
    return {
        "mine": mine,
        "also_mine": also_mine,
        "theirs": theirs,
        "iqbal": iqbal,
        "iqbal_again": iqbal_again,
        "smith": smith,
        "victim": victim,
        "hidden": hidden,
    }


@pytest.fixture
def thirty_more_iqbals(world):
    """30 more suspects named Iqbal on the investigator's case: 33 Iqbals they may find (the
    world's two suspects and their victim), each a group of its own."""
    for n in range(30):
        on_case(world["mine"], person("Iqbal", f"Synthetic{n}"), f"S{n + 10}")


def found(user, text, kind="any"):
    return set(search_matches(user, query_parse(text, kind)).values_list("pk", flat=True))


def test_a_name_finds_its_people_and_no_one_else(investigator, world):
    assert found(investigator, "Daniel Smith") == {world["smith"].pk}


def test_a_typo_still_finds_the_name(investigator, world):
    assert world["iqbal"].pk in found(investigator, "Iqbaal")
    assert world["smith"].pk in found(investigator, "Smiht Daniel")


def test_names_that_sound_alike_are_found_by_their_phonetic_code(investigator, world):
    assert {world["iqbal"].pk, world["iqbal_again"].pk} <= found(investigator, "Muhammad")


def test_an_alias_finds_its_person(investigator, world):
    assert found(investigator, "big mo", "alias") == {world["iqbal"].pk}


def test_a_pnc_id_in_any_spelling_finds_its_person(investigator, world):
    assert found(investigator, "98/001234567x") == {world["iqbal"].pk}
    page = person_search(investigator, query_parse("98/1234567X"))
    assert page.results[0].records[0].matched_on == ["PNC ID"]


def test_a_phone_in_any_format_finds_its_person(investigator, world):
    assert found(investigator, "+447700900123") == {world["iqbal"].pk}
    assert found(investigator, "07700 900999") == {world["smith"].pk}


def test_a_vehicle_and_a_postcode_find_their_person(investigator, world):
    assert found(investigator, "ab12cde") == {world["iqbal"].pk}
    assert found(investigator, "ls11aa") == {world["iqbal"].pk}


def test_another_investigators_case_never_appears_not_even_in_the_count(investigator, world):
    page = person_search(investigator, query_parse("98/1234567X"))
    assert page.record_ids == [world["iqbal"].pk]
    assert page.page.paginator.count == 1


def test_the_assigned_investigator_finds_their_victim_by_name(investigator, world):
    assert world["victim"].pk in found(investigator, "Aisha Iqbal")


def test_a_lead_finds_suspects_by_name_but_never_a_victim(review_lead, world):
    shown = found(review_lead, "Iqbal")
    assert {world["iqbal"].pk, world["hidden"].pk} <= shown
    assert world["victim"].pk not in shown


def test_a_lead_sees_pseudonyms_and_the_assigned_investigator_names(
    investigator, review_lead, world
):
    query = query_parse("Mohammed Iqbal")
    lead_records = [r for res in person_search(review_lead, query).results for r in res.records]
    assert lead_records and all(record.name is None for record in lead_records)
    mine = [r for res in person_search(investigator, query).results for r in res.records]
    assert "Mohammed Iqbal" in {record.name for record in mine}


def test_an_outsider_finds_nothing(liaison_officer, analyst, other_team_review_lead, world):
    for user in (liaison_officer, analyst, other_team_review_lead):
        assert found(user, "Iqbal") == set()
        assert not records_searchable_by(user).exists()


def test_records_linked_into_one_nominal_come_back_as_one_person(investigator, world):
    nominal = make_nominal(world["iqbal"], world["iqbal_again"], world["hidden"])
    page = person_search(investigator, query_parse("Iqbal"))
    together = [result for result in page.results if result.nominal_id == nominal.pk]
    assert len(together) == 1
    # Two records in two cases: the other investigator's record is not counted.
    assert {r.party.pk for r in together[0].records} == {
        world["iqbal"].pk,
        world["iqbal_again"].pk,
    }
    assert together[0].case_count == 2


def test_the_best_match_comes_first(investigator, world):
    page = person_search(investigator, query_parse("Mohammed Iqbal"))
    assert page.results[0].records[0].party == world["iqbal"]
    assert page.results[0].records[0].matched_on == ["Name"]


def test_a_search_costs_the_same_queries_however_many_people_match(
    investigator, world, thirty_more_iqbals, django_assert_num_queries
):
    investigator = type(investigator).objects.get(pk=investigator.pk)
    # The roles and the grants (each once per request), the page of people with how many
    # there are (one query: the candidates are ranked once), and their records.
    with django_assert_num_queries(4):
        page = person_search(investigator, query_parse("Iqbal"))
    assert len(page.results) == 20
    assert page.page.paginator.count == 33
    assert page.page.has_next()


def test_the_pages_of_a_search_share_out_every_person_once(investigator, world, thirty_more_iqbals):
    """33 people named Iqbal on the investigator's cases (the world's 3, a victim of theirs
    among them, and 30 more), none linked: 33 groups, 20 on page 1 and 13 on page 2; a page
    past the end (a stale form) is the last page, as a paginator answers."""
    first = person_search(investigator, query_parse("Iqbal"), page=1)
    second = person_search(investigator, query_parse("Iqbal"), page=2)
    past = person_search(investigator, query_parse("Iqbal"), page=7)
    assert (len(first.results), len(second.results)) == (20, 13)
    assert (second.page.number, second.page.paginator.num_pages) == (2, 2)
    ids = [r.records[0].party.pk for r in first.results + second.results]
    assert len(set(ids)) == 33
    assert not second.page.has_next() and second.page.has_previous()
    assert past.page.number == 2
    assert [r.records[0].party.pk for r in past.results] == ids[20:]


def test_more_than_the_count_limit_is_said_not_counted(
    investigator, world, thirty_more_iqbals, monkeypatch
):
    """With the count limit at 10 and 33 Iqbals: "more than 10", one page of the limit."""
    from cases.linkage import search

    monkeypatch.setattr(search, "COUNT_LIMIT", 10)
    monkeypatch.setattr(search, "PAGE_SIZE", 5)
    page = person_search(investigator, query_parse("Iqbal"), page=2)
    assert page.more_than == 10
    assert (page.page.number, page.page.paginator.num_pages) == (2, 2)
    assert len(page.results) == 5


def test_an_investigator_with_no_cases_finds_nothing(make_user, world):
    from beaconport.roles import Role

    newcomer = make_user("new.investigator", Role.INVESTIGATOR)
    assert found(newcomer, "Iqbal") == set()


def test_a_common_name_ranks_only_the_best_candidates_in_scope(investigator, world, monkeypatch):
    from cases.linkage import search

    monkeypatch.setattr(search, "NAME_CANDIDATES", 1)
    # Only the best by name is ranked; identifiers still find their people whole.
    assert found(investigator, "Mohammed Iqbal") == {world["iqbal"].pk}
    assert found(investigator, "07700 900999") == {world["smith"].pk}
