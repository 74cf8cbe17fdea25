"""Who a dashboard is built for, as a value rather than a user, so a build is pure.

The figures differ by viewer in a few ways only: officers' names and shares for the leads of
cases, the latest late reasons for the leads of liaison records, and which teams the team
tables list (a lead's own teams; everyone else's every team). `viewer_of` reads those from the
user's roles exactly as the pages always have (someone who is an analyst and a lead is an
analyst), and a build given the same `Viewer` and cases gives the same tables whoever asks:
that is what lets `beaconport.reports.snapshots` keep them for the next viewer.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from beaconport.reports import permissions
from beaconport.roles import Role, has_role


class Audience(StrEnum):
    ANALYST = "analyst"  # counts only, suppressed at render; also an analyst who leads
    NATIONAL_LEAD = "national_lead"  # leads cases and records nationally
    REVIEW_LEAD = "review_lead"  # leads the cases of their teams
    LIAISON_LEAD = "liaison_lead"  # leads the liaison records of their teams
    REVIEW_AND_LIAISON_LEAD = "review_and_liaison_lead"
    NONE = "none"  # no report role: no scope, nothing counted

    @property
    def leads_cases(self) -> bool:
        return self in (
            Audience.NATIONAL_LEAD,
            Audience.REVIEW_LEAD,
            Audience.REVIEW_AND_LIAISON_LEAD,
        )

    @property
    def leads_records(self) -> bool:
        return self in (
            Audience.NATIONAL_LEAD,
            Audience.LIAISON_LEAD,
            Audience.REVIEW_AND_LIAISON_LEAD,
        )

    @property
    def roles(self) -> frozenset[Role]:
        """The roles that make this audience (a dashboard opens to it if it names one)."""
        return {
            Audience.ANALYST: frozenset({Role.ANALYST}),
            Audience.NATIONAL_LEAD: frozenset({Role.NATIONAL_LEAD}),
            Audience.REVIEW_LEAD: frozenset({Role.REVIEW_LEAD}),
            Audience.LIAISON_LEAD: frozenset({Role.LIAISON_LEAD}),
            Audience.REVIEW_AND_LIAISON_LEAD: frozenset({Role.REVIEW_LEAD, Role.LIAISON_LEAD}),
        }.get(self, frozenset())

    @property
    def names_officers(self) -> bool:
        """Officers' names and per-force shares: for leads of cases or records, never analysts."""
        return self.leads_cases or self.leads_records


def audience_of(user) -> Audience:
    """The audience the user's roles make them (an analyst who also leads is an analyst)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Audience.NONE
    if has_role(user, Role.ANALYST):
        return Audience.ANALYST
    if has_role(user, Role.NATIONAL_LEAD):
        return Audience.NATIONAL_LEAD
    review, liaison = has_role(user, Role.REVIEW_LEAD), has_role(user, Role.LIAISON_LEAD)
    if review and liaison:
        return Audience.REVIEW_AND_LIAISON_LEAD
    if review:
        return Audience.REVIEW_LEAD
    if liaison:
        return Audience.LIAISON_LEAD
    return Audience.NONE


@dataclass(frozen=True)
class Viewer:
    """The audience, and the teams its team tables list (None: every team)."""

    audience: Audience
    team_ids: frozenset[int] | None = None

    @property
    def lead_view(self) -> bool:
        """Case figures for a lead of cases: officers named, eligibility shares."""
        return self.audience.leads_cases

    @property
    def names_officers(self) -> bool:
        return self.audience.names_officers

    @property
    def reads_late_reasons(self) -> bool:
        """The latest late reasons are liaison notes: leads of liaison records only."""
        return self.audience.leads_records


ANALYST = Viewer(Audience.ANALYST)
NATIONAL = Viewer(Audience.NATIONAL_LEAD)


def viewer_of(user, scope=None) -> Viewer:
    """The user as a `Viewer`: their audience and, for a team lead, their teams (from the
    scope already read, or one query)."""
    audience = audience_of(user)
    if audience in (Audience.ANALYST, Audience.NATIONAL_LEAD, Audience.NONE):
        return Viewer(audience)
    if scope is None:
        from beaconport.reports.scope import scope_of

        scope = scope_of(user)
    return Viewer(audience, scope.team_ids if permissions.sees_team(user) else frozenset())


def as_viewer(who) -> Viewer:
    """A `Viewer` as given, or the user's (figure services accept either)."""
    return who if isinstance(who, Viewer) else viewer_of(who)
