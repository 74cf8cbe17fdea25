"""Who may open the reports, and who sees exact figures: the only module that decides.

Analysts see counts across the whole review, with small numbers suppressed; leads see the
exact figures of what they lead (a review or liaison lead their teams' forces, a national
lead everything). Someone who is both an analyst and a lead sees the analyst's view, since
their scope is the analyst's (every case): the exact figures are for a lead's own teams.
A dashboard says which roles may open it; everyone else gets 404, as for a page that is not
there.
"""

from beaconport.reports import registry
from beaconport.reports.registry import Dashboard
from beaconport.roles import Role, has_role, roles_of

# Who has the reports at all (their nav entry and the index), whatever is registered.
REPORT_ROLES = frozenset({Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD, Role.LIAISON_LEAD})
# Who sees the figures of every case, and who those of their teams' forces.
NATIONAL_ROLES = (Role.ANALYST, Role.NATIONAL_LEAD)
TEAM_ROLES = (Role.REVIEW_LEAD, Role.LIAISON_LEAD)


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def opens_reports(user) -> bool:
    """Whether the user has the reports index: a report role, or a role some dashboard
    is registered for."""
    if not _active(user):
        return False
    roles = set(REPORT_ROLES)
    for dashboard in registry.dashboards():
        roles |= dashboard.roles
    return bool(roles_of(user) & roles)


def may_open(user, dashboard: Dashboard) -> bool:
    """Whether the user holds one of the roles the dashboard is registered for."""
    return _active(user) and bool(roles_of(user) & dashboard.roles)


def sees_national(user) -> bool:
    """Analysts and national leads: figures over every case."""
    return _active(user) and has_role(user, *NATIONAL_ROLES)


def sees_team(user) -> bool:
    """Review and liaison leads: figures over their teams' forces."""
    return _active(user) and has_role(user, *TEAM_ROLES)


def sees_exact(user) -> bool:
    """Whether the figures are shown as counted: to leads who are not also analysts.
    Everyone else (analysts, and any role a dashboard may add) sees them suppressed."""
    if not _active(user) or has_role(user, Role.ANALYST):
        return False
    return has_role(user, Role.NATIONAL_LEAD, *TEAM_ROLES)
