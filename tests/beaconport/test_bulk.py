"""beaconport.bulk: plain rows inserted in one statement, ids back in order, every column
the caller leaves out given its model default."""

import datetime

import pytest

from beaconport.bulk import column_update, instances_insert, rows_insert
from cases.models import Case, CaseParty, Person
from liaison.models import LiaisonRecord
from tests.factories import make_case
from tests.services import require_service

pytestmark = pytest.mark.django_db


def test_rows_come_back_with_their_ids_in_the_order_given():
    rows = [("Ames", "Jo", datetime.date(1970, 5, 1)), ("Bell", "", None), ("Cole", "Al", None)]

    ids = rows_insert(Person, ("surname", "forenames", "date_of_birth"), rows)

    stored = Person.objects.in_bulk(ids)
    assert [(stored[i].surname, stored[i].forenames, stored[i].date_of_birth) for i in ids] == rows


def test_column_update_gives_each_row_its_own_value_in_one_statement(
    django_assert_num_queries,
):
    was = datetime.date(1980, 1, 2)
    rows = [("Ames", None), ("Bell", was), ("Cole", was)]
    ames, bell, cole = rows_insert(Person, ("surname", "date_of_birth"), rows)
    born = [datetime.date(1970, 5, 1), None]

    with django_assert_num_queries(1):
        column_update(Person, "date_of_birth", [(ames, born[0]), (cole, born[1])])

    stored = Person.objects.in_bulk([ames, bell, cole])
    assert [stored[pk].date_of_birth for pk in (ames, cole)] == born
    assert stored[bell].date_of_birth == was


def test_a_column_left_out_takes_its_model_default():
    (pk,) = rows_insert(Person, ("surname",), [("Ames",)])

    person = Person.objects.get(pk=pk)
    assert (person.version, person.gender, person.forenames) == (1, "unknown", "")


def test_a_refused_row_is_skipped_with_ignore_conflicts_and_the_others_written():
    case = make_case(victims=2, suspects=0)
    first, second = CaseParty.objects.filter(case=case).order_by("pk")
    rows_insert(LiaisonRecord, ("party_id", "case_id"), [(first.pk, case.pk)])

    rows_insert(
        LiaisonRecord,
        ("party_id", "case_id"),
        [(first.pk, case.pk), (second.pk, case.pk)],
        ignore_conflicts=True,
    )

    records = LiaisonRecord.objects.filter(case=case)
    assert sorted(records.values_list("party_id", flat=True)) == [first.pk, second.pk]
    record = records.get(party=second)
    assert (record.channels, record.enhanced_rights, record.officer_id) == ([], True, None)
    assert record.created_at is not None


def test_nothing_to_insert_costs_no_query(django_assert_num_queries):
    with django_assert_num_queries(0):
        assert rows_insert(Person, ("surname",), []) == []


def test_instances_are_given_their_ids_and_times_as_save_would():
    template = make_case(victims=0, suspects=0, offences=())
    cases = [
        Case(force=template.force, force_reference=f"BULK-{n}", received_on=template.received_on)
        for n in range(3)
    ]

    instances_insert(cases)

    assert all(case.pk and case.created_at and not case._state.adding for case in cases)
    stored = Case.objects.in_bulk([case.pk for case in cases])
    assert [stored[case.pk].force_reference for case in cases] == ["BULK-0", "BULK-1", "BULK-2"]


def test_a_value_too_long_for_its_column_is_refused_not_cut_short():
    from django.db import DataError, IntegrityError, connection, transaction

    # SQLite keeps any length: only PostgreSQL holds a column to its size.
    require_service("PostgreSQL", connection.vendor == "postgresql", "set DATABASE_URL")
    with pytest.raises((DataError, IntegrityError)), transaction.atomic():
        rows_insert(Person, ("surname",), [("x" * 101,)])

    assert not Person.objects.filter(surname__startswith="xxx").exists()


def test_text_dates_and_empty_values_arrive_as_given():
    odd = 'Quote " back\\slash, comma {brace} \u00e9'
    (pk,) = rows_insert(
        Person, ("surname", "forenames", "date_of_birth"), [(odd, "", datetime.date(1901, 2, 3))]
    )

    person = Person.objects.get(pk=pk)
    assert (person.surname, person.forenames, person.date_of_birth) == (
        odd,
        "",
        datetime.date(1901, 2, 3),
    )
