"""What an import costs the database: a fixed number of queries per batch of referrals,
whatever the batch holds, the after-commit receivers (liaison records) included."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from cases.models import Case, CaseParty
from cases.referrals.generator import referral_file_generate
from cases.referrals.importer import referral_file_import
from liaison.models import LiaisonRecord

pytestmark = pytest.mark.django_db


def import_counted(path, capture_on_commit, **options) -> tuple[int, object]:
    """(queries, result) for one import of the file, receivers run after its commit."""
    with (
        CaptureQueriesContext(connection) as queries,
        capture_on_commit(execute=True),
    ):
        result = referral_file_import(path, **options)
    return len(queries), result


def generated(tmp_path, count: int, prefix: str):
    path = tmp_path / f"{prefix}.json"
    referral_file_generate(path, count=count, seed=5, forces=4, reference_prefix=prefix)
    return path


def test_importing_10_or_40_referrals_in_one_batch_costs_the_same_queries(
    tmp_path, django_capture_on_commit_callbacks
):
    small, large = generated(tmp_path, 10, "S-"), generated(tmp_path, 40, "L-")

    small_queries, small_result = import_counted(
        small, django_capture_on_commit_callbacks, batch_size=50
    )
    large_queries, large_result = import_counted(
        large, django_capture_on_commit_callbacks, batch_size=50
    )

    assert (small_result.created, large_result.created) == (10, 40)
    # The import's savepoint (2); the batch: its savepoint (2), forces, existing cases,
    # cases, people, parties, offences, two link tables, criteria, one audit row naming
    # the new cases (12); after the commit, liaison: victims, their records, one audit
    # row, in a savepoint (5).
    assert small_queries == large_queries == 2 + 12 + 5
    # Every victim was given a record, by the receiver those queries include.
    victims = CaseParty.objects.filter(role="victim")
    assert LiaisonRecord.objects.count() == victims.count() > 40


def test_an_import_costs_a_fixed_number_of_queries_per_batch(
    tmp_path, django_capture_on_commit_callbacks
):
    path = generated(tmp_path, 40, "B-")

    queries, result = import_counted(path, django_capture_on_commit_callbacks, batch_size=10)

    assert result.created == 40 == Case.objects.count()
    # The import's savepoint, then four batches of twelve, each announcing its victims.
    assert queries == 2 + 4 * (12 + 5)


def test_importing_the_same_40_again_costs_a_fixed_number_of_queries(
    tmp_path, django_capture_on_commit_callbacks
):
    path = generated(tmp_path, 40, "A-")
    import_counted(path, django_capture_on_commit_callbacks, batch_size=50)

    queries, result = import_counted(path, django_capture_on_commit_callbacks, batch_size=50)

    assert result.unchanged == 40
    # The import's savepoint; the batch's savepoint (2), forces, cases (locked), their
    # parties, their people's identifiers (to tell a changed phone or PNC from none),
    # offences and the two link tables; nothing written, nothing announced.
    assert queries == 2 + 9


def test_an_import_leaves_the_cycle_collector_as_it_found_it(
    tmp_path, django_capture_on_commit_callbacks
):
    import gc

    before = gc.get_threshold()

    import_counted(generated(tmp_path, 3, "G-"), django_capture_on_commit_callbacks)

    assert gc.get_threshold() == before
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
