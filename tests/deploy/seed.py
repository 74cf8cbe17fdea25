"""Synthetic data for the deployment tests, written in a process of its own.

Run as `python -m tests.deploy.seed KIND` with DATABASE_URL naming the test's own cluster
(the test process's Django is bound to the suite's database, not to that cluster). Prints
one JSON object on its last line: what the test needs to drive the load and to check it.

- `multi`: liaison officers (password sign-in; no two-step is asked of them), each given
  victims' records by a liaison lead, and follow-ups due today whose reminders are held
  (`next_reminder_at` null) until the test releases them during the load.
- `restore`: cases with people and offences, liaison records, contacts and follow-ups, and
  the audit rows their services write (the test then has the witness record the head).
"""

import argparse
import datetime
import json
import os

PASSWORD = "correct-horse-battery-staple"


def _setup() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "beaconport.settings")
    import django

    django.setup()


def _team_and_people(officers: int):
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group

    from beaconport.roles import Role
    from cases.models import Force, Team

    users = get_user_model()
    team, _ = Team.objects.get_or_create(name="Deployment test team")
    team.forces.set(Force.objects.all())

    def make(username: str, role: Role):
        user = users.objects.create_user(
            username=username, password=PASSWORD, email=f"{username}@deploy.beaconport.invalid"
        )
        user.groups.add(Group.objects.get(name=role.value))
        team.members.add(user)
        return user

    lead = make("lena.deploylead", Role.LIAISON_LEAD)
    people = [make(f"officer{i}.deploy", Role.LIAISON_OFFICER) for i in range(officers)]
    return lead, people


def seed_multi(*, officers: int, records: int, due: int) -> dict:
    from django.utils import timezone

    from liaison.models import FollowUp, LiaisonRecord, Stage
    from liaison.reminders import _message_id
    from liaison.services import record_assign
    from tests.factories import LiaisonRecordFactory, make_followup

    lead, people = _team_and_people(officers)
    today = timezone.localdate()
    started = timezone.now() - datetime.timedelta(days=3)
    out = {"password": PASSWORD, "officers": [], "due": []}
    for number, officer in enumerate(people):
        mine = [
            record_assign(
                record=LiaisonRecordFactory(),
                officer=officer,
                by=lead,
                reason="Synthetic assignment for the deployment test",
            ).pk
            for _ in range(records)
        ]
        out["officers"].append({"username": officer.username, "records": mine})
        # Due today, begun three days ago: when released, "due soon" and "due today" have
        # both come, so exactly one message goes (due today, to the officer); "overdue"
        # and the escalation wait for tonight.
        for index in range(due // officers + (number < due % officers)):
            follow_up = make_followup(
                LiaisonRecord.objects.get(pk=mine[index % len(mine)]),
                due_on=today,
                starts_at=started,
                reason=f"Synthetic due follow-up {number}-{index}",
            )
            out["due"].append(
                {
                    "id": follow_up.pk,
                    "email": officer.email,
                    # The one email it owes, named as the reminder code names it.
                    "message_id": _message_id(follow_up, Stage.DUE_TODAY),
                }
            )
    held = [item["id"] for item in out["due"]]
    FollowUp.objects.filter(pk__in=held).update(next_reminder_at=None)
    return out


def seed_restore(*, cases: int) -> dict:
    from django.utils import timezone

    from liaison.services import record_assign
    from tests.factories import LiaisonRecordFactory, make_case, make_followup

    lead, people = _team_and_people(2)
    for _ in range(cases):
        make_case()
    for index in range(cases):
        record = record_assign(
            record=LiaisonRecordFactory(),
            officer=people[index % len(people)],
            by=lead,
            reason="Synthetic assignment for the restore test",
        )
        make_followup(
            record,
            due_on=timezone.localdate() + datetime.timedelta(days=10 + index),
            reason=f"Synthetic follow-up {index}",
        )
    return {"cases": cases}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("kind", choices=["multi", "restore"])
    parser.add_argument("--officers", type=int, default=4)
    parser.add_argument("--records", type=int, default=5)
    parser.add_argument("--due", type=int, default=60)
    parser.add_argument("--cases", type=int, default=20)
    args = parser.parse_args()
    _setup()
    if args.kind == "multi":
        out = seed_multi(officers=args.officers, records=args.records, due=args.due)
    else:
        out = seed_restore(cases=args.cases)
    print(json.dumps(out))


if __name__ == "__main__":
    main()
