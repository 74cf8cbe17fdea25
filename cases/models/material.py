"""Case-file material (documents and their pages, citations) and the referral files taken in.

The bytes live in the "documents" storage (settings.STORAGES, `STORAGE_URL`): the local
filesystem by default, an S3-compatible store in production, never under the web root.
Rows here say what each file is, who added it and its SHA-256; the file itself is only ever
served through a view that checks access and writes an audit row.
"""

from django.conf import settings
from django.contrib.postgres.search import SearchVectorField
from django.db import models
from django.db.models import Q

from cases.models.core import Case, Finding, Force, LineOfInquiry
from cases.vocabulary import BatchChannel, BatchStatus, DocumentKind, ExtractionStatus


class Document(models.Model):
    """A piece of the original case file (a statement, ABE transcript, CPS advice, ...)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(max_length=20, choices=DocumentKind.choices)
    title = models.CharField(max_length=200)
    source = models.CharField(
        max_length=200, help_text="Where it came from (a force's file, box 3)."
    )
    made_on = models.DateField(null=True, blank=True, help_text="When it was made, if known.")
    filename = models.CharField(max_length=255, help_text="As uploaded; shown, never trusted.")
    content_type = models.CharField(max_length=100, help_text="Found from the bytes.")
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=500, unique=True, editable=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)
    page_count = models.PositiveIntegerField(null=True, blank=True)
    extraction_status = models.CharField(
        max_length=10, choices=ExtractionStatus.choices, default=ExtractionStatus.PENDING
    )
    extraction_error = models.TextField(blank=True)
    extracted_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            # The same bytes twice on one case is one document.
            models.UniqueConstraint(fields=["case", "sha256"], name="document_once_per_case"),
        ]
        indexes = [models.Index(fields=["sha256"], name="document_sha256")]

    def __str__(self):
        return self.title


class DocumentPage(models.Model):
    """The text of one page of a document (a text file or DOCX is one page), for search."""

    document = models.ForeignKey(Document, on_delete=models.CASCADE, related_name="pages")
    number = models.PositiveIntegerField()
    text = models.TextField(blank=True)
    # PostgreSQL's full-text vector of `text`, written with it (GIN-indexed there); SQLite
    # leaves it empty and searches `text` instead.
    search = SearchVectorField(null=True, editable=False)

    class Meta:
        ordering = ["document", "number"]
        constraints = [
            models.UniqueConstraint(fields=["document", "number"], name="document_page_once"),
        ]

    def __str__(self):
        return f"{self.document} p. {self.number}"


class Citation(models.Model):
    """A finding or line of inquiry citing a document, at a page where one is given."""

    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="citations")
    page = models.PositiveIntegerField(null=True, blank=True)
    finding = models.ForeignKey(
        Finding, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    line_of_inquiry = models.ForeignKey(
        LineOfInquiry, null=True, blank=True, on_delete=models.CASCADE, related_name="citations"
    )
    note = models.CharField(max_length=500, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    added_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["added_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(finding__isnull=False) & Q(line_of_inquiry__isnull=True))
                | (Q(finding__isnull=True) & Q(line_of_inquiry__isnull=False)),
                name="citation_cites_for_one_record",
            ),
            models.CheckConstraint(
                condition=Q(page__isnull=True) | Q(page__gte=1), name="citation_page_from_one"
            ),
        ]

    def __str__(self):
        return f"{self.document}, p. {self.page}" if self.page else str(self.document)


class ReferralBatch(models.Model):
    """A force's referral file as it was taken in: who sent it, its checksum, what it did."""

    channel = models.CharField(max_length=10, choices=BatchChannel.choices)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)
    filename = models.CharField(max_length=255)
    size = models.PositiveBigIntegerField()
    sha256 = models.CharField(max_length=64)
    storage_name = models.CharField(max_length=500, unique=True, editable=False)
    # An earlier batch with the same bytes: recognised, and said so on the page.
    same_as = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    status = models.CharField(
        max_length=10, choices=BatchStatus.choices, default=BatchStatus.QUEUED
    )
    format = models.CharField(max_length=40, blank=True)
    # Progress: bytes read by the current reading out of `size`, for the page's bar.
    stage_bytes = models.PositiveBigIntegerField(default=0)
    referrals = models.PositiveIntegerField(default=0)
    created = models.PositiveIntegerField(default=0)
    updated = models.PositiveIntegerField(default=0)
    unchanged = models.PositiveIntegerField(default=0)
    refused = models.PositiveIntegerField(default=0)
    problem_count = models.PositiveIntegerField(default=0)
    # Every problem as the command lists them: referral index, force reference, JSON path,
    # reason (the first MAX_PROBLEMS, with problem_count saying how many in all).
    problems = models.JSONField(default=list, blank=True)
    error = models.TextField(blank=True)
    forces = models.ManyToManyField(Force, related_name="referral_batches", blank=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        indexes = [models.Index(fields=["sha256"], name="referral_batch_sha256")]

    def __str__(self):
        return f"Referral file {self.pk} ({self.filename})"
