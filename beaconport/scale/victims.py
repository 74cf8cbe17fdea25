"""The seed's liaison work: a record per victim, contacts, follow-ups and a few notifications.

Most records are assigned to a liaison officer of the case's team; some are unassigned,
some assignments have ended (`officer_until` past) and some end later. Most follow-ups are
done; of the open ones exactly `sizes.due` are due (their next reminder time has passed),
the rest wait for a reminder to come, and a few are overdue with every reminder sent.
"""

import datetime
import random

from beaconport.roles import Role
from beaconport.scale import seed as plan
from liaison.models import Contact, FollowUp, LiaisonRecord, Notification, VictimsCodeRule
from liaison.workdays import end_of_day

CHANNELS = ("text", "phone", "email", "letter", "in_person")
SUMMARIES = (
    "Synthetic contact: update on the review given; no outcome promised.",
    "Synthetic contact: the victim asked how long the review will take.",
    "Synthetic contact: attempted, no answer; no message left.",
)
RECORD_FIELDS = [
    "id", "party_id", "case_id", "officer_id", "assigned_at", "officer_until", "enhanced_rights",
    "enhanced_rights_off_reason", "channels", "safe_phone", "safe_email", "safe_days",
    "safe_from", "safe_to", "may_leave_message", "via_adviser", "adviser_name",
    "adviser_contact", "intermediary", "language", "interpreter_needed",
    "update_interval_days", "version", "created_at", "updated_at",
]  # fmt: skip
CONTACT_FIELDS = [
    "id", "record_id", "occurred_at", "channel", "direction", "outcome", "present", "summary",
    "said_about_case", "no_outcome_promised", "next_contact_on", "completes_id",
    "recorded_by_id", "recorded_at",
]  # fmt: skip
FOLLOWUP_FIELDS = [
    "id", "record_id", "case_id", "officer_id", "rule_id", "reason", "source", "starts_at",
    "due_on", "due_at", "suggested_at", "next_reminder_at", "status", "completed_at",
    "completed_by_contact_id", "completed_late", "late_reason", "cancelled_reason",
    "created_by_id", "created_at", "version",
]  # fmt: skip
NOTIFICATION_FIELDS = ["id", "user_id", "text", "link", "delivery_id", "created_at", "read_at"]


def _rng(seeding: plan.Seeding, part: str) -> random.Random:
    """A random source of its own for one table."""
    return random.Random(f"{seeding.seed}:{part}")


def write(seeding: plan.Seeding) -> None:
    """Records first (the others name them), then contacts, follow-ups and notifications."""
    records = _records(seeding)
    _contacts(seeding, records)
    _followups(seeding, records)
    _notifications(seeding, records)


def _records(seeding: plan.Seeding) -> list[tuple[int, int, int | None, object]]:
    """Write the records; returns (record id, case position, officer, officer_until) each."""
    rng, now = _rng(seeding, "records"), seeding.now
    named = seeding.users[plan.LIAISON_OFFICER]
    officers = {
        team: [u for u in seeding.by_role_team.get((Role.LIAISON_OFFICER, team), []) if u != named]
        for team in range(len(seeding.team_ids))
    }
    # The named officer's victims: on the first team's cases, current, and a few ended.
    first_team = [
        i for i, (_, position) in enumerate(seeding.victims) if seeding.case_team[position] == 0
    ]
    ended = max(1, seeding.sizes.officer_victims // 50)
    chosen = rng.sample(first_team, min(len(first_team), seeding.sizes.officer_victims + ended))
    theirs = {index: n < seeding.sizes.officer_victims for n, index in enumerate(chosen)}

    first = seeding.writer.next_id(LiaisonRecord)
    records = []
    for index, (_, position) in enumerate(seeding.victims):
        if index in theirs:
            officer = named
            if theirs[index]:
                until = (
                    now + datetime.timedelta(days=rng.randint(30, 365))
                    if rng.random() < 0.1
                    else None
                )
            else:
                until = now - datetime.timedelta(days=rng.randint(1, 30))
        else:
            pool = officers[seeding.case_team[position]]
            roll = rng.random()
            officer = rng.choice(pool) if pool and roll >= 0.15 else None
            until = None
            if officer is not None:
                roll = rng.random()
                if roll < 0.04:
                    until = now - datetime.timedelta(days=rng.randint(1, 90))
                elif roll < 0.12:
                    until = now + datetime.timedelta(days=rng.randint(7, 365))
        records.append((first + index, position, officer, until))

    def rows():
        for (record_id, position, officer, until), (party_id, _) in zip(
            records, seeding.victims, strict=True
        ):
            created = now - datetime.timedelta(days=rng.randint(30, 400))
            enhanced = rng.random() > 0.05
            channels = rng.sample(CHANNELS, rng.randint(0, 3))
            has_hours = rng.random() < 0.3
            adviser = rng.random() < 0.1
            yield (
                record_id,
                party_id,
                seeding.case_ids[position],
                officer,
                created + datetime.timedelta(days=rng.randint(1, 20)) if officer else None,
                until,
                enhanced,
                "" if enhanced else "Synthetic: adult at the time of every offence recorded.",
                channels,
                f"07700 900{rng.randint(0, 999):03d}"
                if "phone" in channels or "text" in channels
                else "",
                f"victim.{record_id}@example.invalid" if "email" in channels else "",
                sorted(rng.sample(range(7), rng.randint(2, 5))) if rng.random() < 0.3 else [],
                datetime.time(9) if has_hours else None,
                datetime.time(rng.randint(12, 20)) if has_hours else None,
                rng.random() < 0.4,
                adviser,
                "ISVA service (synthetic)" if adviser else "",
                "",
                "",
                "",
                False,
                rng.choice((None, 14, 28, 28, 56)),
                1,
                created,
                created,
            )

    seeding.writer.write(
        LiaisonRecord, RECORD_FIELDS, rows(), total=len(records), label="liaison records"
    )
    return records


def _recorder(seeding: plan.Seeding, rng: random.Random, position: int, officer: int | None) -> int:
    """Who wrote a row about the record: its officer, or a liaison lead of its team."""
    if officer is not None:
        return officer
    return rng.choice(seeding.by_role_team[(Role.LIAISON_LEAD, seeding.case_team[position])])


def _contacts(seeding: plan.Seeding, records: list) -> None:
    """Contacts on assigned records, made or attempted over the last two years."""
    rng, now = _rng(seeding, "contacts"), seeding.now
    assigned = [r for r in records if r[2] is not None] or records
    first = seeding.writer.next_id(Contact)

    def rows():
        for n in range(seeding.sizes.contacts):
            record_id, position, officer, _ = rng.choice(assigned)
            when = now - datetime.timedelta(days=rng.randint(1, 700), minutes=rng.randint(0, 1439))
            made = rng.random() < 0.75
            yield (
                first + n,
                record_id,
                when,
                rng.choice(CHANNELS),
                "out" if rng.random() < 0.8 else "in",
                "made" if made else "attempted",
                "",
                SUMMARIES[rng.randrange(2)] if made else SUMMARIES[2],
                "",
                True,
                None,
                None,
                _recorder(seeding, rng, position, officer),
                when + datetime.timedelta(hours=rng.randint(0, 48)),
            )

    seeding.writer.write(
        Contact, CONTACT_FIELDS, rows(), total=seeding.sizes.contacts, label="contacts"
    )


def _followups(seeding: plan.Seeding, records: list) -> None:
    """Follow-ups on any record: mostly done, exactly `due` due now, the rest due later."""
    rng, now = _rng(seeding, "followups"), seeding.now
    today = now.date()
    total, due = seeding.sizes.followups, seeding.sizes.due
    rules = list(VictimsCodeRule.objects.values_list("pk", "trigger"))
    due_rows = set(rng.sample(range(total), due))
    ends: dict[datetime.date, datetime.datetime] = {}

    def end(day):
        if day not in ends:
            ends[day] = end_of_day(day)
        return ends[day]

    first = seeding.writer.next_id(FollowUp)

    def rows():
        for n in range(total):
            record_id, position, officer, _ = records[rng.randrange(len(records))]
            rule, trigger = rng.choice(rules) if rules and rng.random() < 0.6 else (None, "")
            reason = (
                f"Victims' Code: {trigger.replace('_', ' ')}" if rule else "Agreed next contact"
            )
            status, completed, late, next_at, cancelled = "open", None, None, None, ""
            if n in due_rows:
                due_on = today + datetime.timedelta(days=rng.randint(-10, 2))
                next_at = now - datetime.timedelta(minutes=rng.randint(1, 4320))
            else:
                roll = rng.random()
                if roll < 0.85:
                    status = "done"
                    due_on = today - datetime.timedelta(days=rng.randint(1, 700))
                    late = rng.random() < 0.1
                    completed = end(due_on) + datetime.timedelta(
                        days=rng.randint(1, 10) if late else -rng.randint(0, 5)
                    )
                elif roll < 0.88:
                    status, cancelled = "cancelled", "The victim asked for no further contact."
                    due_on = today - datetime.timedelta(days=rng.randint(1, 700))
                elif roll < 0.882:  # overdue, every reminder already sent
                    due_on = today - datetime.timedelta(days=rng.randint(5, 60))
                else:
                    due_on = today + datetime.timedelta(days=rng.randint(4, 120))
                    next_at = end(due_on) - datetime.timedelta(days=3)
            due_at = end(due_on)
            starts = due_at - datetime.timedelta(days=rng.randint(5, 30))
            yield (
                first + n,
                record_id,
                seeding.case_ids[position],
                officer,
                rule,
                reason,
                "",
                starts,
                due_on,
                due_at,
                None,
                next_at,
                status,
                completed,
                None,
                late,
                "Synthetic: the victim could not be reached in time." if late else "",
                cancelled,
                officer,
                starts,
                1,
            )

    seeding.writer.write(FollowUp, FOLLOWUP_FIELDS, rows(), total=total, label="follow-ups")


def _notifications(seeding: plan.Seeding, records: list) -> None:
    """Reminder notifications for officers and leads; the named officer has a page of them."""
    rng, now = _rng(seeding, "notifications"), seeding.now
    named = seeding.users[plan.LIAISON_OFFICER]
    people = seeding.by_role.get(Role.LIAISON_OFFICER, []) + seeding.by_role.get(
        Role.LIAISON_LEAD, []
    )
    first = seeding.writer.next_id(Notification)

    def rows():
        for n in range(seeding.sizes.notifications):
            record_id, position, _, _ = rng.choice(records)
            user = named if n < 30 else rng.choice(people)
            created = now - datetime.timedelta(minutes=rng.randint(1, 60 * 24 * 60))
            yield (
                first + n,
                user,
                f"BP-{seeding.case_ids[position]:06d}: a follow-up with the victim is overdue.",
                f"/liaison/records/{record_id}/",
                None,
                created,
                min(now, created + datetime.timedelta(hours=rng.randint(1, 72)))
                if rng.random() < 0.6
                else None,
            )

    seeding.writer.write(
        Notification,
        NOTIFICATION_FIELDS,
        rows(),
        total=seeding.sizes.notifications,
        label="notifications",
    )
