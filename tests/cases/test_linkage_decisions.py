"""Resolution: nominals from links, and a lead's decisions on links (issue 10)."""

import pytest

from cases.linkage.resolution import nominals_recompute
from cases.models import Nominal, NominalMember, PersonLink
from cases.vocabulary import LinkStatus
from tests.factories import SuspectFactory, VictimFactory, make_link

pytestmark = pytest.mark.django_db


def clusters():
    """{nominal id: sorted party ids} as stored."""
    out = {}
    for party, nominal in NominalMember.objects.values_list("party_id", "nominal_id"):
        out.setdefault(nominal, []).append(party)
    return {n: sorted(ps) for n, ps in out.items()}


def test_a_chain_of_links_is_one_nominal_and_single_records_are_none():
    a, b, c, d = (SuspectFactory() for _ in range(4))
    make_link(a, b)
    make_link(b, c, status=LinkStatus.CONFIRMED)
    assert nominals_recompute() == 1
    assert list(clusters().values()) == [sorted([a.pk, b.pk, c.pk])]
    assert not NominalMember.objects.filter(party=d).exists()
    assert Nominal.objects.get().role == "suspect"


def test_review_rejected_and_cross_role_links_do_not_join_records():
    a, b, c = (SuspectFactory() for _ in range(3))
    v = VictimFactory()
    make_link(a, b, status=LinkStatus.REVIEW, probability=0.8)
    make_link(b, c, status=LinkStatus.REJECTED)
    make_link(a, v, status=LinkStatus.REVIEW)
    assert nominals_recompute() == 0
    assert not NominalMember.objects.exists()


def test_a_recompute_keeps_the_ids_of_unchanged_and_grown_nominals():
    a, b, c, d, e = (SuspectFactory() for _ in range(5))
    make_link(a, b)
    make_link(d, e)
    nominals_recompute()
    before = {tuple(ps): n for n, ps in clusters().items()}
    first = before[tuple(sorted([a.pk, b.pk]))]
    make_link(b, c)
    nominals_recompute()
    after = clusters()
    assert after[first] == sorted([a.pk, b.pk, c.pk])
    assert after[before[tuple(sorted([d.pk, e.pk]))]] == sorted([d.pk, e.pk])


def test_a_split_keeps_the_id_with_the_larger_part_and_gives_the_other_a_new_one():
    a, b, c, d, e = (SuspectFactory() for _ in range(5))
    make_link(a, b)
    make_link(b, c)
    cut = make_link(c, d)
    make_link(d, e)
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
    make_link(a, b)
    make_link(c, d)
    make_link(d, e)
    nominals_recompute()
    small = NominalMember.objects.get(party=a).nominal_id
    large = NominalMember.objects.get(party=c).nominal_id
    make_link(b, c)
    assert nominals_recompute(party_ids=[b.pk, c.pk]) == 1
    assert clusters() == {large: sorted([a.pk, b.pk, c.pk, d.pk, e.pk])}
    assert not Nominal.objects.filter(pk=small).exists()


def test_a_nominal_whose_last_link_goes_is_deleted():
    a, b = SuspectFactory(), SuspectFactory()
    only = make_link(a, b)
    nominals_recompute()
    only.delete()
    assert nominals_recompute(party_ids=[a.pk]) == 0
    assert not Nominal.objects.exists()
    assert not NominalMember.objects.exists()


def test_a_recompute_for_some_records_leaves_other_components_alone():
    a, b, c, d = (SuspectFactory() for _ in range(4))
    make_link(a, b)
    nominals_recompute()
    make_link(c, d)  # not yet recomputed: outside the scope below
    assert nominals_recompute(party_ids=[a.pk]) == 1
    assert set(clusters().popitem()[1]) == {a.pk, b.pk}
    assert nominals_recompute(party_ids=[d.pk]) == 2


def test_nominals_recompute_reads_links_in_a_bounded_number_of_queries(
    django_assert_max_num_queries,
):
    parties = [SuspectFactory() for _ in range(30)]
    for i in range(0, 30, 3):
        make_link(parties[i], parties[i + 1])
        make_link(parties[i + 1], parties[i + 2])
    with django_assert_max_num_queries(12):
        assert nominals_recompute() == 10
    with django_assert_max_num_queries(12):
        assert nominals_recompute() == 10


# --- decisions --------------------------------------------------------------------------------


def decisions(link):
    """The audit rows written about a link: (operation, decision) oldest first."""
    from beaconport.audit.models import AuditEvent

    rows = AuditEvent.objects.filter(object_type="cases.personlink", object_id=str(link.pk))
    return [
        (row.operation, row.changes.get("decision", [None, None])[1], row.justification)
        for row in rows.order_by("seq")
        if row.operation != "consult"
    ]


@pytest.fixture
def pair():
    """Two records of one suspect in two cases of the personas' team."""
    return SuspectFactory(), SuspectFactory()


def test_a_lead_confirms_a_link_in_review_and_the_records_become_one_nominal(review_lead, pair):
    from cases.linkage.resolution import link_confirm

    waiting = make_link(*pair, status=LinkStatus.REVIEW, probability=0.7)
    done = link_confirm(link=waiting, by=review_lead, reason="Same PNC in both files", version=1)
    assert (done.status, done.decided_by, done.version) == (LinkStatus.CONFIRMED, review_lead, 2)
    assert done.reason == "Same PNC in both files"
    assert len(clusters()) == 1
    assert decisions(done) == [("combine", "confirmed", "Same PNC in both files")]


def test_a_lead_rejects_a_link_and_it_is_remembered_with_the_reason(review_lead, pair):
    from cases.linkage.resolution import link_reject

    waiting = make_link(*pair, status=LinkStatus.REVIEW, probability=0.7)
    done = link_reject(link=waiting, by=review_lead, reason="Different dates of birth", version=1)
    done.refresh_from_db()
    assert (done.status, done.reason, done.decided_by) == (
        LinkStatus.REJECTED,
        "Different dates of birth",
        review_lead,
    )
    assert not NominalMember.objects.exists()
    assert decisions(done) == [("alter", "rejected", "Different dates of birth")]


def test_a_merge_undone_leaves_the_records_unchanged_and_the_nominals_as_before(review_lead):
    from cases.linkage.resolution import link_confirm, link_undo
    from cases.models import CaseParty, Person

    a, b, c, d = (SuspectFactory() for _ in range(4))
    make_link(a, b)
    make_link(c, d)
    nominals_recompute()
    before = clusters()
    records = (list(CaseParty.objects.order_by("pk").values()), list(Person.objects.values()))
    join = make_link(b, c, status=LinkStatus.REVIEW, probability=0.8)
    join = link_confirm(link=join, by=review_lead, reason="One man", version=1)
    assert len(clusters()) == 1
    link_undo(link=join, by=review_lead, reason="Two brothers, same initials", version=2)
    # The same clusters; the one that kept its id through the merge keeps it still.
    assert sorted(clusters().values()) == sorted(before.values())
    assert set(before) & set(clusters())
    after = (list(CaseParty.objects.order_by("pk").values()), list(Person.objects.values()))
    assert after == records
    join.refresh_from_db()
    assert join.status == LinkStatus.REJECTED
    assert decisions(join) == [
        ("combine", "confirmed", "One man"),
        ("alter", "undone", "Two brothers, same initials"),
    ]


def test_undoing_an_automatic_link_splits_its_nominal(national_lead):
    from cases.linkage.resolution import link_undo

    a, b, c = (SuspectFactory() for _ in range(3))
    make_link(a, b)
    cut = make_link(b, c)
    nominals_recompute()
    (kept,) = clusters()
    link_undo(link=cut, by=national_lead, reason="c is another man", version=1)
    assert clusters() == {kept: sorted([a.pk, b.pk])}


def test_a_stale_decision_is_refused_and_nothing_changes(review_lead, national_lead, pair):
    from cases.linkage.resolution import link_confirm, link_reject
    from cases.services.errors import StaleEdit

    waiting = make_link(*pair, status=LinkStatus.REVIEW, probability=0.7)
    loaded = PersonLink.objects.get(pk=waiting.pk)
    link_reject(link=waiting, by=national_lead, reason="Different people", version=1)
    with pytest.raises(StaleEdit):
        link_confirm(link=loaded, by=review_lead, reason="Same man", version=1)
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by) == (LinkStatus.REJECTED, national_lead)
    assert not NominalMember.objects.exists()


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_a_decision_without_a_reason_is_refused(review_lead, pair, reason):
    from django.core.exceptions import ValidationError

    from cases.linkage.resolution import link_confirm, link_reject

    waiting = make_link(*pair, status=LinkStatus.REVIEW, probability=0.7)
    for decide in (link_confirm, link_reject):
        with pytest.raises(ValidationError) as refused:
            decide(link=waiting, by=review_lead, reason=reason, version=1)
        assert "reason" in refused.value.message_dict
    waiting.refresh_from_db()
    assert (waiting.status, waiting.version) == (LinkStatus.REVIEW, 1)


def test_a_cross_role_look_alike_cannot_be_confirmed_but_can_be_acknowledged(review_lead):
    from django.core.exceptions import ValidationError

    from cases.linkage.resolution import link_acknowledge, link_confirm, link_manual

    suspect, victim = SuspectFactory(), VictimFactory()
    alike = make_link(suspect, victim, status=LinkStatus.REVIEW, probability=0.9)
    with pytest.raises(ValidationError, match="never merged"):
        link_confirm(link=alike, by=review_lead, reason="Same person", version=1)
    with pytest.raises(ValidationError, match="never merged"):
        link_manual(left=suspect, right=victim, by=review_lead, reason="Same person")
    noted = link_acknowledge(link=alike, by=review_lead, reason="Noted for the SIO", version=1)
    assert (noted.status, noted.decided_by, noted.cross_role) == (
        LinkStatus.REVIEW,
        review_lead,
        True,
    )
    assert not NominalMember.objects.exists()
    assert decisions(noted) == [("alter", "acknowledged", "Noted for the SIO")]


def test_a_lead_links_two_records_by_hand(review_lead, pair):
    from cases.linkage.resolution import link_manual

    made = link_manual(left=pair[1], right=pair[0], by=review_lead, reason="Known to be one")
    assert (made.left_id, made.right_id) == tuple(sorted(p.pk for p in pair))
    assert (made.status, made.model, made.match_probability, made.evidence) == (
        LinkStatus.CONFIRMED,
        None,
        None,
        [],
    )
    assert list(clusters().values()) == [sorted(p.pk for p in pair)]
    assert decisions(made) == [("combine", "linked by hand", "Known to be one")]


@pytest.mark.parametrize(
    "persona",
    ["investigator", "liaison_officer", "analyst", "admin_user", "other_team_review_lead"],
)
def test_only_a_lead_who_sees_the_link_may_decide_it(request, persona, pair):
    from cases.linkage.resolution import link_confirm, link_manual
    from cases.services.errors import ActionNotPermitted

    user = request.getfixturevalue(persona)
    waiting = make_link(*pair, status=LinkStatus.REVIEW, probability=0.7)
    with pytest.raises(ActionNotPermitted):
        link_confirm(link=waiting, by=user, reason="Same man", version=1)
    with pytest.raises(ActionNotPermitted):
        link_manual(left=pair[0], right=pair[1], by=user, reason="Same man")
    waiting.refresh_from_db()
    assert waiting.status == LinkStatus.REVIEW


def test_a_decision_recomputes_the_network_of_the_two_cases(review_lead, pair):
    from cases.linkage.resolution import link_confirm, link_undo
    from cases.models import CaseNetwork

    waiting = make_link(*pair, status=LinkStatus.REVIEW, probability=0.7)
    cases = [p.case_id for p in pair]
    done = link_confirm(link=waiting, by=review_lead, reason="One man", version=1)
    networks = set(
        CaseNetwork.objects.filter(case_id__in=cases).values_list("network_id", flat=True)
    )
    assert CaseNetwork.objects.filter(case_id__in=cases).count() == 2 and len(networks) == 1
    link_undo(link=done, by=review_lead, reason="Two men after all", version=2)
    assert not CaseNetwork.objects.filter(case_id__in=cases).exists()
