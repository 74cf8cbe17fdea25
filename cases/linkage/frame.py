"""The records to link, read from the database into one Arrow table for Splink.

One row per person record (`CaseParty`) with its `Person` and `PersonIdentifier` rows,
every value in its compared form (`cases.linkage.keys`): folded names and their phonetic
codes, the date of birth and the parts the comparisons need, the PNC ID, and lists of alias,
postcode, phone and vehicle keys. An empty value is None, never "" or [] (Splink's null
levels test IS NULL; an empty list would fall into "all other" and count against a pair).
"""

import datetime
from collections import defaultdict
from collections.abc import Iterable

import pyarrow as pa
from django.db import connection

from cases.linkage import keys
from cases.linkage.spec import canonical_forename
from cases.models import Case, CaseParty, Person, PersonIdentifier

SCHEMA = pa.schema(
    [
        ("unique_id", pa.int64()),
        ("case_id", pa.int64()),
        ("role", pa.string()),
        ("is_new", pa.bool_()),
        ("surname", pa.string()),
        ("forename1", pa.string()),
        ("full_name", pa.string()),
        ("forename_canon", pa.string()),
        ("surname_ph", pa.string()),
        ("forename_ph", pa.string()),
        ("dob", pa.date32()),
        ("dob_swapped", pa.date32()),
        ("dob_year", pa.int32()),
        ("dob_md", pa.string()),
        ("pnc", pa.string()),
        ("aliases", pa.list_(pa.string())),
        ("postcodes", pa.list_(pa.string())),
        ("phones", pa.list_(pa.string())),
        ("vehicles", pa.list_(pa.string())),
    ]
)

BATCH = 20_000  # records turned into Arrow columns at a time
_LISTS = {"alias": "aliases", "postcode": "postcodes", "phone": "phones", "vehicle": "vehicles"}


def _swapped(dob: datetime.date | None) -> datetime.date | None:
    """The date with day and month exchanged, where that is a date other than itself."""
    if dob is None or dob.day > 12 or dob.day == dob.month:
        return None
    try:
        return dob.replace(month=dob.day, day=dob.month)
    except ValueError:
        return None


def record(
    *,
    party_id: int,
    case_id: int,
    role: str,
    surname: str | None,
    forenames: str | None,
    date_of_birth: datetime.date | None,
    pnc_id: str | None,
    identifiers: dict[str, Iterable[str]] | None = None,
    is_new: bool = True,
) -> dict:
    """One row of the frame from one record's values as stored (keys already normal)."""
    surname = keys.fold(surname) or None
    words = keys.fold(forenames).split()
    forename1 = words[0] if words else None
    identifiers = identifiers or {}
    row = {
        "unique_id": party_id,
        "case_id": case_id,
        "role": role,
        "is_new": is_new,
        "surname": surname,
        "forename1": forename1,
        "full_name": " ".join([*words, surname or ""]).strip() or None,
        "forename_canon": canonical_forename(forename1) if forename1 else None,
        "surname_ph": keys.phonetic(surname) or None,
        "forename_ph": keys.phonetic(forename1) or None,
        "dob": date_of_birth,
        "dob_swapped": _swapped(date_of_birth),
        "dob_year": date_of_birth.year if date_of_birth else None,
        "dob_md": date_of_birth.strftime("%m-%d") if date_of_birth else None,
        "pnc": keys.pnc_key(pnc_id) or None,
    }
    for kind, column in _LISTS.items():
        values = sorted({v for v in identifiers.get(kind, ()) if v})
        row[column] = values or None
    return row


def records_table(rows: list[dict]) -> pa.Table:
    """The Arrow table Splink reads, from rows made by `record`."""
    return pa.Table.from_pylist(rows, schema=SCHEMA)


def records_frame(*, new_since: datetime.datetime | None = None) -> pa.Table:
    """Every person record in the database as a frame row.

    With `new_since`, a record is new (`is_new`) when its case was created or changed at or
    after that time (an import that changes a person changes its case); without, all are.
    """
    party = CaseParty._meta.db_table
    person = Person._meta.db_table
    identifier = PersonIdentifier._meta.db_table
    case = Case._meta.db_table
    by_person: dict[int, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    with connection.cursor() as cursor:
        # One pass over each table; names from the models' meta, no user input.
        cursor.execute(f"SELECT person_id, kind, key FROM {identifier} WHERE key <> ''")  # noqa: S608
        for person_id, kind, key in cursor.fetchall():
            by_person[person_id][kind].append(key)
        # Whether a record is new is decided by the database, which compares its own times.
        new_sql = "c.updated_at >= %s" if new_since is not None else "1 = 1"
        cursor.execute(
            f"SELECT p.id, p.case_id, p.role, n.id, n.surname, n.forenames, n.date_of_birth,"  # noqa: S608
            f" n.pnc_id, CASE WHEN {new_sql} THEN 1 ELSE 0 END FROM {party} p"
            f" JOIN {person} n ON n.id = p.person_id JOIN {case} c ON c.id = p.case_id"
            f" ORDER BY p.id",
            [new_since] if new_since is not None else [],
        )
        # A batch of rows at a time, each turned into Arrow columns at once: the frame of
        # 550,000 records never exists as Python dictionaries all together.
        batches = []
        while chunk := cursor.fetchmany(BATCH):
            rows = [
                record(
                    party_id=party_id,
                    case_id=case_id,
                    role=role,
                    surname=surname,
                    forenames=forenames,
                    date_of_birth=_date(dob),
                    pnc_id=pnc,
                    identifiers=by_person.get(person_id),
                    is_new=bool(new),
                )
                for party_id, case_id, role, person_id, surname, forenames, dob, pnc, new in chunk
            ]
            batches.append(pa.RecordBatch.from_pylist(rows, schema=SCHEMA))
    return pa.Table.from_batches(batches, schema=SCHEMA)


def _date(value) -> datetime.date | None:
    """SQLite hands dates back as text."""
    if value is None or isinstance(value, datetime.date):
        return value
    return datetime.date.fromisoformat(str(value))
