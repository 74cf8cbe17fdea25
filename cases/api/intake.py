"""Referral files sent by a force's system (issue 12): the browser's intake, over the API.

`POST /api/v1/referral-batches/` takes a referral file (multipart, field `file`) and answers
202 with the batch to poll: the file is kept, then checked and imported in the background,
exactly as a file uploaded in the browser (`cases.services.referral_batches`). Safe to
retry with an `Idempotency-Key`. `GET /api/v1/referral-batches/{id}/` says where a batch
stands (its status, the bytes read so far, then its counts or every problem), and
`GET /api/v1/referral-batches/` lists the caller's history, newest first, by cursor.

Only review leads and national leads have these routes (403 for anyone else); a batch the
caller does not see (`cases.permissions.referral_batches_visible_to`) answers 404, like a
missing one.
"""

from django.conf import settings
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from drf_spectacular.utils import extend_schema
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.exceptions import PermissionDenied, ValidationError
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from beaconport.audit.services import audit_consult
from beaconport.documents.uploads import cap_document_uploads, upload_too_large
from beaconport.idempotency import idempotent
from cases.api.linkage import id_parameter, record_id
from cases.api.pagination import CaseCursorPagination
from cases.api.views import _as_drf_error
from cases.models import ReferralBatch
from cases.permissions import referral_batch_get_for, takes_in_referrals
from cases.referrals.history import referral_batch_page_queryset, referral_batches_for
from cases.services.referral_batches import referral_batch_receive, too_large_text
from cases.vocabulary import BATCH_FINISHED, BatchChannel


class TakesInReferrals(permissions.BasePermission):
    """Review leads and national leads; every other role has no intake routes (403)."""

    message = "Only review leads and national leads send referral files."

    def has_permission(self, request, view):
        return takes_in_referrals(request.user)


class BatchCursorPagination(CaseCursorPagination):
    """Pages of referral files, newest first."""

    ordering = "-pk"


class ProblemSerializer(serializers.Serializer):
    """One problem found in a referral file, as the command lists it."""

    index = serializers.IntegerField(
        allow_null=True,
        help_text="The referral's position in the file, from 0; null for "
        "a problem with the file as a whole.",
    )
    force_reference = serializers.CharField(allow_null=True)
    path = serializers.CharField(help_text="A JSON path, e.g. $.referrals[3].received_on.")
    reason = serializers.CharField()


class ReferralBatchSerializer(serializers.ModelSerializer):
    """A referral file taken in: who sent it, its checksum, where its import stands, and
    what it did."""

    url = serializers.HyperlinkedIdentityField(view_name="api:referral-batch-detail")
    status_label = serializers.CharField(source="get_status_display")
    finished = serializers.SerializerMethodField()
    uploaded_by = serializers.CharField(source="uploaded_by.get_username")
    forces = serializers.SlugRelatedField(slug_field="slug", many=True, read_only=True)

    class Meta:
        model = ReferralBatch
        fields = [
            "id",
            "url",
            "status",
            "status_label",
            "finished",
            "channel",
            "filename",
            "size",
            "sha256",
            "same_as",
            "uploaded_by",
            "uploaded_at",
            "format",
            "stage_bytes",
            "referrals",
            "created",
            "updated",
            "unchanged",
            "refused",
            "problem_count",
            "forces",
            "error",
            "started_at",
            "finished_at",
        ]
        read_only_fields = fields

    def get_finished(self, batch) -> bool:
        return batch.status in BATCH_FINISHED


class ReferralBatchDetailSerializer(ReferralBatchSerializer):
    """A referral file with every problem found (the first 1,000; `problem_count` says how
    many in all)."""

    problems = ProblemSerializer(many=True, read_only=True)

    class Meta(ReferralBatchSerializer.Meta):
        fields = [*ReferralBatchSerializer.Meta.fields, "problems"]
        read_only_fields = fields


class ReferralFileSerializer(serializers.Serializer):
    """A force's referral file (JSON, format version 1 or 2)."""

    file = serializers.FileField(allow_empty_file=False)


class ReferralBatchViewSet(viewsets.GenericViewSet):
    """Referral files sent, and where each stands."""

    permission_classes = [permissions.IsAuthenticated, TakesInReferrals]
    pagination_class = BatchCursorPagination
    serializer_class = ReferralBatchSerializer
    filterset_class = None
    filter_backends: list = []

    def get_queryset(self):
        return referral_batches_for(self.request.user)

    @extend_schema(responses=ReferralBatchSerializer(many=True))
    def list(self, request):
        """The caller's intake history, newest first: the files they sent, and those
        imported into their teams' forces (a national lead: every file)."""
        page = self.paginate_queryset(self.get_queryset())
        if page:
            audit_consult(ids=page, actor=request.user)
        return self.get_paginated_response(self.get_serializer(page, many=True).data)

    @extend_schema(
        parameters=[id_parameter("referral batch")], responses=ReferralBatchDetailSerializer
    )
    def retrieve(self, request, pk=None):
        """Where a referral file stands: poll until `finished`, then read its counts or
        its problems."""
        batch = referral_batch_get_for(request.user, record_id(pk), referral_batch_page_queryset())
        return Response(ReferralBatchDetailSerializer(batch, context={"request": request}).data)

    @extend_schema(
        request={"multipart/form-data": ReferralFileSerializer},
        responses={202: ReferralBatchSerializer},
    )
    @idempotent
    def create(self, request):
        """Send a force's referral file: kept, then checked and imported in the background
        (202); poll the batch's `url` until it is finished. A file over
        REFERRAL_FILE_MAX_BYTES is refused (400) with nothing kept."""
        data = request.data  # parsed here (if not already), through the size cap
        if upload_too_large(request._request):
            raise ValidationError({"file": [too_large_text()]})
        upload = ReferralFileSerializer(data=data)
        upload.is_valid(raise_exception=True)
        try:
            batch = referral_batch_receive(
                by=request.user, file=upload.validated_data["file"], channel=BatchChannel.API
            )
        except DjangoValidationError as error:
            raise _as_drf_error(error) from None
        except DjangoPermissionDenied as error:
            raise PermissionDenied(str(error)) from None
        body = ReferralBatchSerializer(batch, context={"request": request}).data
        return Response(body, status=status.HTTP_202_ACCEPTED, headers={"Location": body["url"]})

    def initial(self, request, *args, **kwargs):
        # The size cap goes in front of the upload before anything reads the body (the
        # session's CSRF check and @idempotent's hash both do), so a file past
        # REFERRAL_FILE_MAX_BYTES is stopped as it arrives, not written whole to disk first.
        if self.action == "create":
            cap_document_uploads(request._request, limit=settings.REFERRAL_FILE_MAX_BYTES)
        super().initial(request, *args, **kwargs)

    def get_parsers(self):
        if getattr(self, "action", None) == "create" or self.request is None:
            return [MultiPartParser()]
        return super().get_parsers()
