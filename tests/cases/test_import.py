"""`import_referrals`: the sample reproduced exactly, idempotence, updates, all-or-nothing
refusal of malformed files with every problem located, and the first referral set's size."""

import copy
import io
import json
import os
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db.models import Count

from beaconport.audit.models import AuditEvent
from cases.models import Case, CaseCriterion, CaseParty, Offence, Person
from cases.referrals.generator import referrals_generate
from cases.services.intake import case_recompute

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parent.parent.parent
FIXTURES = ROOT / "tests" / "fixtures"
SAMPLE = FIXTURES / "referrals-sample.json"
EXPECTED = json.loads((FIXTURES / "referrals-sample.expected.json").read_text())


def run_import(path, *args):
    out, err = io.StringIO(), io.StringIO()
    call_command("import_referrals", str(path), *args, stdout=out, stderr=err)
    return out.getvalue()


def refused(path, *args) -> tuple[str, str]:
    """(the command's error, the problems it listed) for a file it must refuse."""
    out, err = io.StringIO(), io.StringIO()
    with pytest.raises(CommandError) as refusal:
        call_command("import_referrals", str(path), *args, stdout=out, stderr=err)
    return str(refusal.value), err.getvalue()


def write(tmp_path, doc, name="referrals.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc, indent=1))
    return path


def sample() -> dict:
    return json.loads(SAMPLE.read_text())


def snapshot():
    """Everything an import writes, to show that a refused file wrote nothing."""
    return {
        "counts": [m.objects.count() for m in (Case, Person, CaseParty, Offence, CaseCriterion)],
        "audit": AuditEvent.objects.count(),
        "cases": list(
            Case.objects.order_by("pk").values_list(
                "pk", "version", "summary", "eligibility", "priority"
            )
        ),
        "people": list(Person.objects.order_by("pk").values_list("pk", "surname", "version")),
    }


def stored_results():
    criteria = {}
    for case_id, name, result in CaseCriterion.objects.values_list("case_id", "name", "result"):
        criteria.setdefault(case_id, {})[name] = result
    return {
        f"{c.force.slug}|{c.force_reference}": {
            "eligibility": c.eligibility,
            "priority": c.priority,
            "criteria": criteria[c.pk],
        }
        for c in Case.objects.select_related("force")
    }


def test_the_sample_file_gives_exactly_the_expected_eligibility_and_priority():
    output = run_import(SAMPLE)
    assert "40 created, 0 updated, 0 unchanged" in output
    assert stored_results() == EXPECTED["cases"]
    # The import evaluates new cases from the file; recomputing from the rows agrees.
    assert [case_recompute(case=case) for case in Case.objects.all()] == [False] * 40
    summary = EXPECTED["summary"]
    assert Case.objects.count() == summary["referrals"]
    assert Case.objects.values("force").distinct().count() == summary["forces"]
    assert Case.objects.filter(priority="P1").count() == summary["P1"]
    by_eligibility = Counter(Case.objects.values_list("eligibility", flat=True))
    assert {k: by_eligibility[k] for k in ("eligible", "ineligible", "unknown")} == {
        k: summary[k] for k in ("eligible", "ineligible", "unknown")
    }


def test_importing_the_same_file_twice_creates_nothing_new():
    run_import(SAMPLE)
    before = snapshot()
    output = run_import(SAMPLE)
    assert "0 created, 0 updated, 40 unchanged" in output
    assert snapshot() == before
    assert set(Case.objects.values_list("version", flat=True)) == {1}


def test_a_changed_referral_updates_its_case_bumps_its_version_and_is_audited(
    tmp_path, review_lead
):
    run_import(SAMPLE)
    doc = sample()
    changed = doc["referrals"][1]
    changed["summary"] = "Synthetic referral, resubmitted with corrections."
    for suspect in changed["suspects"]:
        suspect["deceased"] = True
    output = run_import(write(tmp_path, doc), "--user", review_lead.username)
    assert "0 created, 1 updated, 39 unchanged" in output
    case = Case.objects.get(
        force__slug=changed["force"], force_reference=changed["force_reference"]
    )
    assert (case.version, case.summary, case.eligibility) == (2, changed["summary"], "ineligible")
    assert CaseCriterion.objects.get(case=case, name="suspect_alive").result == "fail"
    assert set(Case.objects.exclude(pk=case.pk).values_list("version", flat=True)) == {1}
    alteration = AuditEvent.objects.get(operation="alter", case_id=case.pk)
    assert alteration.actor == review_lead
    assert alteration.changes["summary"] == "changed"  # free text never enters the log
    assert alteration.changes["people"] == "changed"
    collected = AuditEvent.objects.get(operation="collect")
    assert str(case.pk) in collected.object_ids


def test_a_dry_run_reports_what_would_happen_and_writes_nothing():
    output = run_import(SAMPLE, "--dry-run")
    assert "dry run" in output
    assert "40 created" in output
    assert snapshot()["counts"] == [0, 0, 0, 0, 0]


def test_an_unknown_importing_user_is_refused_before_anything_is_read():
    error, _ = refused(SAMPLE, "--user", "nobody-by-this-name")
    assert "No user called 'nobody-by-this-name'" in error
    assert Case.objects.count() == 0


# --- malformed files -------------------------------------------------------------------------
# Each takes the sample (already holding a valid change and a valid new referral, which a
# partial import would write), breaks it, and returns (index, force_reference, path) of the
# problem the import must list.


def _unknown_force(doc):
    doc["referrals"][3]["force"] = "narnia"
    return 3, "SUF/00004/09", "$.referrals[3].force"


def _impossible_date(doc):
    doc["referrals"][3]["suspects"][1]["date_of_birth"] = "2023-02-30"
    return 3, "SUF/00004/09", "$.referrals[3].suspects[1].date_of_birth"


def _dangling_person(doc):
    refs = doc["referrals"][2]["offences"][0]["victim_refs"]
    refs.append("V99")
    return 2, "NOR/00003/08", f"$.referrals[2].offences[0].victim_refs[{len(refs) - 1}]"


def _duplicate_person_ref(doc):
    victims = doc["referrals"][2]["victims"]
    victims.append({**victims[0], "surname": "Other"})
    return 2, "NOR/00003/08", f"$.referrals[2].victims[{len(victims) - 1}].ref"


def _duplicate_referral(doc):
    doc["referrals"].append(copy.deepcopy(doc["referrals"][5]))
    index = len(doc["referrals"]) - 1
    return index, "ESS/00006/24", f"$.referrals[{index}].force_reference"


def _unknown_field(doc):
    doc["referrals"][1]["colour"] = "blue"
    return 1, "LIN/00002/18", "$.referrals[1].colour"


def _unknown_offence(doc):
    doc["referrals"][1]["offences"][0]["type"] = "burglary"
    return 1, "LIN/00002/18", "$.referrals[1].offences[0].type"


def _wrong_type(doc):
    doc["referrals"][1]["independently_reviewed"] = "no"
    return 1, "LIN/00002/18", "$.referrals[1].independently_reviewed"


def _wrong_type_of_number(doc):
    doc["referrals"][1]["victims"][0]["age_at_first_offence"] = "14"
    return 1, "LIN/00002/18", "$.referrals[1].victims[0].age_at_first_offence"


def _oversize_text(doc):
    doc["referrals"][1]["summary"] = "x" * 5001
    return 1, "LIN/00002/18", "$.referrals[1].summary"


def _missing_field(doc):
    del doc["referrals"][6]["victims"]
    return 6, "LIN/00007/20", "$.referrals[6].victims"


def _referral_not_an_object(doc):
    doc["referrals"][4] = "THA/00005/24"
    return 4, None, "$.referrals[4]"


def _wrong_format(doc):
    doc["format"] = "beaconport-referrals/3"
    return None, None, "$.format"


def _unknown_top_level_field(doc):
    doc["sent_by"] = "a force"
    return None, None, "$.sent_by"


MALFORMED = {
    "unknown force": (_unknown_force, "is not a known force"),
    "impossible date": (_impossible_date, '"2023-02-30" is not a valid date'),
    "dangling person reference": (_dangling_person, "names no victim listed"),
    "duplicate person ref": (_duplicate_person_ref, 'duplicate person ref "V'),
    "duplicate referral in one file": (_duplicate_referral, "duplicate referral"),
    "unknown field": (_unknown_field, "unknown field"),
    "unknown offence": (_unknown_offence, '"burglary" is not a known offence type'),
    "wrong type": (_wrong_type, "must be boolean or null, not string"),
    "wrong type of number": (_wrong_type_of_number, "must be integer or null, not string"),
    "oversize text": (_oversize_text, "5001 characters long; at most 5000"),
    "missing field": (_missing_field, "required field is missing"),
    "referral not an object": (_referral_not_an_object, "must be object, not string"),
    "wrong format": (_wrong_format, 'must be "beaconport-referrals/1"'),
    "unknown top-level field": (_unknown_top_level_field, "unknown field"),
}


def _with_valid_changes(doc):
    doc["referrals"][0]["summary"] = "Synthetic referral, corrected: a change to be refused."
    (extra,) = referrals_generate(count=1, seed=99, forces=1, rape=0, reference_prefix="NEW-")
    doc["referrals"].append(extra)
    return doc


@pytest.mark.parametrize("kind", MALFORMED)
def test_a_malformed_file_is_refused_whole_with_its_problem_located(kind, tmp_path):
    run_import(SAMPLE)
    before = snapshot()
    breaker, reason = MALFORMED[kind]
    doc = _with_valid_changes(sample())
    index, reference, path = breaker(doc)

    error, listed = refused(write(tmp_path, doc))

    if index is None:
        where = f"{path}: "
    elif reference is None:
        where = f"referral {index} at {path}: "
    else:
        where = f"referral {index} ({reference}) at {path}: "
    lines = [line.strip() for line in listed.splitlines() if line.startswith("  ")]
    assert len(lines) == 1, listed  # exactly the one problem, nothing else blamed
    assert lines[0].startswith(where), listed
    assert reason in lines[0]
    assert "1 problem(s)" in error
    assert "nothing was written" in error
    assert snapshot() == before


def test_a_file_that_is_not_json_is_refused_with_the_line_and_column(tmp_path):
    path = tmp_path / "broken.json"
    path.write_text('{"format": "beaconport-referrals/1",\n "referrals": [\n  {"force": kent}\n]}')
    error, listed = refused(path)
    assert "$: not valid JSON, at line 3, column 13" in listed
    assert "nothing was written" in error
    assert Case.objects.count() == 0


def test_a_file_cut_short_is_refused_as_ending_too_early(tmp_path):
    path = tmp_path / "cut.json"
    text = SAMPLE.read_text()
    path.write_text(text[: len(text) // 2])
    _, listed = refused(path)
    assert "$: not valid JSON, the file ends too early" in listed
    assert Case.objects.count() == 0


def test_a_file_with_three_bad_referrals_lists_all_three(tmp_path):
    doc = _with_valid_changes(sample())
    doc["referrals"][2]["force"] = "gondor"
    doc["referrals"][17]["received_on"] = "2025-13-01"
    doc["referrals"][33]["suspects"][0]["shoe_size"] = 9
    refs = [doc["referrals"][i]["force_reference"] for i in (2, 17, 33)]

    error, listed = refused(write(tmp_path, doc))

    assert f"referral 2 ({refs[0]}) at $.referrals[2].force: " in listed
    assert f"referral 17 ({refs[1]}) at $.referrals[17].received_on: " in listed
    assert f"referral 33 ({refs[2]}) at $.referrals[33].suspects[0].shoe_size: " in listed
    assert "3 problem(s) in 3 referral(s)" in error
    assert Case.objects.count() == 0


def test_a_refused_file_exits_non_zero_without_a_traceback(tmp_path):
    doc = sample()
    doc["referrals"][3]["force"] = "narnia"
    path = write(tmp_path, doc)
    result = subprocess.run(
        [sys.executable, "manage.py", "import_referrals", str(path)],
        cwd=ROOT,
        env={**os.environ, "DEBUG": "true"},
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "Traceback" not in result.stderr
    assert "referral 3 (SUF/00004/09) at $.referrals[3].force:" in result.stderr
    assert "nothing was written" in result.stderr


# --- the first referral set -----------------------------------------------------------------


def independent_results(referral: dict) -> tuple[str, str]:
    """(eligibility, priority) by the design card's rules, written afresh over the JSON."""
    decided_on = referral["original_decision"]["decided_on"]
    suspects = [s["deceased"] for s in referral["suspects"]]
    offences = [o["type"] for o in referral["offences"]]
    contact = {
        "rape",
        "assault_by_penetration",
        "sexual_assault",
        "sexual_activity_with_child",
        "causing_child_sexual_activity",
        "trafficking_sexual_exploitation",
        "child_sexual_exploitation",
    }
    if not suspects:
        alive = False
    elif False in suspects:
        alive = True
    elif None in suspects:
        alive = None
    else:
        alive = False
    reviewed = referral["independently_reviewed"]
    answers = [
        None if decided_on is None else "2010-01-01" <= decided_on <= "2025-03-31",
        referral["original_decision"]["outcome"] == "nfa",
        len(suspects) >= 2,
        len(referral["victims"]) >= 2,
        None if not offences else bool(contact & set(offences)),
        alive,
        None if reviewed is None else not reviewed,
    ]
    eligibility = "ineligible" if False in answers else "unknown" if None in answers else "eligible"
    priority = "P1" if {"rape", "assault_by_penetration"} & set(offences) else "P3"
    return eligibility, priority


def _api_cases_listed(client, query) -> int:
    """How many cases the API lists for the query, following its cursor pages to the end."""
    listed, response = 0, client.get("/api/v1/cases/", query)
    while True:
        assert response.status_code == 200
        body = response.json()
        listed += len(body["results"])
        if not body["next"]:
            return listed
        response = client.get(body["next"])


def test_the_first_referral_set_imports_to_the_counts_the_rules_give(
    tmp_path, national_lead, client
):
    path = tmp_path / "first-referrals.json"
    call_command(
        "generate_referrals",
        str(path),
        "--count=1273",
        "--seed=2025",
        "--forces=23",
        "--rape=236",
        stdout=io.StringIO(),
    )
    referrals = json.loads(path.read_text())["referrals"]
    assert len(referrals) == 1273
    assert len({r["force"] for r in referrals}) == 23
    assert sum(any(o["type"] == "rape" for o in r["offences"]) for r in referrals) == 236
    expected = [independent_results(r) for r in referrals]
    by_eligibility = Counter(e for e, _ in expected)
    by_priority = Counter(p for _, p in expected)

    output = run_import(path)

    assert "1273 created" in output
    stored = Case.objects.values("eligibility").annotate(n=Count("pk"))
    assert {row["eligibility"]: row["n"] for row in stored} == by_eligibility
    stored = Case.objects.values("priority").annotate(n=Count("pk"))
    assert {row["priority"]: row["n"] for row in stored} == by_priority
    # A realistic mix: every outcome occurs, and every data gap the rules know of.
    assert min(by_eligibility[k] for k in ("eligible", "ineligible", "unknown")) >= 50
    gaps = set(CaseCriterion.objects.filter(result="unknown").values_list("name", flat=True))
    assert gaps == {
        "decision_window",
        "contact_offence",
        "suspect_alive",
        "not_independently_reviewed",
    }
    # And through the API's filters, as a national lead sees them (a review lead sees only
    # the forces of their teams).
    client.force_login(national_lead)
    for field, counts in (("eligibility", by_eligibility), ("priority", by_priority)):
        for value, count in counts.items():
            assert _api_cases_listed(client, {field: value}) == count, (field, value)


def test_the_generator_gives_identical_bytes_for_the_same_seed(tmp_path):
    paths = [tmp_path / "a.json", tmp_path / "b.json", tmp_path / "c.json"]
    for path, seed in zip(paths, (5, 5, 6), strict=True):
        call_command(
            "generate_referrals", str(path), "--count=200", f"--seed={seed}", stdout=io.StringIO()
        )
    assert paths[0].read_bytes() == paths[1].read_bytes()
    assert paths[0].read_bytes() != paths[2].read_bytes()
