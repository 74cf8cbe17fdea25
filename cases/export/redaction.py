"""Taking the case's people out of the free text of an export sent without names.

The record's free text (summaries, rationales, notes, findings) was written by people who
knew the names, and often uses them. What the case itself records of its people can be found
and replaced: each person's full name, surname, forenames and aliases become their reference
on the case (`[V1]`), their date of birth written in the usual ways becomes
`[date of birth of V1]`, and their phones, postcodes and vehicles (however spaced) become
`[identifier of V1]`. Matching ignores case and takes whole words only.

What cannot be found this way stays: a nickname or misspelling the record does not hold,
a name of someone who is not a party (a parent, a street), an address written out, a
one-letter initial. docs/export.md says so to the person exporting.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

# Shorter names are left alone: an initial ("J") would take every lone letter of the text.
MIN_NAME_LENGTH = 2
# An identifier is matched ignoring spaces and hyphens, so it needs enough characters of its
# own not to match ordinary numbers by chance.
MIN_IDENTIFIER_LENGTH = 4

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")


@dataclass(frozen=True)
class Known:
    """What the case records of one person that could identify them in free text."""

    ref: str
    names: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    born: datetime.date | None = None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _name_key(text: str) -> str:
    return _SPACES.sub(" ", _nfc(text)).strip().lower()


def _identifier_key(text: str) -> str:
    return _NOT_ALNUM.sub("", _nfc(text)).lower()


def date_spellings(day: datetime.date) -> set[str]:
    """A date as a statement or a log usually writes it."""
    return {
        f"{day:%d/%m/%Y}",
        f"{day.day}/{day.month}/{day.year}",
        f"{day:%d.%m.%Y}",
        f"{day:%d-%m-%Y}",
        f"{day:%Y-%m-%d}",
        f"{day.day} {day:%B} {day.year}",
        f"{day.day} {day:%b} {day.year}",
        f"{day:%B} {day.day}, {day.year}",
    }


def _joined(refs: set[str]) -> str:
    return "/".join(sorted(refs))


@dataclass
class Redactor:
    """Replaces what the case records of its people in a piece of free text.

    Built once per export from every party of the case; `Redactor([])` (or `names_shown`)
    changes nothing.
    """

    people: Iterable[Known] = ()
    names_shown: bool = False
    _names: dict[str, set[str]] = field(default_factory=dict, init=False)
    _identifiers: dict[str, set[str]] = field(default_factory=dict, init=False)
    _dates: dict[str, set[str]] = field(default_factory=dict, init=False)
    _pattern: re.Pattern | None = field(default=None, init=False)

    def __post_init__(self):
        if self.names_shown:
            return
        sources: dict[str, str] = {}  # regex source -> sort key (longest first)
        for person in self.people:
            for name in person.names:
                key = _name_key(name)
                if len(key) < MIN_NAME_LENGTH:
                    continue
                self._names.setdefault(key, set()).add(person.ref)
                # Whatever spacing the text uses between the parts of a name.
                source = r"\s+".join(re.escape(part) for part in key.split(" "))
                sources[source] = key
            for value in person.identifiers:
                key = _identifier_key(value)
                if len(key) < MIN_IDENTIFIER_LENGTH:
                    continue
                self._identifiers.setdefault(key, set()).add(person.ref)
                sources[r"[\s-]*".join(re.escape(char) for char in key)] = key
            if person.born is not None:
                for spelling in date_spellings(person.born):
                    key = spelling.lower()
                    self._dates.setdefault(key, set()).add(person.ref)
                    sources[re.escape(key)] = key
        if sources:
            # Longest first, so a full name is replaced whole before its surname alone.
            ordered = sorted(sources, key=lambda source: (-len(sources[source]), source))
            self._pattern = re.compile(
                r"(?<!\w)(?:" + "|".join(ordered) + r")(?!\w)", re.IGNORECASE
            )

    def __call__(self, text: str | None) -> str:
        text = _nfc(text or "")
        if self._pattern is None or not text:
            return text
        return self._pattern.sub(self._replacement, text)

    def _replacement(self, match: re.Match) -> str:
        found = match.group(0)
        if refs := self._names.get(_name_key(found)):
            return f"[{_joined(refs)}]"
        if refs := self._dates.get(found.lower()):
            return f"[date of birth of {_joined(refs)}]"
        if refs := self._identifiers.get(_identifier_key(found)):
            return f"[identifier of {_joined(refs)}]"
        return "[redacted]"  # matched under another case folding: still one of theirs
