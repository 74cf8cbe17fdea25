"""Inserting many plain rows at once, without building a model instance per row.

`bulk_create` builds an instance per row and prepares every value of every field through
the field (about 30 µs a row for a party); an import of thousands of referrals spends most
of its time there. `rows_insert` takes the varying columns as tuples of values already in
the column's own type (str, int, bool, date, None) and fills every other column once per
call with its model default, so a row costs a tuple. On PostgreSQL it is one
`INSERT ... SELECT FROM jsonb_array_elements(%s) RETURNING id` per 5,000 rows (the rows as
one JSON parameter); on SQLite, rows of VALUES within its limit on parameters.
"""

import datetime
import decimal
import json
import re
from collections.abc import Sequence

from django.db import connection, models
from django.utils import timezone

CHUNK = 5000  # rows per statement: bounds one statement's parameters and the server's memory


def _default(field: models.Field, now):
    """What an omitted column gets: auto_now(_add) the time of the call, else the default."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        return now
    return field.get_default()  # as a new instance would hold: "" or None without one


def rows_insert(
    model: type[models.Model],
    fields: Sequence[str],
    rows: Sequence[tuple],
    *,
    ignore_conflicts: bool = False,
) -> list[int]:
    """Insert `rows` (tuples ordered as `fields`, attnames such as "case_id") into `model`'s
    table and return their new ids in the same order (RETURNING gives rows in the order
    inserted, as Django's own bulk_create relies on).

    Every other column takes its default (one value for the whole call, prepared by its
    field). With `ignore_conflicts`, rows a unique constraint refuses are skipped and only
    the ids of rows inserted are returned.
    No signals, no `save()`: for services that write in bulk and audit what they wrote.
    """
    if not rows:
        return []
    meta = model._meta
    by_attname = {f.attname: f for f in meta.concrete_fields}
    given = [by_attname[name] for name in fields]
    now = timezone.now()
    constants = [
        (field, _default(field, now))
        for field in meta.concrete_fields
        if field.attname not in fields and field is not meta.pk
    ]
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in [*given, *(f for f, _ in constants)])
    conflict = " ON CONFLICT DO NOTHING" if ignore_conflicts else ""
    returning = f" RETURNING {quote(meta.pk.column)}"
    fixed = [field.get_db_prep_save(value, connection) for field, value in constants]
    if connection.vendor == "postgresql":
        # The rows travel as one JSON array of arrays: json.dumps and the server's parser are
        # C, where a parameter per column went through psycopg's Python array quoting. jsonb,
        # not json: parsed once, where json re-reads a row's text for each column taken.
        # Values are cast to the column's type without its length, so a value too long
        # for its column is refused by the insert, never cut short by the cast.
        selected = ", ".join(
            [
                *(f"(e->>{i})::{_base_type(f)}" for i, f in enumerate(given)),
                *(f"%s::{_base_type(f)}" for f, _ in constants),
            ]
        )
        sql = (  # names from the model's meta, quoted; every value is a parameter
            f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
            f"SELECT {selected} FROM jsonb_array_elements(%s::jsonb) AS e{conflict}{returning}"
        )
        statements = (
            (sql, [*fixed, json.dumps(chunk, default=_json_value, separators=(",", ":"))])
            for chunk in _chunks(rows, CHUNK)
        )
    else:  # SQLite: rows of VALUES, as many as its limit on parameters allows
        one = "(" + ", ".join(["%s"] * (len(given) + len(constants))) + ")"
        per_statement = max(1, 999 // (len(given) + len(constants)))

        def statements_of(chunk):
            sql = (  # names from the model's meta, quoted; every value is a parameter
                f"INSERT INTO {quote(meta.db_table)} ({columns}) "  # noqa: S608
                f"VALUES {', '.join([one] * len(chunk))}{conflict}{returning}"
            )
            return sql, [value for row in chunk for value in (*row, *fixed)]

        statements = (statements_of(chunk) for chunk in _chunks(rows, per_statement))
    ids = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            ids += [row[0] for row in cursor.fetchall()]
    return ids


def _base_type(field: models.Field) -> str:
    """The column's type without its length or precision: varchar(100) is varchar."""
    return re.sub(r"\([^)]*\)", "", field.db_type(connection))


def _json_value(value):
    if isinstance(value, datetime.date | datetime.time):  # datetimes are dates too
        return value.isoformat()
    if isinstance(value, decimal.Decimal):
        return str(value)
    raise TypeError(f"rows_insert cannot send {type(value).__name__} values")


def _chunks(rows: Sequence[tuple], size: int):
    for start in range(0, len(rows), size):
        yield rows[start : start + size]


def instances_insert(objs: Sequence[models.Model]) -> None:
    """Insert new, unsaved instances of one model as plain rows and give them their ids.

    For models whose columns all hold plain values (no field that prepares its value, such
    as JSON): each instance's attributes are sent as they are. auto_now(_add) times are set
    on the instances, as `save()` would.
    """
    if not objs:
        return
    model = type(objs[0])
    meta = model._meta
    now = timezone.now()
    fields = [f for f in meta.concrete_fields if f is not meta.pk]
    timed = {}  # the time's stored form, per auto_now(_add) column
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            timed[field.attname] = field.get_db_prep_save(now, connection)
            for obj in objs:
                setattr(obj, field.attname, now)
    names = [f.attname for f in fields]
    rows = [tuple(timed[n] if n in timed else getattr(o, n) for n in names) for o in objs]
    ids = rows_insert(model, names, rows)
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def column_update(model: type[models.Model], attname: str, pairs: Sequence[tuple]) -> None:
    """Set one column of many rows, each row its own value: `pairs` of (pk, value).

    On PostgreSQL one `UPDATE ... FROM unnest(ids, values)` for any number of rows
    (`bulk_update`'s CASE over 500 ids costs 0.15 s to build and plan); elsewhere
    `bulk_update`.
    """
    if not pairs:
        return
    meta = model._meta
    field = next(f for f in meta.concrete_fields if f.attname == attname)
    if connection.vendor != "postgresql":
        objs = [model(**{meta.pk.attname: pk, attname: value}) for pk, value in pairs]
        model.objects.bulk_update(objs, [attname])
        return
    quote = connection.ops.quote_name
    sql = (  # names from the model's meta, quoted; every value is a parameter
        f"UPDATE {quote(meta.db_table)} AS t SET {quote(field.column)} = n.value "  # noqa: S608
        f"FROM unnest(%s::{_base_type(meta.pk)}[], %s::{_base_type(field)}[]) AS n (id, value) "
        f"WHERE t.{quote(meta.pk.column)} = n.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [[pk for pk, _ in pairs], [value for _, value in pairs]])
