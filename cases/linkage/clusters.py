"""Reads of clusters and links for the linkage API, each scoped by `cases.permissions` first.

A cluster is a `Nominal`: two or more records linked (proposed or confirmed) into one
person. Its status is read in the page's own query (an EXISTS over its proposed links), and
its members come in one prefetch with their case and force, so a page of clusters costs the
same few queries at 5 rows or 50. Nothing here reads a name or any other personal value:
a member is its case, force, the force's reference and the person's ref in the file.
"""

from django.db.models import Exists, OuterRef, Prefetch, QuerySet

from cases.models import Nominal, NominalMember, PersonLink
from cases.permissions import links_visible_to, nominals_visible_to
from cases.vocabulary import LinkStatus

# How a link names its two records (enough to find each file, no personal value) and its model.
LINK_RELATED = ("left__case__force", "right__case__force", "model")


def _members() -> Prefetch:
    """A cluster's records, in case and ref order, with the case and force each needs."""
    return Prefetch(
        "members",
        queryset=NominalMember.objects.select_related("party__case__force").order_by(
            "party__case_id", "party__ref"
        ),
    )


def _with_status(nominals: QuerySet[Nominal]) -> QuerySet[Nominal]:
    """`undecided`: whether any linked pair inside the cluster is still only proposed.

    Both ends of a linked pair resolve to the same nominal, so the left end decides.
    """
    proposed = PersonLink.objects.filter(
        left__resolution__nominal=OuterRef("pk"), status=LinkStatus.PROPOSED, cross_role=False
    )
    return nominals.annotate(undecided=Exists(proposed))


def clusters_for(user) -> QuerySet[Nominal]:
    """The clusters the user may see (in id order), with status and members planned."""
    return _with_status(nominals_visible_to(user)).prefetch_related(_members()).order_by("pk")


def cluster_detail_queryset() -> QuerySet[Nominal]:
    """Clusters with status and members planned; the lookup is scoped by `nominal_get_for`."""
    return _with_status(Nominal.objects.all()).prefetch_related(_members())


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
