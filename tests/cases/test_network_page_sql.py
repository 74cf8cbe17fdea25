"""The network page read in SQL: its summary from aggregates and its lists a page at a time,
checked against a small network worked out by hand; a large network drawn in part."""

import itertools

import pytest
from django.urls import reverse

from cases.linkage.network_selectors import network_page
from cases.linkage.networks import networks_recompute, networks_recompute_for
from cases.models import (
    CaseNetwork,
    CaseParty,
    Force,
    Network,
    NetworkKey,
    NetworkPerson,
    Nominal,
    NominalMember,
    PersonIdentifier,
    SuspectFlag,
)
from cases.models import PersonLink as Link
from cases.vocabulary import LinkStatus
from tests.factories import CaseFactory, PartyFactory, SuspectFactory, VictimFactory

pytestmark = pytest.mark.django_db


def resolve(*parties, status=LinkStatus.PROPOSED):
    nominal = Nominal.objects.create(role=parties[0].role)
    NominalMember.objects.bulk_create(NominalMember(party=p, nominal=nominal) for p in parties)
    for a, b in itertools.pairwise(parties):
        left, right = sorted([a, b], key=lambda p: p.pk)
        Link.objects.create(
            left=left,
            right=right,
            status=status,
            match_probability=0.99,
            reason="Checked" if status == LinkStatus.CONFIRMED else "",
        )
    return nominal


def phone(party, key):
    PersonIdentifier.objects.create(person=party.person, kind="phone", value=key, key=key)


@pytest.fixture
def worked(investigator):
    """Three cases worked out by hand.

    c1 (Kent): S1 and c2's S1 one suspect (confirmed); S2 flagged dangerous; V1 holds phone X.
    c2 (Kent): S1; V1, with c3's V1 one victim (automatic link).
    c3 (Durham): V1; S1 holds phone X; W1, a witness tying nothing.

    Suspects 3 (1 in two cases), victims 2 (1 in two cases), tying witnesses 0; one shared
    phone (c1 and c3). Kent: 2 cases, 3 suspect records, 2 victim records, 1 flag; Durham:
    1 case, 1 suspect record, 1 victim record, no flag.
    """
    kent, durham = Force.objects.get(slug="kent"), Force.objects.get(slug="durham")
    c1, c2, c3 = CaseFactory(force=kent), CaseFactory(force=kent), CaseFactory(force=durham)
    s1_c1, s2_c1 = SuspectFactory(case=c1, ref="S1"), SuspectFactory(case=c1, ref="S2")
    v1_c1 = VictimFactory(case=c1, ref="V1")
    s1_c2, v1_c2 = SuspectFactory(case=c2, ref="S1"), VictimFactory(case=c2, ref="V1")
    v1_c3, s1_c3 = VictimFactory(case=c3, ref="V1"), SuspectFactory(case=c3, ref="S1")
    PartyFactory(case=c3, ref="W1", role="witness")
    resolve(s1_c1, s1_c2, status=LinkStatus.CONFIRMED)
    resolve(v1_c2, v1_c3)
    phone(v1_c1, "07700900111")
    phone(s1_c3, "07700900111")
    SuspectFlag.objects.create(
        party=s2_c1, kind="dangerous", reason="Synthetic reason.", set_by=investigator
    )
    networks_recompute()
    return {"network": c1.network_membership.network, "cases": (c1, c2, c3)}


def test_the_summary_counts_what_was_worked_out_by_hand(worked):
    view = network_page(worked["network"])

    forces = [(f.name, f.cases, f.suspects, f.victims, f.flags) for f in view.forces]
    assert forces == [("Kent Police", 2, 3, 2, 1), ("Durham Constabulary", 1, 1, 1, 0)]
    assert view.case_total == 3 and view.flag_total == 1
    assert (view.counts["suspect"].total, view.counts["suspect"].in_several) == (3, 1)
    assert (view.counts["victim"].total, view.counts["victim"].in_several) == (2, 1)
    assert view.counts["witness"].total == 0
    assert (view.shares_total, view.shares_by_kind) == (1, {"Phone": 1})


def test_people_are_ranked_tying_first_then_most_cases(worked):
    c1, c2, c3 = (case.reference for case in worked["cases"])

    view = network_page(worked["network"])

    assert [p.pseudonyms for p in view.suspects] == [
        [f"{c1}-S1", f"{c2}-S1"],  # two cases
        [f"{c3}-S1"],  # one case, shares a phone
        [f"{c1}-S2"],  # ties nothing
    ]
    assert [(p.case_count, p.confirmed, p.automatic) for p in view.suspects] == [
        (2, 1, 0),
        (1, 0, 0),
        (1, 0, 0),
    ]
    assert view.suspects[2].flags == ["Dangerous"] and view.suspects[1].shares == ["Phone"]
    assert [p.pseudonyms for p in view.victims] == [[f"{c2}-V1", f"{c3}-V1"], [f"{c1}-V1"]]
    assert view.victims[0].automatic == 1
    (share,) = view.shares
    assert share.holders == [f"{c1}-V1", f"{c3}-S1"]


def test_each_list_is_paged_in_the_database(worked):
    first = network_page(worked["network"], page=1, size=1)
    third = network_page(worked["network"], page=3, size=1)

    assert len(first.suspects) == len(first.victims) == len(first.shares) == 1
    assert [p.pseudonyms[0][-2:] for p in third.suspects] == ["S2"]
    assert third.victims == [] and third.shares == []
    # The counts come with every page, whatever it holds.
    assert third.counts["victim"].total == 2 and third.shares_total == 1
    assert first.longest == third.longest == 3


def test_a_page_past_the_last_goes_to_the_last(client, national_lead, worked):
    client.force_login(national_lead)
    url = reverse("people:network", args=[worked["network"].pk])

    response = client.get(url, {"page": 9})

    assert response.status_code == 302 and response.url.endswith("?page=1")
    assert client.get(url, {"page": "x"}).status_code == 200


def test_the_summary_is_on_the_page(client, national_lead, worked):
    client.force_login(national_lead)

    text = client.get(reverse("people:network", args=[worked["network"].pk])).text

    summary = text[text.index('id="summary-heading"') : text.index('id="drawing-heading"')]
    assert "<dt>Suspects</dt><dd>3 (1 in more than one case)</dd>" in summary
    assert "<dt>Victims</dt><dd>2 (1 in more than one case)</dd>" in summary
    assert "<dt>Active flags on suspects</dt><dd>1</dd>" in summary
    assert "<dd>1 (1 phone)</dd>" in summary


def test_a_person_with_many_records_shows_the_first_ten_and_counts_the_rest(client, national_lead):
    parties = [SuspectFactory() for _ in range(12)]
    nominal = Nominal.objects.create(role="suspect")
    NominalMember.objects.bulk_create(NominalMember(party=p, nominal=nominal) for p in parties)
    networks_recompute()
    network = parties[0].case.network_membership.network

    view = network_page(network)

    (man,) = view.suspects
    assert (len(man.pseudonyms), man.records, man.more_pseudonyms) == (10, 12, 2)
    client.force_login(national_lead)
    assert "and 2 more" in client.get(reverse("people:network", args=[network.pk])).text


def test_a_large_network_draws_twenty_cases_around_the_busiest(client, national_lead):
    # A chain of 30 cases, each pair of neighbours sharing a suspect; case 10 also shares a
    # victim with every case from 11 to 14, so it is the busiest and the drawing starts there.
    chain = [CaseFactory() for _ in range(30)]
    for a, b in itertools.pairwise(chain):
        resolve(SuspectFactory(case=a), SuspectFactory(case=b))
    for other in chain[11:15]:
        resolve(VictimFactory(case=chain[10]), VictimFactory(case=other))
    networks_recompute()
    network = chain[0].network_membership.network
    assert network.case_count == 30

    view = network_page(network)
    drawn = [case.pk for case in view.drawn_cases]

    assert len(drawn) == 20 and drawn[0] == chain[10].pk
    # Nearest first: the cases one tie from case 10 (9, 11, 12, 13, 14) come next.
    assert set(drawn[1:6]) == {chain[i].pk for i in (9, 11, 12, 13, 14)}
    client.force_login(national_lead)
    text = client.get(reverse("people:network", args=[network.pk])).text
    assert "the drawing shows 20 of 30 cases" in text


# --- What the recompute stores for the page -----------------------------------------------


def stored_people(network):
    return list(
        NetworkPerson.objects.filter(network=network)
        .order_by("role", "rank")
        .values_list("role", "person_key", "case_count", "records", "share_kinds", "ties", "rank")
    )


def test_the_recompute_stores_the_ranking_worked_out_by_hand(worked):
    c1, c2, c3 = worked["cases"]
    network = Network.objects.get(pk=worked["network"].pk)
    s1 = c1.parties.get(ref="S1").resolution.nominal_id
    v1 = c2.parties.get(ref="V1").resolution.nominal_id
    lone = {(p.case_id, p.ref): -p.pk for p in CaseParty.objects.filter(case__in=[c1, c3])}

    # Suspects: S1 of c1 and c2 (two cases), c3's S1 (holds phone X: bit 0, the phone),
    # c1's S2 (ties nothing). Victims: V1 of c2 and c3, then c1's V1 (phone X). The witness
    # W1 ties nothing and is not stored.
    assert stored_people(network) == [
        ("suspect", s1, 2, 2, 0, True, 1),
        ("suspect", lone[(c3.pk, "S1")], 1, 1, 1, True, 2),
        ("suspect", lone[(c1.pk, "S2")], 1, 1, 0, False, 3),
        ("victim", v1, 2, 2, 0, True, 1),
        ("victim", lone[(c1.pk, "V1")], 1, 1, 1, True, 2),
    ]
    keys = NetworkKey.objects.filter(network=network)
    assert list(keys.values_list("kind", "case_count", "rank", "kind_rank")) == [("phone", 2, 1, 1)]
    summary = (
        network.suspects,
        network.suspects_in_several,
        network.victims,
        network.victims_in_several,
        network.witnesses,
        network.shared_keys,
        network.shared_phones,
        network.shared_vehicles,
        network.shared_postcodes,
    )
    assert summary == (3, 1, 2, 1, 0, 1, 1, 0, 0)
    # Each case is tied twice (c1: S1 and the phone; c2: S1 and V1; c3: V1 and the phone),
    # so the busiest is the first by id, c1; c2 and c3 are one tie from it.
    drawn = CaseNetwork.objects.filter(network=network).order_by("draw_rank")
    assert list(drawn.values_list("case_id", "draw_rank")) == [(c1.pk, 1), (c2.pk, 2), (c3.pk, 3)]


def test_recomputing_some_cases_restores_their_networks_and_leaves_the_others(worked):
    c1, _c2, c3 = worked["cases"]
    other = [CaseFactory(), CaseFactory()]
    resolve(SuspectFactory(case=other[0]), SuspectFactory(case=other[1]))
    networks_recompute()
    elsewhere = Network.objects.get(memberships__case=other[0])
    rows_before = list(NetworkPerson.objects.filter(network=elsewhere).values_list("pk", flat=True))
    s2 = c1.parties.get(ref="S2")
    phone(s2, "07700900111")  # c1's S2 now holds phone X too

    networks_recompute_for(case_ids=[c1.pk])

    network = Network.objects.get(pk=worked["network"].pk)
    suspects = [row for row in stored_people(network) if row[0] == "suspect"]
    # S2 now ties (the phone) and comes before c3's S1: both in one case, S2's is first.
    assert [(key, ties, rank) for _, key, _, _, _, ties, rank in suspects][1:] == [
        (-s2.pk, True, 2),
        (-c3.parties.get(ref="S1").pk, True, 3),
    ]
    assert NetworkKey.objects.get(network=network).case_count == 2
    assert list(NetworkPerson.objects.filter(network=elsewhere).values_list("pk", flat=True)) == (
        rows_before
    )


@pytest.mark.parametrize("size", [3, 40])
def test_reading_a_page_takes_four_queries_whatever_the_size(django_assert_num_queries, size):
    # A chain of `size` cases, neighbours sharing a suspect, each case with a victim too.
    chain = [CaseFactory() for _ in range(size)]
    for a, b in itertools.pairwise(chain):
        resolve(SuspectFactory(case=a), SuspectFactory(case=b))
    for case in chain:
        VictimFactory(case=case)
    networks_recompute()
    network = Network.objects.get()

    with django_assert_num_queries(4):  # forces, cases, the stored page, the page's records
        view = network_page(network, page=1, size=25)

    assert view.counts["suspect"].total == size - 1 and view.counts["victim"].total == size
    assert len(view.suspects) == min(size - 1, 25) and len(view.victims) == min(size, 25)
    assert len(view.drawn_cases) == min(size, 20)
