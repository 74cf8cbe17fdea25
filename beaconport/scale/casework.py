"""The seed's cases: referrals as imported (people, parties, offences, criteria) and the
review's work on them (statuses, grants to investigators and squads, assignment history).

Spreads follow the synthetic referrals (`cases.referrals.generator`): about 18.5% P1, one
victim in ten alone, most cases with several suspects. Grants are guardian's direct-FK
rows, a view and a change per assignment; some have ended (`expires_at` past), some end
later, so every branch of the grant lookup is exercised.
"""

import datetime
import random

from django.contrib.auth.models import Permission

from beaconport.roles import Role
from beaconport.scale import people, review
from beaconport.scale import seed as plan
from beaconport.scale.staff import force_weights
from cases.models import (
    Case,
    CaseAssignment,
    CaseCriterion,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Force,
    Offence,
    SuspectFlag,
)
from cases.referrals.generator import (
    CONTACT,
    NON_CONTACT,
    RATIONALE,
    SUMMARY,
    force_prefix,
)
from cases.vocabulary import Criterion

# (status, weight) by eligibility: eligible cases move through the whole workflow.
STATUSES = {
    "eligible": (
        ("referred", 15), ("triage", 15), ("under_review", 40), ("review_complete", 10),
        ("reinvestigation", 8), ("nfa_upheld", 9), ("closed", 3),
    ),
    "ineligible": (("ineligible", 60), ("triage", 20), ("referred", 20)),
    "unknown": (("referred", 55), ("triage", 45)),
}  # fmt: skip
FLAG_FIELDS = [
    "id", "party_id", "kind", "reason", "basis", "set_by_id", "set_at", "review_by",
    "leads_notified_at", "version",
]  # fmt: skip
ASSIGNMENT_FIELDS = [
    "id", "case_id", "investigator_id", "assigned_by_id", "assigned_at", "reason",
    "expires_at", "ended_at", "ended_by_id", "end_reason",
]  # fmt: skip
USER_SHARE = 0.85  # of grant rows, the share given to users (the rest to squads)
REASONS = (
    "Allocated at the weekly review meeting.",
    "Continuity: the investigator already holds a linked case.",
    "Specialist interviewing skills needed for this case.",
    "Rebalancing caseloads within the team.",
)
CASE_FIELDS = [
    "id", "force_id", "force_reference", "received_on", "summary", "offence_start",
    "offence_end", "decision_outcome", "decision_on", "decision_by", "decision_outcome_code",
    "decision_rationale", "independently_reviewed", "status", "priority", "eligibility",
    "eligibility_decision", "eligibility_decision_reason", "eligibility_decided_by_id",
    "eligibility_decided_at", "version", "created_at", "updated_at",
]  # fmt: skip


def _rng(seeding: plan.Seeding, part: str) -> random.Random:
    """A random source of its own for one table, so tables can be written one at a time."""
    return random.Random(f"{seeding.seed}:{part}")


def write(seeding: plan.Seeding) -> None:
    """Cases, their people (`people`), flags, offences and criteria, then the grants and
    their history, then the review's work on them (`review`: moves, findings, lines of
    inquiry)."""
    _cases(seeding)
    people.write(seeding)
    _flags(seeding)
    _offences(seeding)
    _criteria(seeding)
    _grants(seeding)
    review.write(seeding)


def _cases(seeding: plan.Seeding) -> None:
    """The cases, by force in proportion to its size; remembers what later steps need of each."""
    rng, now = seeding.rng, seeding.now
    n = seeding.sizes.cases
    forces = rng.choices(seeding.forces, force_weights(len(seeding.forces)), k=n)
    first = seeding.writer.next_id(Case)
    seeding.case_ids = list(range(first, first + n))
    statuses = {
        e: ([s for s, _ in spread], [w for _, w in spread]) for e, spread in STATUSES.items()
    }
    prefixes = {pk: force_prefix(slug) for pk, slug in Force.objects.values_list("pk", "slug")}
    latest = min(datetime.date(2025, 12, 31), now.date())
    # The criterion that fails or is not known where a case is not eligible, chosen here so
    # that the case's own record agrees with it (a decision date missing where the decision
    # window is unknown; suspects' life status, in `people`, where the suspect criterion is).
    names = list(Criterion.values)
    odd = _rng(seeding, "criteria")
    seeding.case_odd_criterion = [names[odd.randrange(len(names))] for _ in range(n)]
    received_days = (latest - datetime.date(2025, 4, 1)).days

    def rows():
        for position, force_id in enumerate(forces):
            roll = rng.random()
            eligibility = "eligible" if roll < 0.68 else "ineligible" if roll < 0.85 else "unknown"
            status = rng.choices(*statuses[eligibility])[0]
            roll = rng.random()
            priority = "P1" if roll < 0.185 else "P2" if roll < 0.225 else "P3"
            n_victims = 1 if rng.random() < 0.1 else rng.randint(2, 5)
            roll = rng.random()
            n_suspects = 0 if roll < 0.02 else 1 if roll < 0.09 else rng.randint(2, 6)
            team = seeding.force_team[force_id]
            seeding.case_team.append(team)
            seeding.case_status.append(status)
            seeding.case_eligibility.append(eligibility)
            seeding.case_priority.append(priority)
            seeding.case_victims.append(n_victims)
            seeding.case_suspects.append(n_suspects)
            seeding.team_cases.setdefault(team, []).append(position)
            # Decided within the review's window (1 Jan 2010 to 31 Mar 2025), after offending.
            decided = datetime.date(2010, 1, 1) + datetime.timedelta(days=rng.randint(0, 5568))
            start = decided - datetime.timedelta(days=rng.randint(60, 3650))
            received = datetime.date(2025, 4, 1) + datetime.timedelta(
                days=rng.randint(0, max(0, received_days))
            )
            created = now - datetime.timedelta(
                days=rng.randint(1, 240), seconds=rng.randint(0, 86399)
            )
            seeding.case_created.append(created)
            yield (
                seeding.case_ids[position],
                force_id,
                f"{plan.REFERENCE_PREFIX}{prefixes[force_id]}/{position + 1:07d}",
                received,
                SUMMARY,
                start,
                min(start + datetime.timedelta(days=rng.randint(0, 1500)), decided),
                "nfa" if rng.random() > 0.04 else "other",
                None
                if eligibility == "unknown"
                and seeding.case_odd_criterion[position] == Criterion.DECISION_WINDOW
                else decided,
                "police" if rng.random() < 0.8 else "cps",
                rng.choice(("14", "15", "16", "")),
                rng.choice(RATIONALE),
                rng.random() < 0.06 if rng.random() > 0.06 else None,
                status,
                priority,
                eligibility,
                "",
                "",
                None,
                None,
                1,
                created,
                created,
            )

    seeding.writer.write(Case, CASE_FIELDS, rows(), total=n, label="cases")


def _flags(seeding: plan.Seeding) -> None:
    """P2 cases: an active dangerous or flight-risk flag on their first suspect, set by a
    review lead of the team, whom it was already told to (no email waits on it)."""
    rng, now = _rng(seeding, "flags"), seeding.now
    first = seeding.writer.next_id(SuspectFlag)

    def rows():
        n = 0
        for position, priority in enumerate(seeding.case_priority):
            if priority != "P2" or not seeding.case_suspects[position]:
                continue
            suspect = seeding.case_first_party[position] + seeding.case_victims[position]
            lead = rng.choice(seeding.by_role_team[(Role.REVIEW_LEAD, seeding.case_team[position])])
            set_at = now - datetime.timedelta(days=rng.randint(1, 200))
            yield (
                first + n, suspect, rng.choice(("dangerous", "flight_risk")),
                "Synthetic: intelligence of continued offending.", "assessment", lead, set_at,
                (set_at + datetime.timedelta(days=90)).date(), set_at, 1,
            )  # fmt: skip
            n += 1

    seeding.writer.write(
        SuspectFlag,
        FLAG_FIELDS,
        rows(),
        label="suspect flags",
    )


def _offences(seeding: plan.Seeding) -> None:
    """One to three offences a case; the first involves every victim and suspect, the others
    the first of each. P1 cases allege rape."""
    rng = _rng(seeding, "offences")
    writer = seeding.writer
    first = writer.next_id(Offence)
    plan_rows = []  # (offence id, case position, type, order within the case)
    for position, priority in enumerate(seeding.case_priority):
        for k in range(rng.randint(1, 3)):
            if k == 0 and priority == "P1":
                kind = "rape"
            else:
                kind = rng.choice(CONTACT if rng.random() < 0.8 else NON_CONTACT)
            plan_rows.append((first + len(plan_rows), position, kind, k))
    writer.write(
        Offence,
        ["id", "case_id", "type"],
        ((oid, seeding.case_ids[pos], kind) for oid, pos, kind, _ in plan_rows),
        total=len(plan_rows),
        label="offences",
    )

    def links(suspects: bool):
        for offence_id, position, _, k in plan_rows:
            start = seeding.case_first_party[position]
            victims = seeding.case_victims[position]
            if suspects:
                count = seeding.case_suspects[position]
                start += victims
            else:
                count = victims
            for i in range(count if k == 0 else min(count, 1)):
                yield offence_id, start + i

    for name, suspects in (("victims", False), ("suspects", True)):
        through = getattr(Offence, name).through
        first_link = writer.next_id(through)
        writer.write(
            through,
            ["id", "offence_id", "caseparty_id"],
            (
                (first_link + i, offence, party)
                for i, (offence, party) in enumerate(links(suspects))
            ),
            label=f"offence {name}",
        )


def _criteria(seeding: plan.Seeding) -> None:
    """The seven scope criteria per case, agreeing with the case's computed eligibility."""
    writer = seeding.writer
    first = writer.next_id(CaseCriterion)
    names = list(Criterion.values)

    def rows():
        n = 0
        for position, case_id in enumerate(seeding.case_ids):
            # Eligible: every criterion passes; otherwise one fails or is not known.
            odd = {"ineligible": "fail", "unknown": "unknown"}.get(
                seeding.case_eligibility[position]
            )
            which = seeding.case_odd_criterion[position]
            for name in names:
                value = odd if odd and name == which else "pass"
                yield first + n, case_id, name, value, f"Synthetic: the criterion is a {value}."
                n += 1

    writer.write(
        CaseCriterion,
        ["id", "case_id", "name", "result", "reason"],
        rows(),
        total=len(names) * len(seeding.case_ids),
        label="criteria",
    )


def _grants(seeding: plan.Seeding) -> None:
    """Assignments to investigators and squads, each a view and a change grant, with history."""
    rng = _rng(seeding, "grants")
    sizes, now = seeding.sizes, seeding.now
    perms = dict(
        Permission.objects.filter(
            content_type__app_label="cases", codename__in=("view_case", "change_case")
        ).values_list("codename", "pk")
    )
    heavy = seeding.users[plan.HEAVY_INVESTIGATOR]
    light = seeding.users[plan.LIGHT_INVESTIGATOR]
    heavy_squad = next(g for g, _, members in seeding.squads if heavy in members)
    light_squad = next(g for g, _, members in seeding.squads if light in members)

    def until(expired_share: float, later_share: float):
        roll = rng.random()
        if roll < expired_share:
            return now - datetime.timedelta(days=rng.randint(1, 60), hours=rng.randint(0, 23))
        if roll < expired_share + later_share:
            return now + datetime.timedelta(days=rng.randint(7, 365))
        return None

    user_grants: dict[tuple[int, int], object] = {}  # (case position, user) -> expires_at
    group_grants: dict[tuple[int, int], object] = {}  # (case position, group) -> expires_at

    # The named investigators: exactly what they see is known (a fifth through their squad),
    # plus a few grants that have ended and must not count.
    team0 = list(seeding.team_cases.get(0, []))
    heavy_ended = max(1, sizes.heavy_cases // 40)
    picked = rng.sample(team0, min(len(team0), sizes.heavy_cases + heavy_ended))
    via = sizes.heavy_cases // 5
    for i, position in enumerate(picked):
        if i < sizes.heavy_cases - via:
            user_grants[position, heavy] = until(0, 0.1)
        elif i < sizes.heavy_cases:
            group_grants[position, heavy_squad] = None
        else:
            user_grants[position, heavy] = now - datetime.timedelta(days=rng.randint(1, 30))
    team1 = list(seeding.team_cases.get(1, []))
    picked = rng.sample(team1, min(len(team1), sizes.light_cases))
    for i, position in enumerate(picked):
        if i < sizes.light_cases - sizes.light_cases // 5:
            user_grants[position, light] = None
        else:
            group_grants[position, light_squad] = None

    worked = [
        p
        for p, status in enumerate(seeding.case_status)
        if status not in ("referred", "ineligible")
    ] or list(range(len(seeding.case_ids)))
    investigators = {
        team: [
            u
            for u in seeding.by_role_team.get((Role.INVESTIGATOR, team), [])
            if u not in (heavy, light)
        ]
        for team in range(len(seeding.team_ids))
    }
    wanted = round(sizes.grants * USER_SHARE) // 2
    attempts = 0
    while len(user_grants) < wanted and attempts < wanted * 3:
        attempts += 1
        position = rng.choice(worked)
        pool = investigators[seeding.case_team[position]]
        if pool:
            user_grants.setdefault((position, rng.choice(pool)), until(0.03, 0.1))
    squads = {}
    for group, team, _ in seeding.squads:
        if group not in (heavy_squad, light_squad):
            squads.setdefault(team, []).append(group)
    wanted_groups = sizes.grants // 2 - wanted
    attempts = 0
    while len(group_grants) < wanted_groups and attempts < wanted_groups * 3 and squads:
        attempts += 1
        position = rng.choice(worked)
        pool = squads.get(seeding.case_team[position])
        if pool:
            group_grants.setdefault((position, rng.choice(pool)), until(0.05, 0.05))

    for (position, holder), expires in user_grants.items():
        if expires is None or expires > now:
            seeding.case_investigators.setdefault(position, []).append(holder)
    writer = seeding.writer
    codes = (perms["view_case"], perms["change_case"])
    for model, grants, who in (
        (CaseUserObjectPermission, user_grants, "user_id"),
        (CaseGroupObjectPermission, group_grants, "group_id"),
    ):
        first = writer.next_id(model)
        writer.write(
            model,
            ["id", "permission_id", who, "content_object_id", "expires_at"],
            (
                (first + 2 * i + k, codes[k], holder, seeding.case_ids[position], expires)
                for i, ((position, holder), expires) in enumerate(grants.items())
                for k in (0, 1)
            ),
            total=2 * len(grants),
            label="user grants" if who == "user_id" else "group grants",
        )
    _assignments(seeding, rng, user_grants)


def _assignments(seeding: plan.Seeding, rng: random.Random, user_grants: dict) -> None:
    """A spell for every user grant (given by a review lead of the case's team), and ended
    spells before some of them: the history the assign page shows."""
    now = seeding.now
    leads = {
        team: seeding.by_role_team[(Role.REVIEW_LEAD, team)]
        for team in range(len(seeding.team_ids))
    }
    first = seeding.writer.next_id(CaseAssignment)

    def rows():
        n = 0
        for (position, investigator), expires in user_grants.items():
            lead = rng.choice(leads[seeding.case_team[position]])
            case_id = seeding.case_ids[position]
            if expires is not None and expires < now:
                assigned = expires - datetime.timedelta(days=rng.randint(30, 300))
            else:
                assigned = now - datetime.timedelta(
                    days=rng.randint(1, 300), hours=rng.randint(0, 23)
                )
            if rng.random() < 0.15:  # an earlier spell, ended by the lead
                ended = assigned - datetime.timedelta(days=rng.randint(1, 60))
                yield (
                    first + n, case_id, investigator, lead,
                    ended - datetime.timedelta(days=rng.randint(10, 200)),
                    rng.choice(REASONS), None, ended, lead, "Taken off while on leave.",
                )  # fmt: skip
                n += 1
            yield (
                first + n, case_id, investigator, lead, assigned, rng.choice(REASONS),
                expires, None, None, "",
            )  # fmt: skip
            n += 1

    seeding.writer.write(
        CaseAssignment,
        ASSIGNMENT_FIELDS,
        rows(),
        label="assignments",
    )
