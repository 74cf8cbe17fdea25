"""audit_record: what a row holds, where it says it came from, what it costs."""

import pytest
from celery import shared_task
from django.db import DatabaseError, connection, transaction

from beaconport.audit.chain import CONTENT_FIELDS, canonical, link_hash
from beaconport.audit.context import audit_context
from beaconport.audit.models import AuditEvent, Operation
from beaconport.audit.services import (
    CHANGED,
    audit_changes,
    audit_consult,
    audit_disclose,
    audit_record,
    audit_snapshot,
)
from beaconport.models import Heartbeat
from cases.models import CaseParty
from tests.audit.helpers import assert_audited, audited
from tests.factories import PersonFactory, make_case

pytestmark = pytest.mark.django_db

SECRET = "Zanzibar-synthetic-secret-7731"


def test_a_record_is_chained_to_the_one_before():
    first = audit_record(operation=Operation.COLLECT, object_type="cases.case", object_id=1)
    second = audit_record(operation=Operation.CONSULT, object_type="cases.case", object_id=1)
    assert (first.seq, second.seq) == (1, 2)
    assert second.prev_hash == first.hash
    stored = AuditEvent.objects.values("hash", *CONTENT_FIELDS).get(seq=2)
    assert stored["hash"] == link_hash(canonical(stored), 2, first.hash)


def test_an_object_gives_its_type_id_and_case_and_person():
    case = make_case(suspects=1, victims=1)
    victim = case.parties.get(role="victim")
    event = audit_record(operation=Operation.CONSULT, obj=victim)
    stored = AuditEvent.objects.get(seq=event.seq)
    assert (stored.object_type, stored.object_id) == ("cases.caseparty", str(victim.pk))
    assert (stored.case_id, stored.person_id) == (case.pk, victim.person_id)


def test_case_and_person_are_found_through_parents_already_loaded(
    django_assert_num_queries,
):
    from liaison.models import Contact, LiaisonRecord

    case = make_case(suspects=1, victims=1)
    victim = case.parties.get(role="victim")
    contact = Contact(record=LiaisonRecord(party=victim, case=case))
    with django_assert_num_queries(1):
        event = audit_record(operation=Operation.COLLECT, obj=contact, object_id=1)
    assert (event.object_type, event.case_id, event.person_id) == (
        "liaison.contact",
        case.pk,
        victim.person_id,
    )


def test_a_list_names_the_records_shown_in_one_row(investigator):
    cases = [make_case(suspects=0, victims=0) for _ in range(3)]
    event = audit_consult(ids=cases, actor=investigator)
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.object_type == "cases.case"
    assert stored.object_ids == [str(c.pk) for c in cases]
    assert AuditEvent.objects.count() == 1


def test_alteration_keeps_old_and_new_values_but_only_names_sensitive_fields():
    case = make_case(suspects=1, victims=1)
    before = audit_snapshot(case, ["status", "summary", "priority"])
    case.summary = f"The victim {SECRET} said ..."
    case.priority = "P1"
    changes = audit_changes(before, case)
    event = audit_record(operation=Operation.ALTER, obj=case, changes=changes)
    assert AuditEvent.objects.get(seq=event.seq).changes == {
        "summary": CHANGED,
        "priority": ["P3", "P1"],
    }


def test_no_victim_name_or_free_text_appears_anywhere_in_the_log(investigator):
    person = PersonFactory(surname="Oldname", forenames="Sam")
    audit_record(
        operation=Operation.ALTER,
        obj=person,
        changes={"surname": ("Oldname", SECRET), "forenames": ("Sam", SECRET)},
        actor=investigator,
    )
    audit_record(
        operation=Operation.COLLECT,
        object_type="liaison.contact",
        object_id=7,
        changes={"summary": (None, SECRET), "what_was_said": (None, SECRET), "made": (None, True)},
        sensitive_fields={"made"},
    )
    audit_record(
        operation=Operation.ERASE, obj=person, changes={"ethnicity": ("white_british", None)}
    )
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM audit_auditevent")
        rows = cursor.fetchall()
    assert len(rows) == 3
    assert not [row for row in rows if SECRET in repr(row) or "Oldname" in repr(row)]
    assert AuditEvent.objects.get(seq=3).changes == {"ethnicity": CHANGED}  # erasure: names only


def test_a_disclosure_needs_a_recipient_and_purpose():
    with pytest.raises(ValueError, match="recipient and purpose"):
        audit_disclose(object_type="cases.case", ids=[1], recipient="", purpose="court")
    event = audit_disclose(
        object_type="cases.case", ids=[1, 2], recipient="CPS North West", purpose="charging"
    )
    assert (event.recipient, event.purpose, event.operation) == (
        "CPS North West",
        "charging",
        "disclose",
    )


def test_an_unknown_operation_or_missing_object_is_refused():
    with pytest.raises(ValueError, match="Unknown audit operation"):
        audit_record(operation="peek", object_type="cases.case", object_id=1)
    with pytest.raises(ValueError, match="needs obj"):
        audit_record(operation=Operation.CONSULT)
    assert not AuditEvent.objects.exists()


def test_without_a_request_the_actor_is_the_system_named_by_its_source():
    with audit_context(source="command:import_referrals"):
        event = audit_record(operation=Operation.COLLECT, object_type="cases.case", object_id=9)
    assert (event.actor_id, event.actor_label, event.source) == (
        None,
        "system:import_referrals",
        "command:import_referrals",
    )
    plain = audit_record(operation=Operation.COLLECT, object_type="cases.case", object_id=9)
    assert plain.actor_label == "system"


@shared_task(name="tests.audit.record_from_a_task")
def record_from_a_task():
    return audit_record(operation=Operation.ALTER, object_type="liaison.followup", object_id=3).seq


def test_a_celery_task_is_named_as_the_source():
    seq = record_from_a_task.apply().get()
    event = AuditEvent.objects.get(seq=seq)
    assert (event.actor_label, event.source) == (
        "system:tests.audit.record_from_a_task",
        "task:tests.audit.record_from_a_task",
    )


def test_a_request_gives_the_user_ip_and_route(client, auditor):
    client.force_login(auditor)
    client.get("/audit/", {"subject": "case", "value": "BP-000042"}, REMOTE_ADDR="203.0.113.9")
    event = AuditEvent.objects.get()
    assert event.actor_id == auditor.pk
    assert event.actor_label == "aud.auditor"
    assert event.ip == "203.0.113.9"
    assert event.source.startswith("GET /audit/?")
    assert event.case_id == 42


def test_an_audit_record_costs_exactly_one_query(django_assert_num_queries, investigator):
    case = make_case(suspects=1, victims=1)
    party = CaseParty.objects.select_related("case").get(case=case, role="victim")
    audit_record(operation=Operation.COLLECT, object_type="cases.case", object_id=0)  # the head
    with django_assert_num_queries(1):
        audit_record(operation=Operation.ALTER, obj=party, changes={"ref": ("V1", "V9")})
    with django_assert_num_queries(1):
        audit_consult(ids=list(range(500)), object_type="cases.case", actor=investigator)
    with django_assert_num_queries(1):
        audit_disclose(obj=case, recipient="CPS", purpose="charging advice")


def test_an_audited_write_service_costs_one_query_more_than_unaudited(
    django_assert_num_queries,
):
    @transaction.atomic
    def heartbeat_service(*, name, audit):
        beat = Heartbeat.objects.create(name=name, last_seen="2026-01-01T00:00:00Z")
        if audit:
            audit_record(operation=Operation.COLLECT, obj=beat)
        return beat

    with django_assert_num_queries(3) as plain:  # savepoint, insert, release
        heartbeat_service(name="plain", audit=False)
    with django_assert_num_queries(len(plain.captured_queries) + 1):
        heartbeat_service(name="audited", audit=True)


def test_a_failing_audit_insert_rolls_back_the_callers_change():
    @transaction.atomic
    def heartbeat_service(*, name):
        beat = Heartbeat.objects.create(name=name, last_seen="2026-01-01T00:00:00Z")
        audit_record(operation=Operation.COLLECT, obj=beat)
        return beat

    heartbeat_service(name="works")
    with connection.cursor() as cursor:  # the log's table is away: the audit insert fails
        cursor.execute("ALTER TABLE audit_auditevent RENAME TO audit_auditevent_away")
    try:
        with pytest.raises(DatabaseError):
            heartbeat_service(name="must-not-stay")
    finally:
        with connection.cursor() as cursor:
            cursor.execute("ALTER TABLE audit_auditevent_away RENAME TO audit_auditevent")
    assert list(Heartbeat.objects.values_list("name", flat=True)) == ["works"]
    assert AuditEvent.objects.count() == 1


def test_assert_audited_finds_the_row_and_fails_without_one(investigator):
    case = make_case(suspects=0, victims=0)
    with audited("consult", case, actor=investigator) as found:
        audit_consult(obj=case, actor=investigator)
    assert found[0].object_id == str(case.pk)
    with pytest.raises(AssertionError, match="no 'alter' audit row"):
        assert_audited("alter", case)
    with pytest.raises(AssertionError), audited("consult", case):
        pass


def test_behind_a_trusted_proxy_the_address_it_saw_is_logged(client, auditor, settings):
    settings.AUDIT_CLIENT_IP_HEADER = "HTTP_X_FORWARDED_FOR"
    client.force_login(auditor)
    client.get(
        "/audit/",
        {"subject": "case", "value": "BP-000042"},
        REMOTE_ADDR="10.0.0.2",
        HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.77",
    )
    assert AuditEvent.objects.get().ip == "203.0.113.77"
