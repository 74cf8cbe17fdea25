"""Drawing a case's bundle as a PDF: cover, record, timeline, work, documents.

The pages and how text is written on them are `layout`'s; this module decides what each
section says, with people named by `redaction`'s rules.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable
from dataclasses import dataclass

from django.utils import timezone
from fpdf.enums import XPos, YPos

from cases.export.layout import FAMILY, LINE, WHEN_WIDTH, Pages, Writer, plain
from cases.export.material import TIMELINE_ROWS, Cut, ExportMaterial
from cases.export.redaction import Known, Redactor
from cases.vocabulary import IdentifierKind, PartyRole

ROLE_ORDER = (
    (PartyRole.SUSPECT, "Suspects"),
    (PartyRole.VICTIM, "Victims"),
    (PartyRole.WITNESS, "Witnesses"),
)


@dataclass(frozen=True)
class Cover:
    """Who is exporting, to whom, what for, and whether names are in."""

    exported_by: str
    exported_at: datetime.datetime
    recipient: str
    purpose: str
    names_reason: str = ""  # empty: names redacted

    @property
    def names_shown(self) -> bool:
        return bool(self.names_reason)


def _day(value) -> str:
    return f"{value.day} {value:%b %Y}" if value else "—"


def _moment(value) -> str:
    if not value:
        return "—"
    value = timezone.localtime(value)
    return f"{value.day} {value:%b %Y %H:%M}"


def _user(user) -> str:
    if user is None:
        return "—"
    return user.get_full_name() or user.get_username()


def _yes_no(value) -> str:
    return "Not known" if value is None else ("Yes" if value else "No")


@dataclass
class _Bundle:
    """One export being drawn: the material, the cover and how people are named."""

    material: ExportMaterial
    cover: Cover

    def __post_init__(self):
        case = self.material.case
        self.parties = self.material.parties.rows
        self.redact: Callable[[str], str] = Redactor(
            [self._known(party) for party in self.parties],
            names_shown=self.cover.names_shown,
        )
        self.pdf = Pages(reference=case.reference, recipient=self.cover.recipient)
        self.out = Writer(self.pdf)

    # --- people ---------------------------------------------------------------------------

    def _known(self, party) -> Known:
        person = party.person
        identifiers = self.material.identifiers.get(person.pk, [])
        aliases = [i.value for i in identifiers if i.kind == IdentifierKind.ALIAS]
        return Known(
            ref=party.ref,
            names=(person.full_name, person.surname, *person.forenames.split(), *aliases),
            identifiers=tuple(i.value for i in identifiers if i.kind != IdentifierKind.ALIAS),
            born=person.date_of_birth,
        )

    def who(self, party) -> str:
        """A party as the bundle names them: their reference, and their name if disclosed."""
        if party is None:
            return "—"
        if self.cover.names_shown:
            return f"{party.ref} {party.person.full_name}".strip()
        return party.ref

    # --- the pages ------------------------------------------------------------------------

    def draw(self) -> bytes:
        self.pdf.add_page()
        self.draw_cover()
        self.pdf.add_page()
        self.draw_record()
        self.draw_timeline()
        self.draw_work()
        self.draw_documents()
        return bytes(self.pdf.output())

    def draw_cover(self):
        case, cover, out = self.material.case, self.cover, self.out
        out.heading(f"Case bundle {case.reference}", size=18)
        out.text(
            "The review's record of this case, its timeline, its lines of inquiry and "
            "findings with the documents they cite, and the list of the case's documents, "
            "as held when exported."
        )
        out.gap(3)
        out.field("Case reference", case.reference)
        out.field("Force", case.force.name)
        out.field("Force reference", case.force_reference)
        out.field("Status", case.get_status_display())
        out.field("Priority", case.get_priority_display())
        eligibility = dict(case._meta.get_field("eligibility").choices)
        out.field("Eligibility", eligibility.get(case.effective_eligibility, "—"))
        out.gap(3)
        out.field("Exported by", cover.exported_by)
        out.field("Exported at", _moment(cover.exported_at))
        out.field("Recipient", cover.recipient)
        out.field("Purpose", cover.purpose)
        if cover.names_shown:
            out.field("Names", f"names shown for: {cover.names_reason}")
        else:
            out.field("Names", "names redacted")
            out.text(
                "People appear by their reference on the case (S1 a suspect, V1 a victim, W1 a "
                "witness). Names, dates of birth, aliases, phones, postcodes and vehicles the "
                "case records are left out, and replaced where they appear in free text; a "
                "name the record does not hold (a nickname, a relative) cannot be found and "
                "may remain.",
                size=8.5,
            )
        out.gap(3)
        out.text(
            "This bundle was disclosed to the recipient named above for the purpose given. "
            "Its disclosure is recorded in Beaconport's audit log.",
            size=8.5,
        )

    def draw_record(self):
        case, out, redact = self.material.case, self.out, self.redact
        out.heading("1. The record")
        out.heading("Summary", size=11)
        out.field("Received", _day(case.received_on))
        if case.offence_start or case.offence_end:
            period = f"{_day(case.offence_start)} to {_day(case.offence_end)}"
        else:
            period = "Not recorded"
        out.field("Offence period", period)
        out.field("Reviewed independently", _yes_no(case.independently_reviewed))
        out.field("Summary", redact(case.summary))

        out.heading("Original decision", size=11)
        code = f" (outcome code {case.decision_outcome_code})" if case.decision_outcome_code else ""
        out.field("Outcome", f"{case.get_decision_outcome_display()}{code}")
        out.field("Date", _day(case.decision_on))
        out.field("Made by", case.get_decision_by_display())
        out.field("Rationale", redact(case.decision_rationale))

        out.heading("Eligibility", size=11)
        out.field("Computed from the data", case.get_eligibility_display())
        if case.eligibility_decision:
            out.field(
                "Review lead's decision",
                f"{case.get_eligibility_decision_display()} by "
                f"{_user(case.eligibility_decided_by)} on {_moment(case.eligibility_decided_at)}",
            )
            out.field("Reason", redact(case.eligibility_decision_reason))
        else:
            out.field("Review lead's decision", "Not yet decided")
        for criterion in self.material.criteria:
            result = (criterion["result"] or "not computed").capitalize()
            out.item(f"{criterion['label']}: {result}. {redact(criterion['reason'])}")

        self.draw_people()
        self.draw_offences()
        self.draw_flags()

    def draw_people(self):
        out = self.out
        out.heading("People", size=11)
        if not self.cover.names_shown:
            out.text(
                "Names redacted: each person appears by their reference on the case.", size=8.5
            )
        for role, heading in ROLE_ORDER:
            people = [party for party in self.parties if party.role == role]
            out.text(f"{heading} ({len(people)})", bold=True)
            if not people:
                out.item("None recorded.")
            for party in people:
                out.item(self._party_line(party))
        out.cut_note(self.material.parties, "people", len(self.parties))

    def _party_line(self, party) -> str:
        person = party.person
        parts = [f"{party.ref} ({party.pseudonym})"]
        if self.cover.names_shown:
            parts.append(person.full_name or "name not recorded")
            parts.append(f"born {_day(person.date_of_birth)}")
            parts.append(f"gender {person.get_gender_display().lower()}")
            if person.pnc_id:
                parts.append(f"PNC ID {person.pnc_id}")
            for identifier in self.material.identifiers.get(person.pk, []):
                parts.append(f"{identifier.get_kind_display().lower()} {identifier.value}")
        ethnicity = person.get_ethnicity_display() if person.ethnicity else "not recorded"
        parts.append(f"ethnicity {ethnicity.lower() if person.ethnicity else ethnicity}")
        if party.role == PartyRole.SUSPECT:
            alive = (
                "not known"
                if party.deceased is None
                else ("deceased" if party.deceased else "alive")
            )
            parts.append(alive)
            parts.append(f"interviewed originally: {_yes_no(party.interviewed).lower()}")
        if party.role == PartyRole.VICTIM:
            age = party.age_at_first_offence
            parts.append(f"age at first offence {age if age is not None else 'not recorded'}")
        return "; ".join(parts)

    def draw_offences(self):
        out = self.out
        out.heading("Offences", size=11)
        offences = self.material.offences
        if not offences.rows:
            out.item("None recorded.")
        for offence in offences.rows:
            kind = "contact" if offence.is_contact else "non-contact"
            victims = ", ".join(self.who(p) for p in offence.victims.all()) or "—"
            suspects = ", ".join(self.who(p) for p in offence.suspects.all()) or "—"
            out.item(
                f"{offence.get_type_display()} ({kind}); victims: {victims}; suspects: {suspects}"
            )
        out.cut_note(offences, "offences", len(offences.rows))

    def draw_flags(self):
        out = self.out
        out.heading("Suspect flags", size=11)
        flags = self.material.flags
        if not flags.rows:
            out.item("None.")
        for flag in flags.rows:
            state = (
                "Active."
                if flag.is_active
                else f"Cleared by {_user(flag.cleared_by)} on {_moment(flag.cleared_at)}: "
                f"{self.redact(flag.cleared_reason)}"
            )
            review = f"; review by {_day(flag.review_by)}" if flag.review_by else ""
            out.item(
                f"{self.who(flag.party)}: {flag.get_kind_display()} "
                f"({flag.get_basis_display().lower()}), set by {_user(flag.set_by)} on "
                f"{_moment(flag.set_at)}{review}. Reason: {self.redact(flag.reason)} {state}"
            )
        out.cut_note(flags, "flags", len(flags.rows))

    # --- timeline -------------------------------------------------------------------------

    def timeline(self) -> list[tuple[datetime.datetime, str, str]]:
        """(when, when as printed, what) for everything that happened, in date order."""
        material, redact, who = self.material, self.redact, self.who
        entries: list[tuple[datetime.datetime, str, str]] = []

        def at(moment: datetime.datetime, text: str):
            local = timezone.localtime(moment)
            entries.append((local.replace(tzinfo=None), _moment(moment), text))

        def on(day: datetime.date, text: str, time: datetime.time | None = None):
            when = datetime.datetime.combine(day, time or datetime.time.min)
            shown = f"{_day(day)} {time:%H:%M}" if time else _day(day)
            entries.append((when, shown, text))

        case = material.case
        on(case.received_on, f"Referred by {case.force.name}.")
        for move in material.transitions.rows:
            at(
                move.at,
                f"Status {move.get_from_status_display()} → {move.get_to_status_display()}, "
                f"by {_user(move.by)}. {redact(move.reason)}",
            )
        for event in material.events.rows:
            concerning = f", concerning {who(event.suspect)}" if event.suspect_id else ""
            notes = f" {redact(event.notes)}" if event.notes else ""
            on(
                event.occurred_on,
                f"{event.get_type_display()}{concerning} (recorded by "
                f"{_user(event.recorded_by)}).{notes}",
                event.occurred_at,
            )
        for flag in material.flags.rows:
            at(
                flag.set_at,
                f"Flag set on {who(flag.party)}: {flag.get_kind_display()}, by "
                f"{_user(flag.set_by)}. {redact(flag.reason)}",
            )
            if flag.cleared_at:
                at(
                    flag.cleared_at,
                    f"Flag cleared on {who(flag.party)}: {flag.get_kind_display()}, by "
                    f"{_user(flag.cleared_by)}. {redact(flag.cleared_reason)}",
                )
        for spell in material.assignments.rows:
            until = f" until {_moment(spell.expires_at)}" if spell.expires_at else ""
            at(
                spell.assigned_at,
                f"{_user(spell.investigator)} assigned by {_user(spell.assigned_by)}{until}. "
                f"{redact(spell.reason)}",
            )
            if spell.ended_at:
                at(
                    spell.ended_at,
                    f"{_user(spell.investigator)}'s assignment ended by {_user(spell.ended_by)}. "
                    f"{redact(spell.end_reason)}",
                )
        if case.eligibility_decided_at:
            at(
                case.eligibility_decided_at,
                f"Eligibility decided {case.get_eligibility_decision_display().lower()} by "
                f"{_user(case.eligibility_decided_by)}.",
            )
        # Stable: entries at the same moment keep the order they were gathered in.
        entries.sort(key=lambda entry: entry[0])
        return entries

    def draw_timeline(self):
        out, material = self.out, self.material
        self.pdf.add_page()
        out.heading("2. Timeline")
        out.text(
            "Referral, status changes, investigative events, flags set and cleared, and "
            "assignments, oldest first. An event given a day but no time is placed at the "
            "start of its day.",
            size=8.5,
        )
        out.gap()
        entries = self.timeline()
        cut = len(entries) > TIMELINE_ROWS or any(
            part.more
            for part in (
                material.transitions,
                material.events,
                material.flags,
                material.assignments,
            )
        )
        for _, shown, text in entries[:TIMELINE_ROWS]:
            self.pdf.set_font(FAMILY, "B", 9)
            self.pdf.cell(WHEN_WIDTH, LINE, shown)
            self.pdf.set_font(FAMILY, "", 9)
            self.pdf.multi_cell(0, LINE, plain(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        if cut:
            out.cut_note(Cut([], True), "timeline entries of each kind", TIMELINE_ROWS)

    # --- lines of inquiry, findings, documents -------------------------------------------

    def _citations(self, record):
        citations = list(record.citations.all())
        if not citations:
            self.out.text("Cites no document.", size=8.5, indent=6)
            return
        self.out.text("Cites:", size=8.5, indent=6)
        for citation in citations:
            document = citation.document
            page = f", page {citation.page}" if citation.page else ""
            note = f" — {self.redact(citation.note)}" if citation.note else ""
            self.out.item(
                f"{self.redact(document.title)} ({document.get_kind_display()}), "
                f"SHA-256 {document.sha256[:16]}{page}{note}",
                indent=10,
            )

    def draw_work(self):
        out, material, redact = self.out, self.material, self.redact
        self.pdf.add_page()
        out.heading("3. Lines of inquiry and findings")
        out.heading("Lines of inquiry", size=11)
        if not material.lines.rows:
            out.item("None.")
        for number, line in enumerate(material.lines.rows, start=1):
            out.text(
                f"Line {number}: {line.get_status_display()} · {line.get_origin_display()}",
                bold=True,
            )
            out.field("Description", redact(line.description))
            out.field("Allocated to", _user(line.allocated_to))
            out.field("Due", _day(line.due_on))
            if line.rationale:
                out.field("Not pursued because", redact(line.rationale))
            if line.result:
                out.field("Result", redact(line.result))
            self._citations(line)
            out.gap()
        out.cut_note(material.lines, "lines of inquiry", len(material.lines.rows))

        out.heading("Findings", size=11)
        if not material.findings.rows:
            out.item("None.")
        for number, finding in enumerate(material.findings.rows, start=1):
            out.text(
                f"Finding {number}: {finding.get_category_display()} · "
                f"{finding.get_severity_display()} ({finding.get_basis_display().lower()})",
                bold=True,
            )
            out.field("Description", redact(finding.description))
            out.field(
                "Recorded", f"by {_user(finding.recorded_by)} on {_moment(finding.recorded_at)}"
            )
            self._citations(finding)
            out.gap()
        out.cut_note(material.findings, "findings", len(material.findings.rows))

    def draw_documents(self):
        out, documents, redact = self.out, self.material.documents, self.redact
        self.pdf.add_page()
        out.heading("4. The case's documents")
        out.text(
            "Every document held on the case. The SHA-256 identifies the exact file: the "
            "recipient can check a copy they are given against it.",
            size=8.5,
        )
        out.gap()
        if not documents.rows:
            out.item("None.")
        for number, document in enumerate(documents.rows, start=1):
            out.text(f"{number}. {redact(document.title)}", bold=True)
            out.field("Kind", document.get_kind_display())
            out.field("Source", redact(document.source))
            out.field("Made on", _day(document.made_on))
            out.field("Added", f"by {_user(document.added_by)} on {_moment(document.added_at)}")
            pages = f", {document.page_count} pages" if document.page_count else ""
            out.field("Size", f"{document.size:,} bytes{pages}")
            out.field("SHA-256", document.sha256)
            out.gap()
        out.cut_note(documents, "documents", len(documents.rows))


def draw_bundle(material: ExportMaterial, cover: Cover) -> bytes:
    """The case's bundle as PDF bytes."""
    return _Bundle(material, cover).draw()
