"""Which cases a viewer's dashboards count, narrowed by the filters they chose.

Analysts and national leads count every case; review and liaison leads the cases of their
teams' forces (`cases.permissions.team_force_ids`); everyone else none. The forces and teams
a viewer may filter by are read once (two small queries), so the filter form checks a
choice without asking the database again, and the case queryset carries the force ids as
one list: whatever a dashboard aggregates, its queries count inside the viewer's scope.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import QuerySet

from beaconport.reports import permissions
from beaconport.reports.tables import Filters
from cases.models import Case, Force, Team
from cases.permissions import team_force_ids


@dataclass(frozen=True)
class Scope:
    """What a viewer may count: every case (`national`), or the cases of `forces`."""

    national: bool
    forces: tuple[tuple[int, str], ...]  # (id, name) of the forces they may filter by
    teams: tuple[tuple[int, str], ...]  # (id, name) of the teams they may filter by

    @property
    def force_ids(self) -> frozenset[int]:
        return frozenset(pk for pk, _ in self.forces)

    @property
    def team_ids(self) -> frozenset[int]:
        return frozenset(pk for pk, _ in self.teams)

    @property
    def empty(self) -> bool:
        return not self.national and not self.forces


NOTHING = Scope(national=False, forces=(), teams=())


def scope_of(user) -> Scope:
    """The viewer's scope: two queries (their forces, their teams), none for an outsider."""
    if permissions.sees_national(user):
        forces = Force.objects.order_by("name").values_list("pk", "name")
        teams = Team.objects.order_by("name").values_list("pk", "name")
        return Scope(national=True, forces=tuple(forces), teams=tuple(teams))
    if permissions.sees_team(user):
        forces = Force.objects.filter(pk__in=team_force_ids(user)).order_by("name")
        teams = Team.objects.filter(members=user).order_by("name")
        return Scope(
            national=False,
            forces=tuple(forces.values_list("pk", "name")),
            teams=tuple(teams.values_list("pk", "name")),
        )
    return NOTHING


def cases_in_scope(user, filters: Filters, scope: Scope | None = None) -> QuerySet[Case]:
    """The cases the viewer's dashboards count, narrowed by `filters`.

    The filters are cut to the scope again here (a force or team outside it narrows to
    nothing), so a caller that skipped the form cannot widen what is counted.
    """
    scope = scope_of(user) if scope is None else scope
    if scope.empty:
        return Case.objects.none()
    cases = Case.objects.all()
    if not scope.national:
        cases = cases.filter(force_id__in=sorted(scope.force_ids))
    if filters.force_ids is not None:
        cases = cases.filter(force_id__in=sorted(filters.force_ids & scope.force_ids))
    if filters.team_id is not None:
        if filters.team_id not in scope.team_ids:
            return Case.objects.none()
        covered = Team.forces.through.objects.filter(team_id=filters.team_id).values("force_id")
        cases = cases.filter(force_id__in=covered)
    if filters.received_from is not None:
        cases = cases.filter(received_on__gte=filters.received_from)
    if filters.received_to is not None:
        cases = cases.filter(received_on__lte=filters.received_to)
    return cases
