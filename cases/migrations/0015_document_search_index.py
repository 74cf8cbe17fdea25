"""Full-text search over documents' pages (issue 12), on PostgreSQL only.

A GIN index on each page's tsvector (written with the page's text by the extraction
service); SQLite searches the text itself without it. Not in the model's Meta because it
exists on one database only.
"""

from django.db import migrations

CREATE = [
    "CREATE INDEX IF NOT EXISTS document_page_search"
    " ON cases_documentpage USING gin (search) WITH (fastupdate = off)",
]
DROP = ["DROP INDEX IF EXISTS document_page_search"]


def _run(statements):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor != "postgresql":
            return
        for statement in statements:
            schema_editor.execute(statement)

    return run


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_case_file_material")]

    operations = [migrations.RunPython(_run(CREATE), _run(DROP), elidable=False)]
