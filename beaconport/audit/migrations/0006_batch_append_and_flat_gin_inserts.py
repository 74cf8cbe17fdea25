"""Appends in batches, and audit inserts without GIN pending-list spikes (issue 9).

1. The chain head may move several links in one UPDATE, when a batch of rows was appended
   under one head lock (`chain.append_many`): only if the log holds every row from the old
   head's successor (whose prev_hash is the old head's hash) to the new head (whose seq,
   prev_hash and hash the head takes), and nothing else in that range. A head set anywhere
   else is still refused. `audit_verify` checks every link as before.
2. `fastupdate = off` on the GIN index of `object_ids`: with the pending list on, an insert
   is cheap until the list passes `gin_pending_list_limit`, and then one unlucky insert
   merges it into the index (measured 170-340 ms, about one insert in 6,000). Off, every
   insert pays its own small share. What is already pending is merged now.
"""

from django.db import migrations

PG_FORWARD = r"""
CREATE OR REPLACE FUNCTION audit_head_next_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id = OLD.id AND NEW.seq = OLD.seq + 1 AND NEW.prev_hash = OLD.hash THEN
        RETURN NEW;
    END IF;
    IF NEW.id = OLD.id AND NEW.seq > OLD.seq + 1
       AND EXISTS (SELECT 1 FROM audit_auditevent WHERE seq = OLD.seq + 1 AND prev_hash = OLD.hash)
       AND EXISTS (
           SELECT 1 FROM audit_auditevent
           WHERE seq = NEW.seq AND prev_hash = NEW.prev_hash AND hash = NEW.hash
       )
       AND (SELECT count(*) FROM audit_auditevent WHERE seq > OLD.seq AND seq <= NEW.seq)
           = NEW.seq - OLD.seq
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the audit chain head only moves to the next link'
        USING ERRCODE = 'insufficient_privilege';
END
$$;

ALTER INDEX audit_object_ids_gin SET (fastupdate = off);
SELECT gin_clean_pending_list('audit_object_ids_gin'::regclass);
"""

# 0002's function and the index's default, for a migration backwards.
PG_BACKWARD = r"""
CREATE OR REPLACE FUNCTION audit_head_next_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.id <> OLD.id OR NEW.seq <> OLD.seq + 1 OR NEW.prev_hash <> OLD.hash THEN
        RAISE EXCEPTION 'the audit chain head only moves to the next link'
            USING ERRCODE = 'insufficient_privilege';
    END IF;
    RETURN NEW;
END
$$;

ALTER INDEX audit_object_ids_gin RESET (fastupdate);
"""


def forward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_FORWARD, params=None)


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(PG_BACKWARD, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0005_auditwitness")]
    operations = [migrations.RunPython(forward, backward)]
