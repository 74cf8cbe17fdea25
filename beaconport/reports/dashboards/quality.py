"""The data quality dashboard: the gaps in what forces recorded (issue 11, part 2)."""

from beaconport.reports.registry import Dashboard
from beaconport.roles import Role
from cases.figures import quality_tables

DASHBOARD = Dashboard(
    key="quality",
    title="Data quality",
    summary=(
        "Ethnicity of suspects and victims, recorded or not and from where; missing dates of "
        "birth, decision dates and life status; each force's eligible, ineligible and unknown "
        "referrals."
    ),
    roles=frozenset({Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    build=quality_tables,
)
