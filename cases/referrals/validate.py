"""Checking a referral file against the format (version 1) before anything is written.

The file is streamed with ijson, one referral at a time, so memory stays bounded however
large it is. Each referral is checked against the referral item of `referral.schema.json`
(JSON Schema draft 2020-12, dates checked to be real dates) and then for what a schema
cannot say: offences must name people listed in the referral, person refs are unique within
a referral, and (force, force_reference) is unique within the file. Every problem is
collected, never only the first, with the referral's index, its force reference and a JSON
path such as `$.referrals[3].suspects[1].date_of_birth`.
"""

import ast
import codecs
import itertools
import json
import operator
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, BinaryIO

import ijson
import jsonschema_rs
from django.core.exceptions import ValidationError
from jsonschema import Draft202012Validator

FORMAT = "beaconport-referrals/1"
TOP_LEVEL_KEYS = ("format", "referrals")
SCHEMA_PATH = Path(__file__).with_name("referral.schema.json")
MAX_PROBLEMS = 1000  # listed in full; beyond this they are only counted
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

    @property
    def ok(self) -> bool:
        return self.problem_count == 0

    def add(self, problem: Problem) -> None:
        self.problem_count += 1
        if problem.index is not None:
            self.invalid_referrals.add(problem.index)
        if len(self.problems) < MAX_PROBLEMS:
            self.problems.append(problem)


class ReferralInvalid(ValidationError):
    """A referral (or a whole file) that does not follow the format, with every problem."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__([str(p) for p in problems[:MAX_PROBLEMS]], code="referral_invalid")


@cache
def file_schema() -> dict:
    return json.loads(SCHEMA_PATH.read_text())


def _referral_schema() -> dict:
    schema = file_schema()
    return {**schema["properties"]["referrals"]["items"], "$schema": schema["$schema"]}


@cache
def referral_validator() -> Draft202012Validator:
    """A validator for one referral: the schema's `referrals` item, with date checking."""
    item = _referral_schema()
    Draft202012Validator.check_schema(item)
    return Draft202012Validator(item, format_checker=Draft202012Validator.FORMAT_CHECKER)


@cache
def _referral_gate():
    """The same schema compiled by jsonschema-rs: ~100 times faster to say "valid".

    jsonschema's pure-Python walk costs over a millisecond a referral, most of a large
    import's time; the compiled validator lets the valid majority through at once, and
    jsonschema still explains, precisely and completely, any referral it rejects.
    """
    return jsonschema_rs.validator_for(_referral_schema(), validate_formats=True)


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
    return schema.get("format") == "date" or "pattern" in schema


def _schema_errors(referral: Any, base: list) -> Iterator[tuple[list, str]]:
    """(path parts, reason) for every schema violation of one referral."""
    gate = _referral_gate()
    if gate.is_valid(referral):
        return
    explained = False
    for error in referral_validator().iter_errors(referral):
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


def _force_reference(referral: Any) -> str | None:
    if isinstance(referral, dict) and isinstance(referral.get("force_reference"), str):
        return referral["force_reference"]
    return None


def referral_problems(referral: Any, index: int = 0) -> list[Problem]:
    """Every problem with one referral on its own (schema and cross-references)."""
    base = ["referrals", index]
    reference = _force_reference(referral)
    found = list(_schema_errors(referral, base))
    if isinstance(referral, dict):
        found += _person_refs(referral, base)
    problems = (Problem(index, reference, json_path(p), reason) for p, reason in found)
    return list(dict.fromkeys(problems))  # one date can break its pattern and its format


def validate_referral(referral: Any) -> None:
    """Raise ReferralInvalid listing every problem of one referral, if it has any."""
    problems = referral_problems(referral)
    if problems:
        raise ReferralInvalid(problems)


class _CountingReader:
    """A binary file wrapper that reports how many bytes have been read (for progress)."""

    def __init__(self, raw: BinaryIO, progress: Callable[[int], None] | None):
        self.raw = raw
        self.progress = progress

    def read(self, size: int = -1) -> bytes:
        data = self.raw.read(size)
        if self.progress and data:
            self.progress(len(data))
        return data


class _TopLevel:
    """Checks the document's outer object: its keys, the format and the referrals array."""

    # Events whose prefix is one of these belong to the outer object itself.
    PREFIXES = frozenset({"", *TOP_LEVEL_KEYS})

    def __init__(self, report: FileReport):
        self.report = report
        self.keys: list[str] = []

    def problem(self, path: str, reason: str) -> None:
        self.report.add(Problem(None, None, path, reason))

    def check(self, raw: BinaryIO) -> None:
        """Read the whole file once; raises ijson.JSONError where it is not JSON."""
        # Select the outer object's events without a Python step per event (tee and
        # compress run in C, in lockstep, so tee buffers nothing): a large file's
        # hundreds of thousands of inner events cost only the C parser's time.
        everything, prefixes = itertools.tee(ijson.parse(raw))
        selected = map(self.PREFIXES.__contains__, map(operator.itemgetter(0), prefixes))
        outer = itertools.compress(everything, selected)
        first = next(outer, None)
        if first is None:
            return
        if first[1] != "start_map":
            self.problem("$", f"the file must be a JSON object, not {_event_type(first[1])}")
            for _ in outer:  # read on, so a syntax error further down is still reported
                pass
            return
        after_key = None
        for prefix, event, value in outer:
            if prefix == "" and event == "map_key":
                self._key(value)
                after_key = value
            elif after_key is not None and prefix == after_key:
                if prefix == "format":
                    self._format(event, value)
                elif prefix == "referrals" and event != "start_array":
                    self.problem(
                        "$.referrals", f"must be an array of referrals, not {_event_type(event)}"
                    )
                after_key = None
        for key in TOP_LEVEL_KEYS:
            if key not in self.keys:
                self.problem(json_path([key]), "required field is missing")

    def _key(self, key: str) -> None:
        if key in self.keys:
            self.problem(json_path([key]), "the field appears twice")
        elif key not in TOP_LEVEL_KEYS:
            self.problem(json_path([key]), "unknown field: not part of the referral format")
        self.keys.append(key)

    def _format(self, event: str, value: Any) -> None:
        if event != "string" or value != FORMAT:
            shown = _short(value) if event in _SCALAR_EVENTS else f"an {_event_type(event)}"
            self.problem("$.format", f"must be {json.dumps(FORMAT)}, not {shown}")


_SCALAR_EVENTS = {"string", "number", "boolean", "null"}


def _event_type(event: str) -> str:
    return {"start_map": "object", "start_array": "array", "number": "a number"}.get(
        event, event if event in ("null",) else f"a {event}"
    )


def _position_of_syntax_error(path: Path) -> str:
    """Where a file stops being JSON, as "line L, column C", found by a slow exact re-read."""
    backend = ijson.get_backend("python")
    try:
        with path.open("rb") as raw:
            for _ in backend.basic_parse(raw):
                pass
    except UnicodeDecodeError:
        return "the file is not UTF-8 text"
    except ijson.JSONError as error:
        match = re.search(r" at (\d+)$", str(error))
        if match:
            line, column = _line_and_column(path, int(match.group(1)))
            return f"at line {line}, column {column}"
        if "Incomplete" in str(error) or "UTF-8" in str(error) or "codec" in str(error):
            line, column = _line_and_column(path, None)
            return f"the file ends too early, at line {line}, column {column}"
        return "unexpected content after the end of the document"
    return "unknown position"


def _line_and_column(path: Path, offset: int | None) -> tuple[int, int]:
    """1-based line and column of a character offset (None: the end of the file)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
    line, column, seen = 1, 1, 0
    with path.open("rb") as raw:
        while chunk := raw.read(1 << 16):
            text = decoder.decode(chunk)
            if offset is not None and seen + len(text) > offset:
                text = text[: offset - seen]
                chunk_done = True
            else:
                chunk_done = False
            newlines = text.count("\n")
            if newlines:
                line += newlines
                column = len(text) - text.rfind("\n")
            else:
                column += len(text)
            seen += len(text)
            if chunk_done:
                break
    return line, column


def validate_file(path: str | Path, *, progress: Callable[[int], None] | None = None) -> FileReport:
    """Check a whole referral file, streaming; every problem found is in the report."""
    path = Path(path)
    report = FileReport()
    try:
        with path.open("rb") as raw:
            _TopLevel(report).check(raw)
    except ijson.JSONError as error:
        message = str(error).strip()
        first_line = message.splitlines()[0] if message else "invalid"
        where = _position_of_syntax_error(path)
        report.add(Problem(None, None, "$", f"not valid JSON, {where}: {first_line}"))
    seen: dict[tuple[str, str], int] = {}
    try:
        for index, referral in enumerate(iter_referrals(path, progress=progress)):
            report.referrals += 1
            for problem in referral_problems(referral, index):
                report.add(problem)
            key = _file_key(referral)
            if key is None:
                continue
            if key in seen:
                report.add(
                    Problem(
                        index,
                        key[1],
                        json_path(["referrals", index, "force_reference"]),
                        f"duplicate referral: force {key[0]!r} reference {key[1]!r} "
                        f"is already at $.referrals[{seen[key]}]",
                    )
                )
            else:
                seen[key] = index
    except ijson.JSONError:
        pass  # already reported, with its position, by the first reading
    return report


def _file_key(referral: Any) -> tuple[str, str] | None:
    if not isinstance(referral, dict):
        return None
    force, reference = referral.get("force"), referral.get("force_reference")
    if isinstance(force, str) and isinstance(reference, str):
        return force, reference
    return None


def iter_referrals(
    path: str | Path, *, progress: Callable[[int], None] | None = None
) -> Iterator[dict]:
    """The referrals of an already validated file, one at a time (bounded memory)."""
    with Path(path).open("rb") as raw:
        yield from ijson.items(_CountingReader(raw, progress), "referrals.item", use_float=True)
