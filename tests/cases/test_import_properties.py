"""Hypothesis properties of the importer (issue 8, fuzzing): a valid referral file gives its
facts back exactly; garbage, truncated, deeply nested and mutated files are always refused
cleanly, with nothing written and no error but the importer's own.

Bounded and repeatable: a modest number of examples, no deadline, derandomized; each
property prints how many inputs it tried (`-s` not needed: it writes past the capture).
"""

import datetime
import json
from contextlib import contextmanager

import pytest
from django.db import transaction
from hypothesis import given
from hypothesis import strategies as st

from beaconport.audit.models import AuditEvent
from beaconport.inputs import clean_name, clean_reference, name_problem, reference_problem
from cases.models import Case, CaseParty, Offence, Person
from cases.referrals import plausible
from cases.referrals.generator import referrals_generate
from cases.referrals.importer import (
    ReferralFileRefused,
    ReferralImportFailed,
    referral_file_import,
)
from cases.referrals.validate import FORMAT, file_schema
from cases.selectors import case_detail_queryset
from tests.fuzzing import OUTCOMES, TRIED, bounded

pytestmark = pytest.mark.django_db

ITEM = file_schema()["properties"]["referrals"]["items"]["properties"]
FORCES = ITEM["force"]["enum"]
OFFENCE_TYPES = ITEM["offences"]["items"]["properties"]["type"]["enum"]
PERSON = ITEM["victims"]["items"]["properties"]
TODAY = datetime.date.today()


def written_nothing() -> tuple:
    return (
        Case.objects.count(),
        Person.objects.count(),
        CaseParty.objects.count(),
        Offence.objects.count(),
        AuditEvent.objects.count(),
    )


@contextmanager
def rolled_back():
    """Each example starts from the same empty database: its writes are undone after it."""
    with transaction.atomic():
        yield
        transaction.set_rollback(True)


# --- valid referrals -------------------------------------------------------------------------

words = st.text(alphabet=st.characters(categories=("Lu", "Ll")), min_size=1, max_size=12)
names = st.lists(words, min_size=1, max_size=3).map(" ".join)
dates = st.dates(min_value=datetime.date(1900, 1, 1), max_value=TODAY).map(str)
free_text = st.text(
    alphabet=st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=200
)


@st.composite
def people(draw, prefix: str, victim: bool):
    count = draw(st.integers(min_value=0 if not victim else 1, max_value=4))
    out = []
    for number in range(1, count + 1):
        person = {
            "ref": f"{prefix}{number}",
            "surname": draw(names.filter(lambda n: len(n) <= 100)),
            "forenames": draw(names),
            "date_of_birth": draw(st.none() | dates),
            "gender": draw(st.sampled_from(PERSON["gender"]["enum"])),
            "ethnicity": draw(st.sampled_from(PERSON["ethnicity"]["enum"])),
            "ethnicity_source": draw(st.sampled_from(PERSON["ethnicity_source"]["enum"])),
        }
        if victim:
            person["age_at_first_offence"] = draw(st.none() | st.integers(0, 120))
        else:
            person["deceased"] = draw(st.none() | st.booleans())
            person["interviewed"] = draw(st.none() | st.booleans())
        out.append(person)
    return out


@st.composite
def referrals(draw):
    suspects = draw(people("S", victim=False))
    victims = draw(people("V", victim=True))
    victim_refs = [v["ref"] for v in victims]
    suspect_refs = [s["ref"] for s in suspects]
    offences = draw(
        st.lists(
            st.fixed_dictionaries(
                {
                    "type": st.sampled_from(OFFENCE_TYPES),
                    "victim_refs": st.lists(st.sampled_from(victim_refs), unique=True),
                    "suspect_refs": (
                        st.lists(st.sampled_from(suspect_refs), unique=True)
                        if suspect_refs
                        else st.just([])
                    ),
                }
            ),
            max_size=3,
        )
    )
    return {
        "force": draw(st.sampled_from(FORCES)),
        "force_reference": draw(st.from_regex(r"[A-Z]{2,4}/[0-9]{1,6}/[0-9]{2}", fullmatch=True)),
        "received_on": draw(dates),
        "summary": draw(free_text),
        "offence_period": {"start": draw(st.none() | dates), "end": draw(st.none() | dates)},
        "offences": offences,
        "original_decision": {
            "outcome": draw(st.sampled_from(["nfa", "other"])),
            "decided_on": draw(st.none() | dates),
            "decided_by": draw(st.sampled_from(["police", "cps"])),
            "outcome_code": draw(st.none() | st.from_regex(r"[0-9A-Z]{1,10}", fullmatch=True)),
            "rationale": draw(free_text),
        },
        "independently_reviewed": draw(st.none() | st.booleans()),
        "suspects": suspects,
        "victims": victims,
    }


def facts_given(referral: dict) -> dict:
    """What a referral says, as the database should hold it (names as inputs stores them)."""
    day = lambda value: datetime.date.fromisoformat(value) if value else None  # noqa: E731
    decision = referral["original_decision"]
    parties = {}
    for role, group in (("suspect", "suspects"), ("victim", "victims")):
        for person in referral[group]:
            parties[person["ref"]] = (
                role,
                clean_name(person["surname"]),
                clean_name(person["forenames"]),
                day(person["date_of_birth"]),
                person["gender"],
                person["ethnicity"],
                person["ethnicity_source"],
                person.get("deceased"),
                person.get("interviewed"),
                person.get("age_at_first_offence"),
            )
    return {
        "case": (
            referral["force"],
            referral["force_reference"],
            day(referral["received_on"]),
            referral["summary"],
            day(referral["offence_period"]["start"]),
            day(referral["offence_period"]["end"]),
            decision["outcome"],
            day(decision["decided_on"]),
            decision["decided_by"],
            decision["outcome_code"] or "",
            decision["rationale"],
            referral["independently_reviewed"],
        ),
        "parties": parties,
        "offences": sorted(
            (o["type"], tuple(sorted(o["victim_refs"])), tuple(sorted(o["suspect_refs"])))
            for o in referral["offences"]
        ),
    }


def facts_stored(case: Case) -> dict:
    """The same facts read back through the case page's selector."""
    parties = {
        party.ref: (
            party.role,
            party.person.surname,
            party.person.forenames,
            party.person.date_of_birth,
            party.person.gender,
            party.person.ethnicity,
            party.person.ethnicity_source,
            party.deceased,
            party.interviewed,
            party.age_at_first_offence,
        )
        for party in case.parties.all()
    }
    return {
        "case": (
            case.force.slug,
            case.force_reference,
            case.received_on,
            case.summary,
            case.offence_start,
            case.offence_end,
            case.decision_outcome,
            case.decision_on,
            case.decision_by,
            case.decision_outcome_code,
            case.decision_rationale,
            case.independently_reviewed,
        ),
        "parties": parties,
        "offences": sorted(
            (
                offence.type,
                tuple(sorted(p.ref for p in offence.victims.all())),
                tuple(sorted(p.ref for p in offence.suspects.all())),
            )
            for offence in case.offences.all()
        ),
    }


@bounded(30)
@given(
    batch=st.lists(
        referrals(), min_size=1, max_size=3, unique_by=lambda r: (r["force"], r["force_reference"])
    )
)
def test_valid_referrals_come_back_exactly_as_filed(batch, tmp_path, report_tried, request):
    TRIED[request.node.name] += 1
    path = tmp_path / "valid.json"
    path.write_text(json.dumps({"format": FORMAT, "referrals": batch}, ensure_ascii=False))
    with rolled_back():
        result = referral_file_import(path)
        OUTCOMES[request.node.name, "imported"] += 1
        assert (result.referrals, result.created) == (len(batch), len(batch))
        stored = {
            (case.force.slug, case.force_reference): facts_stored(case)
            for case in case_detail_queryset()
        }
        assert stored == {(r["force"], r["force_reference"]): facts_given(r) for r in batch}


# --- files that must be refused ----------------------------------------------------------------

json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=20),
    lambda children: (
        st.lists(children, max_size=5) | st.dictionaries(st.text(max_size=10), children, max_size=5)
    ),
    max_leaves=25,
)


def import_outcome(path, test: str) -> str:
    """What became of a file: refused (nothing written, its problems listed), failed (the
    importer's other error, nothing written) or imported. Any other error fails the test."""
    outcome = _import_outcome(path)
    OUTCOMES[test, outcome] += 1
    return outcome


def _import_outcome(path) -> str:
    with rolled_back():
        before = written_nothing()
        try:
            referral_file_import(path)
        except (ReferralFileRefused, ReferralImportFailed) as refusal:
            assert written_nothing() == before
            if isinstance(refusal, ReferralFileRefused):
                assert refusal.report.problems, "a refusal lists its problems"
            return "refused" if isinstance(refusal, ReferralFileRefused) else "failed"
        return "imported"


@bounded(150)
@given(
    document=json_values
    | st.fixed_dictionaries(
        {"format": st.just(FORMAT), "referrals": st.lists(json_values, min_size=1, max_size=4)}
    )
)
def test_random_json_is_refused_cleanly(document, tmp_path, report_tried, request):
    TRIED[request.node.name] += 1
    path = tmp_path / "random.json"
    path.write_text(json.dumps(document))
    assert import_outcome(path, request.node.name) == "refused"


@pytest.fixture(scope="module")
def valid_bytes() -> bytes:
    referrals_ = list(referrals_generate(count=6, seed=8, forces=3, rape=1))
    return json.dumps({"format": FORMAT, "referrals": referrals_}, ensure_ascii=False).encode()


@bounded(80)
@given(cut=st.floats(min_value=0, max_value=1, exclude_max=True))
def test_a_truncated_file_is_refused_cleanly(cut, valid_bytes, tmp_path, report_tried, request):
    TRIED[request.node.name] += 1
    path = tmp_path / "cut.json"
    path.write_bytes(valid_bytes[: int(len(valid_bytes) * cut)])
    assert import_outcome(path, request.node.name) == "refused"


CLOSERS = {"[": "]", '{"a": ': "}", '{"b": [': "]}", "[{}, ": "]"}


@bounded(60)
@given(
    openers=st.lists(
        st.sampled_from(["[", '{"a": ', '{"b": [', "[{}, "]), min_size=5, max_size=3000
    ),
    inside=st.booleans(),
    closed=st.booleans(),
)
def test_a_deep_structure_is_refused_cleanly(
    openers, inside, closed, tmp_path, report_tried, request
):
    TRIED[request.node.name] += 1
    closers = {"[": "]", '{"a": ': "}", '{"b": [': "]}", "[{}, ": "]"}
    body = (
        "".join(openers) + "1" + ("".join(closers[o] for o in reversed(openers)) if closed else "")
    )
    text = f'{{"format": "{FORMAT}", "referrals": [{body}]}}' if inside else body
    path = tmp_path / "deep.json"
    path.write_text(text)
    assert import_outcome(path, request.node.name) == "refused"


NASTY = [
    b"1e400",
    b"100000000000000000000000000000",
    b"1" * 5000,
    b"14.5",
    b'"\\u202e"',
    b'"\\u0000"',
    b'"\\ud800"',
    b'{"a": 1, "a": 2}',
    b"[" * 50,
    b"\xff\xfe",
    b"NaN",
    b'"9999-12-31"',
    b'"0001-01-01"',
    b"-0",
    b"null",
    b"",
]


@bounded(150)
@given(
    at=st.floats(min_value=0, max_value=1, exclude_max=True),
    cut=st.integers(min_value=0, max_value=40),
    insert=st.sampled_from(NASTY) | st.binary(max_size=8),
)
def test_a_mutated_file_is_imported_or_refused_cleanly(
    at, cut, insert, valid_bytes, tmp_path, report_tried, request
):
    TRIED[request.node.name] += 1
    start = int(len(valid_bytes) * at)
    mutated = valid_bytes[:start] + insert + valid_bytes[start + cut :]
    path = tmp_path / "mutated.json"
    path.write_bytes(mutated)
    outcome = import_outcome(path, request.node.name)
    if outcome == "imported":  # a harmless change (inside a summary, say) is a valid file
        json.loads(mutated)
    assert outcome in ("imported", "refused"), outcome


# --- the importer's shortcuts agree with beaconport.inputs ------------------------------------

texts = st.text(alphabet=st.characters(codec="ascii"), max_size=12) | st.text(max_size=12)


@bounded(300)
@given(value=texts)
def test_what_the_importer_takes_as_already_clean_is_clean_by_the_inputs_rules(
    value, report_tried, request
):
    TRIED[request.node.name] += 1
    if plausible._plain(value):
        assert clean_name(value) == value
        assert name_problem(value) is None
    if plausible._plain_reference(value):
        assert clean_reference(value) == value
        assert reference_problem(value) is None
    assert plausible.referral_clean({"victims": [{"surname": value}]})["victims"][0][
        "surname"
    ] == clean_name(value)
