"""The network pages: who may open them, what the drawing and the table show, what they cost."""

import itertools
import re

import pytest
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from cases.linkage.networks import networks_recompute
from cases.models import Force, Nominal, NominalMember, PersonIdentifier, SuspectFlag
from cases.models import PersonLink as Link
from cases.vocabulary import LinkStatus
from tests.factories import CaseFactory, SuspectFactory, VictimFactory

pytestmark = pytest.mark.django_db


def force(slug):
    return Force.objects.get(slug=slug)


def resolve(*parties, role="suspect"):
    nominal = Nominal.objects.create(role=role)
    NominalMember.objects.bulk_create(NominalMember(party=p, nominal=nominal) for p in parties)
    return nominal


def link(a, b, status=LinkStatus.PROPOSED):
    left, right = sorted([a, b], key=lambda p: p.pk)
    reason = "Checked" if status == LinkStatus.CONFIRMED else ""
    return Link.objects.create(
        left=left, right=right, status=status, match_probability=0.99, reason=reason
    )


@pytest.fixture
def tied(investigator):
    """Two cases in Kent and Durham sharing a flagged suspect (confirmed link) and a phone
    held by a victim in each; a third case outside the network."""
    kent = CaseFactory(force=force("kent"))
    durham = CaseFactory(force=force("durham"))
    suspect_kent = SuspectFactory(case=kent, ref="S1")
    suspect_durham = SuspectFactory(case=durham, ref="S1")
    victim_kent = VictimFactory(case=kent, ref="V1")
    victim_durham = VictimFactory(case=durham, ref="V1")
    link(suspect_kent, suspect_durham, LinkStatus.CONFIRMED)
    resolve(suspect_kent, suspect_durham)
    for victim in (victim_kent, victim_durham):
        PersonIdentifier.objects.create(
            person=victim.person, kind="phone", value="07700 900 555", key="07700900555"
        )
    SuspectFlag.objects.create(
        party=suspect_durham, kind="dangerous", reason="Synthetic reason.", set_by=investigator
    )
    outside = SuspectFactory(case=CaseFactory(force=force("kent")))
    networks_recompute()
    network = kent.network_membership.network
    return {
        "network": network,
        "kent": kent,
        "durham": durham,
        "outside": outside.case,
        "victim_person": victim_kent.person,
    }


def drawn(text):
    """The page's drawing: its SVG, without the key's little shapes."""
    start = text.index('<svg class="network-graph"')
    return text[start : text.index("</svg>", start)]


def page(client, user, name, *args, **params):
    client.force_login(user)
    return client.get(reverse(name, args=args), params)


def test_a_review_lead_in_scope_sees_the_network_in_the_list(client, review_lead, tied):
    response = page(client, review_lead, "people:networks")

    assert response.status_code == 200
    assert f"Network {tied['network'].pk}" in response.text
    assert "Durham Constabulary, Kent Police" in response.text


def test_the_list_filters_networks_spanning_more_than_one_force(client, national_lead, tied):
    a, b = SuspectFactory(), SuspectFactory()
    resolve(a, b)
    networks_recompute()
    single = a.case.network_membership.network_id

    response = page(client, national_lead, "people:networks", multi_force="1")

    assert f"Network {tied['network'].pk}<" in response.text
    assert f"Network {single}<" not in response.text
    everything = page(client, national_lead, "people:networks")
    assert f"Network {single}<" in everything.text


def test_the_list_puts_networks_spanning_most_forces_first(client, national_lead, tied):
    same_force = [SuspectFactory(case=CaseFactory(force=force("kent"))) for _ in range(3)]
    link(same_force[0], same_force[1])
    link(same_force[1], same_force[2])
    networks_recompute()

    response = page(client, national_lead, "people:networks")

    listed = [int(pk) for pk in re.findall(r"Network (\d+)</a>", response.text)]
    assert listed[0] == tied["network"].pk


@pytest.mark.parametrize("persona", ["review_lead", "national_lead"])
def test_a_lead_in_scope_opens_the_network(client, request, persona, tied):
    response = page(client, request.getfixturevalue(persona), "people:network", tied["network"].pk)

    assert response.status_code == 200
    assert tied["kent"].reference in response.text
    assert tied["outside"].reference not in response.text


@pytest.mark.parametrize(
    "persona",
    ["other_team_review_lead", "investigator", "liaison_officer", "analyst", "admin_user"],
)
def test_anyone_else_gets_not_found_for_the_network(client, request, persona, tied):
    user = request.getfixturevalue(persona)

    assert page(client, user, "people:network", tied["network"].pk).status_code == 404


@pytest.mark.parametrize("persona", ["investigator", "liaison_officer", "analyst", "admin_user"])
def test_who_leads_no_reviews_has_no_network_list(client, request, persona):
    assert page(client, request.getfixturevalue(persona), "people:networks").status_code == 404


def test_another_regions_lead_lists_no_network_of_ours(client, other_team_review_lead, tied):
    response = page(client, other_team_review_lead, "people:networks")

    assert response.status_code == 200
    assert f"Network {tied['network'].pk}" not in response.text


def test_a_network_that_does_not_exist_is_not_found(client, review_lead):
    assert page(client, review_lead, "people:network", 999999).status_code == 404


def test_the_drawing_shows_each_case_and_person_with_its_shape_and_label(client, review_lead, tied):
    text = page(client, review_lead, "people:network", tied["network"].pk).text
    svg = drawn(text)

    assert svg.count('<rect class="node-case"') == 2
    assert svg.count('<circle class="node-suspect"') == 1  # one nominal, two records
    assert svg.count('<polygon class="node-victim"') == 2
    assert svg.count('<circle class="flag-ring"') == 1
    assert tied["kent"].reference in svg and tied["durham"].reference in svg
    assert "Flag: Dangerous" in svg
    assert svg.count('class="edge-confirmed"') == 2
    assert svg.count('class="edge-share"') == 1 and ">phone</text>" in svg


def test_the_table_lists_what_the_drawing_shows(client, review_lead, tied):
    text = page(client, review_lead, "people:network", tied["network"].pk).text
    table = text[text.index('id="table-heading"') :]

    for case in (tied["kent"], tied["durham"]):
        assert f">{case.reference}</a>" in table
    # Forces: cases, suspect records, victim records, active flags (the flag is Durham's).
    assert (
        '<th scope="row">Durham Constabulary</th><td>1</td><td>1</td><td>1</td><td>1</td>' in table
    )
    assert '<th scope="row">Kent Police</th><td>1</td><td>1</td><td>1</td><td>0</td>' in table
    assert f"{tied['kent'].reference}-S1, {tied['durham'].reference}-S1" in table
    assert "Flag: Dangerous" in table
    assert "1 link confirmed" in table
    assert "A shared phone" in table


def test_the_page_never_shows_a_victims_identifier_or_a_name(client, review_lead, tied):
    text = page(client, review_lead, "people:network", tied["network"].pk).text

    assert "07700" not in text
    assert tied["victim_person"].surname not in text


def test_the_page_is_logged_as_a_consultation_naming_its_cases(client, review_lead, tied):
    page(client, review_lead, "people:network", tied["network"].pk)

    consulted = AuditEvent.objects.filter(actor=review_lead, object_type="cases.case")
    named = sorted(int(pk) for pk in consulted.get().object_ids)
    assert named == sorted([tied["kent"].pk, tied["durham"].pk])


def test_the_log_names_every_case_the_page_writes_even_beyond_the_drawing_and_table_page(
    client, national_lead, monkeypatch
):
    from cases.linkage import drawing
    from cases.views import networks

    monkeypatch.setattr(drawing, "MAX_CASES", 2)
    monkeypatch.setattr(networks, "TABLE_PAGE_SIZE", 1)
    parties = [SuspectFactory() for _ in range(4)]
    resolve(*parties)  # one suspect in four cases: the table's one row names all four
    networks_recompute()
    network = parties[0].case.network_membership.network

    text = page(client, national_lead, "people:network", network.pk).text

    cases = sorted(party.case_id for party in parties)
    assert all(party.pseudonym in text for party in parties)
    consulted = AuditEvent.objects.filter(actor=national_lead, object_type="cases.case")
    assert sorted(int(pk) for pk in consulted.get().object_ids) == cases


def test_a_large_network_is_drawn_in_part_and_says_so(client, national_lead, monkeypatch):
    from cases.linkage import drawing

    monkeypatch.setattr(drawing, "MAX_CASES", 3)
    parties = [SuspectFactory() for _ in range(5)]
    resolve(*parties)
    networks_recompute()
    network = parties[0].case.network_membership.network

    text = page(client, national_lead, "people:network", network.pk).text

    assert "too large to draw whole" in text
    assert drawn(text).count('<rect class="node-case"') == 3
    assert all(f">{p.case.reference}</a>" in text for p in parties)


def test_the_table_is_paged(client, national_lead, monkeypatch):
    from cases.views import networks as views

    monkeypatch.setattr(views, "TABLE_PAGE_SIZE", 2)
    parties = [SuspectFactory() for _ in range(3)]
    resolve(*parties)
    networks_recompute()
    network = parties[0].case.network_membership.network

    first = page(client, national_lead, "people:network", network.pk).text
    second = page(client, national_lead, "people:network", network.pk, page=2).text

    listed = [f">{p.case.reference}</a>" for p in parties]
    assert [ref in first for ref in listed] == [True, True, False]
    assert [ref in second for ref in listed] == [False, False, True]


def test_networks_appear_in_the_navigation_for_leads_only(client, review_lead, investigator):
    assert 'href="/people/networks/"' in page(client, review_lead, "home").text
    assert 'href="/people/networks/"' not in page(client, investigator, "home").text


def _network_of_size(cases, flagged_by=None):
    """A chain of `cases` cases: a suspect in each pair of neighbouring cases (one nominal
    of two records), a victim in each case, every third victim sharing a phone with the
    next case's, and a flag on the first suspect."""
    chain = [CaseFactory() for _ in range(cases)]
    suspects = []
    for left, right in itertools.pairwise(chain):
        pair = [SuspectFactory(case=left), SuspectFactory(case=right)]
        link(*pair)
        resolve(*pair)
        suspects += pair
    victims = [VictimFactory(case=case) for case in chain]
    for index in range(0, cases - 1, 3):
        for victim in victims[index : index + 2]:
            PersonIdentifier.objects.create(
                person=victim.person,
                kind="phone",
                value=f"0770090{index:04d}",
                key=f"0770090{index:04d}",
            )
    if flagged_by is not None:
        SuspectFlag.objects.create(
            party=suspects[0], kind="dangerous", reason="Synthetic reason.", set_by=flagged_by
        )
    networks_recompute()
    return chain[0].network_membership.network


@pytest.mark.parametrize("cases", [2, 40])
def test_the_network_page_reads_the_same_number_of_queries_whatever_its_size(
    client, national_lead, django_assert_num_queries, cases
):
    network = _network_of_size(cases, flagged_by=national_lead)
    assert network.case_count == cases
    client.force_login(national_lead)
    client.get(reverse("people:network", args=[network.pk]))  # warm the session's reads

    with django_assert_num_queries(PAGE_QUERIES):
        response = client.get(reverse("people:network", args=[network.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("networks", [1, 6])
def test_the_network_list_reads_the_same_number_of_queries_whatever_its_length(
    client, national_lead, django_assert_num_queries, networks
):
    for _ in range(networks):
        _network_of_size(2)
    client.force_login(national_lead)
    client.get(reverse("people:networks"))

    with django_assert_num_queries(LIST_QUERIES):
        client.get(reverse("people:networks"))


# Sign-in and session (3), the network in scope and its audit row (2); six reads of the
# network: forces with their counts, a page of cases, one statement ranking the network
# (a page of each people section and of shared keys, with their counts, and the cases to
# draw), the records of the people on the page, and for the drawing the records of the
# people in the drawn cases and their shared keys; the audit row naming the cases (1).
PAGE_QUERIES = 12
# Sign-in and session (3), count and page of networks, their forces, the audit row (2).
LIST_QUERIES = 7


def test_people_who_tie_nothing_are_counted_under_their_case_in_a_busy_network(
    client, national_lead, monkeypatch
):
    from cases.linkage import drawing

    monkeypatch.setattr(drawing, "DRAW_EVERYONE_UP_TO", 2)
    a, b = SuspectFactory(), SuspectFactory()
    resolve(a, b)
    for _ in range(2):
        VictimFactory(case=a.case)
    networks_recompute()

    text = page(client, national_lead, "people:network", a.case.network_membership.network_id).text

    svg = drawn(text)
    assert svg.count('<circle class="node-suspect"') == 1
    assert svg.count('<polygon class="node-victim"') == 0
    assert "+2 in this case only" in svg
    assert text.count(f"{a.case.reference}-V") == 2  # the table still lists both victims
