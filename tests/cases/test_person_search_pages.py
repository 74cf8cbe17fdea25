"""The person search page, its audit row, and "Add a person" searching the index first."""

import datetime

import pytest
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from cases.linkage.search import query_parse, search_matches
from cases.models import PersonLink
from cases.permissions import grant_case_access
from tests.audit.helpers import last_seq
from tests.cases.test_person_search import on_case, person
from tests.factories import CaseFactory

pytestmark = pytest.mark.django_db

SEARCH = reverse("people:search")


@pytest.fixture
def world(investigator, other_investigator):
    here, there, theirs = (CaseFactory() for _ in range(3))
    for case in (here, there):
        grant_case_access(investigator, case)
    grant_case_access(other_investigator, theirs)
    iqbal = on_case(
        there,
        person(
            "Iqbal",
            "Mohammed",
            born=datetime.date(1979, 5, 3),
            pnc="98/1234567X",
            phone="07700 900123",
            alias="Big Mo",
        ),
        "S1",
    )
    hidden = on_case(theirs, person("Iqbal", "Mohammed", phone="07700 900123"), "S1")
    return {"here": here, "there": there, "theirs": theirs, "iqbal": iqbal, "hidden": hidden}


def as_user(client, user):
    client.force_login(user)
    return client


@pytest.mark.parametrize("who", ["investigator", "review_lead", "national_lead"])
def test_those_who_see_cases_have_the_search_page(client, request, who):
    assert as_user(client, request.getfixturevalue(who)).get(SEARCH).status_code == 200


@pytest.mark.parametrize("who", ["liaison_officer", "liaison_lead", "analyst"])
def test_liaison_staff_and_analysts_have_no_search_page(client, request, who):
    signed_in = as_user(client, request.getfixturevalue(who))
    assert signed_in.get(SEARCH).status_code == 404
    assert signed_in.post(SEARCH, {"q": "Iqbal"}).status_code == 404


def test_the_navigation_offers_search_to_investigators_only_among_these(
    client, investigator, liaison_officer
):
    assert SEARCH in as_user(client, investigator).get(reverse("home")).content.decode()
    client.logout()
    assert SEARCH not in as_user(client, liaison_officer).get(reverse("home")).content.decode()


def test_an_empty_search_is_refused(client, investigator):
    assert as_user(client, investigator).post(SEARCH, {"q": ""}).status_code == 400


def test_a_search_shows_the_investigators_people_and_logs_them_without_the_text(
    client, investigator, world
):
    seq = last_seq()
    response = as_user(client, investigator).post(SEARCH, {"q": "Muhammad Iqbaal"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "Mohammed Iqbal" in page and world["there"].reference in page
    assert world["theirs"].reference not in page
    row = AuditEvent.objects.filter(seq__gt=seq, operation="consult").get()
    assert row.object_type == "cases.caseparty"
    assert row.object_ids == [str(world["iqbal"].pk)]
    assert row.actor_id == investigator.pk
    logged = " ".join(str(getattr(row, f.attname)) for f in AuditEvent._meta.concrete_fields)
    assert "iqba" not in logged.lower() and "muhammad" not in logged.lower()
    assert "person search by name, alias" in row.purpose


def test_a_phone_search_by_another_investigator_finds_only_their_own_record(
    client, other_investigator, world
):
    response = as_user(client, other_investigator).post(SEARCH, {"q": "+44 7700 900123"})
    page = response.content.decode()
    assert world["theirs"].reference in page
    assert world["there"].reference not in page
    assert "1 person found" in page


def test_a_lead_sees_the_record_reference_and_never_the_name(client, review_lead, world):
    response = as_user(client, review_lead).post(SEARCH, {"q": "Mohammed Iqbal"})
    results = response.content.decode().split('id="results-title"')[1]
    assert world["iqbal"].pseudonym in results and world["hidden"].pseudonym in results
    assert "Mohammed" not in results


def test_the_search_page_costs_the_same_however_many_people_match(
    client, investigator, world, django_assert_max_num_queries
):
    signed_in = as_user(client, investigator)
    signed_in.post(SEARCH, {"q": "Iqbal"})  # the session and sign-in's first reads
    for n in range(25):
        on_case(world["there"], person("Iqbal", f"Synthetic{n}"), f"S{n + 10}")
    with django_assert_max_num_queries(16) as few:
        signed_in.post(SEARCH, {"q": "Iqbal"})
    with django_assert_max_num_queries(len(few.captured_queries)):
        signed_in.post(SEARCH, {"q": "Iqbal", "page": "2"})


def test_the_fallback_without_trigrams_finds_by_sound_and_by_part_of_a_name(investigator, world):
    def fallback(text):
        matches = search_matches(investigator, query_parse(text), trigram=False)
        assert "similarity" not in str(matches.query)
        return set(matches.values_list("pk", flat=True))

    assert fallback("Muhammad") == {world["iqbal"].pk}  # the same phonetic code
    assert fallback("Iqba") == {world["iqbal"].pk}  # LIKE
    assert fallback("98/1234567X") == {world["iqbal"].pk}
    assert fallback("big mo") == {world["iqbal"].pk}
    assert fallback("Nobody") == set()


# --- "Add a person" searches first ------------------------------------------------------------


def add_url(case):
    return reverse("cases:party_add", args=[case.reference])


def test_adding_a_person_offers_the_search_first(client, investigator, world):
    page = as_user(client, investigator).get(add_url(world["here"])).content.decode()
    assert "First, search for them" in page and 'name="step" value="search"' in page


def test_the_add_search_shows_matches_from_the_users_other_cases_only(client, investigator, world):
    response = as_user(client, investigator).post(
        add_url(world["here"]), {"step": "search", "q": "Mo Iqbal"}
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert f"The same person as {world['there'].reference} S1" in page
    assert world["theirs"].reference not in page
    assert 'value="Iqbal"' in page  # the new-person form is filled with the name searched


def test_an_investigator_adds_the_same_person_for_a_lead_to_confirm(client, investigator, world):
    signed_in = as_user(client, investigator)
    chosen = signed_in.post(
        add_url(world["here"]), {"step": "choose", "same_as": world["iqbal"].pk}
    )
    assert chosen.status_code == 200 and "A review lead will confirm" in chosen.content.decode()
    response = signed_in.post(
        add_url(world["here"]),
        {
            "step": "pick",
            "same_as": world["iqbal"].pk,
            "role": "suspect",
            "reason": "Same PNC ID in both files.",
        },
    )
    assert response.status_code == 302
    added = world["here"].parties.select_related("person").get()
    assert (added.person.surname, added.person.pnc_id) == ("Iqbal", "98/1234567X")
    assert added.person_id != world["iqbal"].person_id  # a record of its own, copied
    assert added.person.identifiers.filter(kind="phone", key="07700900123").exists()
    link = PersonLink.objects.get()
    assert {link.left_id, link.right_id} == {added.pk, world["iqbal"].pk}
    assert (link.status, link.reason, link.cross_role) == (
        "review",
        "Same PNC ID in both files.",
        False,
    )


def test_a_lead_adds_the_same_person_and_the_link_is_confirmed(client, review_lead, world):
    response = as_user(client, review_lead).post(
        add_url(world["here"]),
        {
            "step": "pick",
            "same_as": world["iqbal"].pk,
            "role": "suspect",
            "reason": "Same phone and PNC ID.",
        },
    )
    assert response.status_code == 302
    link = PersonLink.objects.get()
    assert (link.status, link.decided_by_id) == ("confirmed", review_lead.pk)


def test_a_different_role_is_linked_for_review_and_never_merged(client, review_lead, world):
    as_user(client, review_lead).post(
        add_url(world["here"]),
        {"step": "pick", "same_as": world["iqbal"].pk, "role": "witness", "reason": "Same man."},
    )
    link = PersonLink.objects.get()
    assert (link.status, link.cross_role) == ("review", True)


def test_the_same_person_needs_a_reason(client, investigator, world):
    response = as_user(client, investigator).post(
        add_url(world["here"]),
        {"step": "pick", "same_as": world["iqbal"].pk, "role": "suspect", "reason": ""},
    )
    assert response.status_code == 400
    assert not world["here"].parties.exists() and not PersonLink.objects.exists()


def test_a_record_the_user_cannot_see_cannot_be_picked(client, investigator, world):
    for step in ("choose", "pick"):
        response = as_user(client, investigator).post(
            add_url(world["here"]),
            {"step": step, "same_as": world["hidden"].pk, "role": "suspect", "reason": "x"},
        )
        assert response.status_code == 404
    assert not world["here"].parties.exists()
