"""How fast documents are added (upload) and read for search (extraction).

Upload: N documents through the upload service (`cases.services.documents.document_add`:
type sniffed from the bytes, SHA-256, stored, row and audit row written), to the
filesystem storage and, given --s3-endpoint (moto's server or any S3-compatible store with
a bucket it may create), to S3; documents per second and MB per second. The extraction task
is not sent during the upload timing (it is timed on its own).

Extraction: each uploaded PDF (of --pages pages) and DOCX read by
`cases.services.extraction.document_text_extract`, in this process as a worker would;
pages per second. Run from the project root, e.g.

    DATABASE_URL=postgresql://... SECRET_KEY=... .venv/bin/python benchmarks/documents.py \
        --count 30 --pages 20 --s3-endpoint http://127.0.0.1:5000

It creates a case, a user and its documents under a fresh tag, and deletes them after.
"""

import argparse
import datetime
import io
import os
import sys
import tempfile
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beaconport.settings")

SENTENCE = (
    "At 21:40 the witness saw a blue transit van parked outside the library on the high "
    "street; she described the driver as tall, wearing a grey hooded top. "
)


def pdf_file(pages: int, tag: str) -> bytes:
    from fpdf import FPDF

    pdf = FPDF()
    pdf.set_font("helvetica", size=10)
    for number in range(pages):
        pdf.add_page()
        pdf.multi_cell(0, 5, f"{tag} page {number + 1}. " + SENTENCE * 12)
    return bytes(pdf.output())


def docx_file(paragraphs: int, tag: str) -> bytes:
    import docx

    document = docx.Document()
    for number in range(paragraphs):
        document.add_paragraph(f"{tag} paragraph {number + 1}. " + SENTENCE * 3)
        if number % 40 == 39:
            document.add_page_break()
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()


def make_case(tag: str):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from beaconport.roles import Role
    from cases.models import Case, Force

    user = get_user_model().objects.create_user(
        f"bench-docs-{tag}", email=f"docs-{tag}@bench.invalid"
    )
    user.groups.add(Group.objects.get(name=Role.NATIONAL_LEAD.value))
    case = Case.objects.create(
        force=Force.objects.order_by("pk").first(),
        force_reference=f"BENCHD/{tag}",
        received_on=datetime.date(2025, 10, 1),
        decision_outcome="nfa",
        decision_by="police",
    )
    return case, user


def upload(case, user, files: list[tuple[str, bytes]]) -> tuple[list, float]:
    """Add the files through the service; (documents, seconds)."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from cases.services.documents import document_add
    from cases.tasks import extract_document_text

    documents = []
    sent = extract_document_text.delay_on_commit
    extract_document_text.delay_on_commit = lambda *args, **kwargs: None
    try:
        started = time.perf_counter()
        for name, data in files:
            documents.append(
                document_add(
                    case=case,
                    by=user,
                    file=SimpleUploadedFile(name, data),
                    kind="statement",
                    title=f"Bench {name}",
                    source="Benchmark",
                )
            )
        seconds = time.perf_counter() - started
    finally:
        extract_document_text.delay_on_commit = sent
    return documents, seconds


def extract(documents) -> tuple[int, float]:
    """Read every document's text; (pages, seconds)."""
    from cases.models import Document
    from cases.services.extraction import document_text_extract

    started = time.perf_counter()
    for document in documents:
        status = document_text_extract(document_id=document.pk)
        assert status == "done", (document.pk, status)
    seconds = time.perf_counter() - started
    pages = sum(
        Document.objects.filter(pk__in=[d.pk for d in documents]).values_list(
            "page_count", flat=True
        )
    )
    return pages, seconds


def run(storage_label: str, storages_setting: dict, args, tag: str) -> None:
    from django.core.files.storage import storages
    from django.test import override_settings

    from cases.models import Case

    with override_settings(STORAGES=storages_setting):
        storages._storages.pop("documents", None)
        case, user = make_case(f"{tag}-{storage_label}")
        try:
            pdfs = [(f"s{n}.pdf", pdf_file(args.pages, f"{tag}-{n}")) for n in range(args.count)]
            docxs = [
                (f"s{n}.docx", docx_file(args.paragraphs, f"{tag}-{n}")) for n in range(args.count)
            ]
            for label, files in (("PDF", pdfs), ("DOCX", docxs)):
                size = sum(len(data) for _, data in files) / 1e6
                documents, seconds = upload(case, user, files)
                print(
                    f"{storage_label} upload {label}: {len(files)} documents "
                    f"({size / len(files) * 1000:.0f} kB each) in {seconds:.2f} s = "
                    f"{len(files) / seconds:.1f} documents/s, {size / seconds:.2f} MB/s"
                )
                pages, seconds = extract(documents)
                print(
                    f"{storage_label} extract {label}: {pages} pages in {seconds:.2f} s = "
                    f"{pages / seconds:.0f} pages/s ({len(files) / seconds:.1f} documents/s)"
                )
            big = [
                (f"b{n}.txt", os.urandom(8).hex().encode() * (args.big_mb * 2**16))
                for n in range(3)
            ]
            size = sum(len(data) for _, data in big) / 1e6
            _, seconds = upload(case, user, big)
            print(
                f"{storage_label} upload {args.big_mb} MiB text files: {len(big)} in "
                f"{seconds:.2f} s = {size / seconds:.1f} MB/s"
            )
        finally:
            for document in case.documents.all():
                storages["documents"].delete(document.storage_name)
            Case.objects.filter(pk=case.pk).delete()
        storages._storages.pop("documents", None)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=20, help="documents of each kind")
    parser.add_argument("--pages", type=int, default=20, help="pages per PDF")
    parser.add_argument("--paragraphs", type=int, default=200, help="paragraphs per DOCX")
    parser.add_argument("--big-mb", type=int, default=8, help="size of the large text files")
    parser.add_argument("--s3-endpoint", help="an S3-compatible server to upload to as well")
    args = parser.parse_args()

    import django

    django.setup()
    from django.conf import settings
    from django.db import connection

    from beaconport.env import env_storage

    tag = uuid.uuid4().hex[:8]
    print(f"{connection.vendor}; documents {args.count} of each kind, PDFs of {args.pages} pages")
    with tempfile.TemporaryDirectory() as directory:
        os.environ["BENCH_DOCUMENTS_URL"] = f"file://{directory}"
        documents = env_storage("BENCH_DOCUMENTS_URL", None)
        run("filesystem", {**settings.STORAGES, "documents": documents}, args, tag)
    if args.s3_endpoint:
        import boto3

        region = os.environ.setdefault("AWS_DEFAULT_REGION", "eu-west-2")
        bucket = f"bench-docs-{tag}"
        boto3.client("s3", endpoint_url=args.s3_endpoint, region_name=region).create_bucket(
            Bucket=bucket, CreateBucketConfiguration={"LocationConstraint": region}
        )
        os.environ["BENCH_DOCUMENTS_URL"] = (
            f"s3://{bucket}/documents?endpoint_url={args.s3_endpoint}&region={region}"
        )
        documents = env_storage("BENCH_DOCUMENTS_URL", None)
        run("s3", {**settings.STORAGES, "documents": documents}, args, tag)


if __name__ == "__main__":
    main()
