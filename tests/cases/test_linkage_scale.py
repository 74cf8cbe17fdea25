"""The person index's reads at scale (issue 10 follow-up): what the faster queries return is
what the slower ones did, worked out by hand on small fixtures."""

import pytest

from cases.linkage import queue
from cases.linkage.resolution import nominals_recompute
from cases.models import Force
from cases.vocabulary import LinkStatus
from tests.factories import CaseFactory, SuspectFactory, make_link

pytestmark = pytest.mark.django_db


def test_a_clusters_other_links_are_those_between_its_records_only(review_lead):
    """Cluster a-b-c-d (three automatic links). Beside it: a rejected link from c to e (e in
    no cluster: one end only is a member), and another cluster f-g. From the link a-b the
    page lists b-c and c-d, most probable first, and nothing else."""
    a, b, c, d, e, f, g = (SuspectFactory() for _ in range(7))
    ab = make_link(a, b, probability=0.99)
    bc = make_link(b, c, probability=0.95)
    cd = make_link(c, d, probability=0.97)
    make_link(c, e, status=LinkStatus.REJECTED, probability=0.6)
    make_link(f, g, probability=0.98)
    nominals_recompute()
    assert [other.pk for other in queue.cluster_links(review_lead, ab)] == [cd.pk, bc.pk]


def test_a_clusters_links_outside_the_leads_forces_are_not_listed(
    review_lead, other_team_review_lead
):
    """Cluster a-b-c: a and b on the personas' team's cases, c on a Cumbria case (the other
    team's only force). The personas' lead sees b-c (b is theirs); the Cumbria lead, opening
    b-c, sees no other link: a-b touches none of their forces."""
    cumbria = Force.objects.get(slug="cumbria")
    a, b = SuspectFactory(), SuspectFactory()
    c = SuspectFactory(case=CaseFactory(force=cumbria))
    ab = make_link(a, b, probability=0.99)
    bc = make_link(b, c, probability=0.95)
    nominals_recompute()
    assert [other.pk for other in queue.cluster_links(review_lead, ab)] == [bc.pk]
    assert queue.cluster_links(other_team_review_lead, bc) == []
