"""The scale seed: its sizes, its named users, when it refuses, and the order it writes in."""

import dataclasses
import datetime
import random
import time
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from beaconport.roles import Role
from beaconport.scale.writer import TableWriter

# What marks the seed's own rows: its cases' force references and its users' names.
REFERENCE_PREFIX = "SCALE-"
USERNAME_PREFIX = "scale."

# The named users the benchmark and the page work sign in as (the scale data contract).
HEAVY_INVESTIGATOR = "scale.inv.heavy"
LIGHT_INVESTIGATOR = "scale.inv.light"
REVIEW_LEAD = "scale.review.lead"
NATIONAL_LEAD = "scale.national.lead"
LIAISON_OFFICER = "scale.liaison.officer"
LIAISON_LEAD = "scale.liaison.lead"
ANALYST = "scale.analyst"
NAMED_USERS = {
    HEAVY_INVESTIGATOR: Role.INVESTIGATOR,
    LIGHT_INVESTIGATOR: Role.INVESTIGATOR,
    REVIEW_LEAD: Role.REVIEW_LEAD,
    NATIONAL_LEAD: Role.NATIONAL_LEAD,
    LIAISON_OFFICER: Role.LIAISON_OFFICER,
    LIAISON_LEAD: Role.LIAISON_LEAD,
    ANALYST: Role.ANALYST,
}


@dataclass(frozen=True)
class ScaleSizes:
    """How much to make. The defaults are the national size of issue 9."""

    cases: int = 100_000
    users: int = 2_000
    teams: int = 10
    grants: int = 300_000  # user and group grant rows (each assignment is a view and a change)
    heavy_cases: int = 2_000  # granted to scale.inv.heavy (a fifth of them through a group)
    light_cases: int = 10  # granted to scale.inv.light
    officer_victims: int = 2_000  # liaison records held by scale.liaison.officer
    contacts: int = 300_000
    followups: int = 1_000_000
    due: int = 10_000  # open follow-ups whose next reminder time has passed
    notifications: int = 2_000
    documents: int = 50_000  # case-file material: rows and page text, no files (issue 12)
    referral_batches: int = 300  # referral files in the intake history

    def scaled(self, factor: float) -> "ScaleSizes":
        """Every size times the factor (at least one of each, and enough users for the teams),
        teams and the light investigator's handful aside."""
        if factor <= 0:
            raise ValueError("The scale must be more than 0.")
        fixed = {"teams", "light_cases"}
        sizes = dataclasses.replace(
            self,
            **{
                f.name: max(1, round(getattr(self, f.name) * factor))
                for f in dataclasses.fields(self)
                if f.name not in fixed
            },
        )
        return dataclasses.replace(sizes, users=max(sizes.users, sizes.fewest_users))

    @property
    def fewest_users(self) -> int:
        """The named users, and an investigator, liaison officer and both leads per team."""
        return len(NAMED_USERS) + 4 * self.teams

    def problems(self) -> list[str]:
        """What makes these sizes impossible, in words for the command line."""
        problems = [
            f"--{f.name.replace('_', '-')} must not be negative"
            for f in dataclasses.fields(self)
            if getattr(self, f.name) < 0
        ]
        if self.cases < 1:
            problems.append("--cases must be at least 1")
        if self.teams < 2:
            problems.append("--teams must be at least 2")
        if self.users < self.fewest_users:
            problems.append(
                f"--users must be at least {self.fewest_users} (the named users, and an "
                "investigator, a liaison officer and both leads per team)"
            )
        if self.due > self.followups:
            problems.append("--due cannot be more than --followups")
        return problems


@dataclass
class SeedResult:
    """What the seed wrote: rows per table and how long it took."""

    counts: dict[str, int]
    seconds: float
    sizes: ScaleSizes
    seed: int


@dataclass
class Seeding:
    """The state one seed run shares between its steps: the random source, the clock it
    treats as now, the writer, and what earlier steps made that later ones refer to."""

    sizes: ScaleSizes
    seed: int
    rng: random.Random
    now: datetime.datetime
    writer: TableWriter
    # Filled in step by step (see staff, casework and victims).
    forces: list[int] = field(default_factory=list)  # force ids, largest first
    force_team: dict[int, int] = field(default_factory=dict)  # force id -> team index
    team_ids: list[int] = field(default_factory=list)
    users: dict[str, int] = field(default_factory=dict)  # username -> id (named users)
    by_role_team: dict = field(default_factory=dict)  # (role, team index) -> [user ids]
    by_role: dict = field(default_factory=dict)  # role -> [user ids]
    squads: list = field(default_factory=list)  # (group id, team index, [member ids])
    case_ids: list[int] = field(default_factory=list)
    # Per case, by position: team, status, eligibility, priority, victims, suspects, first party.
    case_team: list[int] = field(default_factory=list)
    case_status: list[str] = field(default_factory=list)
    case_eligibility: list[str] = field(default_factory=list)
    case_priority: list[str] = field(default_factory=list)
    case_victims: list[int] = field(default_factory=list)
    case_suspects: list[int] = field(default_factory=list)
    case_first_party: list[int] = field(default_factory=list)
    case_created: list[datetime.datetime] = field(default_factory=list)
    case_odd_criterion: list[str] = field(default_factory=list)  # see casework._cases
    # Case position -> the investigators holding a live grant on it (allocations, moves).
    case_investigators: dict = field(default_factory=dict)
    team_cases: dict = field(default_factory=dict)  # team index -> [case positions]
    victims: list[tuple[int, int]] = field(default_factory=list)  # (party id, case position)
    # Case position -> [(finding id, recorded at, by)] (review), for the citations (material).
    case_findings: dict = field(default_factory=dict)


def seed_refusal(*, debug: bool, force: bool, alongside: bool) -> str | None:
    """Why the seed must not run on this database now, or None when it may.

    It writes only into a development or benchmark database of its own: never without
    DEBUG unless forced, never beside cases it did not make unless told to, and never twice.
    """
    from cases.models import Case

    if not debug and not force:
        return (
            "DEBUG is off: this looks like a real deployment, and seed_scale writes synthetic "
            "data in bulk. Run it with DEBUG=true on a database of its own, or pass --force."
        )
    others = Case.objects.exclude(force_reference__startswith=REFERENCE_PREFIX).count()
    if others and not alongside:
        return (
            f"The database holds {others} cases seed_scale did not make. Seed an empty "
            "database (create it and migrate), or pass --alongside-other-cases to add the "
            "synthetic set beside them."
        )
    seeded = Case.objects.filter(force_reference__startswith=REFERENCE_PREFIX).exists()
    if seeded or get_user_model().objects.filter(username__startswith=USERNAME_PREFIX).exists():
        return (
            "The database already holds a seed_scale set. Seed a fresh database (drop it, "
            "create it and migrate) to make another."
        )
    return None


def scale_seed(
    *,
    sizes: ScaleSizes,
    seed: int = 1,
    now: datetime.datetime | None = None,
    progress: bool = False,
    out=None,
) -> SeedResult:
    """Write a synthetic national data set in one transaction; the same seed gives the same
    data (times are taken from `now`, so they move with the clock they are given).

    Nothing is audited row by row: one audit row says the seed ran and what it made.
    """
    from beaconport.audit.context import audit_context
    from beaconport.audit.models import Operation
    from beaconport.audit.services import audit_record
    from beaconport.scale import casework, material, staff, victims

    started = time.monotonic()
    seeding = Seeding(
        sizes=sizes,
        seed=seed,
        rng=random.Random(seed),
        now=now or timezone.now(),
        writer=TableWriter(progress=progress, out=out),
    )
    with transaction.atomic():
        seeding.writer.begin()
        staff.write(seeding)
        casework.write(seeding)
        victims.write(seeding)
        material.write(seeding)
        seeding.writer.finish()
        with audit_context(source="command:seed_scale"):
            audit_record(
                operation=Operation.COLLECT,
                object_type="cases.case",
                object_id="seed_scale",
                justification=(
                    f"Synthetic data at scale (seed {seed}): {len(seeding.case_ids)} cases, "
                    f"{sizes.users} users; no real person is described."
                ),
            )
    seeding.writer.tidy()
    return SeedResult(
        counts=dict(seeding.writer.counts),
        seconds=time.monotonic() - started,
        sizes=sizes,
        seed=seed,
    )


def seeded_cases() -> Q:
    """The filter that finds the seed's cases (by their force reference)."""
    return Q(force_reference__startswith=REFERENCE_PREFIX)
