"""What the bench measures of the dashboards (issue 11): each registered one, as an analyst
and as a review lead, through the whole stack.

The scenarios are read from `beaconport.reports.registry.dashboards()`, so a dashboard
registered later is measured without a line here. Each page's target is 300 ms p95 and a
fixed number of queries: the same dashboard narrowed to one force of the persona's scope (a
different set of cases to count, served the same way: from a snapshot when the refresh has
run, live when not) must make as many queries as the unfiltered page. A date range is always
counted live (`docs/reports.md`), so it is not what the unfiltered page is compared with. The SQL
floor beside each is counting the cases in the persona's scope: the least any dashboard
over them must read.
"""
# The SQL below is composed of this module's own constants; values are always bound.
# ruff: noqa: S608

from django.contrib.auth import get_user_model

from beaconport.bench import scenarios
from beaconport.bench.scenarios import _TEAM_FORCES, MissingPersona, Page, Target
from beaconport.roles import Role

# The scale personas a dashboard is measured as (`seed_scale` makes both), and their role.
PERSONAS = {"analyst": "scale.analyst.0001", "review_lead": scenarios.PERSONAS["review_lead"]}
ROLES = {"analyst": Role.ANALYST, "review_lead": Role.REVIEW_LEAD}
FLOORS = {
    "analyst": ("SELECT count(*) FROM cases_case",),
    "review_lead": (f"SELECT count(*) FROM cases_case c WHERE c.force_id IN ({_TEAM_FORCES})",),
}
TARGET = Target(p95_ms=300, fixed_queries=True)


def _narrowed(key: str, ctx: dict) -> str:
    """The dashboard narrowed to the first force (by name) the persona may filter by."""
    from beaconport.reports.scope import scope_of

    forces = scope_of(ctx["user_obj"]).forces
    return f"/reports/{key}/?force={forces[0][0]}" if forces else f"/reports/{key}/"


def _page(key: str, title: str, persona: str) -> Page:
    return Page(
        f"report_{key}_{persona}",
        f"dashboard {title}, {persona.replace('_', ' ')}",
        persona,
        lambda ctx: f"/reports/{key}/",
        FLOORS[persona],
        TARGET,
        lambda ctx: _narrowed(key, ctx),
    )


def report_pages() -> list[Page]:
    """A page per registered dashboard and persona whose role it is registered for."""
    from beaconport.reports.registry import dashboards

    return [
        _page(board.key, board.title, persona)
        for board in dashboards()
        for persona in PERSONAS
        if ROLES[persona] in board.roles
    ]


def report_page_names() -> list[str]:
    return [page.name for page in report_pages()]


def persona_context(persona: str) -> dict:
    """The persona's user and the ids its floor needs (the analyst's own; the lead's as the
    other pages have them)."""
    if persona in scenarios.PERSONAS:
        return scenarios.persona_context(persona)
    username = PERSONAS[persona]
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise MissingPersona(f"No active user {username!r}: run `manage.py seed_scale` first.")
    return {"user_obj": user, "user": user.pk, "first_case": None}
