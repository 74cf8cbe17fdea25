"""Reads of clusters and links for the linkage API, each scoped by `cases.permissions` first.

A cluster is a `Nominal`: two or more records linked (proposed or confirmed) into one
person. Its members come in one prefetch with their case, force and whether they still hold
a link made only automatically (which decides the cluster's status), so a page of clusters
costs the same few queries at 5 rows or 50. Nothing here reads a name or any other personal
value: a member is its case, force, the force's reference and the person's ref in the file.
"""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from cases.models import Nominal, NominalMember, PersonLink
from cases.permissions import links_visible_to, nominals_visible_to
from cases.vocabulary import LinkStatus

# How a link names its two records (enough to find each file, no personal value) and its model.
LINK_RELATED = ("left__case__force", "right__case__force", "model")


def _members() -> Prefetch:
    """A cluster's records, in case and ref order, with the case and force each needs, and
    `proposes`: whether the record is the left end of a pair linked only automatically.

    Both ends of a linked pair resolve to the same nominal, so a cluster is still proposed
    exactly when one of its members proposes. Asked here, over the page's few members, each
    probe is one index lookup; asked of the page's clusters as one EXISTS, PostgreSQL chose
    to hash every proposed link in the table (160 ms at 42,000 links, growing with them).
    """
    proposed = PersonLink.objects.filter(
        left_id=OuterRef("party_id"), status=LinkStatus.PROPOSED, cross_role=False
    )
    return Prefetch(
        "members",
        queryset=NominalMember.objects.select_related("party__case__force")
        .annotate(proposes=Exists(proposed))
        .order_by("party__case_id", "party__ref"),
    )


def cluster_status(nominal: Nominal) -> str:
    """`confirmed` once a lead has confirmed every linked pair inside, else `proposed`
    (from the prefetched members: no query)."""
    if any(member.proposes for member in nominal.members.all()):
        return LinkStatus.PROPOSED
    return LinkStatus.CONFIRMED


def clusters_for(user) -> QuerySet[Nominal]:
    """The clusters the user may see (in id order), with their members planned."""
    return nominals_visible_to(user).prefetch_related(_members()).order_by("pk")


def cluster_detail_queryset() -> QuerySet[Nominal]:
    """Clusters with members planned; the lookup is scoped by `nominal_get_for`."""
    return Nominal.objects.prefetch_related(_members())


def links_inside(nominal: Nominal) -> QuerySet[PersonLink]:
    """Every link whose two records both resolve to the cluster, whatever its status (a
    rejected or waiting pair inside a cluster joined by other links shows too)."""
    return (
        PersonLink.objects.filter(
            left__resolution__nominal=nominal, right__resolution__nominal=nominal
        )
        .select_related(*LINK_RELATED)
        .order_by("pk")
    )


def links_for(user) -> QuerySet[PersonLink]:
    """The links the user may see, in id order, with both records' case and force and the
    model planned (the API filters them by status)."""
    return links_visible_to(user).select_related(*LINK_RELATED).order_by("pk")
