"""Make the log append-only in the database itself.

PostgreSQL: triggers refuse UPDATE, DELETE and TRUNCATE of audit events, DELETE and TRUNCATE
of the chain head, and any head update that is not the next link. TRUNCATE is let through
only when the session sets beaconport.audit_flush = 'allow', which the project's `flush`
command does on test and DEBUG databases (an owner can disable the triggers anyway; the
application's own role gets INSERT and SELECT only, see the README). A GIN index makes
"lists that showed record X" fast.
SQLite (the embedded default): a trigger keeps the chain head in step with the last row.
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'TRUNCATE' AND current_setting('beaconport.audit_flush', true) = 'allow' THEN
        RETURN NULL;
    END IF;
    RAISE EXCEPTION 'the audit log is append-only: % on % refused', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

CREATE OR REPLACE FUNCTION audit_head_next_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 OR NEW.prev_hash <> OLD.hash THEN
        RAISE EXCEPTION 'the audit chain head only moves to the next link'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER audit_event_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_event_no_truncate BEFORE TRUNCATE ON audit_auditevent
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_delete BEFORE DELETE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_no_truncate BEFORE TRUNCATE ON audit_auditchainhead
    FOR EACH STATEMENT EXECUTE FUNCTION audit_refuse_change();
CREATE TRIGGER audit_head_next_only BEFORE UPDATE ON audit_auditchainhead
    FOR EACH ROW EXECUTE FUNCTION audit_head_next_only();

CREATE INDEX audit_object_ids_gin ON audit_auditevent USING gin (object_ids jsonb_path_ops);
"""

PG_BACKWARD = r"""
DROP INDEX IF EXISTS audit_object_ids_gin;
DROP TRIGGER IF EXISTS audit_head_next_only ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_head_no_truncate ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_head_no_delete ON audit_auditchainhead;
DROP TRIGGER IF EXISTS audit_event_no_truncate ON audit_auditevent;
DROP TRIGGER IF EXISTS audit_event_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_head_next_only();
DROP FUNCTION IF EXISTS audit_refuse_change();
"""

SQLITE_FORWARD = """
CREATE TRIGGER audit_head_follows AFTER INSERT ON audit_auditevent
BEGIN
    INSERT OR REPLACE INTO audit_auditchainhead (id, seq, prev_hash, hash)
    VALUES (1, NEW.seq, NEW.prev_hash, NEW.hash);
END;
"""

SQLITE_BACKWARD = "DROP TRIGGER IF EXISTS audit_head_follows;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD, params=None)


def backward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]
