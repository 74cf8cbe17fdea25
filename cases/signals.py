"""Case events other apps may react to. `cases` only declares and sends them.

Every signal is sent after the writing transaction commits (`transaction.on_commit`), with
ids and plain values only, so a receiver can enqueue work or open its own transaction
without seeing uncommitted data. Receivers must be idempotent: the same event may arrive
twice (a retried request, a re-import).
"""

from django.dispatch import Signal

# A case moved through the workflow.
# kwargs: case_id, from_status, to_status, by_id, at (aware datetime), transition_id
case_status_changed = Signal()

# An investigative event was recorded on a case (arrest, charge, ...).
# kwargs: case_id, event_id, event_type (cases.vocabulary.EventType value), occurred_on (date)
case_event_recorded = Signal()

# A person was added to a case as suspect, victim or witness (import or by hand).
# kwargs: case_id, party_id, role (cases.vocabulary.PartyRole value)
case_party_added = Signal()

# Many people were added at once (a referral import): one signal per few hundred, so a
# receiver can do its work in bulk. kwargs: parties, a list of (case_id, party_id, role).
case_parties_added = Signal()

# A suspect was flagged dangerous or a flight risk, or such a flag was cleared.
# kwargs: case_id, flag_id, kind, active (bool)
suspect_flag_changed = Signal()

# A referral import created or changed people (names, dates of birth, PNC IDs or
# identifiers), so linkage should look at them again. Sent once per import, after commit.
# kwargs: party_ids, a list of the CaseParty ids created or changed by the import.
people_imported = Signal()

# A person was put on a case, or their name or date of birth corrected, by hand: linkage
# should look at them again, as after an import. Sent after commit.
# kwargs: party_ids, the CaseParty ids of the records concerned.
people_changed = Signal()

# Reminders and flag alerts for people to see in the app (cases.reminders, cases.notifications).
# Unlike the events above, sent INSIDE the writing transaction, so a receiver's rows commit
# or roll back with the delivery that raised them: exactly once, as each delivery is unique.
# kwargs: alerts, a list of (user_id, text, link, key); text holds a case reference and what
# is due, never a name; key names the item and stage (one alert per user and key).
alerts_raised = Signal()
