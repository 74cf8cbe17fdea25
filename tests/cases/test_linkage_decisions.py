"""Resolution: nominals from links, and a lead's decisions on links (issue 10)."""

import pytest

from cases.linkage.resolution import nominals_recompute
from cases.models import Nominal, NominalMember, PersonLink
from cases.vocabulary import LinkStatus
from tests.factories import SuspectFactory, VictimFactory

pytestmark = pytest.mark.django_db


def link(a, b, status=LinkStatus.PROPOSED, probability=0.99, **fields):
    """A stored link between two records (ordered as the table requires)."""
    left, right = sorted([a, b], key=lambda p: p.pk)
    fields.setdefault("cross_role", left.role != right.role)
    if status in (LinkStatus.CONFIRMED, LinkStatus.REJECTED):
        fields.setdefault("reason", "Synthetic decision")
    return PersonLink.objects.create(
        left=left, right=right, status=status, match_probability=probability, **fields
    )


def clusters():
    """{nominal id: sorted party ids} as stored."""
    out = {}
    for party, nominal in NominalMember.objects.values_list("party_id", "nominal_id"):
        out.setdefault(nominal, []).append(party)
    return {n: sorted(ps) for n, ps in out.items()}


def test_a_chain_of_links_is_one_nominal_and_single_records_are_none():
    a, b, c, d = (SuspectFactory() for _ in range(4))
    link(a, b)
    link(b, c, status=LinkStatus.CONFIRMED)
    assert nominals_recompute() == 1
    assert list(clusters().values()) == [sorted([a.pk, b.pk, c.pk])]
    assert not NominalMember.objects.filter(party=d).exists()
    assert Nominal.objects.get().role == "suspect"


def test_review_rejected_and_cross_role_links_do_not_join_records():
    a, b, c = (SuspectFactory() for _ in range(3))
    v = VictimFactory()
    link(a, b, status=LinkStatus.REVIEW, probability=0.8)
    link(b, c, status=LinkStatus.REJECTED)
    link(a, v, status=LinkStatus.REVIEW)
    assert nominals_recompute() == 0
    assert not NominalMember.objects.exists()


def test_a_recompute_keeps_the_ids_of_unchanged_and_grown_nominals():
    a, b, c, d, e = (SuspectFactory() for _ in range(5))
    link(a, b)
    link(d, e)
    nominals_recompute()
    before = {tuple(ps): n for n, ps in clusters().items()}
    first = before[tuple(sorted([a.pk, b.pk]))]
    link(b, c)
    nominals_recompute()
    after = clusters()
    assert after[first] == sorted([a.pk, b.pk, c.pk])
    assert after[before[tuple(sorted([d.pk, e.pk]))]] == sorted([d.pk, e.pk])


def test_a_split_keeps_the_id_with_the_larger_part_and_gives_the_other_a_new_one():
    a, b, c, d, e = (SuspectFactory() for _ in range(5))
    link(a, b)
    link(b, c)
    cut = link(c, d)
    link(d, e)
    nominals_recompute()
    (old,) = clusters()
    cut.status = LinkStatus.REJECTED
    cut.reason = "Different people"
    cut.save()
    assert nominals_recompute(party_ids=[c.pk, d.pk]) == 2
    after = clusters()
    assert after[old] == sorted([a.pk, b.pk, c.pk])
    (other,) = set(after) - {old}
    assert after[other] == sorted([d.pk, e.pk])


def test_two_nominals_joined_keep_the_id_most_records_had_and_the_other_is_deleted():
    a, b, c, d, e = (SuspectFactory() for _ in range(5))
    link(a, b)
    link(c, d)
    link(d, e)
    nominals_recompute()
    small = NominalMember.objects.get(party=a).nominal_id
    large = NominalMember.objects.get(party=c).nominal_id
    link(b, c)
    assert nominals_recompute(party_ids=[b.pk, c.pk]) == 1
    assert clusters() == {large: sorted([a.pk, b.pk, c.pk, d.pk, e.pk])}
    assert not Nominal.objects.filter(pk=small).exists()


def test_a_nominal_whose_last_link_goes_is_deleted():
    a, b = SuspectFactory(), SuspectFactory()
    only = link(a, b)
    nominals_recompute()
    only.delete()
    assert nominals_recompute(party_ids=[a.pk]) == 0
    assert not Nominal.objects.exists()
    assert not NominalMember.objects.exists()


def test_a_recompute_for_some_records_leaves_other_components_alone():
    a, b, c, d = (SuspectFactory() for _ in range(4))
    link(a, b)
    nominals_recompute()
    link(c, d)  # not yet recomputed: outside the scope below
    assert nominals_recompute(party_ids=[a.pk]) == 1
    assert set(clusters().popitem()[1]) == {a.pk, b.pk}
    assert nominals_recompute(party_ids=[d.pk]) == 2


def test_nominals_recompute_reads_links_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    parties = [SuspectFactory() for _ in range(30)]
    for i in range(0, 30, 3):
        link(parties[i], parties[i + 1])
        link(parties[i + 1], parties[i + 2])
    with django_assert_max_num_queries(12):
        assert nominals_recompute() == 10
    with django_assert_max_num_queries(12):
        assert nominals_recompute() == 10
