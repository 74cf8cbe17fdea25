"""The seed's people at work: forces ranked by size, teams, users in their roles, squads.

Forces are skewed as real ones are (the largest refers many times what the smallest does);
the first team covers the three largest, the others share the rest. Investigators, liaison
officers and both kinds of lead belong to teams in proportion to their teams' caseloads;
investigators also form squads (groups) that cases are granted to.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from beaconport.roles import Role
from beaconport.scale import seed as plan
from cases.models import Force, Team
from cases.referrals.generator import FORENAMES, SURNAMES

# Forces by the size of their caseload, largest first (the rest follow alphabetically).
LARGEST_FORCES = (
    "metropolitan", "west-midlands", "greater-manchester", "west-yorkshire", "thames-valley",
    "kent", "hampshire", "lancashire", "merseyside", "south-yorkshire", "essex", "northumbria",
    "avon-and-somerset", "devon-and-cornwall", "south-wales", "sussex", "west-mercia",
)  # fmt: skip
SKEW = 0.9  # a force's share of cases falls as 1 / rank ** SKEW
TEAM_ROLES = (Role.INVESTIGATOR, Role.LIAISON_OFFICER, Role.REVIEW_LEAD, Role.LIAISON_LEAD)
# Share of the users in each role (investigators take what is left).
ROLE_SHARES = {
    Role.LIAISON_OFFICER: 0.15,
    Role.REVIEW_LEAD: 0.03,
    Role.LIAISON_LEAD: 0.03,
    Role.NATIONAL_LEAD: 0.004,
    Role.ANALYST: 0.01,
    Role.ADMINISTRATOR: 0.002,
    Role.AUDITOR: 0.002,
}
USERNAME_TAGS = {
    Role.INVESTIGATOR: "inv",
    Role.LIAISON_OFFICER: "lo",
    Role.REVIEW_LEAD: "rl",
    Role.LIAISON_LEAD: "ll",
    Role.NATIONAL_LEAD: "nl",
    Role.ANALYST: "analyst",
    Role.ADMINISTRATOR: "admin",
    Role.AUDITOR: "auditor",
}
# Named users' teams: the first team covers the three largest forces.
NAMED_TEAMS = {
    plan.HEAVY_INVESTIGATOR: 0,
    plan.LIGHT_INVESTIGATOR: 1,
    plan.REVIEW_LEAD: 0,
    plan.LIAISON_OFFICER: 0,
    plan.LIAISON_LEAD: 0,
}
SQUAD_SIZE = 5  # investigators per squad, on average


def force_weights(count: int) -> list[float]:
    """Relative caseloads of forces by rank, largest first."""
    return [1 / (rank + 1) ** SKEW for rank in range(count)]


def role_counts(users: int, teams: int) -> dict[Role, int]:
    """How many users of each role make up `users` (every team gets each team role)."""
    counts = {
        role: max(teams if role in TEAM_ROLES else 1, round(users * share))
        for role, share in ROLE_SHARES.items()
    }
    counts[Role.INVESTIGATOR] = users - sum(counts.values())
    return counts


def write(seeding: plan.Seeding) -> None:
    """Teams over the forces, then the users in their roles and teams, then squads."""
    _forces_and_teams(seeding)
    _users(seeding)
    _squads(seeding)


def _forces_and_teams(seeding: plan.Seeding) -> None:
    """Rank the forces and share them out between the teams."""
    by_slug = dict(Force.objects.values_list("slug", "pk"))
    ranked = [s for s in LARGEST_FORCES if s in by_slug]
    ranked += sorted(s for s in by_slug if s not in LARGEST_FORCES)
    seeding.forces = [by_slug[s] for s in ranked]
    teams = min(seeding.sizes.teams, len(seeding.forces) - 2)
    # The first team covers the three largest forces; the others take the rest in turn.
    for position, force_id in enumerate(seeding.forces):
        seeding.force_team[force_id] = 0 if position < 3 else 1 + (position - 3) % (teams - 1)
    writer = seeding.writer
    first = writer.next_id(Team)
    seeding.team_ids = [first + i for i in range(teams)]
    writer.write(
        Team,
        ["id", "name"],
        ((team_id, f"Scale team {i + 1:02d}") for i, team_id in enumerate(seeding.team_ids)),
        total=teams,
    )
    through = Team.forces.through
    first = writer.next_id(through)
    writer.write(
        through,
        ["id", "team_id", "force_id"],
        (
            (first + i, seeding.team_ids[seeding.force_team[force_id]], force_id)
            for i, force_id in enumerate(seeding.forces)
        ),
        total=len(seeding.forces),
    )


def team_weights(seeding: plan.Seeding) -> list[float]:
    """Each team's share of the cases (the sum of its forces' weights)."""
    weights = [0.0] * len(seeding.team_ids)
    for force_id, weight in zip(seeding.forces, force_weights(len(seeding.forces)), strict=True):
        weights[seeding.force_team[force_id]] += weight
    return weights


def _users(seeding: plan.Seeding) -> None:
    """The named users and the rest, in their role groups and teams."""
    User = get_user_model()
    rng, now, teams = seeding.rng, seeding.now, len(seeding.team_ids)
    counts = role_counts(seeding.sizes.users, teams)
    weights = team_weights(seeding)
    people = []  # (username, role, team index or None)
    for username, role in plan.NAMED_USERS.items():
        people.append((username, role, NAMED_TEAMS.get(username)))
        counts[role] -= 1
    for role, count in counts.items():
        # First one for each team the named users leave without this role, then by caseload.
        named_teams = {t for _, r, t in people if r is role}
        empty = [t for t in range(teams) if t not in named_teams] if role in TEAM_ROLES else []
        for n in range(max(count, len(empty))):
            team = None
            if role in TEAM_ROLES:
                team = empty[n] if n < len(empty) else rng.choices(range(teams), weights)[0]
            people.append((f"scale.{USERNAME_TAGS[role]}.{n + 1:04d}", role, team))

    first = seeding.writer.next_id(User)
    rows = []
    for offset, (username, role, team) in enumerate(people):
        user_id = first + offset
        if username in plan.NAMED_USERS:
            seeding.users[username] = user_id
        seeding.by_role.setdefault(role, []).append(user_id)
        if team is not None:
            seeding.by_role_team.setdefault((role, team), []).append(user_id)
        staff = role is Role.ADMINISTRATOR
        rows.append(
            (
                user_id,
                f"!{rng.getrandbits(160):040x}",  # unusable: these users sign in by session only
                None,
                False,
                username,
                rng.choice(FORENAMES),
                rng.choice(SURNAMES),
                f"{username}@scale.beaconport.invalid",
                staff,
                True,
                now,
            )
        )
    fields = [
        "id", "password", "last_login", "is_superuser", "username", "first_name", "last_name",
        "email", "is_staff", "is_active", "date_joined",
    ]  # fmt: skip
    seeding.writer.write(User, fields, rows, total=len(rows), label="users")

    groups = dict(Group.objects.values_list("name", "pk"))
    membership = User.groups.through
    first = seeding.writer.next_id(membership)
    role_rows = [
        (groups[role.value], user_id)
        for role, user_ids in seeding.by_role.items()
        for user_id in user_ids
    ]
    seeding.writer.write(
        membership,
        ["id", "user_id", "group_id"],
        ((first + i, user_id, group_id) for i, (group_id, user_id) in enumerate(role_rows)),
        total=len(role_rows),
        label="role memberships",
    )
    members = Team.members.through
    first = seeding.writer.next_id(members)
    team_rows = [
        (seeding.team_ids[team], user_id)
        for (role, team), user_ids in sorted(seeding.by_role_team.items())
        for user_id in user_ids
    ]
    seeding.writer.write(
        members,
        ["id", "team_id", "user_id"],
        ((first + i, team_id, user_id) for i, (team_id, user_id) in enumerate(team_rows)),
        total=len(team_rows),
        label="team members",
    )


def _squads(seeding: plan.Seeding) -> None:
    """Investigators in squads of about five within a team; the heavy and light investigators
    each in a squad of their own making (so what they see through a group is known)."""
    rng = seeding.rng
    heavy = seeding.users[plan.HEAVY_INVESTIGATOR]
    light = seeding.users[plan.LIGHT_INVESTIGATOR]
    squads = []  # (team index, [member ids])
    for team in range(len(seeding.team_ids)):
        pool = [
            u
            for u in seeding.by_role_team.get((Role.INVESTIGATOR, team), [])
            if u not in (heavy, light)
        ]
        rng.shuffle(pool)
        if team == 0:
            squads.append((0, [heavy, *pool[:4]]))
            pool = pool[4:]
        if team == 1:
            squads.append((1, [light, *pool[:1]]))
            pool = pool[1:]
        for start in range(0, len(pool) - SQUAD_SIZE + 1, SQUAD_SIZE):
            squads.append((team, pool[start : start + SQUAD_SIZE]))
    writer = seeding.writer
    first = writer.next_id(Group)
    seeding.squads = [(first + i, team, members) for i, (team, members) in enumerate(squads)]
    writer.write(
        Group,
        ["id", "name"],
        (
            (group_id, f"Scale squad {i + 1:04d}")
            for i, (group_id, _, _) in enumerate(seeding.squads)
        ),
        total=len(squads),
        label="squads",
    )
    membership = get_user_model().groups.through
    first = writer.next_id(membership)
    rows = [(group_id, user_id) for group_id, _, members in seeding.squads for user_id in members]
    writer.write(
        membership,
        ["id", "user_id", "group_id"],
        ((first + i, user_id, group_id) for i, (group_id, user_id) in enumerate(rows)),
        total=len(rows),
        label="squad memberships",
    )
