"""Reading a referral file so that no file can hurt the reader: one referral at a time,
within limits measured from the format itself, refused before anything large is built.

A JSON file can hold what the format never needs and a parser happily builds: nesting
200,000 levels deep (ijson's prefixes alone then grow with the square of the depth), a
number of 10**30 or of 5,000 digits, one key twice (the last silently wins), a referral of a
million values, a file of any size. The reader walks ijson's basic events (no prefixes, no
objects) and checks each against `Limits` as it arrives: nesting no deeper than the schema's
own deepest value, every key once per object, whole numbers within 64 bits (the format has
no other kind), at most so many values and characters in one referral, at most so many bytes
in the file. Only then does it add the event to the referral being built, so it never holds
more than one referral, and that one is bounded. Every problem is reported with the
referral's index, its force reference and a JSON path, in the importer's own `Problem` form.
"""

import dataclasses
import hashlib
from collections.abc import Callable, Iterator
from typing import Any, BinaryIO

import ijson

MAX_PROBLEMS = 1000  # listed in full; then reading stops, so garbage cannot take hours
# One referral: far beyond what a real one holds (the synthetic ones have at most ~330
# values and ~2,000 characters; the format's texts add up to 15,000 characters, and a
# group case may list hundreds of people), small enough that building it costs little.
MAX_REFERRAL_VALUES = 20_000
MAX_REFERRAL_CHARACTERS = 500_000
INT_RANGE = (-(2**63), 2**63 - 1)  # no field of the format holds more; a database bigint
_SHORT = 40
_STARTS = {"start_map": dict, "start_array": list}
_ENDS = frozenset({"end_map", "end_array"})
_TYPE_NAMES = {
    "start_map": "an object",
    "start_array": "an array",
    "string": "a string",
    "number": "a number",
    "boolean": "a boolean",
    "null": "null",
}


class UnreadableNumber(Exception):
    """A number Python refuses to convert (over 4,300 digits)."""


class NumberOutOfRange(Exception):
    """A number beyond 64 bits, refused by the fast reading before it was converted."""


@dataclasses.dataclass(frozen=True)
class Limits:
    """What a referral file may hold, beyond which reading stops or a referral is refused."""

    max_bytes: int
    max_depth: int
    fractions: bool = False  # whether any field of the format takes a non-whole number
    max_values: int = MAX_REFERRAL_VALUES
    max_characters: int = MAX_REFERRAL_CHARACTERS


def schema_depth(schema: Any) -> int:
    """How deeply objects and arrays nest in the deepest document the schema accepts.

    The format's own measure of "too deep": an object or array counts one level. A schema
    that lets some object or array hold anything (no `additionalProperties: false`, no
    `items`) has no such bound, and is refused rather than guessed at.
    """
    if not isinstance(schema, dict):
        return 0
    depths = [0]
    types = schema.get("type", [])
    types = {types} if isinstance(types, str) else set(types)
    for keyword in ("anyOf", "oneOf", "allOf"):
        depths += [schema_depth(branch) for branch in schema.get(keyword, [])]
    for value in [*schema.get("enum", []), *([schema["const"]] if "const" in schema else [])]:
        depths.append(_value_depth(value))
    if "object" in types or "properties" in schema:
        if schema.get("additionalProperties", True) is not False:
            raise ValueError("an object in the schema accepts any key: its depth is unbounded")
        inner = [schema_depth(s) for s in schema.get("properties", {}).values()]
        depths.append(1 + max(inner, default=0))
    if "array" in types or "items" in schema:
        if "items" not in schema:
            raise ValueError("an array in the schema accepts anything: its depth is unbounded")
        depths.append(1 + schema_depth(schema["items"]))
    return max(depths)


def _value_depth(value: Any) -> int:
    if isinstance(value, dict):
        return 1 + max((_value_depth(v) for v in value.values()), default=0)
    if isinstance(value, list):
        return 1 + max((_value_depth(v) for v in value), default=0)
    return 0


def schema_takes_fractions(schema: Any) -> bool:
    """Whether any value in the schema may be a non-whole number (`"type": "number"`)."""
    if isinstance(schema, dict):
        types = schema.get("type", [])
        if types == "number" or (isinstance(types, list) and "number" in types):
            return True
        return any(schema_takes_fractions(v) for v in schema.values())
    if isinstance(schema, list):
        return any(schema_takes_fractions(v) for v in schema)
    return False


class FileTooLarge(Exception):
    """More bytes came from the file than the limit allows (it grew, or is not a file)."""


BLOCK = 64 * 2**10  # what ijson asks for at a time; the unit of the digests below


class CappedReader:
    """A binary file read in fixed blocks that stops at `max_bytes`, reports how many bytes
    have been read, and records each block's SHA-256 (so a second reading can prove it
    reads exactly the bytes that were checked)."""

    def __init__(self, raw: BinaryIO, max_bytes: int, progress: Callable[[int], None] | None):
        self.raw = raw
        self.max_bytes = max_bytes
        self.progress = progress
        self.read_so_far = 0
        self.digests: list[bytes] = []

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing first, to learn whether bytes or text come
            return b""
        data = self.raw.read(BLOCK)
        self.read_so_far += len(data)
        if self.read_so_far > self.max_bytes:
            raise FileTooLarge(self.read_so_far)
        self.digests.append(hashlib.sha256(data).digest())
        if self.progress and data:
            self.progress(len(data))
        return data


class FileChanged(Exception):
    """A block read again differs from the block that was checked."""


class VerifyingReader:
    """A binary file read in the same blocks as a CappedReader read it, each compared with
    the digest recorded then: FileChanged at the first block that differs (or is extra)."""

    def __init__(self, raw: BinaryIO, digests: list[bytes], progress):
        self.raw = raw
        self.digests = digests
        self.progress = progress
        self.blocks = 0

    def read(self, size: int = -1) -> bytes:
        if size == 0:  # ijson asks for nothing first, to learn whether bytes or text come
            return b""
        data = self.raw.read(BLOCK)
        expected = self.digests[self.blocks] if self.blocks < len(self.digests) else None
        if hashlib.sha256(data).digest() != expected:
            raise FileChanged(self.blocks * BLOCK)
        self.blocks += 1
        if self.progress and data:
            self.progress(len(data))
        return data


def _short(value: Any) -> str:
    text = str(value)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


# Where the reading is: before the document, in its outer object, in the referrals array,
# building a referral, or skipping a value (refused whole, or past a referral's caps).
_DOCUMENT, _OUTER, _LISTING, _BUILDING, _SKIPPING = range(5)


def _path_within(stack: list, key: Any) -> list:
    """The path inside a referral of the value about to be added to `stack[-1]` under `key`
    (ignored in an array): each container's child is its last key or its last item."""
    parts = []
    for container in stack[:-1]:
        parts.append(len(container) - 1 if type(container) is list else next(reversed(container)))
    top = stack[-1]
    parts.append(len(top) if type(top) is list else key)
    return parts


class ReferralReader:
    """Streams a file's referrals, checking every event against `limits` as it arrives.

    `problem(index, force_reference, path_parts, reason)` is told of each problem, and
    `top_level(key, event, value)` of each value of the outer object other than the
    referrals array; `stop()` says when enough problems have been found. `referrals()`
    yields (index, referral) for every referral read whole within the limits and without a
    problem of its own; one that breaks them is reported and not yielded.
    """

    def __init__(
        self,
        raw: BinaryIO,
        *,
        limits: Limits,
        problem: Callable[[int | None, str | None, list, str], None],
        top_level: Callable[[str, str, Any], None],
        stop: Callable[[], bool],
        exact: bool = False,
    ):
        self.raw = raw
        self.exact = exact
        self.limits = limits
        self.problem = problem
        self.top_level = top_level
        self.stop = stop

    def referrals(self) -> Iterator[tuple[int, Any]]:
        """(index, referral) one at a time; raises ijson.JSONError where the file stops
        being JSON, NumberOutOfRange (fast reading) where a number is beyond 64 bits, and
        UnreadableNumber (exact reading) for one Python will not read."""
        if self.exact:
            # Pure Python: numbers of any size become int or Decimal, so the reader can say
            # which one is out of range and where; about 2 MB a second.
            events = ijson.get_backend("python").basic_parse(self.raw)
        else:
            # yajl in C, numbers as int64 or float: yajl itself refuses a larger number, so
            # Python never converts thousands of digits (which can crash ijson's C code).
            events = ijson.basic_parse(self.raw, use_float=True)
        try:
            yield from self._read(events)
        except ijson.JSONError as error:
            if "overflow" in str(error):  # "integer overflow", "numeric ... overflow"
                raise NumberOutOfRange(str(error).splitlines()[0]) from None
            raise
        except ValueError as error:  # the exact reading, given over 4,300 digits
            raise UnreadableNumber(str(error)) from None

    def _read(self, events) -> Iterator[tuple[int, Any]]:
        # One loop with its state in local variables: it runs once for every event in the
        # file, so a step saved here is saved hundreds of thousands of times. A referral is
        # built as ijson's ObjectBuilder would, and checked as it is built.
        limits = self.limits
        max_depth, fractions = limits.max_depth, limits.fractions
        max_values, max_characters = limits.max_values, limits.max_characters
        inner_depth = max_depth - 2  # levels a referral may open inside the outer ones
        low, high = INT_RANGE
        state = _DOCUMENT
        seen: set[str] = set()  # the outer object's keys (only the format's own are kept)
        outer_key = None
        skip_outer_value = False
        skip_depth = skip_base = 0  # levels skipped so far; levels open when skipping began
        skip_back = _OUTER
        index = -1
        root = top = key = reference = None
        stack: list = []
        pending: list[tuple[list, str]] = []
        spoiled = False
        values = characters = 0

        for event, value in events:
            if state == _BUILDING:
                if event == "map_key":
                    values += 1
                    characters += len(value)
                    if value in top:
                        pending.append((_path_within(stack, value), "the field appears twice"))
                        spoiled = True
                        del top[value]  # so the later value is the last key, as paths assume
                    key = value
                    continue
                if event == "string":
                    values += 1
                    characters += len(value)
                    if type(top) is dict:
                        top[key] = value
                    else:
                        top.append(value)
                elif event == "end_map" or event == "end_array":
                    stack.pop()
                    if stack:
                        top = stack[-1]
                        continue
                    reference = _reference(root)
                    self._flush(index, reference, pending)
                    if not spoiled:
                        yield index, root
                    root = top = None
                    state = _LISTING
                    if self.stop():
                        return
                    continue
                elif event == "start_map" or event == "start_array":
                    values += 1
                    if len(stack) >= inner_depth:
                        pending.append((_path_within(stack, key), _too_deep(max_depth)))
                        self._flush(index, _reference(root), pending)
                        return
                    container = {} if event == "start_map" else []
                    if type(top) is dict:
                        top[key] = container
                    else:
                        top.append(container)
                    stack.append(container)
                    top = container
                else:  # number, boolean, null
                    values += 1
                    if event == "number" and (
                        (type(value) is not int and not fractions)
                        or (type(value) is int and not low <= value <= high)
                    ):
                        pending.append((_path_within(stack, key), _bad_number(value)))
                        spoiled = True
                    if type(top) is dict:
                        top[key] = value
                    else:
                        top.append(value)
                if values > max_values or characters > max_characters:
                    pending.append(([], _too_large(limits)))
                    reference = _reference(root)
                    skip_base, skip_depth, skip_back = 2, len(stack), _LISTING
                    root = top = None
                    stack = []
                    state = _SKIPPING
                continue

            if state == _SKIPPING:
                if event == "start_map" or event == "start_array":
                    skip_depth += 1
                    if skip_base + skip_depth > max_depth:
                        if skip_back == _LISTING:
                            pending.append(([], _too_deep(max_depth)))
                            self._flush(index, reference, pending)
                        else:
                            self.problem(None, None, [outer_key], _too_deep(max_depth))
                        return
                elif event == "end_map" or event == "end_array":
                    skip_depth -= 1
                    if skip_depth == 0:
                        state = skip_back
                        if skip_back == _LISTING:  # the end of a referral past its caps
                            self._flush(index, reference, pending)
                            if self.stop():
                                return
                continue

            if state == _LISTING:
                if event == "end_array":
                    state = _OUTER
                    continue
                index += 1
                if event == "start_map" or event == "start_array":
                    root = top = {} if event == "start_map" else []
                    stack = [root]
                    key = reference = None
                    spoiled = False
                    values, characters = 1, 0
                    state = _BUILDING
                    continue
                # A referral that is not an object: the schema says what is wrong with it.
                if event == "number" and (
                    (type(value) is not int and not fractions)
                    or (type(value) is int and not low <= value <= high)
                ):
                    self.problem(index, None, ["referrals", index], _bad_number(value))
                else:
                    yield index, value
                if self.stop():
                    return
                continue

            if state == _OUTER:
                if event == "map_key":
                    outer_key = value
                    skip_outer_value = self._outer_key(value, seen)
                    if self.stop():
                        return
                    continue
                if event == "end_map":
                    for name in ("format", "referrals"):
                        if name not in seen:
                            self.problem(None, None, [name], "required field is missing")
                    state = _DOCUMENT
                    continue
                if not skip_outer_value:
                    if outer_key == "referrals" and event == "start_array":
                        state = _LISTING
                        continue
                    self.top_level(outer_key, event, value)
                if event == "start_map" or event == "start_array":
                    skip_base, skip_depth, skip_back = 1, 1, _OUTER
                    state = _SKIPPING
                continue

            # _DOCUMENT: the file's one value
            if event != "start_map":
                what = _TYPE_NAMES[event]
                self.problem(None, None, [], f"the file must be a JSON object, not {what}")
                return
            state = _OUTER

    def _flush(self, index: int, reference: str | None, pending: list) -> None:
        for parts, reason in pending:
            self.problem(index, reference, ["referrals", index, *parts], reason)
        pending.clear()

    def _outer_key(self, key: str, seen: set) -> bool:
        """Checks a key of the outer object; True when its value is to be skipped."""
        if key in seen:
            self.problem(None, None, [key], "the field appears twice")
            return True
        if key not in ("format", "referrals"):
            self.problem(None, None, [key], "unknown field: not part of the referral format")
            return True
        seen.add(key)
        return False


def _reference(referral: Any) -> str | None:
    if isinstance(referral, dict) and isinstance(referral.get("force_reference"), str):
        return referral["force_reference"]
    return None


def _too_deep(max_depth: int) -> str:
    return (
        f"nested deeper than the format allows (at most {max_depth} levels of objects and "
        "arrays); the rest of the file was not read"
    )


def _too_large(limits: Limits) -> str:
    return (
        f"the referral is too large: more than {limits.max_values:,} values or "
        f"{limits.max_characters:,} characters, far more than the format needs"
    )


def _bad_number(value) -> str:
    if type(value) is not int:
        return f"{_short(value)} is not a whole number; every number in the format is whole"
    return f"{_short(value)} is out of range: no field of the format holds a number that large"
