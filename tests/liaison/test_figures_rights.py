"""Compliance figures of a victim's further rights: Right to Review requests acknowledged
within 10 and decided within 30 working days, late and open, and support referrals made
within their deadline, by force, counted from cases worked out by hand; suppressed for
analysts like every other count."""

import datetime

import pytest
from django.utils import timezone

from beaconport.reports.suppression import FEWER_THAN_5, show
from cases.models import Case, Force
from liaison.figures import compliance_tables
from liaison.figures_rights import review_requests_table
from liaison.services import (
    record_assign,
    review_request_acknowledge,
    review_request_decide,
    review_request_delay,
    review_request_record,
    review_request_withdraw,
)
from tests.factories import LiaisonRecordFactory, VictimFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()
LONG_AGO = TODAY - datetime.timedelta(days=60)  # both deadlines (10 and 30 working days) past


def record_in(slug, officer, lead):
    party = VictimFactory(case__force=Force.objects.get(slug=slug))
    return record_assign(
        reason="Synthetic", record=LiaisonRecordFactory(party=party), officer=officer, by=lead
    )


def request(record, officer, received_on):
    return review_request_record(
        record=record,
        by=officer,
        received_on=received_on,
        channel="letter",
        challenged=None,
        challenged_decision="Synthetic decision",
        challenged_on=received_on,
    )


@pytest.fixture
def worked(liaison_officer, liaison_lead, review_lead):
    """Kent: A acknowledged on time, its decision overdue; B received today.
    Durham: C acknowledged late, delayed with the victim told, decided late; D withdrawn."""
    officer, lead = liaison_officer, liaison_lead
    a = request(record_in("kent", officer, lead), officer, LONG_AGO)
    review_request_acknowledge(
        review_request=a,
        by=officer,
        acknowledged_on=LONG_AGO + datetime.timedelta(days=1),
        version=a.version,
    )
    request(record_in("kent", officer, lead), officer, TODAY)
    c = request(record_in("durham", officer, lead), officer, LONG_AGO)
    c = review_request_acknowledge(
        review_request=c,
        by=officer,
        acknowledged_on=TODAY,
        late_reason="Sent to the wrong office.",
        version=c.version,
    )
    c = review_request_delay(
        review_request=c, by=officer, reason="A report awaited.", told_on=TODAY, version=c.version
    )
    review_request_decide(
        review_request=c, by=review_lead, outcome="upheld", rationale="S", version=c.version
    )
    d = request(record_in("durham", officer, lead), officer, TODAY)
    review_request_withdraw(review_request=d, by=officer, reason="Withdrawn", version=d.version)


def by_force(table):
    keys = [c.key for c in table.columns[1:]]
    return {row[0]: dict(zip(keys, row[1:], strict=True)) for row in table.rows}


def test_right_to_review_requests_are_counted_by_force_as_worked_out_by_hand(worked):
    rows = by_force(review_requests_table(Case.objects.all()))
    kent = Force.objects.get(slug="kent").name
    durham = Force.objects.get(slug="durham").name
    assert rows == {
        kent: {
            "received": 2,
            "ack_on_time": 1,
            "ack_late": 0,
            "decided_on_time": 0,
            "decided_late": 1,  # A: still open past its 30 working days
            "delay_told": 0,
            "open": 2,
        },
        durham: {
            "received": 1,  # D was withdrawn
            "ack_on_time": 0,
            "ack_late": 1,
            "decided_on_time": 0,
            "decided_late": 1,
            "delay_told": 1,
            "open": 0,
        },
    }


def test_a_scope_of_one_force_counts_only_its_requests(worked):
    kent = Force.objects.get(slug="kent")
    rows = by_force(review_requests_table(Case.objects.filter(force=kent)))
    assert list(rows) == [kent.name]


def test_the_compliance_dashboard_carries_both_tables_suppressed_for_analysts(worked, analyst):
    tables = {t.key: t for t in compliance_tables(analyst, Case.objects.all())}
    assert {"review_requests_by_force", "support_referrals_by_force"} <= set(tables)
    shown = show(tables["review_requests_by_force"], suppress=True)
    cells = [cell.text for row in shown.rows for cell in row[1:]]
    assert FEWER_THAN_5 in cells
    assert all(cell.value is None or cell.value == 0 for row in shown.rows for cell in row[1:])


def referral(record, officer, *, due_on, status="open", late=False):
    from liaison.models import Consent, FollowUp, SupportReferral
    from tests.factories import make_followup

    follow_up = make_followup(
        record, due_on=due_on, starts_at=timezone.now() - datetime.timedelta(days=3)
    )
    if status != "open":
        FollowUp.objects.filter(pk=follow_up.pk).update(
            status=status,
            completed_at=timezone.now() if status == "done" else None,
            completed_late=late,
        )
    consent = Consent.objects.create(
        record=record,
        kind="information_sharing",
        scope="Synthetic",
        given_on=TODAY,
        how="phone",
        recorded_by=officer,
    )
    return SupportReferral.objects.create(
        record=record,
        service="isva",
        consent=consent,
        agreed_on=TODAY,
        followup=follow_up,
        recorded_by=officer,
    )


def test_support_referrals_are_counted_by_force_as_worked_out_by_hand(
    liaison_officer, liaison_lead
):
    from liaison.figures_rights import support_referrals_table

    record = record_in("kent", liaison_officer, liaison_lead)
    day = datetime.timedelta(days=1)
    referral(record, liaison_officer, due_on=TODAY + day, status="done")  # made on time
    referral(record, liaison_officer, due_on=TODAY - day)  # not made, overdue
    referral(record, liaison_officer, due_on=TODAY + day)  # not yet due
    referral(record, liaison_officer, due_on=TODAY + day, status="cancelled")  # stopped
    rows = by_force(support_referrals_table(Case.objects.all()))
    assert rows == {
        Force.objects.get(slug="kent").name: {"agreed": 3, "on_time": 1, "late": 1, "not_due": 1}
    }
