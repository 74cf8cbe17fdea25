"""Victims' Code compliance (issue 11, part 5): are victims told what they are owed, in time?

Follow-ups met on time, late and open by rule, team, officer and force; whether the late
ones came with a reason (and, for the leads of liaison records, the latest reasons); victims
left without contact for longer than they agreed; Right to Review requests acknowledged and
decided in time, and support referrals made in time (issue 13); the trend by month. The figures are
`liaison.figures`; this module only says who may open the dashboard and builds it.

Liaison leads are among its viewers: their scope, like a review lead's, is their teams'
forces (`liaison.permissions` scopes a liaison lead by the same team forces).
"""

from beaconport.reports.registry import Dashboard
from beaconport.reports.tables import Filters
from beaconport.roles import Role
from liaison.figures import compliance_tables


def build(viewer, cases, filters: Filters):
    return compliance_tables(viewer, cases, team_id=filters.team_id)


DASHBOARD = Dashboard(
    key="compliance",
    title="Victims' Code compliance",
    summary=(
        "Follow-ups met on time, late and open; late reasons; victims overdue an update; "
        "Right to Review requests and support referrals in time; the trend by month."
    ),
    roles=frozenset({Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD, Role.LIAISON_LEAD}),
    build=build,
)
