"""Indexes for person search (issue 10), on PostgreSQL only.

Trigram (pg_trgm) GIN indexes let a fuzzy name or alias be found by an index probe, and a
pattern index on the forenames' phonetic codes lets "the first forename sounds like" be one
too; `cases.linkage.search` ranks the candidates by similarity. Other databases (SQLite)
search by phonetic code and LIKE without them, so nothing is created there. The indexes are
not in the models' Meta because they exist on one database only.
"""

from django.db import migrations

CREATE = [
    "CREATE EXTENSION IF NOT EXISTS pg_trgm",
    "CREATE INDEX IF NOT EXISTS person_surname_trgm"
    " ON cases_person USING gin (lower(surname) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_forenames_trgm"
    " ON cases_person USING gin (lower(forenames) gin_trgm_ops)",
    "CREATE INDEX IF NOT EXISTS person_forenames_phonetic"
    " ON cases_person (forenames_phonetic text_pattern_ops)",
    "CREATE INDEX IF NOT EXISTS identifier_alias_trgm"
    " ON cases_personidentifier USING gin (key gin_trgm_ops) WHERE kind = 'alias'",
]
# The extension stays: other tables may come to use it, and dropping it needs its owner.
DROP = [
    "DROP INDEX IF EXISTS identifier_alias_trgm",
    "DROP INDEX IF EXISTS person_forenames_phonetic",
    "DROP INDEX IF EXISTS person_forenames_trgm",
    "DROP INDEX IF EXISTS person_surname_trgm",
]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0008_person_index")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
