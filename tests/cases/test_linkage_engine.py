"""`link_people`: the Splink model over the person records, what it links, and what it never does.

Most tests score a few records with a model trained once on a generated set and kept as a
fixture (tests/fixtures/linkage-model.json), so they run in seconds; one test generates
the review-size set, imports it, trains and links, and scores the result against its truth.
"""

import datetime
import io
import itertools
import json
from pathlib import Path

import pytest
from django.core.management import call_command
from django.utils import timezone

from cases.linkage import runs
from cases.linkage.truth import true_pairs
from cases.models import Case, CaseParty, LinkageModel, LinkageRun, NominalMember, PersonLink
from cases.vocabulary import LinkStatus
from tests.factories import (
    CaseFactory,
    PersonFactory,
    SuspectFactory,
    make_suspect,
    make_victim,
)

pytestmark = pytest.mark.django_db

MODEL_FIXTURE = Path(__file__).parent.parent / "fixtures" / "linkage-model.json"


@pytest.fixture(autouse=True)
def model_dir(settings, tmp_path):
    settings.LINKAGE_MODEL_DIR = tmp_path / "models"
    settings.LINKAGE_DUCKDB_TEMP_DIR = tmp_path / "duckdb"
    return settings.LINKAGE_MODEL_DIR


@pytest.fixture(autouse=True)
def crowd():
    """Unrelated people around the few a test links: names are weighed by how common they
    are among all records, and among two records every name would be common."""
    case = CaseFactory()
    for n in range(120):
        born = datetime.date(1950 + n % 50, 1 + n % 12, 1 + n % 28)
        SuspectFactory(case=case, person=PersonFactory(forenames=f"Crowd{n}", date_of_birth=born))


@pytest.fixture
def model():
    """The fixture model as version 1, as if trained here."""
    return runs.model_save(trained=json.loads(MODEL_FIXTURE.read_text()), records=7000)


def link_between(a, b):
    left, right = sorted((a.pk, b.pk))
    return PersonLink.objects.filter(left_id=left, right_id=right).first()


def test_the_same_pnc_id_links_records_whose_names_differ(model):
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "98/1234567X")
    b = make_suspect("Ikbal", "Mo", None, "98/1234567X")
    runs.link_people(full=True)
    link = link_between(a, b)
    assert link.status == LinkStatus.PROPOSED
    assert link.model == model
    pnc = next(item for item in link.evidence if item["comparison"] == "pnc_id")
    assert pnc["level"] == "same" and pnc["weight"] == pytest.approx(12, abs=0.1)


def test_different_pnc_ids_keep_apart_records_with_one_name_and_date(model):
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "98/1234567X")
    b = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "01/7654321A")
    runs.link_people(full=True)
    link = link_between(a, b)
    assert link is None or link.status == LinkStatus.REVIEW


def test_the_same_pnc_id_links_records_the_model_alone_would_drop(model):
    # Nothing but the PNC ID agrees (written in two forms of one ID): the model scores the
    # pair far below the review band, yet one PNC ID is one person.
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "1998/01234567x")
    b = make_suspect("Kowalski", "Zbigniew", datetime.date(1962, 11, 20), "98/1234567X")
    run = runs.link_people(full=True).run
    link = link_between(a, b)
    assert link.status == LinkStatus.PROPOSED
    assert link.match_probability < model.review_threshold  # kept for its PNC ID alone
    levels = {item["comparison"]: item["level"] for item in link.evidence}
    assert (levels["pnc_id"], levels["surname"], levels["date_of_birth"]) == (
        "same",
        "all other",
        "all other",
    )
    assert run.links == 1
    assert (
        NominalMember.objects.get(party=a).nominal_id
        == NominalMember.objects.get(party=b).nominal_id
    )


def test_the_same_pnc_id_on_a_suspect_and_a_victim_waits_for_a_lead(model):
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "98/1234567X")
    b = make_victim("Kowalski", "Zofia", datetime.date(1990, 1, 2), "98/1234567X")
    runs.link_people(full=True)
    link = link_between(a, b)
    assert (link.status, link.cross_role) == (LinkStatus.REVIEW, True)
    assert not NominalMember.objects.filter(party__in=[a, b]).exists()


def test_a_rejected_pair_with_one_pnc_id_stays_rejected(model):
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "98/1234567X")
    b = make_suspect("Kowalski", "Zbigniew", datetime.date(1962, 11, 20), "98/1234567X")
    runs.link_people(full=True)
    link = link_between(a, b)
    PersonLink.objects.filter(pk=link.pk).update(
        status=LinkStatus.REJECTED, reason="A PNC ID keyed against the wrong man, says the PNC"
    )
    runs.link_people(full=True)
    link.refresh_from_db()
    assert link.status == LinkStatus.REJECTED
    # An incremental run that looks at b again (its case changed) scores the pair again.
    Case.objects.filter(pk=b.case_id).update(updated_at=timezone.now())
    run = runs.link_people().run
    link.refresh_from_db()
    assert run.incremental and run.new_records == 1
    assert link.status == LinkStatus.REJECTED
    assert not NominalMember.objects.filter(party=a).filter(nominal__members__party=b).exists()


def test_different_pnc_ids_are_never_linked_automatically_however_alike(model):
    # Everything else agrees on both pairs; only the PNC IDs differ between them.
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "98/1234567X")
    b = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "01/7654321A")
    c = make_suspect("Taylor", "Aisha", datetime.date(1967, 5, 14), "98/7654321B")
    d = make_suspect("Taylor", "Aisha", datetime.date(1967, 5, 14))  # one PNC ID missing
    runs.link_people(full=True)
    apart = link_between(a, b)
    assert apart is None or apart.status == LinkStatus.REVIEW
    assert link_between(c, d).status == LinkStatus.PROPOSED  # the model's own decision
    assert not NominalMember.objects.filter(party__in=[a, b]).exists()


def test_two_pnc_ids_never_become_one_person_through_a_third_record(model):
    # a and b hold different PNC IDs; c holds none and matches both on everything else.
    # Either link alone would join c to one of them; both would make a and b one person.
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "98/1234567X")
    b = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "01/7654321A")
    c = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3))
    run = runs.link_people(full=True).run
    statuses = sorted([link_between(a, c).status, link_between(b, c).status])
    assert statuses == [LinkStatus.PROPOSED, LinkStatus.REVIEW]  # one kept, one for a lead
    assert (run.links, run.review) == (1, 1)
    # One of a and b is in c's cluster; the other in none (it has no other link).
    assert NominalMember.objects.filter(party__in=[a, b]).count() == 1
    assert (
        NominalMember.objects.filter(party__in=[a, b, c]).values("nominal").distinct().count() == 1
    )


def test_a_lead_confirming_a_link_decides_which_pnc_id_the_third_record_joins(model):
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "98/1234567X")
    b = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3), "01/7654321A")
    c = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3))
    runs.link_people(full=True)
    waiting = next(
        link for link in (link_between(a, c), link_between(b, c)) if link.status == "review"
    )
    PersonLink.objects.filter(pk=waiting.pk).update(
        status=LinkStatus.CONFIRMED, reason="The custody record says so", decided_at=timezone.now()
    )
    chosen, other = (a, b) if a.pk in (waiting.left_id, waiting.right_id) else (b, a)
    for full in (True, False):
        if not full:
            Case.objects.filter(pk=c.case_id).update(updated_at=timezone.now())
        runs.link_people(full=full)
        assert link_between(chosen, c).status == LinkStatus.CONFIRMED
        assert link_between(other, c).status == LinkStatus.REVIEW  # now the one waiting
    together = NominalMember.objects.get(party=c).nominal.members.values_list("party", flat=True)
    assert sorted(together) == sorted([c.pk, chosen.pk])


def test_the_same_name_with_a_different_date_of_birth_is_not_linked(model):
    a = make_suspect("Taylor", "Aisha", datetime.date(1967, 5, 14))
    b = make_suspect("Taylor", "Aisha", datetime.date(1981, 9, 2))
    runs.link_people(full=True)
    link = link_between(a, b)
    assert link is None or link.status != LinkStatus.PROPOSED


def test_evidence_names_levels_and_weights_never_values(model):
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3))
    b = make_suspect("IQBAL", "Mo", datetime.date(1979, 3, 5))
    runs.link_people(full=True)
    link = link_between(a, b)
    assert link.status == LinkStatus.PROPOSED
    assert link.evidence[0]["comparison"] == "prior"
    levels = {item["comparison"]: item["level"] for item in link.evidence}
    assert levels["forename"] == "nickname or variant"
    assert levels["date_of_birth"] == "day and month swapped"
    text = json.dumps(link.evidence).lower()
    assert "iqbal" not in text and "1979" not in text


def test_a_rejected_pair_is_never_proposed_again(model):
    a = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3))
    b = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3))
    runs.link_people(full=True)
    link = link_between(a, b)
    assert link.status == LinkStatus.PROPOSED
    PersonLink.objects.filter(pk=link.pk).update(
        status=LinkStatus.REJECTED, reason="Brothers with one name, says the file"
    )
    runs.link_people(full=True)
    link.refresh_from_db()
    assert link.status == LinkStatus.REJECTED
    assert not NominalMember.objects.filter(party__in=[a, b]).exists()


def test_a_suspect_and_a_victim_who_look_alike_wait_for_a_lead_and_are_never_clustered(model):
    a = make_suspect("Iqbal", "Aisha", datetime.date(1990, 5, 3))
    b = make_victim("Iqbal", "Aisha", a.person.date_of_birth)
    runs.link_people(full=True)
    link = link_between(a, b)
    assert link.cross_role is True
    assert link.status == LinkStatus.REVIEW
    assert not NominalMember.objects.filter(party__in=[a, b]).exists()


def test_an_acknowledged_look_alike_keeps_its_decision_when_a_run_no_longer_finds_it(model):
    a = make_suspect("Iqbal", "Aisha", datetime.date(1990, 5, 3))
    b = make_victim("Iqbal", "Aisha", a.person.date_of_birth)
    person = b.person
    runs.link_people(full=True)
    link = link_between(a, b)
    PersonLink.objects.filter(pk=link.pk).update(
        decided_at=datetime.datetime(2026, 12, 1, tzinfo=datetime.UTC),
        reason="Seen: a victim and a suspect who share a name, not one person",
    )
    person.surname, person.forenames = "Kowalski", "Zofia"
    person.save()
    runs.link_people(full=True)
    link.refresh_from_db()
    assert link.decided_at is not None and link.status == LinkStatus.REVIEW


def test_an_incremental_run_compares_only_new_records(model):
    for n in range(6):
        make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3 + n))
    first = runs.link_people(full=True).run
    new = make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3))
    second = runs.link_people().run
    assert second.incremental and not first.incremental
    assert (second.records, second.new_records) == (127, 1)
    # Blocking on the date of birth alone pairs the new record with one other record.
    assert 1 <= second.comparisons < first.comparisons
    assert PersonLink.objects.filter(right_id=new.pk, status=LinkStatus.PROPOSED).exists()


def test_a_model_is_trained_once_kept_as_a_versioned_file_and_reused(model_dir):
    cases = [CaseFactory() for _ in range(40)]
    names = itertools.cycle(
        [("Khan", "Imran"), ("Smith", "John"), ("Ali", "Amir"), ("Shaw", "Jack")]
    )
    for index, case in enumerate(cases):
        surname, forename = next(names)
        born = datetime.date(1970 + index % 9, 1 + index % 12, 1 + index % 27)
        for copy in range(2):
            SuspectFactory(
                case=cases[(index + copy * 7) % len(cases)] if copy else case,
                person=PersonFactory(surname=surname, forenames=forename, date_of_birth=born),
            )
    call_command("link_people", "--train", stdout=io.StringIO())
    trained = LinkageModel.objects.get()
    assert (model_dir / trained.path).exists() and trained.path == "model-v1.json"
    assert len(trained.sha256) == 64 and trained.records == CaseParty.objects.count()
    runs.link_people()
    assert LinkageModel.objects.count() == 1
    assert set(LinkageRun.objects.values_list("model", flat=True)) == {trained.pk}
    runs.link_people(train=True)
    assert LinkageModel.objects.first().version == 2
    assert (model_dir / "model-v2.json").exists()


def test_the_command_prints_what_a_run_did(model, capsys):
    make_suspect("Iqbal", "Mohammed", datetime.date(1979, 5, 3))
    make_suspect("Iqbal", "Mo", datetime.date(1979, 5, 3))
    call_command("link_people", "--full")
    out = capsys.readouterr().out
    for word in (
        "records 122",
        "new records 122",
        "comparisons",
        "links 1",
        "review",
        "clusters 1",
        "seconds",
        "peak MB",
    ):
        assert word in out


def test_precision_and_recall_on_a_generated_review_size_set(tmp_path):
    from cases.referrals.generator_v2 import generate_v2

    path, links_path = generate_v2(tmp_path / "referrals.json", seed=3)
    call_command("import_referrals", str(path), stdout=io.StringIO())
    outcome = runs.link_people(train=True)
    key = {
        party.pk: (party.case.force.slug, party.case.force_reference, party.ref)
        for party in CaseParty.objects.select_related("case__force")
    }
    truth = true_pairs(links_path)
    linked = {
        frozenset((key[left], key[right]))
        for left, right in PersonLink.objects.filter(status=LinkStatus.PROPOSED).values_list(
            "left_id", "right_id"
        )
    }
    clustered = set()
    by_nominal = {}
    for party_id, nominal_id in NominalMember.objects.values_list("party_id", "nominal_id"):
        by_nominal.setdefault(nominal_id, []).append(key[party_id])
    for members in by_nominal.values():
        clustered |= {frozenset(pair) for pair in itertools.combinations(members, 2)}
    pair_precision = len(linked & truth) / len(linked)
    pair_recall = len(linked & truth) / len(truth)
    cluster_precision = len(clustered & truth) / len(clustered)
    cluster_recall = len(clustered & truth) / len(truth)
    print(outcome.run.seconds, pair_precision, pair_recall, cluster_precision, cluster_recall)
    # The targets (precision 0.98, recall 0.95) hold over the pairs the system links
    # automatically into one nominal (measured 1.000 / 0.956 at this seed). Over the links
    # scored above the threshold one by one, recall is lower (0.923): this generator leaves
    # many true pairs with one date missing and a common name (1 in 7 such pairs is true),
    # which only their cluster, through a third record, brings together.
    assert cluster_precision >= 0.98 and cluster_recall >= 0.95
    assert pair_precision >= 0.98 and pair_recall >= 0.90
    # How long the run takes is the bench's to measure (`manage.py bench --only link_people`),
    # not a test's: on a loaded machine the same run took 226 s.
