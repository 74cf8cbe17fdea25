-- Database rights of the audit log (PostgreSQL). Run as the tables' owner (the role that
-- runs `manage.py migrate`) after every migrate. Neither role below is a superuser or owns a
-- table, so neither can pass the append-only triggers (ALTER TABLE ... DISABLE TRIGGER and
-- session_replication_role need ownership or superuser).
GRANT USAGE ON SCHEMA public TO beaconport_app, beaconport_witness;
-- The application: everything it needs on its own tables...
GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO beaconport_app;
GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO beaconport_app;
-- ...but the audit log only grows: no UPDATE, DELETE or TRUNCATE of its rows.
REVOKE ALL ON audit_auditevent, audit_auditchainhead, audit_auditwitness FROM beaconport_app;
REVOKE ALL ON SEQUENCE audit_auditwitness_id_seq FROM beaconport_app;
GRANT SELECT, INSERT ON audit_auditevent TO beaconport_app;
-- The head upsert; a trigger lets the head move only to the next link.
GRANT SELECT, INSERT, UPDATE ON audit_auditchainhead TO beaconport_app;
-- The application may read the witness (audit_verify), never write it.
GRANT SELECT ON audit_auditwitness TO beaconport_app;
-- The witness: reads the head and appends witness rows, nothing else.
REVOKE ALL ON ALL TABLES IN SCHEMA public FROM beaconport_witness;
GRANT SELECT ON audit_auditchainhead TO beaconport_witness;
GRANT SELECT, INSERT ON audit_auditwitness TO beaconport_witness;
GRANT USAGE ON SEQUENCE audit_auditwitness_id_seq TO beaconport_witness;
