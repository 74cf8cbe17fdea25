"""The seed's case-file material (issue 12): documents with their pages' text, citations of
them by findings, and the referral files taken in (the intake history).

Only rows are written, no files: a seeded document's `storage_name` names nothing in the
documents storage, so its record, the list and search work but its download and view answer
404 (the file is not there). Search needs only the pages' text and their `search` vectors,
set on PostgreSQL by one UPDATE (`to_tsvector('english', text)`) once the pages are
written; the writer's VACUUM (ANALYZE) then gives the planner their statistics.

The text is synthetic English from a small vocabulary, with a few marked terms on known
shares of the pages, so searches have hits of known sizes: RARE_TERM on about one page in
RARE_EVERY, PHRASE on about one page in PHRASE_EVERY, and COMMON_TERM (from the
vocabulary) on about two pages in three.
"""

import datetime
import hashlib
import random

from django.db import connection

from beaconport.roles import Role
from beaconport.scale import review
from beaconport.scale import seed as plan
from cases.models import Citation, Document, DocumentPage, ReferralBatch
from cases.referrals.validate import FORMAT, FORMAT_V2

KINDS = (
    ("statement", 45), ("abe_transcript", 15), ("cps_advice", 10), ("decision_log", 20),
    ("other", 10),
)  # fmt: skip
TITLES = {
    "statement": "Witness statement",
    "abe_transcript": "ABE interview transcript",
    "cps_advice": "CPS charging advice",
    "decision_log": "SIO decision log",
    "other": "Officer's notebook",
}
# Where text reading stands: most read, a few images (no text), failures and some waiting.
EXTRACTION = (("done", 93), ("none", 3), ("failed", 2), ("pending", 2))
MAX_PAGES = 20
# Pages per document, 1 to MAX_PAGES, short ones most common (a mean of about 6).
PAGE_WEIGHTS = [1 / n for n in range(1, MAX_PAGES + 1)]
SENTENCES_PER_PAGE = (14, 26)  # about 150 to 350 words a page
_WORDS = (
    "the a an and but then when after before while because so that which who she he they "
    "we I you it her him them his their my our was were had been is are said told asked "
    "saw heard went came left arrived stayed walked drove called phoned texted met knew "
    "thought remember remembered night morning evening afternoon day week later earlier "
    "house flat room kitchen stairs door window street road park station bus car taxi "
    "shop party friend friends mother father sister brother school college work money "
    "phone message address number name time hour minutes outside inside near behind into "
    "from with without about around again never always often once twice first last next "
    "officer police interview statement report account record note detail question "
    "answer reason decision advice evidence witness victim suspect incident offence "
    "alcohol drink drinks bottle bag coat jacket keys light dark cold quiet loud scared "
    "upset angry tired sure unsure clear unclear told nobody somebody everyone anyone "
    "home back down up over under along across past through towards"
)
VOCABULARY = _WORDS.split()
COMMON_TERM = "car"  # in the vocabulary: on about two pages in three
RARE_TERM = "heliotrope"
RARE_EVERY = 2_000
PHRASE = "blue transit van"
PHRASE_EVERY = 100
SENTENCE_POOL = 600
CITATION_SHARE = 0.5  # of findings on a case with readable documents
DOCUMENT_FIELDS = [
    "id", "case_id", "kind", "title", "source", "made_on", "filename", "content_type", "size",
    "sha256", "storage_name", "added_by_id", "added_at", "page_count", "extraction_status",
    "extraction_error", "extracted_at",
]  # fmt: skip
PAGE_FIELDS = ["id", "document_id", "number", "text"]
CITATION_FIELDS = [
    "id", "document_id", "page", "finding_id", "line_of_inquiry_id", "note", "added_by_id",
    "added_at",
]  # fmt: skip
BATCH_STATUSES = (
    ("imported", 80), ("refused", 12), ("failed", 3), ("queued", 2), ("checking", 1),
    ("importing", 2),
)  # fmt: skip
CHANNELS = (("api", 50), ("browser", 40), ("command", 10))
BATCH_FIELDS = [
    "id", "channel", "uploaded_by_id", "uploaded_at", "filename", "size", "sha256",
    "storage_name", "same_as_id", "status", "format", "stage_bytes", "referrals", "created",
    "updated", "unchanged", "refused", "problem_count", "problems", "error", "started_at",
    "finished_at",
]  # fmt: skip
BATCH_DAYS = 240  # the history reaches back this far
SAME_AS_SHARE = 0.05  # files sent again unchanged


def _rng(seeding: plan.Seeding, part: str) -> random.Random:
    return random.Random(f"{seeding.seed}:{part}")


def _weighted(spread):
    return [v for v, _ in spread], [w for _, w in spread]


def write(seeding: plan.Seeding) -> None:
    """Documents and their pages (then the pages' search vectors), citations, referral files."""
    readable = _documents(seeding)
    _citations(seeding, readable)
    _batches(seeding)


def _sentences(rng: random.Random) -> list[str]:
    """A pool of synthetic sentences, 8 to 16 words each, that pages are drawn from."""
    pool = []
    for _ in range(SENTENCE_POOL):
        words = rng.choices(VOCABULARY, k=rng.randint(8, 16))
        pool.append(" ".join(words).capitalize() + ".")
    return pool


def _page_text(rng: random.Random, pool: list[str], title: str, number: int) -> str:
    sentences = rng.choices(pool, k=rng.randint(*SENTENCES_PER_PAGE))
    if rng.random() < 1 / PHRASE_EVERY:
        sentences.insert(rng.randrange(len(sentences)), f"She saw a {PHRASE} parked outside.")
    if rng.random() < 1 / RARE_EVERY:
        sentences.insert(rng.randrange(len(sentences)), f"The room smelled of {RARE_TERM}.")
    return f"{title}, page {number}.\n" + " ".join(sentences)


def _documents(seeding: plan.Seeding) -> dict:
    """About `sizes.documents` documents on cases chosen at random (some have several, most
    none), each added by an investigator of the case; the read ones with 1 to MAX_PAGES pages
    of text. Returns case position -> [(document id, pages, added at)] of the read ones."""
    n = seeding.sizes.documents
    if not n or not seeding.case_ids:
        return {}
    rng, now = _rng(seeding, "documents"), seeding.now
    pool = _sentences(rng)
    kinds, statuses = _weighted(KINDS), _weighted(EXTRACTION)
    positions = sorted(rng.choices(range(len(seeding.case_ids)), k=n))
    first = seeding.writer.next_id(Document)
    readable: dict[int, list] = {}
    pages: list[tuple[int, int, str, str]] = []  # (document id, pages, title) to write

    def rows():
        for offset, position in enumerate(positions):
            pk, case_id = first + offset, seeding.case_ids[position]
            kind = rng.choices(*kinds)[0]
            status = rng.choices(*statuses)[0]
            created = seeding.case_created[position]
            added = review._between(rng, created, now, 1)[0]
            made = created.date() - datetime.timedelta(days=rng.randint(200, 4000))
            count = rng.choices(range(1, MAX_PAGES + 1), PAGE_WEIGHTS)[0]
            image = status == "none"
            title = f"{TITLES[kind]} {offset % 7 + 1}"
            if status == "done":
                pages.append((pk, count, title))
                readable.setdefault(position, []).append((pk, count, added))
            yield (
                pk, case_id, kind, title, "Synthetic: force case file, box 1",
                made, f"scale-{pk}.{'jpg' if image else 'pdf'}",
                "image/jpeg" if image else "application/pdf", 40_000 * count,
                hashlib.sha256(f"scale:{seeding.seed}:{pk}".encode()).hexdigest(),
                f"scale/{case_id}/{pk}.{'jpg' if image else 'pdf'}",
                review._investigator(seeding, rng, position), added,
                None if status in ("pending", "none") else count, status,
                "Synthetic: the PDF's text could not be read." if status == "failed" else "",
                None if status == "pending" else added + datetime.timedelta(minutes=2),
            )  # fmt: skip

    seeding.writer.write(Document, DOCUMENT_FIELDS, rows(), total=n, label="documents")
    first_page = seeding.writer.next_id(DocumentPage)
    total = sum(count for _, count, _ in pages)

    def page_rows():
        at = first_page
        for document_id, count, title in pages:
            for number in range(1, count + 1):
                yield (at, document_id, number, _page_text(rng, pool, title, number))
                at += 1

    seeding.writer.write(
        DocumentPage, PAGE_FIELDS, page_rows(), total=total, label="document pages"
    )
    _search_vectors(first_page)
    return readable


def _search_vectors(first_page: int) -> None:
    """Set the pages' full-text vectors in one statement, as the extraction would have
    (PostgreSQL only: elsewhere search reads the text itself).

    The GIN index on the vectors is dropped for the UPDATE and built again after it, from
    its own definition: kept, it took each page's hundred-odd words one entry at a time (it
    has no pending list: fastupdate is off), about five minutes for 258,000 pages on two
    busy cores, where the UPDATE alone then a build took 93 s and 26 s.
    """
    if connection.vendor != "postgresql":
        return
    table = DocumentPage._meta.db_table
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE schemaname = current_schema() "
            "AND tablename = %s AND indexdef LIKE %s",
            [table, "% USING gin %"],
        )
        gin = cursor.fetchall()
        for name, _ in gin:
            cursor.execute(f"DROP INDEX {quote(name)}")
        cursor.execute(
            f"UPDATE {quote(table)} SET search = to_tsvector('english', text) WHERE id >= %s",  # noqa: S608
            [first_page],
        )
        cursor.execute("SET LOCAL maintenance_work_mem = '256MB'")
        for _, definition in gin:
            cursor.execute(definition)


def _citations(seeding: plan.Seeding, readable: dict) -> None:
    """About half the findings on cases with read documents cite a page of one of them."""
    if not readable:
        return
    rng, now = _rng(seeding, "citations"), seeding.now
    first = seeding.writer.next_id(Citation)

    def rows():
        n = 0
        for position, findings in sorted(seeding.case_findings.items()):
            documents = readable.get(position)
            if not documents:
                continue
            for finding_id, recorded_at, by in findings:
                if rng.random() >= CITATION_SHARE:
                    continue
                document_id, count, added = rng.choice(documents)
                at = max(recorded_at, added) + datetime.timedelta(minutes=rng.randint(1, 600))
                yield (
                    first + n, document_id, rng.randint(1, count), finding_id, None,
                    "Synthetic: the account on this page.", by, min(at, now),
                )  # fmt: skip
                n += 1

    seeding.writer.write(Citation, CITATION_FIELDS, rows(), label="citations")


def _batches(seeding: plan.Seeding) -> None:
    """The referral files taken in over the last BATCH_DAYS, by review leads of the forces'
    team (scale.review.lead among them) and national leads; imported ones name their forces,
    refused ones carry their problems, and a few repeat an earlier file."""
    n = seeding.sizes.referral_batches
    if not n:
        return
    rng, now = _rng(seeding, "batches"), seeding.now
    statuses, channels = _weighted(BATCH_STATUSES), _weighted(CHANNELS)
    team_forces: dict[int, list[int]] = {}
    for force_id in seeding.forces:
        team_forces.setdefault(seeding.force_team[force_id], []).append(force_id)
    teams = sorted(team_forces)
    nationals = seeding.by_role.get(Role.NATIONAL_LEAD, [])
    first = seeding.writer.next_id(ReferralBatch)
    times = sorted(
        now - datetime.timedelta(seconds=rng.uniform(60, BATCH_DAYS * 86400)) for _ in range(n)
    )
    links = []  # (batch id, force id)
    sent: list[tuple[int, str]] = []  # (batch id, sha256) of files sent so far

    def rows():
        for offset, at in enumerate(times):
            pk = first + offset
            team = rng.choice(teams)
            leads = seeding.by_role_team.get((Role.REVIEW_LEAD, team)) or nationals
            by = rng.choice(nationals) if nationals and rng.random() < 0.2 else rng.choice(leads)
            status = rng.choices(*statuses)[0]
            referrals = rng.randint(5, 400)
            same_as, sha = None, hashlib.sha256(f"scale-batch:{seeding.seed}:{pk}".encode())
            sha256 = sha.hexdigest()
            if sent and rng.random() < SAME_AS_SHARE:
                same_as, sha256 = rng.choice(sent)
            sent.append((pk, sha256))
            finished = status in ("imported", "refused", "failed")
            started = at + datetime.timedelta(seconds=5) if status != "queued" else None
            problems = []
            if status == "refused":
                problems = [
                    {
                        "index": i,
                        "force_reference": f"SCALE-FILE/{pk}/{i}",
                        "path": f"/referrals/{i}/offence_start",
                        "reason": "Synthetic: the date is not a date (31/02/2019).",
                    }
                    for i in range(rng.randint(1, 12))
                ]
            if status in ("imported", "importing"):
                for force_id in rng.sample(team_forces[team], min(2, len(team_forces[team]))):
                    links.append((pk, force_id))
            created = referrals if status == "imported" and same_as is None else 0
            size = 2_000 * referrals
            yield (
                pk, rng.choices(*channels)[0], by, at, f"referrals-{pk}.json", size, sha256,
                f"referral-files/scale-{pk}.json", same_as, status,
                rng.choice((FORMAT, FORMAT_V2)) if status != "queued" else "",
                size if finished else size // 2, referrals if finished else 0, created, 0,
                referrals - created if status == "imported" else 0, 0, len(problems), problems,
                "Synthetic: the worker stopped." if status == "failed" else "", started,
                at + datetime.timedelta(seconds=rng.randint(10, 900)) if finished else None,
            )  # fmt: skip

    seeding.writer.write(ReferralBatch, BATCH_FIELDS, rows(), total=n, label="referral files")
    through = ReferralBatch.forces.through
    first_link = seeding.writer.next_id(through)
    seeding.writer.write(
        through,
        ["id", "referralbatch_id", "force_id"],
        ((first_link + i, batch, force) for i, (batch, force) in enumerate(links)),
        label="referral file forces",
    )
