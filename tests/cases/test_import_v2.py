"""Importing version 2 referral files: PNC IDs and identifiers stored in their normal forms,
problems listed with their paths and nothing written, identifiers replaced on re-import,
phonetic codes for every person, linkage told once, and version 1 as it was."""

import copy
import io
import json
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.linkage.keys import identifier_key, name_phonetics, pnc_key
from cases.models import Case, CaseParty, Person, PersonIdentifier
from cases.referrals.generator_v2 import generate_v2
from cases.referrals.importer import ReferralFileRefused, referral_file_import
from cases.signals import people_imported
from cases.vocabulary import IdentifierKind

pytestmark = pytest.mark.django_db

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SAMPLE_V2 = FIXTURES / "referrals-v2-sample.json"
SAMPLE_V1 = FIXTURES / "referrals-sample.json"
KINDS = {
    "aliases": IdentifierKind.ALIAS,
    "postcodes": IdentifierKind.POSTCODE,
    "phones": IdentifierKind.PHONE,
    "vehicles": IdentifierKind.VEHICLE,
}


def sample() -> dict:
    return json.loads(SAMPLE_V2.read_text())


def write(tmp_path, doc, name="referrals.json") -> Path:
    path = tmp_path / name
    path.write_text(json.dumps(doc))
    return path


def run_import(path) -> str:
    out = io.StringIO()
    call_command("import_referrals", str(path), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def refused(path) -> list[str]:
    """The problems listed for a file the import must refuse."""
    err = io.StringIO()
    with pytest.raises(CommandError):
        call_command("import_referrals", str(path), stdout=io.StringIO(), stderr=err)
    return err.getvalue().splitlines()


def expected_identifiers(person: dict) -> set[tuple[str, str]]:
    return {
        (kind.value, identifier_key(kind, value))
        for name, kind in KINDS.items()
        for value in person.get(name) or ()
        if identifier_key(kind, value)
    }


def stored(referral: dict, ref: str) -> Person:
    return (
        CaseParty.objects.select_related("person")
        .get(
            case__force__slug=referral["force"],
            case__force_reference=referral["force_reference"],
            ref=ref,
        )
        .person
    )


def written_state():
    return (
        Case.objects.count(),
        Person.objects.count(),
        PersonIdentifier.objects.count(),
        list(Person.objects.order_by("pk").values_list("pk", "pnc_id", "version")),
    )


def test_the_v2_sample_imports_with_its_pnc_ids_and_identifiers():
    doc = sample()

    output = run_import(SAMPLE_V2)

    assert f"{len(doc['referrals'])} created" in output
    people = [(r, p) for r in doc["referrals"] for p in r["suspects"] + r["victims"]]
    assert Person.objects.count() == len(people)
    for referral, entry in people:
        person = stored(referral, entry["ref"])
        assert person.pnc_id == pnc_key(entry["pnc_id"])
        rows = set(person.identifiers.values_list("kind", "key"))
        assert rows == expected_identifiers(entry)
    assert Person.objects.exclude(pnc_id="").count() == sum(bool(p["pnc_id"]) for _, p in people)
    assert PersonIdentifier.objects.filter(kind="phone").exists()


def test_identifiers_keep_the_value_as_written_and_one_row_per_key(tmp_path):
    doc = sample()
    person = doc["referrals"][0]["suspects"][0]
    person["phones"] = ["07700 900123", "+447700900123", "07700900456"]
    person["postcodes"] = ["LS1 1AA", "LS11AA"]
    person["vehicles"] = []
    person["pnc_id"] = "98/0012345X"

    run_import(write(tmp_path, doc))

    saved = stored(doc["referrals"][0], person["ref"])
    assert saved.pnc_id == "98/12345X"
    phones = dict(saved.identifiers.filter(kind="phone").values_list("key", "value"))
    assert phones == {"07700900123": "07700 900123", "07700900456": "07700900456"}
    postcodes = list(saved.identifiers.filter(kind="postcode").values_list("key", "value"))
    assert postcodes == [("LS1 1AA", "LS1 1AA")]
    assert not saved.identifiers.filter(kind="vehicle").exists()


def test_every_person_imported_has_the_phonetic_codes_of_their_names():
    run_import(SAMPLE_V2)
    run_import(SAMPLE_V1)

    for person in Person.objects.all():
        codes = name_phonetics(person.surname, person.forenames)
        assert (person.surname_phonetic, person.forenames_phonetic) == (
            codes["surname_phonetic"],
            codes["forenames_phonetic"],
        )
    assert not Person.objects.filter(surname_phonetic="").exists()


def test_a_version_1_file_still_imports_without_identifiers():
    output = run_import(SAMPLE_V1)

    assert "40 created" in output
    assert not PersonIdentifier.objects.exists()
    assert not Person.objects.exclude(pnc_id="").exists()


def test_a_version_1_file_may_not_use_version_2_fields(tmp_path):
    doc = json.loads(SAMPLE_V1.read_text())
    doc["referrals"][2]["victims"][0]["phones"] = ["07700900123"]

    listed = refused(write(tmp_path, doc))

    assert any("$.referrals[2].victims[0].phones: unknown field" in line for line in listed), listed
    assert not Case.objects.exists()


def test_a_version_1_file_that_names_its_format_last_may_not_use_version_2_fields(tmp_path):
    doc = json.loads(SAMPLE_V1.read_text())
    doc["referrals"][0]["suspects"][0]["aliases"] = ["Boss"]
    path = tmp_path / "late.json"
    path.write_text(json.dumps({"referrals": doc["referrals"], "format": doc["format"]}))

    listed = refused(path)

    assert any("$.referrals[0].suspects[0].aliases: unknown field" in line for line in listed)
    assert not Case.objects.exists()


BAD = {
    "a PNC ID with a three-digit year": (
        ("pnc_id", "201/213875K"),
        "pnc_id",
        "is not a PNC ID",
    ),
    "a PNC ID that is no PNC ID": (("pnc_id", "98-1234567X"), "pnc_id", "is not a PNC ID"),
    "a phone that is a number": (("phones", [7700900123]), "phones[0]", "must be string"),
    "a postcode in lower case": (("postcodes", ["ls11aa"]), "postcodes[0]", "not a UK postcode"),
    "aliases that are not a list": (("aliases", "Boss"), "aliases", "must be array"),
    "a vehicle with punctuation": (("vehicles", ["AB12-CDE"]), "vehicles[0]", "registration"),
    "an empty alias": (("aliases", [""]), "aliases[0]", "must not be empty"),
    "too many phones": (("phones", ["07700900123"] * 21), "phones", "at most 20 allowed"),
}


@pytest.mark.parametrize("kind", BAD)
def test_a_bad_identifier_is_listed_with_its_path_and_nothing_is_written(kind, tmp_path):
    run_import(SAMPLE_V2)
    before = written_state()
    (field, value), where, reason = BAD[kind]
    doc = sample()
    doc["referrals"][3]["suspects"][1][field] = value
    doc["referrals"][0]["summary"] = "Changed, so that a written file would show it."

    listed = refused(write(tmp_path, doc))

    reference = doc["referrals"][3]["force_reference"]
    line = next(line for line in listed if f"$.referrals[3].suspects[1].{where}:" in line)
    assert reason in line and reference in line, line
    assert written_state() == before


def test_every_problem_of_a_file_is_listed_not_only_the_first(tmp_path):
    doc = sample()
    doc["referrals"][1]["suspects"][0]["pnc_id"] = "not a pnc"
    doc["referrals"][5]["victims"][0]["phones"] = ["phone me"]
    doc["referrals"][7]["suspects"][0]["vehicles"] = "AB12CDE"

    with pytest.raises(ReferralFileRefused) as refusal:
        referral_file_import(write(tmp_path, doc))

    paths = {p.path for p in refusal.value.report.problems}
    assert {
        "$.referrals[1].suspects[0].pnc_id",
        "$.referrals[5].victims[0].phones[0]",
        "$.referrals[7].suspects[0].vehicles",
    } <= paths
    assert not Case.objects.exists()


def test_a_reimport_replaces_identifiers_to_match_the_file(tmp_path):
    doc = sample()
    referral = doc["referrals"][0]
    person = referral["suspects"][0]
    person.update(phones=["07700900111"], postcodes=["LS1 1AA"], aliases=["Boss"], pnc_id=None)
    run_import(write(tmp_path, doc))
    saved = stored(referral, person["ref"])
    version = saved.version

    changed = copy.deepcopy(doc)
    changed["referrals"][0]["suspects"][0].update(
        phones=["+44 7700 900222"], postcodes=[], aliases=["Boss", "Taz"], pnc_id="98/1234567X"
    )
    output = run_import(write(tmp_path, changed, "changed.json"))

    assert "1 updated" in output
    saved.refresh_from_db()
    assert saved.pnc_id == "98/1234567X"
    assert saved.version == version + 1
    assert set(saved.identifiers.values_list("kind", "key", "value")) == {
        ("phone", "07700900222", "+44 7700 900222"),
        ("alias", "boss", "Boss"),
        ("alias", "taz", "Taz"),
    }
    # The same file again: nothing changes.
    assert "0 updated" in run_import(write(tmp_path, changed, "changed.json"))
    # Absent and empty are the same: the identifiers go.
    del changed["referrals"][0]["suspects"][0]["phones"]
    changed["referrals"][0]["suspects"][0]["aliases"] = []
    run_import(write(tmp_path, changed, "fewer.json"))
    assert not saved.identifiers.exclude(kind="postcode").exists()


def test_a_reimport_of_the_same_v2_file_is_unchanged(tmp_path):
    run_import(SAMPLE_V2)
    before = written_state()

    output = run_import(SAMPLE_V2)

    assert "0 created, 0 updated, 80 unchanged" in output
    assert written_state() == before


def test_a_renamed_person_gets_new_phonetic_codes(tmp_path):
    doc = sample()
    run_import(write(tmp_path, doc))
    doc["referrals"][0]["suspects"][0]["surname"] = "Mohammed"
    run_import(write(tmp_path, doc, "renamed.json"))

    saved = stored(doc["referrals"][0], doc["referrals"][0]["suspects"][0]["ref"])
    assert saved.surname_phonetic == name_phonetics("Mohammed", "")["surname_phonetic"]


def test_linkage_is_told_once_after_commit_of_the_people_an_import_wrote(
    tmp_path, django_capture_on_commit_callbacks
):
    heard = []

    def receiver(sender, party_ids, **kwargs):
        heard.append(sorted(party_ids))

    people_imported.connect(receiver)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            referral_file_import(SAMPLE_V2, batch_size=20)
        assert heard == [sorted(CaseParty.objects.values_list("pk", flat=True))]

        doc = sample()
        doc["referrals"][4]["victims"][0]["forenames"] = "Changed"
        doc["referrals"][9]["suspects"][0]["phones"] = ["07700900999"]
        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            referral_file_import(write(tmp_path, doc), batch_size=20)
        assert heard == [
            sorted(
                stored(doc["referrals"][i], group[0]["ref"]).parties.get().pk
                for i, group in (
                    (4, doc["referrals"][4]["victims"]),
                    (9, doc["referrals"][9]["suspects"]),
                )
            )
        ]

        heard.clear()
        with django_capture_on_commit_callbacks(execute=True):
            referral_file_import(write(tmp_path, doc), batch_size=20)
        assert heard == []  # nothing changed: nothing to link again
    finally:
        people_imported.disconnect(receiver)


def test_a_dry_run_announces_nothing(django_capture_on_commit_callbacks):
    heard = []
    people_imported.connect(lambda sender, **kw: heard.append(kw), weak=False, dispatch_uid="t")
    try:
        with django_capture_on_commit_callbacks(execute=True):
            referral_file_import(SAMPLE_V2, dry_run=True)
    finally:
        people_imported.disconnect(dispatch_uid="t")
    assert heard == []
    assert not Case.objects.exists()


def _queries(path, capture_on_commit, **options) -> int:
    with CaptureQueriesContext(connection) as queries, capture_on_commit(execute=True):
        referral_file_import(path, **options)
    return len(queries)


def test_a_v2_import_costs_the_same_queries_for_10_or_40_referrals(
    tmp_path, django_capture_on_commit_callbacks
):
    small, _ = generate_v2(tmp_path / "s.json", referrals=10, seed=4, reference_prefix="S-")
    large, _ = generate_v2(tmp_path / "l.json", referrals=40, seed=4, reference_prefix="L-")

    small_queries = _queries(small, django_capture_on_commit_callbacks, batch_size=50)
    large_queries = _queries(large, django_capture_on_commit_callbacks, batch_size=50)

    # As a version 1 import (2 + 12 + 5), and one insert of the batch's identifiers.
    assert small_queries == large_queries == 2 + 13 + 5
    assert PersonIdentifier.objects.count() > 40


def test_a_generated_v2_file_imports_whole(tmp_path):
    path, _ = generate_v2(tmp_path / "g.json", referrals=150, seed=9)

    result = referral_file_import(path)

    assert result.created == 150
    assert Person.objects.exclude(pnc_id="").exists()
    assert PersonIdentifier.objects.filter(kind="vehicle").exists()
