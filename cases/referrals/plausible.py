"""What a referral's names, references and dates may hold, by the rules forms and the API use.

The schema says a date is a real calendar date; `beaconport.inputs` says whether it is
plausible (nothing before 1900, nothing that has happened after today). Names and
references lose their zero-width characters, NFC-normalised and trimmed (`referral_clean`,
applied to every referral as it is read, so what is checked is what is stored), and are
refused if they still hold a direction-changing or control character; references must be
plain ASCII. One rule for a form, the API and a force's file alike.
"""

import datetime
import re
from collections.abc import Iterator
from typing import Any

from django.utils import timezone

from beaconport.inputs import (
    PAST_DATE,
    clean_name,
    clean_reference,
    name_problem,
    reference_problem,
)

PEOPLE = ("suspects", "victims")
NAMES = ("surname", "forenames")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
# Printable ASCII words with single spaces between them: already clean, and nothing in it any
# rule refuses. The common case, answered in one C call rather than a step per character.
_plain = re.compile(r"[!-~]+(?: [!-~]+)*").fullmatch
# A clean reference that reference_problem would let through, answered the same way.
_plain_reference = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ./_:#()-]*[A-Za-z0-9./_:#()-])?").fullmatch


def _plain_str(value: Any) -> bool:
    return isinstance(value, str) and _plain(value) is not None


def _name(value: Any) -> Any:
    return value if not isinstance(value, str) or _plain(value) else clean_name(value)


def _reference(value: Any) -> Any:
    return value if not isinstance(value, str) or _plain(value) else clean_reference(value)


def referral_clean(referral: Any) -> Any:
    """The referral with its names and references as they are stored (changed in place).

    Whatever its shape: a part that is not what the format says is left for the schema to
    report.
    """
    if not isinstance(referral, dict):
        return referral
    if "force_reference" in referral:
        referral["force_reference"] = _reference(referral["force_reference"])
    for group in PEOPLE:
        people = referral.get(group)
        if not isinstance(people, list):
            continue
        for person in people:
            if not isinstance(person, dict):
                continue
            for key in NAMES:
                if key in person:
                    person[key] = _name(person[key])
            if "ref" in person:
                person["ref"] = _reference(person["ref"])
            aliases = person.get("aliases")  # version 2: names too
            if isinstance(aliases, list) and not all(map(_plain_str, aliases)):
                person["aliases"] = [_name(alias) for alias in aliases]
    offences = referral.get("offences")
    if isinstance(offences, list):
        for offence in offences:
            if not isinstance(offence, dict):
                continue
            for key in ("victim_refs", "suspect_refs"):
                refs = offence.get(key)
                if isinstance(refs, list) and not all(map(_plain_str, refs)):
                    offence[key] = [_reference(ref) for ref in refs]
    return referral


def _suspect_reference(value: Any) -> bool:
    return isinstance(value, str) and _plain_reference(value) is None


def _day(value: Any) -> datetime.date | None:
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        return None  # not a date at all: the schema says so
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None


def _dates(referral: dict) -> Iterator[tuple[list, Any]]:
    yield ["received_on"], referral.get("received_on")
    for owner, key in (("offence_period", "start"), ("offence_period", "end")):
        part = referral.get(owner)
        if isinstance(part, dict):
            yield [owner, key], part.get(key)
    decision = referral.get("original_decision")
    if isinstance(decision, dict):
        yield ["original_decision", "decided_on"], decision.get("decided_on")
    for group in PEOPLE:
        people = referral.get(group)
        if isinstance(people, list):
            for j, person in enumerate(people):
                if isinstance(person, dict):
                    yield [group, j, "date_of_birth"], person.get("date_of_birth")


def _free_texts(referral: dict) -> Iterator[tuple[list, Any]]:
    yield ["summary"], referral.get("summary")
    decision = referral.get("original_decision")
    if isinstance(decision, dict):
        for key in ("outcome_code", "rationale"):
            yield ["original_decision", key], decision.get(key)


def implausible(referral: Any, *, today: datetime.date | None = None) -> Iterator[tuple[list, str]]:
    """(path parts within the referral, reason) for each implausible date (as of `today`,
    the local date by default), each name or reference holding what no reader should be
    shown, and each free text holding what no database can store."""
    if not isinstance(referral, dict):
        return
    today = today or timezone.localdate()
    earliest, latest = (day.isoformat() for day in PAST_DATE.bounds(today))
    for parts, value in _dates(referral):
        # ISO dates sort as text: only one outside the range is read as a date (if it is one).
        if isinstance(value, str) and not earliest <= value <= latest and (day := _day(value)):
            yield parts, f"{value} is implausible: {PAST_DATE.problem(day, today)}"
    for parts, text in _free_texts(referral):
        if isinstance(text, str) and "\x00" in text:
            yield parts, "holds a NUL character (U+0000), which no database field can store"
    reference = referral.get("force_reference")
    if _suspect_reference(reference) and (problem := reference_problem(_reference(reference))):
        yield ["force_reference"], problem
    for group in PEOPLE:
        people = referral.get(group)
        if not isinstance(people, list):
            continue
        for j, person in enumerate(people):
            if not isinstance(person, dict):
                continue
            for key in NAMES:
                name = person.get(key)
                if (
                    isinstance(name, str)
                    and not _plain(name)
                    and (problem := name_problem(clean_name(name)))
                ):
                    yield [group, j, key], problem
            ref = person.get("ref")
            if _suspect_reference(ref) and (problem := reference_problem(_reference(ref))):
                yield [group, j, "ref"], problem
            aliases = person.get("aliases")
            if isinstance(aliases, list):
                for k, alias in enumerate(aliases):
                    if (
                        isinstance(alias, str)
                        and not _plain(alias)
                        and (problem := name_problem(clean_name(alias)))
                    ):
                        yield [group, j, "aliases", k], problem
