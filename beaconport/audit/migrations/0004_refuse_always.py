"""The append-only triggers refuse always: no session setting lets TRUNCATE through.

0002 let TRUNCATE pass when the session set `beaconport.audit_flush = 'allow'`, which any
session of any role could set. Now the only ways past the triggers belong to a superuser or
the tables' owner (`session_replication_role = replica`, `ALTER TABLE ... DISABLE TRIGGER`),
which the production application role is not; it also holds no DELETE, UPDATE or TRUNCATE
privilege on the audit tables (README, "Audit"). The test suite empties the log as the
superuser that created the test database (see the `flush` command).
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""

# 0002's function, with the switch, for a migration backwards.
PG_BACKWARD = r"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('beaconport.audit_flush', true) = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0003_auditor_role")]
    operations = [migrations.RunPython(forward, backward)]
