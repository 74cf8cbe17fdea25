"""Witness rows: the chain head as a separate database role saw it, every few minutes.

On PostgreSQL the same triggers as the log's refuse UPDATE, DELETE and TRUNCATE of witness
rows; the grants (README, "Audit") let only the witness role INSERT, the application role
SELECT.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

import beaconport.audit.models

PG_FORWARD = r"""
CREATE TRIGGER audit_witness_append_only BEFORE UPDATE OR DELETE ON audit_auditwitness
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_witness_no_truncate BEFORE TRUNCATE ON audit_auditwitness
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
"""

PG_BACKWARD = r"""
DROP TRIGGER IF EXISTS audit_witness_no_truncate ON audit_auditwitness;
DROP TRIGGER IF EXISTS audit_witness_append_only ON audit_auditwitness;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0004_refuse_always")]

    operations = [
        migrations.CreateModel(
            name="AuditWitness",
            fields=[
                (
                    "id",
                    models.BigAutoField(
                        auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                    ),
                ),
                ("seq", models.BigIntegerField()),
                ("hash", models.CharField(max_length=64)),
                (
                    "at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(),
                        help_text="When the head was seen (DB clock).",
                    ),
                ),
                (
                    "recorded_by",
                    models.CharField(
                        db_default=beaconport.audit.models.DatabaseRole(),
                        help_text="The database role that recorded it (set by the database).",
                        max_length=63,
                    ),
                ),
            ],
            options={
                "ordering": ["seq", "id"],
                "default_permissions": ("view",),
                "indexes": [models.Index(fields=["seq"], name="audit_witness_seq")],
            },
        ),
        migrations.RunPython(forward, backward),
    ]
