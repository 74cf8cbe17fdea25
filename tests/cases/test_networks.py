"""Networks: which cases links, shared victims and shared phones, vehicles or postcodes tie."""

import datetime
import itertools
import json
from pathlib import Path

import pytest
from django.db import connection
from django.utils import timezone

from cases.linkage import runs
from cases.linkage.network_selectors import network_page
from cases.linkage.networks import networks_recompute, networks_recompute_for
from cases.models import CaseNetwork, Force, Network, Nominal, NominalMember, PersonIdentifier
from cases.models import PersonLink as Link
from cases.vocabulary import LinkStatus
from tests.factories import CaseFactory, PersonFactory, SuspectFactory, VictimFactory, make_suspect
from tests.services import require_service

pytestmark = pytest.mark.django_db

MODEL_FIXTURE = Path(__file__).parent.parent / "fixtures" / "linkage-model.json"


def force(slug):
    return Force.objects.get(slug=slug)


def suspect(case=None, **fields):
    return SuspectFactory(case=case or CaseFactory(), **fields)


def resolve(*parties, role="suspect"):
    """The parties as one nominal, as linkage leaves them after linking them."""
    nominal = Nominal.objects.create(role=role)
    NominalMember.objects.bulk_create(NominalMember(party=p, nominal=nominal) for p in parties)
    return nominal


def link(a, b, status=LinkStatus.PROPOSED):
    left, right = sorted([a, b], key=lambda p: p.pk)
    reason = "" if status in (LinkStatus.PROPOSED, LinkStatus.REVIEW) else "Checked"
    return Link.objects.create(
        left=left, right=right, status=status, match_probability=0.99, reason=reason
    )


def give(party, kind, key):
    return PersonIdentifier.objects.create(person=party.person, kind=kind, value=key, key=key)


def network_of(case):
    membership = CaseNetwork.objects.filter(case=case).first()
    return membership and membership.network_id


def test_records_of_one_nominal_tie_their_cases_into_a_network():
    a = suspect(CaseFactory(force=force("kent")))
    b = suspect(CaseFactory(force=force("durham")))
    lone = suspect()
    resolve(a, b)

    result = networks_recompute()

    network = Network.objects.get()
    assert network_of(a.case) == network_of(b.case) == network.pk
    assert network_of(lone.case) is None
    assert (network.case_count, network.force_count) == (2, 2)
    assert result.networks == 1 and result.created == 1


def test_a_linked_pair_ties_its_cases_before_nominals_are_rebuilt():
    a, b = suspect(), suspect()
    link(a, b, LinkStatus.CONFIRMED)

    networks_recompute()

    assert network_of(a.case) == network_of(b.case) is not None


def test_a_pair_waiting_for_a_lead_or_rejected_ties_nothing():
    a, b, c = suspect(), suspect(), suspect()
    link(a, b, LinkStatus.REVIEW)
    link(b, c, LinkStatus.REJECTED)

    networks_recompute()

    assert not Network.objects.exists()


def test_a_victim_resolved_across_cases_ties_them():
    a = VictimFactory(case=CaseFactory())
    b = VictimFactory(case=CaseFactory())
    resolve(a, b, role="victim")

    networks_recompute()

    assert network_of(a.case) == network_of(b.case) is not None


def test_a_shared_phone_ties_cases_and_an_alias_does_not():
    a, b, c, d = suspect(), VictimFactory(case=CaseFactory()), suspect(), suspect()
    give(a, "phone", "07700900123")
    give(b, "phone", "07700900123")
    give(c, "alias", "dazza")
    give(d, "alias", "dazza")

    networks_recompute()

    assert network_of(a.case) == network_of(b.case) is not None
    assert network_of(c.case) is None and network_of(d.case) is None


def test_shared_vehicles_and_postcodes_chain_cases_into_one_network():
    a, b, c = suspect(), suspect(), suspect()
    give(a, "vehicle", "AB12CDE")
    give(b, "vehicle", "AB12CDE")
    give(b, "postcode", "LS1 1AA")
    give(c, "postcode", "LS1 1AA")

    networks_recompute()

    assert Network.objects.get().case_count == 3


def test_a_key_held_in_more_cases_than_the_cap_ties_none_of_them():
    parties = [suspect() for _ in range(4)]
    for party in parties:
        give(party, "postcode", "M1 1AA")

    networks_recompute(cap=3)

    assert not Network.objects.exists()
    networks_recompute(cap=4)
    assert Network.objects.get().case_count == 4


def test_two_records_in_one_case_make_no_network():
    case = CaseFactory()
    a, b = suspect(case), suspect(case)
    resolve(a, b)
    give(a, "phone", "07700900999")
    give(b, "phone", "07700900999")

    networks_recompute()

    assert not Network.objects.exists()


def test_a_network_keeps_its_id_when_it_grows_and_when_it_loses_a_case():
    a, b, c = suspect(), suspect(), suspect()
    resolve(a, b)
    networks_recompute()
    first = network_of(a.case)

    give(b, "phone", "07700900111")
    give(c, "phone", "07700900111")
    networks_recompute()
    assert network_of(c.case) == first
    assert Network.objects.get().case_count == 3

    PersonIdentifier.objects.filter(person=c.person).delete()
    networks_recompute()
    assert network_of(a.case) == first and network_of(c.case) is None
    assert Network.objects.get().case_count == 2


def test_a_split_network_keeps_its_id_for_the_larger_part():
    small = [suspect(), suspect()]
    large = [suspect(), suspect(), suspect()]
    bridge = link(small[1], large[0])
    link(small[0], small[1])
    link(large[0], large[1])
    link(large[1], large[2])
    networks_recompute()
    first = network_of(small[0].case)

    bridge.delete()
    result = networks_recompute()

    assert network_of(large[0].case) == first
    assert network_of(small[0].case) not in (None, first)
    assert (result.networks, result.created, result.kept) == (2, 1, 1)


def test_merged_networks_keep_the_id_of_the_larger():
    left = [suspect(), suspect()]
    right = [suspect(), suspect(), suspect()]
    link(*left)
    link(right[0], right[1])
    link(right[1], right[2])
    networks_recompute()
    larger = network_of(right[0].case)

    link(left[0], right[0])
    result = networks_recompute()

    assert network_of(left[0].case) == larger
    assert Network.objects.get().case_count == 5
    assert result.removed == 1


def test_recompute_for_rebuilds_only_the_network_touching_those_cases():
    a, b = suspect(), suspect()
    c, d = suspect(), suspect()
    resolve(a, b)
    link(c, d)
    networks_recompute()
    untouched = Network.objects.get(pk=network_of(c.case))
    # Something the recompute for a's case must not see: a change in the other network.
    Network.objects.filter(pk=untouched.pk).update(case_count=99)
    e = suspect()
    give(b, "vehicle", "XY99ZZZ")
    give(e, "vehicle", "XY99ZZZ")

    result = networks_recompute_for(case_ids=[a.case_id])

    assert network_of(e.case) == network_of(a.case)
    assert Network.objects.get(pk=network_of(a.case)).case_count == 3
    assert Network.objects.get(pk=untouched.pk).case_count == 99
    assert result.cases_examined == 3


def test_recompute_for_splits_a_network_whose_link_was_rejected():
    a, b, c = suspect(), suspect(), suspect()
    ab = link(a, b)
    link(b, c)
    networks_recompute()
    first = network_of(a.case)

    Link.objects.filter(pk=ab.pk).update(status=LinkStatus.REJECTED, reason="Not him")
    networks_recompute_for(case_ids=[a.case_id])

    assert network_of(a.case) is None
    assert network_of(b.case) == network_of(c.case) == first
    assert Network.objects.get().case_count == 2


def test_recompute_for_gives_the_same_networks_as_a_full_recompute():
    parties = [suspect(CaseFactory(force=force(slug))) for slug in ("kent", "durham", "kent")]
    others = [suspect(), suspect()]
    link(parties[0], parties[1])
    give(parties[1], "postcode", "LS2 2BB")
    give(parties[2], "postcode", "LS2 2BB")
    link(*others)

    networks_recompute_for(case_ids=[parties[2].case_id])
    partial = sorted(CaseNetwork.objects.values_list("case_id", "network_id"))
    networks_recompute()

    assert sorted(CaseNetwork.objects.values_list("case_id", "network_id"))[:3] == partial
    assert Network.objects.get(pk=network_of(parties[0].case)).force_count == 2
    assert Network.objects.count() == 2


def test_recompute_for_no_cases_does_nothing(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert networks_recompute_for(case_ids=[]).networks == 0


def test_a_key_only_one_file_gives_for_a_man_linked_across_cases_is_not_shown_as_shared():
    # Scenario 5's shape: West Yorkshire gives his postcode, Lancashire his vehicle, both
    # his phone. Linked, he is in both cases, but only the phone is held in both.
    west = suspect(CaseFactory(force=force("west-yorkshire")))
    lancs = suspect(CaseFactory(force=force("lancashire")))
    link(west, lancs, LinkStatus.CONFIRMED)
    resolve(west, lancs)
    give(west, "postcode", "BD39QT")
    give(lancs, "vehicle", "YD61KXW")
    give(west, "phone", "07700900123")
    give(lancs, "phone", "07700900123")
    networks_recompute()

    view = network_page(Network.objects.get())

    assert [(share.kind, share.case_ids) for share in view.shares] == [
        ("phone", sorted([west.case_id, lancs.case_id]))
    ]
    assert view.shares_by_kind == {"Phone": 1}
    (man,) = view.suspects
    assert man.shares == ["Phone"]


def test_a_key_two_people_in_one_case_hold_ties_nothing_on_the_network_page():
    a = suspect(CaseFactory(force=force("kent")))
    b = suspect(CaseFactory(force=force("durham")))
    a_friend = VictimFactory(case=a.case)
    resolve(a, b)
    give(a, "vehicle", "AB12CDE")
    give(a_friend, "vehicle", "AB12CDE")
    networks_recompute()

    view = network_page(Network.objects.get())

    assert view.shares == [] and view.shares_total == 0
    assert all(person.shares == [] for person in view.people)


@pytest.mark.parametrize("recompute", ["full", "for_one_case"])
def test_automatic_links_over_more_cases_than_the_cap_tie_only_through_confirmed_ones(
    monkeypatch, recompute
):
    # A chain of automatic links over four cases (one nominal), the cap at three: the chain
    # ties nothing but the one pair a lead confirmed.
    from cases.linkage import networks

    monkeypatch.setattr(networks, "AUTOMATIC_MAX_CASES", 3)
    chain = [suspect() for _ in range(4)]
    pairs = [link(a, b) for a, b in itertools.pairwise(chain)]
    resolve(*chain)
    Link.objects.filter(pk=pairs[0].pk).update(status=LinkStatus.CONFIRMED, reason="Checked")

    if recompute == "full":
        result = networks_recompute()
    else:
        result = networks_recompute_for(case_ids=[chain[2].case_id])
        networks_recompute_for(case_ids=[chain[0].case_id])
        result = None

    assert network_of(chain[0].case) == network_of(chain[1].case) is not None
    assert network_of(chain[2].case) is None and network_of(chain[3].case) is None
    assert Network.objects.get().case_count == 2
    assert result is None or result.networks == 1


def test_automatic_links_within_the_cap_tie_their_cases(monkeypatch):
    from cases.linkage import networks

    monkeypatch.setattr(networks, "AUTOMATIC_MAX_CASES", 4)
    chain = [suspect() for _ in range(4)]
    for a, b in itertools.pairwise(chain):
        link(a, b)
    resolve(*chain)

    networks_recompute()

    assert Network.objects.get().case_count == 4


@pytest.mark.django_db(transaction=True)
def test_link_people_ends_by_analysing_the_tables_it_wrote(settings, tmp_path):
    """The planner's statistics of the links, nominals and networks are fresh after a run,
    whatever autovacuum has got round to (PostgreSQL keeps when each table was analysed)."""
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    settings.LINKAGE_MODEL_DIR = tmp_path / "models"
    settings.LINKAGE_DUCKDB_TEMP_DIR = tmp_path / "duckdb"
    runs.model_save(trained=json.loads(MODEL_FIXTURE.read_text()), records=7000)
    crowd = CaseFactory()
    for n in range(120):
        born = datetime.date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
        SuspectFactory(case=crowd, person=PersonFactory(forenames=f"Crowd{n}", date_of_birth=born))
    make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "98/1234567X")
    make_suspect("Ikbal", "Mo", None, "98/1234567X")
    tables = ["cases_personlink", "cases_nominalmember", "cases_networkperson", "cases_networkkey"]

    def analysed() -> dict:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_stat_clear_snapshot()")
            cursor.execute(
                "SELECT relname, last_analyze FROM pg_stat_user_tables WHERE relname = ANY(%s)",
                [tables],
            )
            return dict(cursor.fetchall())

    before = analysed()
    started = timezone.now()

    runs.link_people(full=True)

    after = analysed()
    assert sorted(after) == sorted(tables)
    for table in tables:
        assert after[table] is not None and after[table] >= started, table
        assert before.get(table) is None or after[table] > before[table], table
