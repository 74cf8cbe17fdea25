"""Reading a whole referral file: checked once, streaming, then read again for writing.

`validate_file` reads the file through `reader.ReferralReader` (within `Limits` measured
from the schema and REFERRAL_FILE_MAX_BYTES), cleans each referral (`plausible`), checks it
(`validate.referral_problems`) and that (force, force_reference) is unique within the file,
and reports every problem it found, up to MAX_PROBLEMS. `iter_referrals` then reads the
same bytes, proven block by block to be the ones checked, for the writing.
"""

import codecs
import json
import re
from collections.abc import Callable, Collection, Iterator
from functools import cache
from pathlib import Path
from typing import Any

import ijson
from django.conf import settings
from django.utils import timezone

from cases.referrals.plausible import referral_clean
from cases.referrals.reader import (
    BLOCK,
    MAX_PROBLEMS,
    CappedReader,
    FileChanged,
    FileTooLarge,
    Limits,
    NumberOutOfRange,
    ReferralReader,
    UnreadableNumber,
    VerifyingReader,
    schema_depth,
    schema_takes_fractions,
)
from cases.referrals.validate import (
    FORMAT,
    FORMAT_V2,
    FORMATS,
    FileReport,
    Problem,
    ReferralFileChanged,
    file_schema,
    json_path,
    referral_problems,
    version_2_fields,
)

EXACT_POSITION_BYTES = 4 * 2**20  # where a syntax error is, exactly, only in files this small
READ_CHUNK = BLOCK  # what ijson is given at a time
_SHORT = 60


def _short(value: Any) -> str:
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= _SHORT else text[: _SHORT - 1] + "…"


_SCALAR_EVENTS = {"string", "number", "boolean", "null"}


def _event_type(event: str) -> str:
    return {"start_map": "object", "start_array": "array", "number": "a number"}.get(
        event, event if event in ("null",) else f"a {event}"
    )


def _position_of_syntax_error(path: Path, read: int) -> str:
    """Where a file stops being JSON, as "line L, column C", found by a slow exact re-read
    (about 2 MB a second) of the `read` bytes the fast reading got through; past
    EXACT_POSITION_BYTES, only roughly where."""
    if read > EXACT_POSITION_BYTES:
        return f"somewhere in bytes {max(read - READ_CHUNK, 0):,} to {read:,}"
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
    except ValueError:  # a number too long for Python, which the fast reading took in
        return f"somewhere in bytes {max(read - READ_CHUNK, 0):,} to {read:,}"
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


def file_limits(max_bytes: int | None = None) -> Limits:
    """The limits a file is read within: its size from settings (REFERRAL_FILE_MAX_BYTES)
    unless told otherwise; its nesting and its kinds of number measured from the schema."""
    if max_bytes is None:
        max_bytes = settings.REFERRAL_FILE_MAX_BYTES
    return Limits(max_bytes=max_bytes, **_schema_limits())


@cache
def _schema_limits() -> dict:
    """The widest of the versions: the format is not known before the file is read."""
    schemas = [file_schema(format) for format in FORMATS]
    return {
        "max_depth": max(map(schema_depth, schemas)),
        "fractions": any(map(schema_takes_fractions, schemas)),
    }


def _format_value(report: FileReport, key: str, event: str, value: Any) -> None:
    """Checks a value of the outer object (the format, or a referrals that is no array)."""
    if key == "referrals":
        report.add(
            Problem(
                None,
                None,
                "$.referrals",
                f"must be an array of referrals, not {_event_type(event)}",
            )
        )
    elif key == "format" and event == "string" and value in FORMATS:
        report.format = value
    elif key == "format":
        shown = _short(value) if event in _SCALAR_EVENTS else f"an {_event_type(event)}"
        allowed = " or ".join(map(json.dumps, FORMATS))
        report.add(Problem(None, None, "$.format", f"must be {allowed}, not {shown}"))


def _read(
    path: Path,
    report: FileReport,
    limits: Limits,
    progress: Callable[[int], None] | None,
    *,
    exact: bool = False,
) -> Iterator[tuple[int, Any]]:
    """Every referral read within `limits`, cleaned, with its index; every problem reading
    finds (the file's size, its JSON, the limits, the outer object) goes to `report`.

    `exact` reads in pure Python, slowly, to say where a number out of range stands."""
    size = path.stat().st_size
    if size > limits.max_bytes:
        report.add(Problem(None, None, "$", _too_large(size, limits.max_bytes)))
        return

    def problem(index, reference, parts, reason):
        report.add(Problem(index, reference, json_path(parts), reason))

    with path.open("rb") as raw:
        capped = CappedReader(raw, limits.max_bytes, progress)
        report.digests = capped.digests
        reader = ReferralReader(
            capped,
            limits=limits,
            problem=problem,
            top_level=lambda key, event, value: _format_value(report, key, event, value),
            stop=lambda: report.problem_count >= MAX_PROBLEMS,
            exact=exact,
        )
        try:
            for index, referral in reader.referrals():
                yield index, referral_clean(referral)
        except FileTooLarge as error:
            report.add(Problem(None, None, "$", _too_large(error.args[0], limits.max_bytes)))
        except (UnreadableNumber, NumberOutOfRange) as error:
            read = capped.read_so_far
            report.number_out_of_range = isinstance(error, NumberOutOfRange)
            problem(
                None,
                None,
                [],
                f"a number out of range (beyond 64 bits, or over 4,300 digits), somewhere in "
                f"bytes {max(read - READ_CHUNK, 0):,} to {read:,}",
            )
        except ijson.JSONError as error:
            message = str(error).strip()
            first_line = message.splitlines()[0] if message else "invalid"
            where = _position_of_syntax_error(path, capped.read_so_far)
            if re.match(r"Unexpected symbol '-?\d{30}", first_line):  # Python's digit limit
                reason = f"a number out of range (over 4,300 digits), {where}"
            else:
                reason = f"not valid JSON, {where}: {first_line}"
            report.add(Problem(None, None, "$", reason))
    if report.problem_count >= MAX_PROBLEMS:
        report.add_last(
            Problem(
                None,
                None,
                "$",
                f"checking stopped after {MAX_PROBLEMS} problems; the rest of the file was "
                "not read",
            )
        )


def _too_large(size: int, limit: int) -> str:
    return (
        f"the file is larger than {limit:,} bytes (REFERRAL_FILE_MAX_BYTES; it has at least "
        f"{size:,}): split it, or raise the limit with --max-bytes"
    )


def validate_file(
    path: str | Path,
    *,
    progress: Callable[[int], None] | None = None,
    max_bytes: int | None = None,
    forces: Collection[str] | None = None,
) -> FileReport:
    """Check a whole referral file, streaming; every problem found is in the report.

    With `forces` (slugs), a referral for any other force is a problem like the rest: the
    importer's scope (a review lead takes in only their teams' forces)."""
    path = Path(path)
    limits = file_limits(max_bytes)
    report = _check(path, limits, progress, forces=forces)
    if report.number_out_of_range and path.stat().st_size <= EXACT_POSITION_BYTES:
        # to say where it is, exactly
        report = _check(path, limits, None, exact=True, forces=forces)
    return report


@cache
def _known_forces() -> frozenset[str]:
    """Every force slug the formats know (the same list in both versions)."""
    return frozenset(
        slug
        for format in FORMATS
        for slug in file_schema(format)["properties"]["referrals"]["items"]["properties"]["force"][
            "enum"
        ]
    )


def _force_problem(referral: Any, index: int, report: FileReport, forces) -> None:
    """Notes the force a referral names; a known force outside `forces` is a problem (an
    unknown one is already the schema's)."""
    force = referral.get("force") if isinstance(referral, dict) else None
    if not (isinstance(force, str) and force in _known_forces()):
        return
    report.forces.add(force)
    if forces is not None and force not in forces:
        reference = referral.get("force_reference")
        report.add(
            Problem(
                index,
                reference if isinstance(reference, str) else None,
                json_path(["referrals", index, "force"]),
                f"force {force!r} is not one of the forces your teams cover: only a lead "
                "of its team, or a national lead, may take in its referrals",
            )
        )


def _check(path: Path, limits: Limits, progress, *, exact: bool = False, forces=None) -> FileReport:
    report = FileReport()
    seen: dict[tuple[str, str], int] = {}
    today = timezone.localdate()
    # Version 2 fields met before the file said its version (a "format" after the
    # referrals): checked as version 2, refused at the end if the file is version 1.
    early: list[tuple[int, str | None, str]] = []
    for index, referral in _read(path, report, limits, progress, exact=exact):
        report.referrals += 1
        _force_problem(referral, index, report, forces)
        format = report.format or FORMAT_V2
        for problem in referral_problems(referral, index, today=today, format=format):
            report.add(problem)
        if report.format is None and len(early) < MAX_PROBLEMS:
            reference = referral.get("force_reference") if isinstance(referral, dict) else None
            early += ((index, reference, where) for where in version_2_fields(referral, index))
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
    if report.format == FORMAT:
        for index, reference, where in early[:MAX_PROBLEMS]:
            reason = "unknown field: not part of the referral format"
            report.add(
                Problem(index, reference if isinstance(reference, str) else None, where, reason)
            )
    return report


def _file_key(referral: Any) -> tuple[str, str] | None:
    if not isinstance(referral, dict):
        return None
    force, reference = referral.get("force"), referral.get("force_reference")
    if isinstance(force, str) and isinstance(reference, str):
        return force, reference
    return None


def iter_referrals(
    path: str | Path,
    *,
    digests: list[bytes],
    progress: Callable[[int], None] | None = None,
) -> Iterator[dict]:
    """The referrals of a file that passed its check, cleaned, one at a time (bounded memory).

    `digests` are the check's (FileReport.digests): every block read must be the block that
    was checked, so ijson's C builder may read them at full speed; ReferralFileChanged at
    the first that is not.
    """
    with Path(path).open("rb") as raw:
        try:
            checked = VerifyingReader(raw, digests, progress)
            for referral in ijson.items(checked, "referrals.item", use_float=True):
                yield referral_clean(referral)
        except FileChanged:
            raise ReferralFileChanged([]) from None
