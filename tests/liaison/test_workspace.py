"""The liaison lead's workspace (issue 13, part 5): filtered by entitlement and urgency as well
as force and officer, sorted by what is due and by case priority, in the same queries at 50
and 5,000 victims; and the officer told of each new victim once per case, never twice."""

import datetime

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from cases.models import Case, CaseParty, Force
from cases.vocabulary import PartyRole, Priority
from liaison.models import FollowUp, FollowUpStatus, LiaisonRecord, Notification
from liaison.selectors import WorkspaceFilter, team_workspace
from liaison.services import record_assign, records_assign_many
from liaison.workdays import add_working_days, end_of_day
from tests.factories import CaseFactory, LiaisonRecordFactory, PersonFactory, VictimFactory
from tests.liaison.test_views_setup import (
    days_from_today,
    open_followup,
    overdue_followup,
    record_for,
)

pytestmark = pytest.mark.django_db
TEAM = reverse("liaison:team")


def ids(page):
    return [r.pk for r in page.rows]


def on_case(case, ref, officer=None, **fields):
    return LiaisonRecordFactory(
        party=VictimFactory(case=case, ref=ref),
        officer=officer,
        assigned_at=timezone.now() if officer else None,
        **fields,
    )


# Filters -----------------------------------------------------------------------------------


def test_the_workspace_filters_by_entitlement(liaison_lead):
    enhanced = record_for(None)
    standard = record_for(None, enhanced_rights=False, enhanced_rights_off_reason="Adult, 2019")

    def shown(entitlement):
        return set(ids(team_workspace(liaison_lead, WorkspaceFilter(entitlement=entitlement))))

    assert shown("enhanced") == {enhanced.pk}
    assert shown("standard") == {standard.pk}
    assert shown(None) == {enhanced.pk, standard.pk}


def test_the_workspace_filters_by_urgency_overdue_due_soon_and_nothing_due(liaison_lead):
    late = record_for(None)
    overdue_followup(late)
    soon = record_for(None)
    make_due = add_working_days(timezone.localdate(), 5)
    open_followup(soon, in_days=(make_due - timezone.localdate()).days)  # the 5th working day
    later = record_for(None)
    open_followup(later, in_days=(make_due - timezone.localdate()).days + 1)
    idle = record_for(None)

    for sort in ("due", "priority"):

        def shown(urgency, sort=sort):
            return set(
                ids(team_workspace(liaison_lead, WorkspaceFilter(urgency=urgency, sort=sort)))
            )

        assert shown("overdue") == {late.pk}, sort
        assert shown("soon") == {soon.pk}, sort
        assert shown("none") == {idle.pk}, sort
        assert shown(None) == {late.pk, soon.pk, later.pk, idle.pk}, sort


def test_urgency_combines_with_the_other_filters(liaison_lead, liaison_officer):
    mine_late = record_for(liaison_officer)
    overdue_followup(mine_late)
    nobody_late = record_for(None, enhanced_rights=False, enhanced_rights_off_reason="Adult")
    overdue_followup(nobody_late)
    mine_idle = record_for(liaison_officer)

    def shown(**chosen):
        return set(ids(team_workspace(liaison_lead, WorkspaceFilter(**chosen))))

    assert shown(urgency="overdue", officer=liaison_officer.pk) == {mine_late.pk}
    assert shown(urgency="overdue", unassigned=True) == {nobody_late.pk}
    assert shown(urgency="overdue", entitlement="enhanced") == {mine_late.pk}
    assert shown(urgency="none", officer=liaison_officer.pk) == {mine_idle.pk}
    assert shown(urgency="none", unassigned=True) == set()


# Order -------------------------------------------------------------------------------------


def test_on_the_same_due_day_the_p1_case_comes_first_and_by_priority_p1_leads(liaison_lead):
    p3_first = on_case(CaseFactory(priority=Priority.P3), "V1")  # the older record
    open_followup(p3_first, in_days=3)
    p1_same_day = on_case(CaseFactory(priority=Priority.P1), "V1")
    open_followup(p1_same_day, in_days=3)
    p2_sooner = on_case(CaseFactory(priority=Priority.P2), "V1")
    open_followup(p2_sooner, in_days=1)
    p1_idle = on_case(CaseFactory(priority=Priority.P1), "V1")
    p3_late = on_case(CaseFactory(priority=Priority.P3), "V1")
    overdue_followup(p3_late)

    by_due = ids(team_workspace(liaison_lead))
    assert by_due == [p3_late.pk, p2_sooner.pk, p1_same_day.pk, p3_first.pk, p1_idle.pk]
    by_priority = ids(team_workspace(liaison_lead, WorkspaceFilter(sort="priority")))
    assert by_priority == [p1_same_day.pk, p1_idle.pk, p2_sooner.pk, p3_late.pk, p3_first.pk]
    # Paged two at a time, the priority order holds across pages.
    pages = [
        ids(team_workspace(liaison_lead, WorkspaceFilter(sort="priority"), page=n, size=2))
        for n in (1, 2, 3)
    ]
    assert [pk for page in pages for pk in page] == by_priority


def test_the_page_says_its_order_in_words_and_shows_priority_and_rights(client, liaison_lead):
    record = on_case(CaseFactory(priority=Priority.P1), "V1")
    client.force_login(liaison_lead)
    by_due = client.get(TEAM).content.decode()
    by_priority = client.get(TEAM, {"sort": "priority"}).content.decode()
    assert "on the same day, P1 cases first" in by_due
    assert "Victims, the highest case priority first" in by_priority
    assert record.pseudonym in by_priority and "<td>P1</td>" in by_priority
    assert "<td>Enhanced</td>" in by_priority


def test_an_unknown_entitlement_urgency_or_order_answers_400_naming_it(client, liaison_lead):
    client.force_login(liaison_lead)
    for name in ("entitlement", "urgency", "sort"):
        response = client.get(TEAM, {name: "whenever"})
        assert response.status_code == 400
        assert name in response.context["filters"].errors


# Query counts at 50 and 5,000 victims --------------------------------------------------------


def build(count: int, *, officers) -> None:
    """`count` victims' records in the lead's forces (bulk inserts): a priority and an
    entitlement each, held by one of the officers or nobody; four in five with an open
    follow-up (every seventh overdue), the rest with nothing due."""
    now = timezone.now()
    forces = list(Force.objects.exclude(slug="cumbria").order_by("pk")[:3])
    cases = CaseFactory.build_batch(count)
    for n, case in enumerate(cases):
        case.force = forces[n % len(forces)]
        case.force_reference = f"WS/{n:06d}"
        case.priority = (Priority.P1, Priority.P2, Priority.P3)[n % 3]
    cases = Case.objects.bulk_create(cases, batch_size=1000)
    people = PersonFactory._meta.model.objects.bulk_create(
        PersonFactory.build_batch(count), batch_size=1000
    )
    parties = CaseParty.objects.bulk_create(
        [
            CaseParty(case=case, person=person, role=PartyRole.VICTIM, ref="V1")
            for case, person in zip(cases, people, strict=True)
        ],
        batch_size=1000,
    )
    holders = [*officers, None]
    records = LiaisonRecord.objects.bulk_create(
        [
            LiaisonRecord(
                party=party,
                case_id=party.case_id,
                officer=holders[n % len(holders)],
                assigned_at=now if holders[n % len(holders)] else None,
                enhanced_rights=bool(n % 4),
                enhanced_rights_off_reason="" if n % 4 else "Adult at the time",
            )
            for n, party in enumerate(parties)
        ],
        batch_size=1000,
    )
    followups = []
    for n, record in enumerate(records):
        if n % 5 == 4:
            continue
        days = -3 if n % 7 == 0 else 1 + n % 20
        due_on = timezone.localdate() + datetime.timedelta(days=days)
        followups.append(
            FollowUp(
                record=record,
                case_id=record.case_id,
                officer=record.officer,
                reason="Synthetic follow-up",
                starts_at=now - datetime.timedelta(days=10),
                due_on=due_on,
                due_at=end_of_day(due_on),
                status=FollowUpStatus.OPEN,
            )
        )
    FollowUp.objects.bulk_create(followups, batch_size=2000)


# Each filter's queries on the page: session, user and roles (3); the officers, their
# caseloads kept in the cache (1); the lead's forces for the filter (1); the page's ids (1);
# its rows (1); the audit row of the page's reads (1). A page reaching past the records with
# something due reads those with nothing due as well (one more; the filters here fill their
# page at both sizes).
FILTERS = {
    "": 8,
    "sort=priority": 8,
    "entitlement=enhanced": 8,
    "urgency=overdue": 8,
    "urgency=soon": 8,
    "urgency=none": 8,
    "show=unassigned&entitlement=enhanced&sort=priority": 8,
    "force={force}&urgency=soon&sort=priority": 8,
    "force={force}&urgency=soon": 8,
    "officer={officer}&urgency=overdue": 8,
}


@pytest.mark.parametrize("size", [50, 5000])
def test_the_workspace_page_costs_the_same_queries_at_50_and_5000_victims(
    client, liaison_lead, liaison_officer, other_liaison_officer, size
):
    build(size, officers=[liaison_officer, other_liaison_officer])
    force = Force.objects.exclude(slug="cumbria").order_by("pk").first()
    client.force_login(liaison_lead)
    cache.clear()
    client.get(TEAM)  # the caseloads counted and kept
    counted = {}
    for query in FILTERS:
        url = f"{TEAM}?{query.format(force=force.pk, officer=liaison_officer.pk)}"
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200, query
        counted[query] = len(queries.captured_queries)
    assert counted == FILTERS


# Notifications of a new victim -----------------------------------------------------------------


def test_a_bulk_assignment_of_ten_victims_over_three_cases_notifies_once_per_case(
    client, liaison_lead, liaison_officer
):
    cases = [CaseFactory() for _ in range(3)]
    records = [on_case(case, f"V{n + 1}") for case in cases for n in range(4)][:10]  # 4, 4, 2
    client.force_login(liaison_lead)
    post = {
        "assign-records": [str(r.pk) for r in records],
        "assign-officer": str(liaison_officer.pk),
        "assign-reason": "New referrals for Lee",
    }
    response = client.post(f"{TEAM}?urgency=none", post)
    assert response.status_code == 302
    assert response["Location"] == f"{TEAM}?urgency=none"  # the lead stays on the list

    told = Notification.objects.filter(user=liaison_officer).order_by("case_id")
    assert [(n.case_id, n.text) for n in told] == [
        (cases[0].pk, f"{cases[0].reference}: 4 victims assigned to you."),
        (cases[1].pk, f"{cases[1].reference}: 4 victims assigned to you."),
        (cases[2].pk, f"{cases[2].reference}: 2 victims assigned to you."),
    ]
    assert all(n.key.startswith(f"assigned:{n.case_id}:{liaison_officer.pk}:") for n in told)
    assert not Notification.objects.exclude(user=liaison_officer).exists()

    # The same request again (a retry, a double click): nothing new to tell.
    assert client.post(f"{TEAM}?urgency=none", post).status_code == 302
    assert Notification.objects.count() == 3


def test_the_same_assignment_told_twice_is_one_notification(liaison_lead, liaison_officer):
    from liaison.services.assignment_notices import assignment_notices

    case = CaseFactory()
    records = [on_case(case, "V1"), on_case(case, "V2")]
    at = timezone.now()
    assert assignment_notices(officer=liaison_officer, records=records, at=at) == 1
    assert assignment_notices(officer=liaison_officer, records=records, at=at) == 0
    assert Notification.objects.filter(user=liaison_officer).count() == 1


def test_assigning_one_victim_notifies_the_officer_with_the_reference_and_a_link(
    client, liaison_lead, liaison_officer, other_liaison_officer
):
    record = record_for(None)
    record_assign(record=record, officer=liaison_officer, by=liaison_lead, reason="Cover")
    (told,) = Notification.objects.filter(user=liaison_officer)
    assert told.text == f"{record.case.reference}: a victim assigned to you."
    assert told.case_id == record.case_id
    assert told.link == reverse("liaison:record", args=[record.pk])

    # A changed end date is not a new victim; a new officer is.
    record_assign(
        record=record,
        officer=liaison_officer,
        by=liaison_lead,
        reason="Until the end of the month",
        until=days_from_today(20),
    )
    assert Notification.objects.filter(user=liaison_officer).count() == 1
    record_assign(record=record, officer=other_liaison_officer, by=liaison_lead, reason="Swap")
    assert Notification.objects.filter(user=other_liaison_officer).count() == 1


def test_the_single_assign_page_notifies_the_officer_who_sees_it(
    client, liaison_lead, liaison_officer
):
    record = record_for(None)
    client.force_login(liaison_lead)
    response = client.post(
        reverse("liaison:record_assign", args=[record.pk]),
        {"version": record.version, "officer": liaison_officer.pk, "reason": "Lee has room"},
    )
    assert response.status_code == 302
    client.force_login(liaison_officer)
    html = client.get(reverse("liaison:notifications")).content.decode()
    assert f"{record.case.reference}: a victim assigned to you." in html


def test_a_refused_bulk_assignment_notifies_nobody(liaison_lead, liaison_officer):
    from django.core.exceptions import ValidationError

    records = [record_for(None), record_for(None)]
    with pytest.raises(ValidationError) as refused:
        records_assign_many(
            records=records,
            officer=liaison_officer,
            by=liaison_lead,
            reason="Cover",
            until=days_from_today(-2),  # in the past: refused
        )
    assert records[0].pseudonym in refused.value.messages[0]
    assert not Notification.objects.exists()


# The notifications page, and reminders of a victim nobody holds ---------------------------------


def test_the_notifications_page_groups_per_case_the_newest_case_first(client, liaison_officer):
    older, newer = CaseFactory(), CaseFactory()
    for n in range(3):
        Notification.objects.create(
            user=liaison_officer, case=older, text=f"{older.reference}: update {n} due"
        )
    Notification.objects.create(user=liaison_officer, text=f"{newer.reference}: update due")
    Notification.objects.create(user=liaison_officer, text="Your export is ready")
    client.force_login(liaison_officer)
    html = client.get(reverse("liaison:notifications")).content.decode()
    at = {
        name: html.index(heading)
        for name, heading in (
            ("other", "Not about one case"),
            ("newer", f'<span class="ref">{newer.reference}</span>'),
            ("older", f'<span class="ref">{older.reference}</span>'),
        )
    }
    assert sorted(at, key=at.get) == ["other", "newer", "older"]  # the newest case first
    assert html.count('<h2 id="group-') == 3
    assert "(3 notifications, 3 unread)" in html
    older_group = html.split(older.reference, 1)[1]
    assert [f"update {n} due" in older_group for n in range(3)] == [True] * 3


def test_an_unassigned_victims_overdue_follow_up_tells_each_lead_once_with_the_victims_reference(
    liaison_lead,
):
    from liaison.models import ReminderDelivery
    from liaison.reminders import reminders_sweep
    from tests.factories import make_followup

    case = CaseFactory()
    first, second = on_case(case, "V1"), on_case(case, "V2")
    due = datetime.date(2025, 8, 26)
    start = timezone.make_aware(datetime.datetime(2025, 8, 22))
    for record in (first, second):
        make_followup(record, due_on=due, starts_at=start)
    after = timezone.make_aware(datetime.datetime(2025, 8, 27, 9))

    reminders_sweep(now=after)
    reminders_sweep(now=after + datetime.timedelta(days=1))

    told = list(Notification.objects.filter(user=liaison_lead).order_by("text"))
    assert len(told) == 2  # one per victim's follow-up: not "overdue" and "escalated" each
    assert told[0].text.startswith(f"Escalation: {first.pseudonym}:")
    assert told[1].text.startswith(f"Escalation: {second.pseudonym}:")
    assert {n.case_id for n in told} == {case.pk}
    stages = sorted(ReminderDelivery.objects.values_list("stage", "recipient_count"))
    assert stages == [("escalated", 1), ("escalated", 1), ("overdue", 0), ("overdue", 0)]
