"""The hash chain: canonical content of a row, the one-statement append, and its verification.

A row's hash is SHA-256 of `canonical(row) + "|" + seq + "|" + prev_hash`. The append is
ONE SQL statement that takes the chain head, numbers the row, computes its hash in the
database and inserts it, so an audited write costs exactly one extra query:

- PostgreSQL: an upsert of the single `audit_auditchainhead` row (its row lock queues
  concurrent writers until the holder commits; under READ COMMITTED the waiting upsert then
  re-reads the committed head, so two writers can never take the same seq or prev_hash),
  chained by a data-modifying CTE into the INSERT of the event.
- SQLite: INSERT ... SELECT over the last row; SQLite admits one writer at a time (the
  settings open transactions IMMEDIATE), and a trigger keeps the head row in step.

A batch (`append_many`) locks the head once, hashes its links here, inserts them together
and moves the head once: three statements for any number of rows.
"""

import datetime
import hashlib
import json
from dataclasses import astuple, dataclass
from decimal import Decimal

from django.db import connection
from django.db.backends.signals import connection_created

# The columns covered by the hash, in the order of the canonical serialisation.
CONTENT_FIELDS = (
    "at",
    "actor_id",
    "actor_label",
    "operation",
    "object_type",
    "object_id",
    "object_ids",
    "case_id",
    "person_id",
    "source",
    "ip",
    "justification",
    "changes",
    "recipient",
    "purpose",
)
GENESIS = ""  # prev_hash of the first row


def sha256_hex(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _clean_text(value: str) -> str:
    # PostgreSQL text cannot hold NUL; strip it so stored and hashed text are the same.
    return value.replace("\x00", "")


def json_safe(value):
    """A value as it survives a JSON column unchanged (dates and decimals become text)."""
    if value is None or isinstance(value, bool | int):
        return value
    if isinstance(value, str):
        return _clean_text(value)
    if isinstance(value, datetime.datetime | datetime.date | datetime.time):
        return value.isoformat()
    if isinstance(value, float | Decimal):
        return str(value)
    if isinstance(value, list | tuple | set | frozenset):
        items = [json_safe(v) for v in value]
        return sorted(items, key=str) if isinstance(value, set | frozenset) else items
    if isinstance(value, dict):
        return {str(k): json_safe(v) for k, v in value.items()}
    if hasattr(value, "pk"):
        return json_safe(value.pk)
    return _clean_text(str(value))


def format_at(at: datetime.datetime) -> str:
    return at.astimezone(datetime.UTC).isoformat(timespec="microseconds")


def canonical(values: dict) -> str:
    """The row's content as one deterministic string (sorted keys, no spaces, ASCII)."""
    content = {name: values[name] for name in CONTENT_FIELDS}
    content["at"] = format_at(values["at"])
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=True)


def link_hash(content: str, seq: int, prev_hash: str) -> str:
    """The hash a row with this content, number and predecessor must carry."""
    return sha256_hex(f"{content}|{seq}|{prev_hash}")


# --- the append -----------------------------------------------------------------------

# The inserted columns are exactly those the hash covers.
_COLUMNS = CONTENT_FIELDS

_PG_APPEND = """
WITH head AS (
    INSERT INTO audit_auditchainhead (id, seq, prev_hash, hash)
    VALUES (1, 1, '', encode(sha256(convert_to(%s || '|1|', 'UTF8')), 'hex'))
    ON CONFLICT (id) DO UPDATE SET
        seq = audit_auditchainhead.seq + 1,
        prev_hash = audit_auditchainhead.hash,
        hash = encode(sha256(convert_to(
            %s || '|' || (audit_auditchainhead.seq + 1)::text || '|' || audit_auditchainhead.hash,
            'UTF8')), 'hex')
    RETURNING seq, prev_hash, hash
)
INSERT INTO audit_auditevent (seq, prev_hash, hash, {columns})
SELECT head.seq, head.prev_hash, head.hash, {placeholders} FROM head
RETURNING seq, prev_hash, hash
""".format(  # noqa: S608 - fixed column names; every value is a parameter
    columns=", ".join(_COLUMNS),
    placeholders=", ".join(
        "%s::jsonb" if c in ("object_ids", "changes") else "%s" for c in _COLUMNS
    ),
)

_SQLITE_APPEND = """
INSERT INTO audit_auditevent (seq, prev_hash, hash, {columns})
SELECT COALESCE(last.seq, 0) + 1,
       COALESCE(last.hash, ''),
       beaconport_sha256(
           %s || '|' || (COALESCE(last.seq, 0) + 1) || '|' || COALESCE(last.hash, '')
       ),
       {placeholders}
FROM (SELECT 1) AS one
LEFT JOIN (SELECT seq, hash FROM audit_auditevent ORDER BY seq DESC LIMIT 1) AS last ON 1
RETURNING seq, prev_hash, hash
""".format(  # noqa: S608 - fixed column names; every value is a parameter
    columns=", ".join(_COLUMNS), placeholders=", ".join("%s" for _ in _COLUMNS)
)


@dataclass(frozen=True)
class Link:
    seq: int
    prev_hash: str
    hash: str


def _db_value(name: str, value):
    if name in ("object_ids", "changes"):
        return json.dumps(value, sort_keys=True, separators=(",", ":"))
    if name == "at":
        return connection.ops.adapt_datetimefield_value(value)
    return value


def append(values: dict) -> Link:
    """Append one row to the chain in the current transaction: one SQL statement."""
    content = canonical(values)
    params = [_db_value(name, values[name]) for name in _COLUMNS]
    if connection.vendor == "postgresql":
        sql, params = _PG_APPEND, [content, content, *params]
    elif connection.vendor == "sqlite":
        sql, params = _SQLITE_APPEND, [content, *params]
    else:  # pragma: no cover - the project runs on PostgreSQL or SQLite only
        raise NotImplementedError(f"The audit chain does not support {connection.vendor}")
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        seq, prev_hash, row_hash = cursor.fetchone()
    return Link(seq=seq, prev_hash=prev_hash, hash=row_hash)


# A batch's rows go in as one array per column: one INSERT and a fixed number of parameters
# however many rows (psycopg parses a query's placeholders on the client, so 18 per row
# would cost more than the insert).
_PG_TYPES = {
    "at": "timestamptz",
    "actor_id": "integer",
    "case_id": "bigint",
    "person_id": "bigint",
    "object_ids": "text",  # cast to jsonb below
    "changes": "text",
}
_PG_INSERT_MANY = """
INSERT INTO audit_auditevent (seq, prev_hash, hash, {columns})
SELECT seq, prev_hash, hash, {selected}
FROM unnest(%s::bigint[], %s::text[], %s::text[], {arrays})
    AS batch (seq, prev_hash, hash, {columns})
""".format(
    columns=", ".join(_COLUMNS),
    selected=", ".join(f"{c}::jsonb" if c in ("object_ids", "changes") else c for c in _COLUMNS),
    arrays=", ".join(f"%s::{_PG_TYPES.get(c, 'text')}[]" for c in _COLUMNS),
)
_PG_LOCK_HEAD = "SELECT seq, hash FROM audit_auditchainhead WHERE id = 1 FOR UPDATE"
_PG_MOVE_HEAD = "UPDATE audit_auditchainhead SET seq = %s, prev_hash = %s, hash = %s WHERE id = 1"


def append_many(values: list[dict]) -> list[Link]:
    """Append rows to the chain in order, in the current transaction, under one head lock.

    PostgreSQL: lock the head row (`FOR UPDATE` queues writers exactly as the upsert of
    `append` does), hash the links here (the same SHA-256 over the same ASCII text the
    database computes), insert the rows in multi-row INSERTs and move the head once; the
    head's trigger accepts a move of several links only when every row in between is in
    the log and the new head is its last row (audit migration 0006). Three statements for
    any number of rows, instead of one statement per row. SQLite admits one
    writer at a time anyway: rows go one by one through `append`.
    """
    if connection.vendor != "postgresql" or len(values) < 2:
        return [append(row) for row in values]
    with connection.cursor() as cursor:
        cursor.execute(_PG_LOCK_HEAD)
        head = cursor.fetchone()
    links = []
    if head is None:  # a new log: the first row creates the head (and holds it from now on)
        links.append(append(values[0]))
        head = (links[0].seq, links[0].hash)
    seq, prev_hash = head
    rows = []
    for row in values[len(links) :]:
        seq += 1
        link = Link(seq=seq, prev_hash=prev_hash, hash=link_hash(canonical(row), seq, prev_hash))
        rows.append([*astuple(link), *(_db_value(name, row[name]) for name in _COLUMNS)])
        links.append(link)
        prev_hash = link.hash
    columns = [list(column) for column in zip(*rows, strict=True)]
    with connection.cursor() as cursor:
        cursor.execute(_PG_INSERT_MANY, columns)
        last = links[-1]
        cursor.execute(_PG_MOVE_HEAD, [last.seq, last.prev_hash, last.hash])
    return links


def install_sqlite_functions() -> None:
    """Give every SQLite connection the SHA-256 function the append statement calls."""

    def register(sender, connection, **kwargs):
        if connection.vendor == "sqlite":
            connection.connection.create_function(
                "beaconport_sha256", 1, sha256_hex, deterministic=True
            )

    connection_created.connect(register, weak=False, dispatch_uid="audit_sqlite_sha256")


# --- verification ---------------------------------------------------------------------


@dataclass(frozen=True)
class Break:
    """The first place the chain does not hold, and what is wrong there."""

    seq: int
    problem: str

    def __str__(self):
        return f"chain broken at seq {self.seq}: {self.problem}"


@dataclass
class Report:
    rows: int = 0
    head_seq: int = 0
    head_hash: str = GENESIS
    witnessed: int = 0  # witnessed heads found on the chain
    broken: Break | None = None


# How much earlier than a witness a row it did not include may be dated: a row's time is
# taken when it is appended, and its transaction may commit (and be seen) a little later.
WITNESS_SKEW = datetime.timedelta(minutes=60)


def verify(
    rows,
    *,
    stored_head: tuple[int, str] | None,
    expect_head: tuple[int, str] | None = None,
    witnesses=(),
    skew: datetime.timedelta = WITNESS_SKEW,
) -> Report:
    """Walk rows (dicts in seq order, any iterator) and report the first broken link.

    `stored_head` is the chain-head row (seq, hash), None if there is none: a log without
    one (empty, wiped, or its head deleted) is broken, never intact, and the head catches
    rows cut off the end. `expect_head` is a head exported earlier, and `witnesses` the heads
    the witness role recorded ((seq, hash, at) in seq order, any iterator): each must still
    be on the chain, so rewriting any row up to the newest witness is caught even when every
    later hash and the stored head were recomputed; and a row after a witnessed head may not
    be dated more than `skew` before that witness (a forged row appended later, backdated).
    """
    report = Report()
    expected_seq, prev_hash = 1, GENESIS
    seen_expected = expect_head is None
    witnessed = iter(witnesses)
    witness = next(witnessed, None)
    seen_by = None  # the latest witness of a head before the current row: (seq, hash, at)
    for row in rows:
        report.rows += 1
        seq = row["seq"]
        if seq != expected_seq:
            problem = (
                f"expected seq {expected_seq} next, found {seq}: "
                f"{seq - expected_seq} row(s) missing (deleted)"
                if seq > expected_seq
                else f"seq {seq} is out of order after {expected_seq - 1}"
            )
            report.broken = Break(expected_seq, problem)
            return report
        if row["hash"] != link_hash(canonical(row), seq, row["prev_hash"]):
            report.broken = Break(
                seq, "the row's content does not match its hash (the row was changed)"
            )
            return report
        if row["prev_hash"] != prev_hash:
            report.broken = Break(
                seq,
                f"prev_hash does not match the hash of seq {seq - 1} (a row before it was "
                "changed and re-hashed, or a row was inserted or reordered here)",
            )
            return report
        if expect_head is not None and seq == expect_head[0]:
            if row["hash"] != expect_head[1]:
                report.broken = Break(
                    seq, "the hash differs from the exported head (the chain was rewritten)"
                )
                return report
            seen_expected = True
        if seen_by is not None and row["at"] < seen_by[2] - skew:
            report.broken = Break(
                seq,
                f"dated {format_at(row['at'])}, before the head witnessed at "
                f"{_when(seen_by)} (seq {seen_by[0]}) that it comes after (a row appended "
                "later and backdated)",
            )
            return report
        while witness is not None and witness[0] <= seq:
            if witness[0] < seq or witness[1] != row["hash"]:
                report.broken = Break(
                    witness[0],
                    f"the hash differs from the head witnessed at {_when(witness)} "
                    "(the chain up to it was rewritten, or a row inserted before it)",
                )
                return report
            report.witnessed += 1
            if len(witness) > 2 and (seen_by is None or witness[2] > seen_by[2]):
                seen_by = witness
            witness = next(witnessed, None)
        expected_seq, prev_hash = seq + 1, row["hash"]
        report.head_seq, report.head_hash = seq, row["hash"]
    if not seen_expected:
        report.broken = Break(
            expect_head[0],
            f"the exported head seq {expect_head[0]} is no longer in the log "
            f"(it ends at seq {report.head_seq}: rows were deleted)",
        )
        return report
    if witness is not None:
        report.broken = Break(
            witness[0],
            f"the head witnessed at {_when(witness)} (seq {witness[0]}) is no longer in the "
            f"log (it ends at seq {report.head_seq}: rows were deleted)",
        )
        return report
    report.broken = _head_problem(report, stored_head)
    return report


def _when(witness) -> str:
    at = witness[2] if len(witness) > 2 else None
    return format_at(at) if at is not None else "an earlier time"


def _head_problem(report: Report, stored_head) -> Break | None:
    """What is wrong with the end of the log and its head row, if anything."""
    if stored_head is None and report.rows == 0:
        return Break(
            1,
            "the log has no rows and no chain head: nothing was ever logged, or the log "
            "was wiped together with its head",
        )
    if stored_head is None:
        return Break(
            report.head_seq + 1,
            f"the log has {report.rows} row(s) but no chain head row (the head was deleted)",
        )
    if tuple(stored_head) != (report.head_seq, report.head_hash):
        if report.rows == 0:
            problem = (
                f"the chain head records seq {stored_head[0]} but the log has no rows "
                "(the log was wiped)"
            )
        else:
            problem = (
                f"the log ends at seq {report.head_seq} but the chain head records seq "
                f"{stored_head[0]} (rows were deleted from the end, or the head was changed)"
            )
        return Break(report.head_seq + 1, problem)
    return None
