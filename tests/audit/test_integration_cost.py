"""What the audit trail costs where it is wired in: one query per write, one per read.

Each measurement is taken twice, with the real audit call and with the module's audit
function swapped for one that writes nothing, so the difference is the audit's own cost;
the absolute counts are pinned too, so a change in either shows.
"""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.roles import roles_of
from cases.permissions import case_get_for, grant_case_access, granted_case_ids, led_force_ids
from cases.services.workflow import case_transition
from cases.vocabulary import CaseStatus
from liaison.permissions import record_get_for
from liaison.selectors import PAGE_SIZE as LIAISON_PAGE_SIZE
from liaison.services import contact_record, record_assign
from tests.factories import CaseFactory, LiaisonRecordFactory

pytestmark = pytest.mark.django_db


def _fresh(user):
    """The user as a request sees them: reloaded, with their roles and (for a lead) the
    forces of their teams read once, as the first permission check of a request does."""
    user = type(user).objects.get(pk=user.pk)
    roles_of(user)
    led_force_ids(user)
    return user


def _without_audit(monkeypatch, module: str, name: str):
    monkeypatch.setattr(f"{module}.{name}", lambda **kwargs: None)


def _count(django_assert_num_queries, expected, action):
    before = AuditEvent.objects.count()
    with django_assert_num_queries(expected) as captured:
        result = action()
    inserts = [q for q in captured.captured_queries if "audit_auditevent" in q["sql"]]
    return result, AuditEvent.objects.count() - before, len(inserts)


# case_transition: lock the case, the lead's permission, the transition row, the update and
# its version read back, the savepoint and its release; + the audit insert.
TRANSITION_QUERIES = 7


def test_case_transition_costs_exactly_one_more_query_for_its_audit_row(
    review_lead, django_assert_num_queries, monkeypatch
):
    lead = _fresh(review_lead)
    audited_case, plain_case = CaseFactory(), CaseFactory()

    def move(case):
        return lambda: case_transition(
            case=case, to=CaseStatus.TRIAGE, by=lead, reason="Synthetic triage"
        )

    _, rows, inserts = _count(django_assert_num_queries, TRANSITION_QUERIES, move(audited_case))
    assert (rows, inserts) == (1, 1)
    _without_audit(monkeypatch, "cases.services.workflow", "audit_record")
    _, rows, inserts = _count(django_assert_num_queries, TRANSITION_QUERIES - 1, move(plain_case))
    assert (rows, inserts) == (0, 0)


# contact_record (made, no follow-up to complete, no next contact, no interval agreed): the
# officer's permission is already known; the savepoint, the model check constraint inside
# its own savepoint (3), the contact insert, the open periodic follow-ups locked, the release;
# + the audit insert.
CONTACT_QUERIES = 8


def test_contact_record_costs_exactly_one_more_query_for_its_audit_row(
    liaison_officer, liaison_lead, django_assert_num_queries, monkeypatch
):
    officer = _fresh(liaison_officer)
    records = [
        record_assign(
            reason="Synthetic assignment",
            record=LiaisonRecordFactory(),
            officer=officer,
            by=liaison_lead,
        )
        for _ in range(2)
    ]

    def contact(record):
        return lambda: contact_record(
            record=record,
            by=officer,
            occurred_at=timezone.now() - datetime.timedelta(hours=1),
            channel="phone",
            direction="out",
            outcome="made",
            summary="Synthetic call",
            no_outcome_promised=True,
        )

    _, rows, inserts = _count(django_assert_num_queries, CONTACT_QUERIES, contact(records[0]))
    assert (rows, inserts) == (1, 1)
    _without_audit(monkeypatch, "liaison.services.contacts", "audit_record")
    _, rows, inserts = _count(django_assert_num_queries, CONTACT_QUERIES - 1, contact(records[1]))
    assert (rows, inserts) == (0, 0)


# case_get_for, an investigator: the case (visibility filtered in); + the audit insert.
CASE_READ_QUERIES = 2


def test_reading_a_case_through_the_permission_layer_costs_one_query_more(
    investigator, django_assert_num_queries, monkeypatch
):
    user = _fresh(investigator)
    case = CaseFactory()
    grant_case_access(user, case)
    granted_case_ids(user)  # read once per request, like the roles and forces

    found, rows, inserts = _count(
        django_assert_num_queries, CASE_READ_QUERIES, lambda: case_get_for(user, case.reference)
    )
    assert found == case and (rows, inserts) == (1, 1)
    _without_audit(monkeypatch, "beaconport.access", "audit_consult")
    found, rows, inserts = _count(
        django_assert_num_queries,
        CASE_READ_QUERIES - 1,
        lambda: case_get_for(user, case.reference),
    )
    assert found == case and (rows, inserts) == (0, 0)


# record_get_for, the assigned officer: the record with its party; + the audit insert.
RECORD_READ_QUERIES = 2


def test_reading_a_liaison_record_through_the_permission_layer_costs_one_query_more(
    liaison_officer, liaison_lead, django_assert_num_queries, monkeypatch
):
    officer = _fresh(liaison_officer)
    record = record_assign(
        reason="Synthetic assignment",
        record=LiaisonRecordFactory(),
        officer=officer,
        by=liaison_lead,
    )

    found, rows, inserts = _count(
        django_assert_num_queries, RECORD_READ_QUERIES, lambda: record_get_for(officer, record.pk)
    )
    assert found == record and (rows, inserts) == (1, 1)
    _without_audit(monkeypatch, "beaconport.access", "audit_consult")
    found, rows, inserts = _count(
        django_assert_num_queries,
        RECORD_READ_QUERIES - 1,
        lambda: record_get_for(officer, record.pk),
    )
    assert found == record and (rows, inserts) == (0, 0)


@pytest.mark.parametrize("count", [5, 50])
def test_a_liaison_page_writes_one_audit_row_however_many_records_it_shows(
    client, liaison_officer, liaison_lead, count
):
    for _ in range(count):
        record_assign(
            reason="Synthetic assignment",
            record=LiaisonRecordFactory(),
            officer=liaison_officer,
            by=liaison_lead,
        )
    client.force_login(liaison_officer)
    before = AuditEvent.objects.count()
    response = client.get(reverse("liaison:my_victims"))
    assert response.status_code == 200
    assert AuditEvent.objects.count() - before == 1
    # The row names what the page showed: every record, or a page of them.
    shown = min(count, LIAISON_PAGE_SIZE)
    assert len(AuditEvent.objects.order_by("-seq").first().object_ids) == shown
