"""Every liaison list is paged and bounded (issue 9): my victims, the lead's workspace and
notifications show a page; the workspace is ordered by urgency, filtered, and assigns a
selection to one officer with one control, keeping the lead on the list."""

import pytest
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from beaconport.roles import Role
from cases.models import Force
from liaison.models import Notification
from liaison.selectors import PAGE_SIZE, WorkspaceFilter, team_workspace
from tests.audit.helpers import last_seq
from tests.factories import LiaisonRecordFactory, VictimFactory, make_case
from tests.liaison.test_views_setup import open_followup, overdue_followup, record_for

pytestmark = pytest.mark.django_db
TEAM = reverse("liaison:team")
MY_VICTIMS = reverse("liaison:my_victims")


def ids(page):
    return [r.pk for r in page.rows]


def cumbrian_record(**fields):
    """A victim's record on a case of the other team's force (Cumbria)."""
    case = make_case(force=Force.objects.get(slug="cumbria"), victims=0)
    return LiaisonRecordFactory(party=VictimFactory(case=case, ref="V1"), **fields)


# My victims ---------------------------------------------------------------------------------


def test_my_victims_shows_a_page_and_the_next_page_the_rest_most_urgent_first(
    client, liaison_officer
):
    records = [record_for(liaison_officer) for _ in range(PAGE_SIZE + 5)]
    late = records[-1]
    overdue_followup(late)
    soon = records[-2]
    open_followup(soon, in_days=1)
    client.force_login(liaison_officer)

    first = client.get(MY_VICTIMS).content.decode()
    second = client.get(MY_VICTIMS, {"page": 2}).content.decode()

    assert first.count('href="/liaison/records/') == PAGE_SIZE
    assert second.count('href="/liaison/records/') == 5
    assert first.index(late.pseudonym) < first.index(soon.pseudonym)
    assert f"{PAGE_SIZE + 5} victims assigned to you" in first
    assert "1 with an overdue follow-up" in second  # counted over all, not the page
    assert "Page 2 of 2" in second and 'rel="prev"' in second
    shown = {r.pseudonym for r in records if r.pseudonym in first or r.pseudonym in second}
    assert len(shown) == PAGE_SIZE + 5  # every victim on exactly one of the two pages


def test_my_victims_audit_row_names_only_the_page_shown(client, liaison_officer):
    records = [record_for(liaison_officer) for _ in range(PAGE_SIZE + 3)]
    client.force_login(liaison_officer)
    seq = last_seq()
    assert client.get(MY_VICTIMS, {"page": 2}).status_code == 200
    (row,) = AuditEvent.objects.filter(seq__gt=seq)
    assert row.object_ids == [str(r.pk) for r in records[PAGE_SIZE:]]


def test_a_page_past_the_end_shows_the_last_page(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    for page in ("9", "0", "x"):
        assert record.pseudonym in client.get(MY_VICTIMS, {"page": page}).content.decode()


# The lead's workspace -----------------------------------------------------------------------


def test_the_workspace_puts_overdue_then_next_due_then_nothing_due_oldest_first(
    liaison_lead, liaison_officer
):
    idle_old = record_for(None)
    later = record_for(liaison_officer)
    open_followup(later, in_days=9)
    open_followup(later, in_days=30)  # only a record's soonest deadline counts
    idle_new = record_for(liaison_officer)
    late = record_for(None)
    overdue_followup(late, days_late=2)
    later_still = record_for(None)
    open_followup(later_still, in_days=12)
    latest = record_for(liaison_officer)
    overdue_followup(latest, days_late=5)

    expected = [latest, late, later, later_still, idle_old, idle_new]
    assert ids(team_workspace(liaison_lead)) == [r.pk for r in expected]
    # Paged two at a time, across the boundary between due and nothing due.
    pages = [team_workspace(liaison_lead, page=n, size=2) for n in (1, 2, 3, 4)]
    assert [ids(p) for p in pages] == [[r.pk for r in expected[i : i + 2]] for i in (0, 2, 4, 6)]
    assert [p.has_next for p in pages] == [True, True, False, False]


def test_the_workspace_filters_unassigned_overdue_officer_and_force(
    liaison_lead, liaison_officer, other_liaison_officer, national_lead
):
    mine_late = record_for(liaison_officer)
    overdue_followup(mine_late)
    mine_calm = record_for(liaison_officer)
    theirs = record_for(other_liaison_officer)
    nobody_late = record_for(None)
    overdue_followup(nobody_late)
    nobody = record_for(None)
    cumbrian = cumbrian_record()
    kent = Force.objects.get(slug="kent").pk

    def shown(**chosen):
        return set(ids(team_workspace(liaison_lead, WorkspaceFilter(**chosen))))

    assert shown() == {r.pk for r in (mine_late, mine_calm, theirs, nobody_late, nobody)}
    assert shown(unassigned=True) == {nobody_late.pk, nobody.pk}
    assert shown(overdue=True) == {mine_late.pk, nobody_late.pk}
    assert shown(officer=liaison_officer.pk) == {mine_late.pk, mine_calm.pk}
    assert shown(unassigned=True, overdue=True) == {nobody_late.pk}
    assert shown(force=kent) == shown()
    assert cumbrian.pk not in shown(force=Force.objects.get(slug="cumbria").pk)  # not theirs
    national = team_workspace(national_lead, WorkspaceFilter(unassigned=True))
    assert set(ids(national)) == {nobody_late.pk, nobody.pk, cumbrian.pk}


def test_the_workspace_offers_one_officer_select_whatever_the_number_of_rows(
    client, liaison_lead, liaison_officer, other_liaison_officer
):
    for _ in range(PAGE_SIZE + 5):
        record_for(None)
    record_for(liaison_officer)
    client.force_login(liaison_lead)
    html = client.get(TEAM).content.decode()
    # show, officer, force, entitlement, due and order filters; the assign officer
    assert html.count("<select") == 7
    assert html.count('name="assign-officer"') == 1
    assert html.count('name="assign-records"') == PAGE_SIZE
    assert f"{liaison_officer.get_full_name() or liaison_officer.get_username()} (1 victim)" in html
    assert "(0 victims)" in html  # the other officer's caseload, beside the control


def test_an_unknown_filter_value_answers_400_naming_it(client, liaison_lead, liaison_officer):
    client.force_login(liaison_lead)
    response = client.get(TEAM, {"officer": "999999"})
    assert response.status_code == 400
    assert "officer" in response.context["filters"].errors


def test_assigning_a_selection_keeps_the_lead_on_the_same_filtered_page(
    client, liaison_lead, liaison_officer
):
    chosen = [record_for(None) for _ in range(3)]
    left = record_for(None)
    client.force_login(liaison_lead)
    seq = last_seq()
    response = client.post(
        f"{TEAM}?show=unassigned&page=1",
        {
            "assign-records": [str(r.pk) for r in chosen],
            "assign-officer": str(liaison_officer.pk),
            "assign-reason": "Cover while the team is short",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == f"{TEAM}?show=unassigned&page=1"
    for record in chosen:
        record.refresh_from_db()
        assert record.officer == liaison_officer
    left.refresh_from_db()
    assert left.officer is None
    assigned = AuditEvent.objects.filter(seq__gt=seq, justification="Cover while the team is short")
    assert sorted(int(e.object_id) for e in assigned) == sorted(r.pk for r in chosen)
    page = client.get(response["Location"]).content.decode()
    assert "3 victims assigned to" in page
    assert "(3 victims)" in page  # the caseloads counted afresh after assigning
    assert all(r.pseudonym not in page for r in chosen) and left.pseudonym in page


def test_a_bulk_assignment_refused_for_one_record_assigns_none(
    client, liaison_lead, liaison_officer, make_user, other_team
):
    chosen = [record_for(None) for _ in range(2)]
    client.force_login(liaison_lead)
    response = client.post(
        TEAM,
        {
            "assign-records": [str(r.pk) for r in chosen],
            "assign-officer": str(liaison_officer.pk),
            "assign-reason": "",
        },
    )
    assert response.status_code == 400
    assert "reason" in response.context["assign"].errors
    outsider = make_user("nell.liaison", Role.LIAISON_OFFICER)
    other_team.members.add(outsider)
    response = client.post(
        TEAM,
        {
            "assign-records": [str(r.pk) for r in chosen],
            "assign-officer": str(outsider.pk),  # not in the lead's team: not offered
            "assign-reason": "Cover",
        },
    )
    assert response.status_code == 400
    for record in chosen:
        record.refresh_from_db()
        assert record.officer is None


def test_a_bulk_assignment_naming_another_teams_victim_answers_404_and_assigns_none(
    client, liaison_lead, liaison_officer
):
    ours = record_for(None)
    theirs = cumbrian_record()
    client.force_login(liaison_lead)
    response = client.post(
        TEAM,
        {
            "assign-records": [str(ours.pk), str(theirs.pk)],
            "assign-officer": str(liaison_officer.pk),
            "assign-reason": "Cover",
        },
    )
    assert response.status_code == 404
    ours.refresh_from_db()
    theirs.refresh_from_db()
    assert ours.officer is None and theirs.officer is None


def test_an_officer_cannot_post_a_bulk_assignment(client, liaison_officer):
    record = record_for(None)
    client.force_login(liaison_officer)
    response = client.post(
        TEAM,
        {
            "assign-records": [str(record.pk)],
            "assign-officer": str(liaison_officer.pk),
            "assign-reason": "Mine now",
        },
    )
    assert response.status_code == 404
    record.refresh_from_db()
    assert record.officer is None


# Notifications ------------------------------------------------------------------------------

NOTIFICATIONS_PAGE = 50


@pytest.mark.parametrize("count", [5, 60])
@pytest.mark.parametrize(
    # Liaison staff, and since issue 11 those the case reminders and flag alerts reach.
    "persona",
    ["liaison_officer", "investigator", "review_lead", "national_lead"],
)
def test_notifications_are_paged_newest_first_in_the_same_queries(
    client, request, django_assert_num_queries, count, persona
):
    user = request.getfixturevalue(persona)
    for n in range(count):
        Notification.objects.create(user=user, text=f"BP-{n:06d}: update due")
    client.force_login(user)
    # session, user, groups; the count, the page, the unread count
    with django_assert_num_queries(3 + 3):
        html = client.get(reverse("liaison:notifications")).content.decode()
    assert html.count('class="notification unread"') == min(count, NOTIFICATIONS_PAGE)
    assert f"BP-{count - 1:06d}: update due" in html  # the newest
    assert f"{count} unread." in html
    if count > NOTIFICATIONS_PAGE:
        rest = client.get(reverse("liaison:notifications"), {"page": 2}).content.decode()
        assert rest.count('class="notification unread"') == count - NOTIFICATIONS_PAGE
        assert "BP-000000: update due" in rest
