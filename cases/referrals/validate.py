"""Checking referrals against the format (version 1 or 2) before anything is written.

Each referral is checked against the referral item of its version's schema
(`referral.schema.json`, `referral-v2.schema.json`: JSON Schema draft 2020-12, dates checked
to be real dates) and then for what a schema cannot say: a PNC ID must be one
(`cases.linkage.keys.pnc_key`),
offences must name people listed in the referral, person refs are unique within a referral,
dates are plausible and names hold nothing that disguises them (`plausible`). Every problem
is collected, never only the first, with the referral's index, its force reference and a
JSON path such as `$.referrals[3].suspects[1].date_of_birth`. Reading a whole file, one
referral at a time within limits, is `files`.
"""

import ast
import datetime
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import jsonschema_rs
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

from cases.linkage.keys import pnc_key
from cases.referrals.plausible import implausible
from cases.referrals.reader import MAX_PROBLEMS

FORMAT = "beaconport-referrals/1"
FORMAT_V2 = "beaconport-referrals/2"
FORMATS = (FORMAT, FORMAT_V2)
TOP_LEVEL_KEYS = ("format", "referrals")
SCHEMA_PATH = Path(__file__).with_name("referral.schema.json")
SCHEMA_PATHS = {FORMAT: SCHEMA_PATH, FORMAT_V2: Path(__file__).with_name("referral-v2.schema.json")}
# What version 2 adds to every person, all optional.
V2_PERSON_FIELDS = ("aliases", "pnc_id", "postcodes", "phones", "vehicles")
PNC_REASON = (
    "is not a PNC ID: two (or four) digits of the year, a slash, up to seven digits and a check "
    "letter (e.g. 98/1234567X)"
)
# Why a value of a version 2 list does not match its pattern, by the list's name.
_PATTERN_REASONS = {
    "postcodes": "is not a UK postcode in capitals (e.g. LS1 1AA or LS11AA)",
    "phones": "is not a phone number: digits and spaces, an optional leading +",
    "vehicles": "is not a vehicle registration mark: 2 to 10 capitals, digits and spaces",
}
_SHORT = 60  # characters of an offending value quoted in a reason

# What an unknown value of an enumerated field is called in a reason.
_ENUM_NOUNS = {
    "force": "force",
    "type": "offence type",
    "outcome": "decision outcome",
    "decided_by": "decision maker",
    "gender": "gender",
    "ethnicity": "ethnicity category",
    "ethnicity_source": "ethnicity source",
}


@dataclass(frozen=True)
class Problem:
    """One thing wrong with a referral file: where it is and why it is wrong."""

    index: int | None  # position of the referral in the file, from 0; None for the file
    force_reference: str | None
    path: str
    reason: str

    def __str__(self) -> str:
        if self.index is None:
            return f"{self.path}: {self.reason}"
        reference = f" ({self.force_reference})" if self.force_reference else ""
        return f"referral {self.index}{reference} at {self.path}: {self.reason}"


@dataclass
class FileReport:
    """What checking a whole file found: how many referrals, and every problem."""

    referrals: int = 0
    problems: list[Problem] = field(default_factory=list)
    problem_count: int = 0
    invalid_referrals: set[int] = field(default_factory=set)
    digests: list[bytes] = field(default_factory=list, repr=False)  # of the blocks read
    number_out_of_range: bool = False  # found by the fast reading, which cannot say where
    format: str | None = None  # the file's version, once read (FORMAT or FORMAT_V2)
    forces: set[str] = field(default_factory=set)  # the known forces its referrals name

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if problem.index is not None:
            self.invalid_referrals.add(problem.index)
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)

    def add_last(self, problem: Problem) -> None:
        """Adds a problem listed however many came before (why checking stopped)."""
        self.problem_count += 1
        self.problems.append(problem)


class ReferralInvalid(ValidationError):
    """A referral (or a whole file) that does not follow the format, with every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(p) for p in problems[:MAX_PROBLEMS]], code="referral_invalid")


class ReferralFileChanged(Exception):
    """A file read again after its check is not the file that was checked."""


@cache
def file_schema(format: str = FORMAT) -> dict:
    """The JSON Schema of a whole file of the given version (version 1 by default)."""
    return json.loads(SCHEMA_PATHS[format].read_text())


def _referral_schema(format: str) -> dict:
    schema = file_schema(format)
    return {**schema["properties"]["referrals"]["items"], "$schema": schema["$schema"]}


@cache
def referral_validator(format: str = FORMAT) -> Draft202012Validator:
    """A validator for one referral: the schema's `referrals` item, with date checking."""
    item = _referral_schema(format)
    Draft202012Validator.check_schema(item)
    return Draft202012Validator(item, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _referral_gate(format: str):
    """The same schema compiled by jsonschema-rs: ~100 times faster to say "valid".

    jsonschema's pure-Python walk costs over a millisecond a referral, most of a large
    import's time; the compiled validator lets the valid majority through at once, and
    jsonschema still explains, precisely and completely, any referral it rejects.
    """
    return jsonschema_rs.validator_for(_referral_schema(format), validate_formats=True)


def json_path(parts) -> str:
    """`$.referrals[3].suspects[1].date_of_birth` from ["referrals", 3, "suspects", 1, ...]."""
    out = "$"
    for part in parts:
        if isinstance(part, int):
            out += f"[{part}]"
        elif re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", part):
            out += f".{part}"
        else:
            out += f"[{json.dumps(part)}]"
    return out


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


def _json_type(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    if isinstance(value, dict):
        return "object"
    return type(value).__name__


def _is_date_schema(schema: dict) -> bool:
    return schema.get("format") == "date"


def _schema_errors(referral: Any, base: list, format: str) -> Iterator[tuple[list, str]]:
    """(path parts, reason) for every schema violation of one referral."""
    gate = _referral_gate(format)
    if gate.is_valid(referral):
        return
    explained = False
    for error in referral_validator(format).iter_errors(referral):
        explained = True
        yield from _explain(error, base)
    if not explained:  # the two implementations disagree: refuse, with the gate's words
        for error in gate.iter_errors(referral):
            yield [*base, *error.instance_path], error.message[:200]


def _explain(error, base: list) -> Iterator[tuple[list, str]]:
    path = [*base, *error.absolute_path]
    keyword = error.validator
    instance = error.instance
    if keyword == "additionalProperties":
        known = set(error.schema.get("properties", {}))
        for key in sorted(k for k in instance if k not in known):
            yield [*path, key], "unknown field: not part of the referral format"
    elif keyword == "required":
        name = ast.literal_eval(error.message.removesuffix(" is a required property"))
        yield [*path, name], "required field is missing"
    elif keyword in ("anyOf", "oneOf"):
        branches = error.schema[keyword]
        if path and path[-1] == "pnc_id" and isinstance(instance, str):
            yield path, f"{_short(instance)} {PNC_REASON}"
            return
        if isinstance(instance, str) and any(_is_date_schema(b) for b in branches):
            yield path, f"{_short(instance)} is not a valid date (YYYY-MM-DD)"
            return
        allowed = " or ".join(
            "a date (YYYY-MM-DD)" if _is_date_schema(b) else b.get("type", "value")
            for b in branches
        )
        yield path, f"must be {allowed}, not {_json_type(instance)}"
    elif keyword in ("format", "pattern") and _is_date_schema(error.schema):
        yield path, f"{_short(instance)} is not a valid date (YYYY-MM-DD)"
    elif keyword == "pattern" and len(path) >= 2 and path[-2] in _PATTERN_REASONS:
        yield path, f"{_short(instance)} {_PATTERN_REASONS[path[-2]]}"
    elif keyword == "maxItems":
        yield path, f"has {len(instance)} items; at most {error.validator_value} allowed"
    elif keyword == "enum":
        noun = _ENUM_NOUNS.get(path[-1] if path else "", "value")
        options = [o for o in error.validator_value if o is not None]
        tail = f": one of {', '.join(options)}" if len(options) <= 6 else ""
        nullable = " (or null)" if None in error.validator_value else ""
        yield path, f"{_short(instance)} is not a known {noun}{tail}{nullable}"
    elif keyword == "type":
        expected = error.validator_value
        expected = " or ".join(expected) if isinstance(expected, list) else expected
        yield path, f"must be {expected}, not {_json_type(instance)}"
    elif keyword == "maxLength":
        yield (
            path,
            f"is {len(instance)} characters long; at most {error.validator_value} allowed",
        )
    elif keyword == "minLength":
        yield path, "must not be empty"
    elif keyword in ("minimum", "maximum"):
        word = "at least" if keyword == "minimum" else "at most"
        yield path, f"{_short(instance)} is out of range: must be {word} {error.validator_value}"
    else:
        yield path, error.message[:200]


def _person_refs(referral: dict, base: list) -> Iterator[tuple[list, str]]:
    """Person refs unique within the referral; offences name only listed people."""
    seen: dict[str, list] = {}
    listed: dict[str, set[str]] = {"suspects": set(), "victims": set()}
    for group in ("suspects", "victims"):
        people = referral.get(group)
        if not isinstance(people, list):
            listed.pop(group)  # already reported; its refs cannot be checked
            continue
        for j, person in enumerate(people):
            ref = person.get("ref") if isinstance(person, dict) else None
            if not isinstance(ref, str):
                continue
            where = [*base, group, j, "ref"]
            if ref in seen:
                first = json_path(seen[ref])
                yield where, f"duplicate person ref {_short(ref)}: already used at {first}"
            else:
                seen[ref] = where
            listed[group].add(ref)
    offences = referral.get("offences")
    if not isinstance(offences, list):
        return
    for j, offence in enumerate(offences):
        if not isinstance(offence, dict):
            continue
        for key, group, noun, other in (
            ("victim_refs", "victims", "victim", "suspects"),
            ("suspect_refs", "suspects", "suspect", "victims"),
        ):
            refs = offence.get(key)
            if not isinstance(refs, list) or group not in listed:
                continue
            for k, ref in enumerate(refs):
                if not isinstance(ref, str) or ref in listed[group]:
                    continue
                where = [*base, "offences", j, key, k]
                if ref in listed.get(other, ()):
                    yield where, f"{_short(ref)} is listed as one of the {other}, not a {noun}"
                else:
                    yield where, f"{_short(ref)} names no {noun} listed in this referral"


def _people_of(referral: dict) -> Iterator[tuple[str, int, dict]]:
    for group in ("suspects", "victims"):
        people = referral.get(group)
        if isinstance(people, list):
            for j, person in enumerate(people):
                if isinstance(person, dict):
                    yield group, j, person


def _pnc_problems(referral: dict, base: list) -> Iterator[tuple[list, str]]:
    """A PNC ID the schema's pattern lets through but that is not one (a year of 3 or 4
    digits): linkage trusts a PNC ID, so one it cannot read is refused, not dropped."""
    for group, j, person in _people_of(referral):
        value = person.get("pnc_id")
        if isinstance(value, str) and not pnc_key(value):
            yield [*base, group, j, "pnc_id"], f"{_short(value)} {PNC_REASON}"


def version_2_fields(referral: Any, index: int) -> Iterator[str]:
    """The JSON path of every version 2 field a referral uses (unknown to version 1)."""
    if not isinstance(referral, dict):
        return
    for group, j, person in _people_of(referral):
        for name in V2_PERSON_FIELDS:
            if name in person:
                yield json_path(["referrals", index, group, j, name])


def _force_reference(referral: Any) -> str | None:
    if isinstance(referral, dict) and isinstance(referral.get("force_reference"), str):
        return referral["force_reference"]
    return None


def referral_problems(
    referral: Any,
    index: int = 0,
    *,
    today: datetime.date | None = None,
    format: str = FORMAT_V2,
) -> list[Problem]:
    """Every problem with one referral on its own (schema, cross-references, PNC IDs, and
    plausible dates, names and references as of `today`), checked as the given version
    (the latest by default: version 2 accepts every referral version 1 does)."""
    base = ["referrals", index]
    reference = _force_reference(referral)
    found = list(_schema_errors(referral, base, format))
    if isinstance(referral, dict):
        found += _person_refs(referral, base)
        if format != FORMAT:
            found += _pnc_problems(referral, base)
        found += (([*base, *parts], reason) for parts, reason in implausible(referral, today=today))
    problems = (Problem(index, reference, json_path(p), reason) for p, reason in found)
    return list(dict.fromkeys(problems))  # one date can break its pattern and its format


def validate_referral(referral: Any) -> None:
    """Raise ReferralInvalid listing every problem of one referral, if it has any."""
    problems = referral_problems(referral)
    if problems:
        raise ReferralInvalid(problems)
