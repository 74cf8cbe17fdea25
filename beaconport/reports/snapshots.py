"""Dashboards kept as snapshots, refreshed periodically (issue 11, part 8).

At 100,000 cases the review, data quality and compliance dashboards aggregate every case,
follow-up and contact: 1 to 5 s a page, and no index helps a full-table count. So the
scheduler's `refresh_snapshots` builds every registered dashboard for the scopes people open
without a date range (everything; each force; each team; each lead's own forces, teams and
single forces) and each audience (`beaconport.reports.audience`), and keeps the tables. A
page whose filters are only forces, a team or none, for which a snapshot younger than
`REPORTS_SNAPSHOT_MAX_AGE_MINUTES` exists, shows the snapshot with its age; anything else (a
date range, several forces, no snapshot, a stale one) is built live as before.

A snapshot is keyed by dashboard, scope key and audience. The scope key is "all" or
"f=<sorted force ids>", with ";t=<sorted team ids>" where the team tables list only some
teams (a lead's own teams, or the team filtered on): two viewers with the same key and
audience get the same tables from a live build, so they may share the snapshot.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterable
from contextlib import contextmanager
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from beaconport.models import DashboardSnapshot
from beaconport.reports import registry
from beaconport.reports.audience import Audience, Viewer, audience_of
from beaconport.reports.scope import Scope
from beaconport.reports.tables import Filters, Table
from beaconport.roles import Role
from cases.models import Case, Team

logger = logging.getLogger(__name__)

# pg_advisory_lock's key for the refresh: a fixed number no other code in the database uses.
LOCK_KEY = 0x534E415053484F54  # "SNAPSHOT"


def scope_key(forces: Iterable[int] | None, teams: Iterable[int] | None = None) -> str:
    """The key of a scope: "all" for every case and team, else its forces (and teams)."""
    if forces is None and teams is None:
        return "all"
    key = "f=" + ",".join(str(pk) for pk in sorted(set(forces or ())))
    if teams is not None:
        key += ";t=" + ",".join(str(pk) for pk in sorted(set(teams)))
    return key


def key_for(viewer: Viewer, scope: Scope, filters: Filters) -> str | None:
    """The snapshot key a page's filters match, or None: build live (a date range, an
    empty scope). A team filter reads the team's forces (one query)."""
    if filters.received_from is not None or filters.received_to is not None or scope.empty:
        return None
    if filters.team_id is not None:
        if filters.team_id not in scope.team_ids:
            return None
        forces = set(
            Team.forces.through.objects.filter(team_id=filters.team_id).values_list(
                "force_id", flat=True
            )
        )
        if not scope.national:
            forces &= scope.force_ids
        return scope_key(forces, {filters.team_id})
    if filters.force_ids is not None:
        return scope_key(filters.force_ids & scope.force_ids, viewer.team_ids)
    if scope.national:
        return "all"
    return scope_key(scope.force_ids, viewer.team_ids)


@dataclass
class Kept:
    tables: list[Table]
    as_of: object  # datetime


def kept(dashboard_key: str, key: str | None, audience: Audience, *, now=None) -> Kept | None:
    """The snapshot for the key and audience if one younger than the maximum age exists."""
    if key is None:
        return None
    now = now or timezone.now()
    oldest = now - timezone.timedelta(minutes=settings.REPORTS_SNAPSHOT_MAX_AGE_MINUTES)
    found = (
        DashboardSnapshot.objects.filter(
            dashboard=dashboard_key, scope_key=key, audience=audience, computed_at__gte=oldest
        )
        .only("tables", "computed_at")
        .first()
    )
    if found is None:
        return None
    return Kept([Table.from_json(t) for t in found.tables], found.computed_at)


# The refresh ---------------------------------------------------------------------------


@dataclass(frozen=True)
class Target:
    """One thing to build: a viewer, the cases' forces (None: every case) and filters."""

    viewer: Viewer
    forces: frozenset[int] | None
    filters: Filters

    @property
    def key(self) -> str:
        teams = {self.filters.team_id} if self.filters.team_id is not None else self.viewer.team_ids
        return scope_key(self.forces, teams)

    def cases(self):
        if self.forces is None:
            return Case.objects.all()
        return Case.objects.filter(force_id__in=sorted(self.forces))


def _lead_viewers() -> dict[Viewer, frozenset[int]]:
    """Each distinct lead's viewer (audience and own teams) with their forces."""
    user_model = get_user_model()
    leads = (
        user_model.objects.filter(is_active=True)
        .filter(Q(groups__name=Role.REVIEW_LEAD) | Q(groups__name=Role.LIAISON_LEAD))
        .distinct()
    )
    found: dict[Viewer, frozenset[int]] = {}
    memberships: dict[int, set[int]] = {}
    for user_id, team_id in Team.members.through.objects.values_list("user_id", "team_id"):
        memberships.setdefault(user_id, set()).add(team_id)
    for user in leads:
        audience = audience_of(user)
        if audience in (Audience.ANALYST, Audience.NATIONAL_LEAD, Audience.NONE):
            continue  # counted as "all" for their audience
        teams = frozenset(memberships.get(user.pk, ()))
        if teams:
            found[Viewer(audience, teams)] = frozenset()
    return found


def targets() -> list[Target]:
    """Every scope and audience the refresh builds, each once."""
    team_forces: dict[int, set[int]] = {}
    for team_id, force_id in Team.forces.through.objects.values_list("team_id", "force_id"):
        team_forces.setdefault(team_id, set()).add(force_id)
    for team_id in Team.objects.values_list("pk", flat=True):
        team_forces.setdefault(team_id, set())
    force_ids = sorted(Case.objects.order_by().values_list("force_id", flat=True).distinct())
    found: dict[tuple, Target] = {}

    def add(target: Target):
        found.setdefault((target.key, target.viewer.audience), target)

    for audience in (Audience.ANALYST, Audience.NATIONAL_LEAD):
        viewer = Viewer(audience)
        add(Target(viewer, None, Filters()))
        for pk in force_ids:
            add(Target(viewer, frozenset({pk}), Filters(force_ids=frozenset({pk}))))
        for team_id, forces in team_forces.items():
            add(Target(viewer, frozenset(forces), Filters(team_id=team_id)))
    for viewer in _lead_viewers():
        forces = frozenset().union(*(team_forces[t] for t in viewer.team_ids))
        if not forces:
            continue
        add(Target(viewer, forces, Filters()))
        for team_id in viewer.team_ids:
            add(Target(viewer, frozenset(team_forces[team_id]), Filters(team_id=team_id)))
        for pk in sorted(forces):
            add(Target(viewer, frozenset({pk}), Filters(force_ids=frozenset({pk}))))
    return list(found.values())


class RefreshBusy(Exception):
    """Another refresh holds the lock."""


@contextmanager
def _refresh_lock():
    """One refresh at a time: a session advisory lock on PostgreSQL (nothing elsewhere:
    SQLite runs one process)."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [LOCK_KEY])
        if not cursor.fetchone()[0]:
            raise RefreshBusy("Another dashboard refresh is in progress.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [LOCK_KEY])


@dataclass
class Built:
    dashboard: str
    scope_key: str
    audience: str
    seconds: float


def build(dashboard, target: Target) -> DashboardSnapshot:
    """Build one dashboard for one target and keep it (replacing the one before)."""
    started = time.monotonic()
    computed_at = timezone.now()
    tables = dashboard.build(target.viewer, target.cases(), target.filters)
    seconds = time.monotonic() - started
    snapshot, _ = DashboardSnapshot.objects.update_or_create(
        dashboard=dashboard.key,
        scope_key=target.key,
        audience=target.viewer.audience,
        defaults={
            "tables": [table.to_json() for table in tables],
            "computed_at": computed_at,
            "build_seconds": seconds,
        },
    )
    return snapshot


def refresh_snapshots(*, dashboards=None) -> list[Built]:
    """Rebuild every snapshot (for the dashboards given, or every registered one) under the
    lock; snapshots of scopes no longer built (a lead who left) are deleted. Raises
    `RefreshBusy` if another refresh is running."""
    boards = [
        board for board in registry.dashboards() if dashboards is None or board.key in dashboards
    ]
    done: list[Built] = []
    with _refresh_lock():
        wanted = targets()
        for board in boards:
            keys = set()
            for target in wanted:
                if not board.roles & target.viewer.audience.roles:
                    continue  # an audience the dashboard does not open to
                with transaction.atomic():
                    snapshot = build(board, target)
                keys.add((snapshot.scope_key, snapshot.audience))
                done.append(
                    Built(board.key, snapshot.scope_key, snapshot.audience, snapshot.build_seconds)
                )
            old = DashboardSnapshot.objects.filter(dashboard=board.key).values_list(
                "pk", "scope_key", "audience"
            )
            DashboardSnapshot.objects.filter(
                pk__in=[pk for pk, key, aud in old if (key, aud) not in keys]
            ).delete()
    return done
