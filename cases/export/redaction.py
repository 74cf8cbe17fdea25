"""Taking the case's people out of the free text of an export sent without names.

The record's free text (summaries, rationales, notes, findings) was written by people who
knew the names, and often uses them. What the case itself records of its people can be found
and replaced: each person's full name, surname, forenames and aliases become their reference
on the case (`[V1]`), their date of birth written in the usual ways becomes
`[date of birth of V1]`, and their phones, postcodes and vehicles (however spaced) become
`[identifier of V1]`. Matching takes whole words only, and is forgiving where writers are:

- case: "SMITH", "smith" and "Smith" are one name;
- accents: "Zoë" and "Zoe", "Łukasz" and "Lukasz", "Øyvind" and "Oyvind" match both ways
  (writers drop accents, and sometimes add them);
- the parts of a name may be split by spaces, a line break or a hyphen or dash, whatever the
  record used: "Smith-Jones", "Smith Jones", "Smith" and "Jones" on two lines; each part
  of a hyphenated name is a name by itself too ("Ms Jones" for Emma Smith-Jones);
- a possessive or plural keeps its ending: "Smith's" becomes "[V1]'s", "the Smiths"
  "the [V1]s".

A forename or surname that is also an everyday English word ("May", "Will", "Rose",
"Brown"; `EVERYDAY_WORDS`) is replaced only where it is written with a capital ("May said",
"MAY"), not in lower case ("she may have"): replacing the word everywhere would both spoil
the text and give the name away ("the suspect [V1] have left" can only be "may"). A name
written wholly in lower case is then left; the person exporting checks for it.

What cannot be found this way stays: a nickname or misspelling the record does not hold,
a name of someone who is not a party (a parent, a street), an address written out, a
one-letter initial, a name broken inside a word at a line's end. docs/export.md says so to
the person exporting.
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

# Names that are also everyday words, matched only when capitalised (see the module doc).
# Not exhaustive: a name missing here is matched in any case (more hidden, never less).
EVERYDAY_WORDS = frozenset(
    """
    may will june april august grace hope faith joy rose ruby amber pearl holly ivy lily
    daisy dawn summer autumn sky storm rain river angel honey candy crystal jade poppy
    heather iris violet hazel olive ginger sunny precious charity patience mercy mark bill
    jack frank rob sue pat art guy grant dean drew rich ray gene earl chase hunter cash
    chance royal sage bob don max miles victor penny brook cliff glen dale rusty sandy
    brown white green black grey gray young king baker hill wood wells long little hall
    bell cook lane price field page ward love bird fox lamb marsh day small short sharp
    best good bush park parks stone street church mills well hunt gold silver swan crow
    """.split()  # noqa: SIM905 (a list literal would take a line a word)
)

_SPACES = re.compile(r"\s+")
_NOT_ALNUM = re.compile(r"[\W_]+")
# Between the parts of a name: spaces or a line break, or a hyphen or dash (spaced or not).
_PART_SEPARATOR = r"(?:\s*[-\u2010-\u2015]\s*|\s+)"
_SPLIT_PARTS = re.compile(r"[\s\-\u2010-\u2015]+")

# Letters without a decomposition that writers still write without their mark, and the
# curly apostrophes (O-curly-apostrophe-Brien is "O'Brien").
_FOLD_EXTRA = {
    "ø": "o", "Ø": "O", "ł": "l", "Ł": "L", "đ": "d", "Đ": "D", "\u0131": "i",
    "\u2018": "'", "\u2019": "'", "\u02bc": "'",
}  # fmt: skip


class _Folding(dict):
    """A str.translate table dropping accents one character for one, built as it is used.

    One for one matters: a match found in the folded text is cut from the original text at
    the same offsets.
    """

    def __missing__(self, code: int) -> int:
        char = chr(code)
        base = _FOLD_EXTRA.get(char)
        if base is None:
            stripped = "".join(
                c for c in unicodedata.normalize("NFD", char) if not unicodedata.combining(c)
            )
            base = stripped if len(stripped) == 1 else char
        self[code] = ord(base)
        return self[code]


_FOLDING = _Folding()


@dataclass(frozen=True)
class Known:
    """What the case records of one person that could identify them in free text."""

    ref: str
    names: tuple[str, ...] = ()
    identifiers: tuple[str, ...] = ()
    born: datetime.date | None = None


def _nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text or "")


def _fold(text: str) -> str:
    """The NFC text without its accents, as long as it (see `_Folding`)."""
    return text.translate(_FOLDING)


def _name_key(text: str) -> str:
    return " ".join(part for part in _SPLIT_PARTS.split(_fold(_nfc(text)).lower()) if part)


def _identifier_key(text: str) -> str:
    return _NOT_ALNUM.sub("", _fold(_nfc(text))).lower()


def _name_and_parts(name: str) -> list[str]:
    """A recorded name, and each part of it that a hyphen joins ("Smith-Jones": Smith, Jones)."""
    found = [name]
    for word in _SPACES.split(name.strip()):
        parts = [part for part in _SPLIT_PARTS.split(word) if part]
        if len(parts) > 1:
            found += parts
    return found


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
            for name in (part for recorded in person.names for part in _name_and_parts(recorded)):
                key = _name_key(name)
                if len(key) < MIN_NAME_LENGTH:
                    continue
                self._names.setdefault(key, set()).add(person.ref)
                # Whatever spacing, line break or hyphen the text uses between the parts.
                source = _PART_SEPARATOR.join(re.escape(part) for part in key.split(" "))
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
            # Longest first, so a full name is replaced whole before its surname alone. A
            # plural "s" may follow a name ("the Smiths") and is kept after the reference.
            ordered = sorted(sources, key=lambda source: (-len(sources[source]), source))
            self._pattern = re.compile(
                r"(?<!\w)(?:" + "|".join(ordered) + r")(?=s?(?!\w))", re.IGNORECASE
            )

    def __call__(self, text: str | None) -> str:
        text = _nfc(text or "")
        if self._pattern is None or not text:
            return text
        out, done = [], 0
        for match in self._pattern.finditer(_fold(text)):
            written = text[match.start() : match.end()]
            replacement = self._replacement(match.group(0), written)
            if replacement is not None:
                out += [text[done : match.start()], replacement]
                done = match.end()
        out.append(text[done:])
        return "".join(out)

    def _replacement(self, found: str, written: str) -> str | None:
        """What replaces `found` (the folded match; `written` as in the text), or None to
        leave it."""
        if refs := self._names.get(_name_key(found)):
            if _name_key(found) in EVERYDAY_WORDS and written == written.lower():
                return None  # the everyday word, not the name (see the module doc)
            return f"[{_joined(refs)}]"
        if refs := self._dates.get(found.lower()):
            return f"[date of birth of {_joined(refs)}]"
        if refs := self._identifiers.get(_identifier_key(found)):
            return f"[identifier of {_joined(refs)}]"
        return "[redacted]"  # matched under another case folding: still one of theirs
