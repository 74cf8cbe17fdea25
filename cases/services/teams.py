"""Teams: which forces a team covers and who is in it, changed only here and always audited.

Who is in which team decides what leads see and whom they may assign, so every change is
an audit row naming the forces and members before and after.
"""

from django.core.exceptions import ValidationError
from django.db import transaction

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from cases.models import Team


def _ids(objects) -> list[int]:
    return sorted(obj.pk if hasattr(obj, "pk") else int(obj) for obj in objects)


@transaction.atomic
def team_save(*, team: Team, name: str, forces, members, by) -> Team:
    """Create a team (an unsaved `team`) or change one: its name, forces and members.

    One audit row: a collection for a new team, else an alteration with what changed;
    nothing is logged when nothing changed.
    """
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Name the team."})
    if Team.objects.filter(name=name).exclude(pk=team.pk).exists():
        raise ValidationError({"name": f"A team called {name} already exists."})
    created = team.pk is None
    if created:
        before = {"name": None, "forces": [], "members": []}
    else:
        team = Team.objects.select_for_update().get(pk=team.pk)
        before = {
            "name": team.name,
            "forces": _ids(team.forces.all()),
            "members": _ids(team.members.all()),
        }
    after = {"name": name, "forces": _ids(forces), "members": _ids(members)}
    changes = {key: (before[key], after[key]) for key in after if before[key] != after[key]}
    if not changes:
        return team
    team.name = name
    team.save()
    team.forces.set(after["forces"])
    team.members.set(after["members"])
    audit_record(
        operation=Operation.COLLECT if created else Operation.ALTER,
        actor=by,
        obj=team,
        changes=changes,
    )
    return team
