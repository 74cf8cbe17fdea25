"""Work due: open lines of inquiry by force and due date, and by age (issue 11). Counts only;
a lead finds the lines themselves on the team's overdue actions."""

from django.urls import reverse

from beaconport.reports.registry import Dashboard
from beaconport.roles import Role
from cases import figures_work
from cases.work import today


def build(viewer, cases, filters):
    now = today()
    tables = [
        figures_work.open_inquiries_by_due_state(cases, now),
        figures_work.open_inquiries_by_age(cases, now),
    ]
    if viewer.lead_view:
        tables[0].note = (
            f"Each overdue line, by officer: the team's overdue actions, "
            f"{reverse('cases:overdue_actions')}"
        )
    return tables


DASHBOARD = Dashboard(
    key="work",
    title="Work due",
    summary="Open lines of inquiry by force: overdue, due soon, later or undated, and by age.",
    roles=frozenset({Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    build=build,
)
