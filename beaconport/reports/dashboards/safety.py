"""Safety: active dangerous and flight-risk flags by force and kind, and those past their
review-by date (issue 11). Counts only; a lead finds the flags themselves on the safety list."""

from django.urls import reverse

from beaconport.reports.registry import Dashboard
from beaconport.roles import Role
from cases import figures_work
from cases.work import today


def build(viewer, cases, filters):
    table = figures_work.flags_by_kind_and_force(cases, today())
    if viewer.lead_view:
        table.note = f"Each flag, past review-by first: the safety list, {reverse('cases:flags')}"
    return [table]


DASHBOARD = Dashboard(
    key="safety",
    title="Safety",
    summary="Suspects flagged dangerous or at risk of leaving the UK, and flags past review-by.",
    roles=frozenset({Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    build=build,
)
