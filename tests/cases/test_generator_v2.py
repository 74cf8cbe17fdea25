"""`generate_referrals --format 2`: valid version 2 files, deterministic, as messy as real
files are, and a links file that says truly who is who."""

import io
import itertools
import json
from collections import Counter
from pathlib import Path

import pytest
from django.core.management import call_command
from jsonschema import Draft202012Validator

from cases.linkage.keys import phone_key, pnc_key, postcode_key
from cases.linkage.truth import true_clusters, true_pairs
from cases.referrals.generator_v2 import FORMAT_V2, generate_v2, links_path_for

SCHEMA = Path(__file__).resolve().parents[2] / "cases" / "referrals" / "referral-v2.schema.json"


@pytest.fixture(scope="module")
def generated(tmp_path_factory):
    """The review's size of file (1,273 referrals), its links, and every person by record."""
    path, links = generate_v2(tmp_path_factory.mktemp("v2") / "r.json", seed=2025)
    document = json.loads(path.read_text())
    people = {
        (r["force"], r["force_reference"], p["ref"]): p
        for r in document["referrals"]
        for p in r["suspects"] + r["victims"]
    }
    return document, true_clusters(links), people


def test_the_file_is_version_2_and_valid_against_its_schema(generated):
    document, _, _ = generated
    assert document["format"] == FORMAT_V2
    validator = Draft202012Validator(json.loads(SCHEMA.read_text()))
    assert next(validator.iter_errors(document), None) is None


def test_the_default_size_is_the_reviews_first_set(generated):
    document, _, people = generated
    assert len(document["referrals"]) == 1273
    assert len({r["force"] for r in document["referrals"]}) == 23
    assert 6500 <= len(people) <= 7800


def test_the_same_seed_gives_the_same_bytes_and_another_seed_others(tmp_path):
    written = [
        generate_v2(tmp_path / f"{name}.json", referrals=150, seed=seed)
        for name, seed in (("a", 5), ("b", 5), ("c", 6))
    ]
    (a, a_links), (b, b_links), (c, _) = written
    assert a.read_bytes() == b.read_bytes()
    assert a_links.read_bytes() == b_links.read_bytes()
    assert a.read_bytes() != c.read_bytes()


def test_the_command_writes_version_2_with_its_links_beside_it(tmp_path):
    path = tmp_path / "referrals.json"
    call_command(
        "generate_referrals",
        str(path),
        "--count=40",
        "--seed=3",
        "--format=2",
        stdout=io.StringIO(),
    )
    assert json.loads(path.read_text())["format"] == FORMAT_V2
    assert links_path_for(path) == tmp_path / "referrals.links.json"
    assert "clusters" in json.loads(links_path_for(path).read_text())


def test_the_command_still_writes_version_1_by_default(tmp_path):
    path = tmp_path / "referrals.json"
    call_command("generate_referrals", str(path), "--count=5", "--seed=3", stdout=io.StringIO())
    assert json.loads(path.read_text())["format"] == "beaconport-referrals/1"
    assert not links_path_for(path).exists()


def test_every_linked_record_is_in_the_file_once_and_in_one_cluster(generated):
    _, clusters, people = generated
    records = [record for cluster in clusters for record in cluster]
    assert len(records) == len(set(records))
    assert set(records) <= set(people)
    assert all(len(cluster) >= 2 for cluster in clusters)
    # Never the same person twice in one referral.
    for cluster in clusters:
        assert len({(force, reference) for force, reference, _ in cluster}) == len(cluster)


def test_suspects_recur_across_forces_and_some_victims_recur_too(generated):
    _, clusters, _ = generated
    suspects = [c for c in clusters if c[0][2].startswith("S")]
    victims = [c for c in clusters if c[0][2].startswith("V")]
    assert len(suspects) >= 200
    assert len(victims) >= 30
    assert sum(len({force for force, _, _ in c}) > 1 for c in clusters) >= len(clusters) / 2
    assert max(len(c) for c in clusters) >= 5
    # A person is a suspect or a victim throughout.
    assert all(len({ref[0] for _, _, ref in c}) == 1 for c in clusters)


def test_one_person_is_written_differently_from_one_file_to_the_next(generated):
    _, clusters, people = generated
    differs = Counter()
    for cluster in clusters:
        written = [people[record] for record in cluster]
        for field in ("surname", "forenames", "date_of_birth", "pnc_id"):
            if len({p[field] for p in written}) > 1:
                differs[field] += 1
        if any(p["surname"].isupper() for p in written):
            differs["capitals"] += 1
        if any(p["date_of_birth"] is None for p in written):
            differs["no date of birth"] += 1
        dates = {p["date_of_birth"] for p in written if p["date_of_birth"]}
        if any(a[5:7] == b[8:10] and a[8:10] == b[5:7] and a != b for a in dates for b in dates):
            differs["day and month swapped"] += 1
        if any(a[:4] != b[:4] and a[4:] == b[4:] for a in dates for b in dates):
            differs["year out"] += 1
    assert differs["surname"] >= 50
    assert differs["forenames"] >= 50
    for messy in ("capitals", "no date of birth", "day and month swapped", "year out", "pnc_id"):
        assert differs[messy] >= 10, messy


def test_nicknames_stand_for_forenames_within_a_cluster(generated):
    _, clusters, people = generated
    pairs = set()
    for cluster in clusters:
        names = {people[record]["forenames"].split(" ")[0] for record in cluster}
        pairs |= {frozenset(p) for p in itertools.combinations(names, 2)}
    assert frozenset(("Mohammed", "Mo")) in pairs or frozenset(("Muhammad", "Mo")) in pairs
    assert frozenset(("Daniel", "Danny")) in pairs or frozenset(("Daniel", "Dan")) in pairs


def test_identifiers_are_partial_and_formatted_differently(generated):
    _, clusters, people = generated
    present_and_absent = 0
    for cluster in clusters:
        written = [people[record] for record in cluster]
        if any(p["phones"] for p in written) and any(not p["phones"] for p in written):
            present_and_absent += 1
    assert present_and_absent >= 50
    values = [p for person in people.values() for p in person["phones"]]
    assert any(v.startswith("+44") for v in values) and any(" " in v for v in values)
    assert any(v.startswith("07") and v.isdigit() for v in values)
    postcodes = [p for person in people.values() for p in person["postcodes"]]
    assert any(" " in p for p in postcodes) and any(" " not in p for p in postcodes)
    # Differently written, the same identifier: its key is one.
    for cluster in clusters:
        written = [people[record] for record in cluster]
        pncs = {pnc_key(p["pnc_id"]) for p in written if p["pnc_id"]}
        assert len(pncs) <= 1
    assert {phone_key("+447700900123"), phone_key("07700 900123")} == {"07700900123"}
    assert postcode_key("LS11AA") == postcode_key("LS1 1AA")


def test_unrelated_people_share_street_names_postcodes_and_common_names(generated):
    _, clusters, people = generated
    person_of = {record: i for i, cluster in enumerate(clusters) for record in cluster}
    # Each record's person: its cluster, or itself when it appears once.
    by_alias, by_postcode, by_name = {}, {}, {}
    for record, p in people.items():
        who = person_of.get(record, record)
        for alias in p["aliases"]:
            by_alias.setdefault(alias, set()).add(who)
        for postcode in p["postcodes"]:
            by_postcode.setdefault(postcode_key(postcode), set()).add(who)
        if p["date_of_birth"]:
            name = (p["surname"].lower(), p["forenames"].lower())
            by_name.setdefault(name, {}).setdefault(who, set()).add(p["date_of_birth"][:4])
    assert max(len(who) for who in by_alias.values()) >= 20
    assert sum(len(who) > 1 for who in by_postcode.values()) >= 50
    namesakes = [w for w in by_name.values() if len(w) > 1]
    assert len(namesakes) >= 50
    # Namesakes who are different people mostly differ in their years of birth.
    differ = sum(
        1 for who in namesakes for a, b in itertools.combinations(who.values(), 2) if not a & b
    )
    assert differ >= len(namesakes) / 2


def test_true_pairs_are_every_two_records_of_a_cluster(tmp_path):
    links = tmp_path / "x.links.json"
    links.write_text(
        json.dumps(
            {"clusters": [[["kent", "K/1", "S1"], ["essex", "E/2", "S2"], ["kent", "K/3", "S1"]]]}
        )
    )
    pairs = true_pairs(links)
    assert len(pairs) == 3
    assert frozenset({("kent", "K/1", "S1"), ("essex", "E/2", "S2")}) in pairs


def test_the_shared_sample_links_match_its_referrals():
    fixtures = Path(__file__).resolve().parents[1] / "fixtures"
    document = json.loads((fixtures / "referrals-v2-sample.json").read_text())
    records = {
        (r["force"], r["force_reference"], p["ref"])
        for r in document["referrals"]
        for p in r["suspects"] + r["victims"]
    }
    pairs = true_pairs(fixtures / "referrals-v2-sample.links.json")
    assert pairs and all(pair <= records for pair in pairs)
