"""A referral file cannot hurt the importer (issue 8): nesting deeper than the format,
numbers no field holds, a key twice, a file or a referral too large, implausible dates and
names that disguise themselves are refused with a located problem and nothing written, in
memory that does not grow with what the file holds."""

import os
import resource
import subprocess
import sys
from urllib.parse import quote

import pytest
from django.db import connection

from beaconport.audit.models import AuditEvent
from cases.models import Case, Person
from cases.referrals.importer import ReferralImportFailed, referral_file_import
from cases.referrals.reader import MAX_REFERRAL_VALUES, schema_depth
from cases.referrals.validate import file_schema
from tests.cases.test_import import ROOT, SAMPLE, refused, run_import, sample, snapshot, write
from tests.services import require_service

pytestmark = pytest.mark.django_db

ENVELOPE = '{"format": "beaconport-referrals/1", "referrals": '
MEMORY_LIMIT = 1 << 30  # address space for the importer run in a subprocess: 1 GiB


def listed_problems(listed: str) -> list[str]:
    return [line.strip() for line in listed.splitlines() if line.startswith("  ")]


def the_only_problem(path, *args) -> str:
    """The one problem listed for a refused file, having checked that nothing was written."""
    before = snapshot()
    error, listed = refused(path, *args)
    assert "nothing was written" in error
    assert snapshot() == before
    (problem,) = listed_problems(listed)
    return problem


def sample_text(old: str, new: str) -> str:
    """The sample file's text with one literal replaced, once (the way an attacker writes)."""
    text = SAMPLE.read_text()
    assert old in text
    return text.replace(old, new, 1)


def written(tmp_path, text: str, name="referrals.json"):
    path = tmp_path / name
    path.write_text(text)
    return path


def _limit_memory():  # runs in the child, before it starts Python
    resource.setrlimit(resource.RLIMIT_AS, (MEMORY_LIMIT, MEMORY_LIMIT))


def run_in_subprocess(path, tmp_path) -> tuple[int, str, int]:
    """(exit status, stderr, peak resident KiB) of `manage.py import_referrals FILE` in a
    child limited to 1 GiB of address space, on this test's database: if the importer
    misbehaves, the child dies of MemoryError and the test fails; the machine does not."""
    database = connection.settings_dict
    # The child shares this test's database, which only a server can offer.
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    password = f":{quote(database['PASSWORD'])}" if database.get("PASSWORD") else ""
    url = (
        f"postgresql://{quote(database['USER'])}{password}@{database['HOST']}:"
        f"{database['PORT']}/{database['NAME']}"
    )
    err = tmp_path / "stderr.txt"
    with err.open("w") as stderr:
        child = subprocess.Popen(
            [sys.executable, "manage.py", "import_referrals", str(path)],
            cwd=ROOT,
            env={**os.environ, "DEBUG": "true", "DATABASE_URL": url},
            stdout=subprocess.DEVNULL,
            stderr=stderr,
            preexec_fn=_limit_memory,  # setrlimit must run in the child
        )
        try:
            _, status, usage = os.wait4(child.pid, 0)
        except BaseException:
            child.kill()
            raise
    child.returncode = os.waitstatus_to_exitcode(status)
    return child.returncode, err.read_text(), usage.ru_maxrss


# --- nesting --------------------------------------------------------------------------------


def test_the_formats_own_depth_is_measured_from_its_schema():
    # $ {referrals [ {offences [ {victim_refs [ "V1" ] } ] } ] }: six levels, and no more.
    assert schema_depth(file_schema()) == 6
    deeper = {**file_schema(), "properties": {"x": {"type": "array", "items": file_schema()}}}
    assert schema_depth(deeper) == 8  # an object holding an array of whole files
    with pytest.raises(ValueError, match="unbounded"):
        schema_depth({"type": "object"})


def test_two_hundred_thousand_nested_arrays_are_refused_in_bounded_memory(tmp_path):
    # 400 KB that once grew the importer past 23 GB until the kernel killed it.
    path = written(tmp_path, ENVELOPE + "[" * 200_000 + "]" * 200_000 + "}")
    status, stderr, peak_kib = run_in_subprocess(path, tmp_path)
    assert status != 0
    assert "Traceback" not in stderr and "MemoryError" not in stderr, stderr[-2000:]
    assert (
        "referral 0 at $.referrals[0][0][0][0][0]: nested deeper than the format allows "
        "(at most 6 levels of objects and arrays); the rest of the file was not read"
    ) in stderr
    assert "nothing was written" in stderr
    assert peak_kib < 400 * 1024, f"peak resident memory {peak_kib} KiB"
    assert Case.objects.count() == 0


def test_fifty_thousand_nested_objects_are_refused_without_recursion(tmp_path):
    # Once a RecursionError in validate.py.
    path = written(tmp_path, ENVELOPE + "[" + '{"a": ' * 50_000 + "1" + "}" * 50_000 + "]}")
    problem = the_only_problem(path)
    assert problem.startswith("referral 0 at $.referrals[0].a.a.a.a: nested deeper than")


def test_one_level_deeper_than_the_format_is_refused_where_six_are_imported(tmp_path):
    doc = sample()
    doc["referrals"][2]["offences"][0]["victim_refs"] = [["V1"]]
    problem = the_only_problem(write(tmp_path, doc))
    assert problem.startswith(
        "referral 2 (NOR/00003/08) at $.referrals[2].offences[0].victim_refs[0]: nested deeper"
    )


def test_deep_nesting_outside_the_referrals_is_refused_too(tmp_path):
    path = written(tmp_path, '{"extra": ' + "[" * 1000 + "]" * 1000 + ', "format": 1}')
    _, listed = refused(path)
    problems = listed_problems(listed)
    assert problems[0] == "$.extra: unknown field: not part of the referral format"
    assert problems[1].startswith("$.extra: nested deeper than the format allows")
    assert len(problems) == 2  # reading stopped there: the format was never reached


# --- numbers --------------------------------------------------------------------------------

NUMBERS = {
    "ten to the thirtieth": ("1" + "0" * 30, "is out of range"),
    "below the smallest bigint": ("-9223372036854775809", "is out of range"),
    "a whole number written as a fraction": ("14.0", "14.0 is not a whole number"),
    "a fraction": ("14.5", "14.5 is not a whole number"),
    "beyond any float": ("1e400", "1E+400 is not a whole number"),
}


@pytest.mark.parametrize("kind", NUMBERS)
def test_a_number_no_field_holds_is_refused_where_it_stands(kind, tmp_path):
    number, reason = NUMBERS[kind]
    path = written(
        tmp_path, sample_text('"age_at_first_offence": 14', f'"age_at_first_offence": {number}')
    )
    problem = the_only_problem(path)
    assert problem.startswith("referral 6 (LIN/00007/20) at $.referrals[6].victims[0].")
    assert ".age_at_first_offence: " in problem
    assert reason in problem


def test_a_number_too_long_for_python_to_read_is_refused(tmp_path):
    path = written(
        tmp_path,
        sample_text('"age_at_first_offence": 14', '"age_at_first_offence": 1' + "0" * 5000),
    )
    problem = the_only_problem(path)
    assert problem.startswith("$: a number out of range (over 4,300 digits), at line ")


def test_a_whole_number_in_range_is_still_checked_by_the_schema(tmp_path):
    path = written(
        tmp_path, sample_text('"age_at_first_offence": 14', '"age_at_first_offence": 121')
    )
    assert the_only_problem(path).endswith("121 is out of range: must be at most 120")


# --- duplicate keys -------------------------------------------------------------------------


def test_a_key_twice_in_the_outer_object_is_refused(tmp_path):
    twice = '"format": "beaconport-referrals/1",' * 2
    path = written(tmp_path, sample_text('"format": "beaconport-referrals/1",', twice))
    assert the_only_problem(path) == "$.format: the field appears twice"


def test_a_key_twice_in_a_referral_is_refused_and_not_silently_the_last(tmp_path):
    path = written(tmp_path, sample_text('"summary": ', '"summary": "first", "summary": '))
    assert the_only_problem(path) == (
        "referral 0 (ESS/00001/23) at $.referrals[0].summary: the field appears twice"
    )


def test_a_key_twice_in_a_person_deep_in_a_referral_is_refused(tmp_path):
    path = written(
        tmp_path, sample_text('"surname": "Vance"', '"surname": "Vance", "surname": "Other"')
    )
    assert the_only_problem(path) == (
        "referral 0 (ESS/00001/23) at $.referrals[0].suspects[1].surname: the field appears twice"
    )


# --- size -----------------------------------------------------------------------------------


def test_a_file_over_the_configured_size_is_refused_unread(tmp_path, settings):
    settings.REFERRAL_FILE_MAX_BYTES = SAMPLE.stat().st_size - 1
    problem = the_only_problem(SAMPLE)
    assert problem.startswith(f"$: the file is larger than {SAMPLE.stat().st_size - 1:,} bytes")
    assert "REFERRAL_FILE_MAX_BYTES" in problem


def test_the_size_limit_can_be_given_for_one_import(tmp_path):
    problem = the_only_problem(SAMPLE, "--max-bytes", "1000")
    assert problem.startswith("$: the file is larger than 1,000 bytes")
    assert "40 created" in run_import(SAMPLE, "--max-bytes", str(SAMPLE.stat().st_size))


def test_a_referral_of_absurd_size_is_refused_before_it_is_built(tmp_path):
    doc = sample()
    doc["referrals"][4]["offences"] = [{}] * MAX_REFERRAL_VALUES
    problem = the_only_problem(write(tmp_path, doc))
    assert problem.startswith(
        "referral 4 (THA/00005/24) at $.referrals[4]: the referral is too large"
    )


def test_a_file_of_garbage_stops_being_read_after_a_thousand_problems(tmp_path):
    path = written(tmp_path, ENVELOPE + "[" + ", ".join(["1"] * 100_000) + "]}")
    _, listed = refused(path)
    problems = listed_problems(listed)
    assert len(problems) == 1001
    assert (
        problems[-1] == "$: checking stopped after 1000 problems; the rest of the file was not read"
    )


def test_a_file_changed_while_it_is_imported_writes_nothing(tmp_path):
    path = write(tmp_path, sample())
    original = path.read_bytes()
    assert len(original) > 65536  # more than one block, so a later one can change

    def change_the_end(_bytes_read):
        path.write_bytes(original.replace(b"Synthetic", b"Falsified"))

    with pytest.raises(ReferralImportFailed, match="changed while it was being imported"):
        referral_file_import(path, importing=change_the_end)
    assert Case.objects.count() == 0
    assert AuditEvent.objects.count() == 0


# --- dates, names and references, by the rules forms and the API use -------------------------

DATE_FIELDS = {
    "received_on": (0, ("received_on",)),
    "offence_period.start": (0, ("offence_period", "start")),
    "offence_period.end": (0, ("offence_period", "end")),
    "original_decision.decided_on": (0, ("original_decision", "decided_on")),
    "suspects[1].date_of_birth": (0, ("suspects", 1, "date_of_birth")),
    "victims[0].date_of_birth": (0, ("victims", 0, "date_of_birth")),
}


@pytest.mark.parametrize("day", ["0001-01-01", "9999-12-31"])
@pytest.mark.parametrize("field", DATE_FIELDS)
def test_a_year_one_or_far_future_date_is_refused_on_every_date_field(field, day, tmp_path):
    doc = sample()
    index, parts = DATE_FIELDS[field]
    target = doc["referrals"][index]
    for part in parts[:-1]:
        target = target[part]
    target[parts[-1]] = day
    problem = the_only_problem(write(tmp_path, doc))
    assert problem.startswith(f"referral 0 (ESS/00001/23) at $.referrals[0].{field}: {day} is")
    assert "Enter a date between 1 January 1900 and today." in problem


def test_a_direction_override_in_a_name_is_refused(tmp_path):
    doc = sample()
    doc["referrals"][0]["victims"][0]["surname"] = "Smith\u202eevil"
    problem = the_only_problem(write(tmp_path, doc))
    assert problem.startswith("referral 0 (ESS/00001/23) at $.referrals[0].victims[0].surname: ")
    assert "U+202E right-to-left override" in problem


def test_a_control_character_in_a_forename_is_refused(tmp_path):
    doc = sample()
    doc["referrals"][0]["suspects"][0]["forenames"] = "Em\u0007ma"
    problem = the_only_problem(write(tmp_path, doc))
    assert "$.referrals[0].suspects[0].forenames: Remove the invisible or control" in problem


def test_a_force_reference_with_non_ascii_digits_is_refused(tmp_path):
    doc = sample()
    doc["referrals"][0]["force_reference"] = "ESS/0000\uff11/23"
    problem = the_only_problem(write(tmp_path, doc))
    assert "at $.referrals[0].force_reference: Use plain letters and digits" in problem


def test_zero_width_characters_and_extra_spaces_are_removed_from_names_and_refs(tmp_path):
    doc = sample()
    victim = doc["referrals"][0]["victims"][0]
    surname = victim["surname"]
    victim["surname"] = f" {surname[:2]}\u200b{surname[2:]}  "
    victim["ref"] = victim["ref"] + "\u200b"  # the offences still name it without
    run_import(write(tmp_path, doc))
    case = Case.objects.get(force_reference="ESS/00001/23")
    party = case.parties.select_related("person").get(ref=victim["ref"].rstrip("\u200b"))
    assert party.person.surname == surname
    assert not Person.objects.filter(surname__contains="\u200b").exists()


def test_a_nul_character_in_free_text_is_refused_not_left_for_the_database(tmp_path):
    doc = sample()
    doc["referrals"][1]["original_decision"]["rationale"] = "Before\x00after"
    problem = the_only_problem(write(tmp_path, doc))
    assert problem == (
        "referral 1 (LIN/00002/18) at $.referrals[1].original_decision.rationale: holds a NUL "
        "character (U+0000), which no database field can store"
    )
