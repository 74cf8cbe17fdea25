"""Bulk writing for the scale seed: PostgreSQL's COPY where it runs, `bulk_create` elsewhere.

Rows are plain tuples in the order of the field names given, with their primary keys
chosen by the seed (`next_id`), so rows of one table can name rows of another without
reading them back. After a COPY the table's sequence is moved past the ids written.
"""

import json
from collections.abc import Iterable

from django.core.management.color import no_style
from django.db import IntegrityError, connection, models
from django.db.models import Max
from django.utils import timezone
from tqdm import tqdm

BATCH = 2000  # rows per bulk_create where COPY is not available


def _stamped(field) -> bool:
    return getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False)


class TableWriter:
    """Writes rows table by table, counting them and showing a progress bar per table."""

    def __init__(self, *, progress: bool = True, out=None):
        self.copy = connection.vendor == "postgresql"
        self.progress = progress
        self.out = out
        self.counts: dict[str, int] = {}
        self._written: list[type[models.Model]] = []
        self._keys_unchecked = False

    def next_id(self, model: type[models.Model]) -> int:
        """The first primary key free in the model's table (the seed numbers rows from it)."""
        return (model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1

    def write(
        self,
        model: type[models.Model],
        fields: list[str],
        rows: Iterable[tuple],
        *,
        total: int | None = None,
        label: str | None = None,
    ) -> int:
        """Write the rows (tuples of `fields`' values, attnames such as `case_id`)."""
        table = model._meta.db_table
        bar = tqdm(
            total=total,
            desc=label or table,
            unit=" rows",
            unit_scale=True,
            disable=not self.progress,
            file=self.out,
            leave=True,
            mininterval=0.5,
        )
        with bar:
            if self.copy:
                written = self._copy(model, fields, rows, bar)
            else:
                written = self._bulk_create(model, fields, rows, bar)
        self.counts[table] = self.counts.get(table, 0) + written
        if model not in self._written:
            self._written.append(model)
        return written

    def _copy(self, model, fields, rows, bar) -> int:
        by_name = {f.attname: f for f in model._meta.concrete_fields}
        # A column the seed does not name (one added since) gets the model's default, as
        # bulk_create would give it: COPY would leave it to the database, which has none.
        rest = [f for f in model._meta.concrete_fields if f.attname not in fields]
        extra = tuple(timezone.now() if _stamped(f) else f.get_default() for f in rest)
        fields = [*fields, *(f.attname for f in rest)]
        columns = ", ".join(connection.ops.quote_name(by_name[name].column) for name in fields)
        as_json = [
            i for i, name in enumerate(fields) if isinstance(by_name[name], models.JSONField)
        ]
        table = connection.ops.quote_name(model._meta.db_table)
        written = 0
        sql = f"COPY {table} ({columns}) FROM STDIN"
        with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
            for row in rows:
                if extra:
                    row = (*row, *extra)
                if as_json:
                    row = list(row)
                    for i in as_json:
                        row[i] = json.dumps(row[i])
                copy.write_row(row)
                written += 1
                if not written % 5000:
                    bar.update(5000)
        bar.update(written % 5000)
        return written

    def _bulk_create(self, model, fields, rows, bar) -> int:
        batch = []
        written = 0
        for row in rows:
            batch.append(model(**dict(zip(fields, row, strict=True))))
            if len(batch) == BATCH:
                model.objects.bulk_create(batch)
                written += len(batch)
                bar.update(len(batch))
                batch = []
        if batch:
            model.objects.bulk_create(batch)
            written += len(batch)
            bar.update(len(batch))
        return written

    def begin(self) -> None:
        """Inside the seed's transaction: on PostgreSQL, as a superuser, leave the foreign
        keys to one check per key in `finish` rather than a trigger per row.

        Django's keys are deferred, so ten million rows queue ten million checks for the
        COMMIT, each an index lookup (minutes on two cores); one anti-join per key checks
        the same in seconds. Only this transaction is affected (SET LOCAL).
        """
        if not self.copy:
            return
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_setting('is_superuser')")
            if cursor.fetchone()[0] == "on":
                cursor.execute("SET LOCAL session_replication_role = replica")
                self._keys_unchecked = True

    def finish(self) -> None:
        """Move each written table's id sequence past the ids the seed chose, and check
        in bulk the keys left unchecked (PostgreSQL); nothing to do elsewhere."""
        if not self.copy or not self._written:
            return
        statements = connection.ops.sequence_reset_sql(no_style(), self._written)
        with connection.cursor() as cursor:
            for statement in statements:
                cursor.execute(statement)
            if self._keys_unchecked:
                cursor.execute("SET LOCAL session_replication_role = origin")
                self._keys_unchecked = False
                self._check_keys(cursor)

    def _check_keys(self, cursor) -> None:
        """Every foreign key of every table written names a row that exists, or the seed
        fails (and its transaction rolls back)."""
        quote = connection.ops.quote_name
        for model in self._written:
            for key in model._meta.concrete_fields:
                if not key.is_relation:
                    continue
                parent = key.related_model._meta.db_table
                # Names from the models' metadata, quoted: nothing here comes from input.
                sql = (
                    f"SELECT count(*) FROM {quote(model._meta.db_table)} c "  # noqa: S608
                    f"WHERE c.{quote(key.column)} IS NOT NULL AND NOT EXISTS ("
                    f"SELECT 1 FROM {quote(parent)} p "
                    f"WHERE p.{quote(key.target_field.column)} = c.{quote(key.column)})"
                )
                cursor.execute(sql)
                missing = cursor.fetchone()[0]
                if missing:
                    raise IntegrityError(
                        f"{model._meta.db_table}.{key.column}: {missing} rows name no {parent} row"
                    )

    def tidy(self) -> None:
        """After the seed commits, on PostgreSQL: VACUUM (ANALYZE) what it wrote, so the
        planner has statistics and index-only scans work, as autovacuum would leave them
        (it cannot run inside a transaction, so a seed inside one leaves it to autovacuum)."""
        if not self.copy or connection.in_atomic_block:
            return
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            for model in self._written:
                cursor.execute(f"VACUUM (ANALYZE) {quote(model._meta.db_table)}")
