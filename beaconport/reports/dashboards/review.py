"""The review dashboard: where the review stands, from counts alone (issue 11, part 1)."""

from beaconport.reports.registry import Dashboard
from beaconport.roles import Role
from cases.figures import review_tables

DASHBOARD = Dashboard(
    key="review",
    title="Review",
    summary=(
        "Referrals by force, status, priority and eligibility; the criteria most often not "
        "known; time in each status; outcomes; findings; open lines of inquiry; networks "
        "across forces."
    ),
    roles=frozenset({Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    build=review_tables,
)
