"""The linkage API: clusters of linked person records, the links inside them, and decisions.

Links and clusters are a lead's tools (`cases.permissions`, "Person index"): national leads
and administrators see all of them, a review lead those touching their teams' forces, and
every other role is refused the routes outright (403, as the liaison lists refuse a case
worker). A cluster or link out of the caller's scope answers 404, like a missing one.
Confirming and rejecting are for leads only (administrators look, never decide) and go
through `cases.linkage.resolution`; a decision on a link that changed since it was read
answers 409 with the version now stored.

What is returned names records by their file (case reference, force, the force's reference,
the person's ref) and never by a name or any other personal value. Every page and every
cluster or link handed out is logged as consulted, a cluster's with the cases of its records.
"""

import django_filters
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from beaconport.api_schema import ErrorDocumentingAutoSchema
from beaconport.audit.services import audit_consult
from beaconport.idempotency import CONFLICT_DESCRIPTION, idempotent
from beaconport.inputs import CappedTextSerializerField
from cases.api.pagination import CaseCursorPagination
from cases.api.views import _as_drf_error
from cases.linkage.clusters import (
    cluster_detail_queryset,
    cluster_status,
    clusters_for,
    links_for,
    links_inside,
)
from cases.models import CaseParty, Force, Nominal, NominalMember, PersonLink, format_reference
from cases.permissions import CHANGE, leads_cases, link_get_for, nominal_get_for, sees_linkage
from cases.services.errors import StaleEdit
from cases.vocabulary import LinkStatus, PartyRole

# --- who may use the routes ---------------------------------------------------------------


class SeesLinkage(permissions.BasePermission):
    """Leads and administrators; every other role has no linkage routes (403)."""

    message = "Only review leads, national leads and administrators see links."

    def has_permission(self, request, view):
        return sees_linkage(request.user)


class DecidesLinks(permissions.BasePermission):
    """Review and national leads; administrators see links but never decide them (403)."""

    message = "Only review leads and national leads confirm or reject links."

    def has_permission(self, request, view):
        return leads_cases(request.user)


# The longest id a cluster or link can have (a bigint has at most 19 digits).
_MAX_DIGITS = 18


def record_id(value) -> int | None:
    """The id a path names, or None (which answers 404) for anything but a plain number."""
    text = str(value)
    return int(text) if text.isascii() and text.isdigit() and len(text) <= _MAX_DIGITS else None


def id_parameter(what: str) -> OpenApiParameter:
    return OpenApiParameter(
        "id",
        OpenApiTypes.INT,
        OpenApiParameter.PATH,
        description=f"The {what}'s id; anything else answers 404.",
    )


class LinkagePagination(CaseCursorPagination):
    """Clusters and links a page at a time, by cursor in id order, never counted."""


# --- how clusters and links read --------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    """A person record by its file: the case, its force, the force's reference, the ref."""

    case = serializers.SerializerMethodField(help_text="The case's reference, e.g. BP-000123.")
    force = serializers.CharField(
        source="case.force.slug", read_only=True, help_text="The force's slug, e.g. `kent`."
    )
    force_reference = serializers.CharField(
        source="case.force_reference", read_only=True, help_text="The force's own reference."
    )
    ref = serializers.CharField(read_only=True, help_text="The person's ref in the file.")

    def get_case(self, party: CaseParty) -> str:
        return format_reference(party.case_id)


class ReasonSerializer(serializers.Serializer):
    """One line of the model's evidence: a comparison, the level it reached, its weight."""

    comparison = serializers.CharField(help_text="What was compared (or `prior`).")
    level = serializers.CharField(
        allow_null=True, help_text="The level the pair reached, e.g. `exact`."
    )
    weight = serializers.FloatField(
        allow_null=True, help_text="Its match weight (log2 of the Bayes factor)."
    )

    def to_representation(self, item):
        item = item if isinstance(item, dict) else {}
        return {
            "comparison": str(item.get("comparison", "")),
            "level": None if item.get("level") is None else str(item["level"]),
            "weight": item.get("weight"),
        }


class LinkSerializer(serializers.ModelSerializer):
    """A pair of records judged to be one person: score, evidence, model and decision."""

    left = MemberSerializer(read_only=True)
    right = MemberSerializer(read_only=True)
    model = serializers.IntegerField(
        source="model.version",
        read_only=True,
        allow_null=True,
        default=None,
        help_text="The version of the model that scored the pair; null for a lead's own link.",
    )
    reasons = ReasonSerializer(source="evidence", many=True, read_only=True)
    decided_by = serializers.CharField(
        source="decided_by.username", read_only=True, allow_null=True, default=None
    )

    class Meta:
        model = PersonLink
        fields = [
            "id",
            "left",
            "right",
            "match_probability",
            "status",
            "cross_role",
            "model",
            "reasons",
            "decided_by",
            "decided_at",
            "version",
        ]
        read_only_fields = fields


# A cluster is confirmed once a lead has confirmed every linked pair inside it.
CLUSTER_STATUSES = [
    (LinkStatus.PROPOSED.value, "Linked automatically (some pairs undecided)"),
    (LinkStatus.CONFIRMED.value, "Confirmed"),
]


class ClusterSerializer(serializers.ModelSerializer):
    """A cluster: two or more records linked into one person, and how settled it is."""

    role = serializers.ChoiceField(choices=PartyRole.choices, read_only=True)
    status = serializers.SerializerMethodField(
        help_text="`confirmed` when a lead has confirmed every linked pair inside, else `proposed`."
    )
    members = serializers.SerializerMethodField()

    class Meta:
        model = Nominal
        fields = ["id", "role", "status", "members"]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=CLUSTER_STATUSES))
    def get_status(self, nominal) -> str:
        return cluster_status(nominal)

    @extend_schema_field(MemberSerializer(many=True))
    def get_members(self, nominal) -> list:
        return MemberSerializer([m.party for m in nominal.members.all()], many=True).data


class ClusterDetailSerializer(ClusterSerializer):
    """A cluster with the pairwise links inside it, each with its evidence."""

    links = serializers.SerializerMethodField()

    class Meta(ClusterSerializer.Meta):
        fields = [*ClusterSerializer.Meta.fields, "links"]
        read_only_fields = fields

    @extend_schema_field(LinkSerializer(many=True))
    def get_links(self, nominal) -> list:
        return LinkSerializer(links_inside(nominal), many=True).data


class DecisionSerializer(serializers.Serializer):
    """A lead's decision on a link: why, and the version of the link they read."""

    reason = CappedTextSerializerField(
        max_length=PersonLink._meta.get_field("reason").max_length,
        help_text="Why the two records are, or are not, one person (kept with the link).",
    )
    version = serializers.IntegerField(
        min_value=1,
        max_value=2**31 - 1,
        help_text="The link's `version` as read; a link changed since answers 409.",
    )


class ClusterFilter(django_filters.FilterSet):
    """Clusters by role, or by a force one of their records comes from."""

    role = django_filters.ChoiceFilter(choices=PartyRole.choices)
    force = django_filters.ModelChoiceFilter(
        queryset=Force.objects.all(),
        to_field_name="slug",
        method="with_member_in",
        help_text="A force's slug, e.g. `kent`: clusters with a record from that force.",
    )

    class Meta:
        model = Nominal
        fields = ["role", "force"]

    @extend_schema_field(OpenApiTypes.STR)
    def with_member_in(self, queryset, name, force):
        members = NominalMember.objects.filter(party__case__force=force).values("nominal_id")
        return queryset.filter(pk__in=members)


class LinkFilter(django_filters.FilterSet):
    """Links by status: `review` is the queue of pairs waiting for a lead."""

    status = django_filters.ChoiceFilter(choices=LinkStatus.choices)

    class Meta:
        model = PersonLink
        fields = ["status"]


# --- the routes -------------------------------------------------------------------------------


def _shown(user, page, object_type: str) -> list:
    """Log that a page of clusters or links was shown to the user: one audit row."""
    page = list(page)
    audit_consult(ids=[obj.pk for obj in page], object_type=object_type, actor=user)
    return page


def _member_cases_shown(user, nominals) -> None:
    """Log the cases whose records the clusters showed (from the prefetched members): a
    cluster's members change when links do, so its id alone cannot say later whose records
    were read. One audit row, as a network's page logs its cases."""
    ids = sorted({m.party.case_id for nominal in nominals for m in nominal.members.all()})
    if ids:
        audit_consult(ids=ids, object_type="cases.case", actor=user)


class ClusterViewSet(viewsets.ReadOnlyModelViewSet):
    """Clusters the caller may see, in id order, a page at a time by cursor; one by its id."""

    permission_classes = [permissions.IsAuthenticated, SeesLinkage]
    pagination_class = LinkagePagination
    serializer_class = ClusterSerializer
    filterset_class = ClusterFilter
    login_required = False

    def get_queryset(self):
        if self.action == "list":
            return clusters_for(self.request.user)
        return cluster_detail_queryset()

    def get_serializer_class(self):
        return ClusterDetailSerializer if self.action == "retrieve" else ClusterSerializer

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        if page is None:
            return page
        page = _shown(self.request.user, page, "cases.nominal")
        _member_cases_shown(self.request.user, page)
        return page

    def get_object(self):
        return nominal_get_for(
            self.request.user, record_id(self.kwargs["pk"]), queryset=self.get_queryset()
        )

    @extend_schema(
        summary="Clusters of linked person records",
        description="Every cluster of two or more person records the system links (proposed "
        "or confirmed) that the caller may see: national leads and administrators all, a "
        "review lead those with a record in their teams' forces. No names: each member is "
        "named by its case, force, the force's reference and its ref in the file.",
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        summary="A cluster with its links",
        parameters=[id_parameter("cluster")],
        description="The cluster and every link between two of its records, each with its "
        "match probability, status, the model version that scored it and the evidence field "
        "by field (comparison, level, match weight).",
    )
    def retrieve(self, request, *args, **kwargs):
        nominal = self.get_object()
        _member_cases_shown(request.user, [nominal])
        return Response(self.get_serializer(nominal).data)


class ConflictDocumentingSchema(ErrorDocumentingAutoSchema):
    """The project's schema, plus the 409 a decision on a changed link answers."""

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is not None and method == "POST":
            operation["responses"]["409"] = {
                "content": {
                    "application/json": {"schema": {"$ref": "#/components/schemas/ErrorDetail"}}
                },
                "description": "The link changed since it was read (its `version` moved): "
                "nothing was changed; `version` is the one now stored. Or: " + CONFLICT_DESCRIPTION,
            }
        return operation


class LinkViewSet(viewsets.GenericViewSet):
    """Links the caller may see (the review queue with `status=review`); decisions on one."""

    permission_classes = [permissions.IsAuthenticated, SeesLinkage]
    pagination_class = LinkagePagination
    serializer_class = LinkSerializer
    filterset_class = LinkFilter
    schema = ConflictDocumentingSchema()
    login_required = False

    def get_queryset(self):
        return links_for(self.request.user)

    def get_permissions(self):
        if self.action in ("confirm", "reject"):
            return [permissions.IsAuthenticated(), DecidesLinks()]
        return super().get_permissions()

    def get_serializer_class(self):
        return DecisionSerializer if self.action in ("confirm", "reject") else LinkSerializer

    @extend_schema(
        summary="Links between person records",
        description="Every link the caller may see, in id order; `status=review` is the "
        "queue of pairs in the uncertain band, waiting for a lead's decision.",
    )
    def list(self, request):
        queryset = self.filter_queryset(self.get_queryset())
        page = _shown(request.user, self.paginate_queryset(queryset), "cases.personlink")
        return self.get_paginated_response(LinkSerializer(page, many=True).data)

    @extend_schema(
        request=DecisionSerializer,
        responses={200: LinkSerializer},
        summary="Confirm a link: the two records are one person",
        parameters=[id_parameter("link")],
        description="For review and national leads who see the link. Refused with 400 for a "
        "pair of different roles (never merged) or a missing reason, 409 for a stale version.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def confirm(self, request, pk=None):
        from cases.linkage.resolution import link_confirm

        return self._decide(request, pk, link_confirm)

    @extend_schema(
        request=DecisionSerializer,
        responses={200: LinkSerializer},
        summary="Reject a link: the two records are different people",
        parameters=[id_parameter("link")],
        description="For review and national leads who see the link. A rejected pair is "
        "never proposed again. 400 for a missing reason, 409 for a stale version.",
    )
    @action(detail=True, methods=["post"])
    @idempotent
    def reject(self, request, pk=None):
        from cases.linkage.resolution import link_reject

        return self._decide(request, pk, link_reject)

    def idempotent_replay_check(self, request, pk=None, **kwargs) -> None:
        """Before a kept decision is replayed: the caller must still decide this link (404 or
        403 otherwise, as deciding it would answer)."""
        link_get_for(request.user, record_id(pk), CHANGE)

    def _decide(self, request, pk, decide):
        link = link_get_for(request.user, record_id(pk), CHANGE)
        body = DecisionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        try:
            decide(link=link, by=request.user, **body.validated_data)
        except StaleEdit as stale:
            current = getattr(stale.current, "version", None)
            return Response(
                {"detail": " ".join(stale.messages), "version": current},
                status=status.HTTP_409_CONFLICT,
            )
        except DjangoValidationError as error:
            raise _as_drf_error(error) from None
        return Response(LinkSerializer(self.get_queryset().get(pk=link.pk)).data)
