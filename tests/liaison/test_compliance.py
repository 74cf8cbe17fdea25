"""The deadlines missed, the liaison lead's report: breaches, late reasons, counts per rule."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from beaconport.roles import roles_of
from liaison.models import FollowUpStatus, VictimsCodeRule
from liaison.selectors import BREACHES_SHOWN, deadline_compliance
from liaison.services import followup_cancel, followup_complete
from tests.audit.helpers import last_seq
from tests.factories import make_followup
from tests.liaison.test_views_setup import days_from_today, record_for

pytestmark = pytest.mark.django_db

ARRESTED = "Suspect arrested"


def rule(trigger: str) -> VictimsCodeRule:
    return VictimsCodeRule.objects.filter(trigger=trigger).latest("effective_from")


def due(record, *, days_ago: int, trigger: str | None = "arrest", reason="Synthetic follow-up"):
    """A follow-up under the rule whose deadline was `days_ago` days ago (negative: ahead)."""
    return make_followup(
        record,
        due_on=days_from_today(-days_ago),
        reason=reason,
        starts_at=timezone.now() - datetime.timedelta(days=days_ago + 1),
        rule=rule(trigger) if trigger else None,
    )


def late(record, officer, *, days_ago: int = 3, reason="Victim's adviser was on leave", **kw):
    """A follow-up completed today, after its deadline, with the officer's late reason."""
    return followup_complete(
        follow_up=due(record, days_ago=days_ago, **kw), by=officer, late_reason=reason
    )


def on_time(record, officer, **kw):
    follow_up = due(record, days_ago=-2, **kw)
    return followup_complete(follow_up=follow_up, by=officer)


def test_the_lead_sees_a_follow_up_completed_late_with_the_officers_reason(
    client, liaison_lead, liaison_officer
):
    record = record_for(liaison_officer)
    late(record, liaison_officer, reason="Adviser on leave until Thursday")
    client.force_login(liaison_lead)

    html = client.get(reverse("liaison:deadlines")).content.decode()

    section = html[html.index('id="missed-title"') :]
    assert "Deadlines missed (1)" in html
    assert record.pseudonym in section and record.case.reference in section
    assert "Adviser on leave until Thursday" in section
    assert f"{ARRESTED}: <strong>1 of 1 late</strong>" in section


def test_counts_per_rule_say_how_many_of_the_counted_follow_ups_were_late(
    liaison_lead, liaison_officer
):
    record = record_for(liaison_officer)
    late(record, liaison_officer)
    on_time(record, liaison_officer)
    due(record, days_ago=10)  # still open, past its deadline
    on_time(record, liaison_officer, trigger="charge")
    due(record, days_ago=-5)  # open, not yet due: not counted
    cancelled = due(record, days_ago=4)
    followup_cancel(follow_up=cancelled, by=liaison_officer, reason="Victim withdrew")

    report = deadline_compliance(liaison_lead)

    per_rule = {r.label: (r.late, r.total) for r in report.per_rule}
    assert per_rule == {ARRESTED: (2, 3), "Suspect charged": (0, 1)}
    assert sorted(f.status for f in report.breaches) == [FollowUpStatus.DONE, FollowUpStatus.OPEN]


def test_breaches_outside_the_last_90_days_are_left_out_but_open_ones_stay(
    liaison_lead, liaison_officer
):
    record = record_for(liaison_officer)
    recent = late(record, liaison_officer, days_ago=20)
    still_open = due(record, days_ago=200)

    long_ago = timezone.now() + datetime.timedelta(days=120)
    report = deadline_compliance(liaison_lead, now=long_ago)
    assert [f.pk for f in report.breaches] == [still_open.pk]

    report = deadline_compliance(liaison_lead)
    assert [f.pk for f in report.breaches] == [recent.pk, still_open.pk]


def test_follow_ups_under_no_rule_are_counted_apart(liaison_lead, liaison_officer):
    record = record_for(liaison_officer)
    late(record, liaison_officer, trigger=None)
    report = deadline_compliance(liaison_lead)
    assert [(r.label, r.late, r.total) for r in report.per_rule] == [
        ("No Victims' Code rule", 1, 1)
    ]


def test_the_section_shows_pseudonyms_never_names_free_text_or_what_was_owed(
    client, liaison_lead, liaison_officer
):
    record = record_for(liaison_officer)
    late(record, liaison_officer, reason="LATE-REASON-SHOWN", trigger=None)
    due(record, days_ago=2, reason="OWED-TEXT-HIDDEN")
    client.force_login(liaison_lead)

    html = client.get(reverse("liaison:deadlines")).content.decode()

    section = html[html.index('id="missed-title"') :]
    assert "LATE-REASON-SHOWN" in section
    assert "OWED-TEXT-HIDDEN" not in section
    assert record.party.person.full_name not in html
    assert record.pseudonym in section


def test_stored_script_in_a_late_reason_is_shown_as_text(client, liaison_lead, liaison_officer):
    record = record_for(liaison_officer)
    late(record, liaison_officer, reason="<script>alert(1)</script>")
    client.force_login(liaison_lead)
    html = client.get(reverse("liaison:deadlines")).content.decode()
    assert "<script>alert(1)</script>" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html


def test_a_liaison_officer_investigator_or_analyst_gets_no_report(
    client, liaison_officer, investigator, analyst
):
    record = record_for(liaison_officer)
    late(record, liaison_officer)
    for outsider in (liaison_officer, investigator, analyst):
        assert deadline_compliance(outsider).breaches == []
        assert deadline_compliance(outsider).per_rule == []
        client.force_login(outsider)
        assert client.get(reverse("liaison:deadlines")).status_code == 404


def test_the_pages_audit_row_names_the_records_of_the_deadlines_missed(
    client, liaison_lead, liaison_officer
):
    record = record_for(liaison_officer)
    late(record, liaison_officer)
    quiet = record_for(liaison_officer)
    on_time(quiet, liaison_officer)
    client.force_login(liaison_lead)

    seq = last_seq()

    assert client.get(reverse("liaison:deadlines")).status_code == 200

    (row,) = AuditEvent.objects.filter(seq__gt=seq)
    assert (row.operation, row.object_type) == ("consult", "liaison.liaisonrecord")
    assert row.object_ids == [str(record.pk)]


@pytest.mark.parametrize("count", [5, 50])
def test_the_report_costs_two_queries_for_5_or_50_follow_ups(
    liaison_lead, liaison_officer, django_assert_num_queries, count
):
    for n in range(count):
        record = record_for(liaison_officer)
        if n % 2:
            late(record, liaison_officer, trigger="charge" if n % 3 else "arrest")
        else:
            due(record, days_ago=1 + n % 4)
    roles_of(liaison_lead)  # read once per request already, by the page's role check
    with django_assert_num_queries(2):
        report = deadline_compliance(liaison_lead)
        rows = [
            (f.record.pseudonym, f.case.reference, f.rule.get_trigger_display())
            for f in report.breaches
        ]
        officers = {f.officer.get_username() for f in report.breaches}
    assert len(rows) == min(count, BREACHES_SHOWN)  # the most recent, a bounded list
    assert officers == {liaison_officer.get_username()}
    assert sum(r.late for r in report.per_rule) == report.late == count
