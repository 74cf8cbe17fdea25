"""The migration that gives people written before the import kept phonetic codes theirs."""

import importlib

import pytest
from django.apps import apps

from cases.linkage.keys import name_phonetics
from cases.models import Person

pytestmark = pytest.mark.django_db

backfill = importlib.import_module("cases.migrations.0010_person_phonetic_backfill").backfill


def test_people_without_phonetic_codes_get_them_and_others_are_left_alone(monkeypatch):
    monkeypatch.setattr(
        importlib.import_module("cases.migrations.0010_person_phonetic_backfill"), "BATCH", 2
    )
    old = [Person.objects.create(surname=s, forenames="Mohammed") for s in ("Khan", "Ali", "Shah")]
    kept = Person.objects.create(surname="Smith", surname_phonetic="KEPT")

    backfill(apps, None)

    for person in old:
        person.refresh_from_db()
        codes = name_phonetics(person.surname, person.forenames)
        assert (person.surname_phonetic, person.forenames_phonetic) == tuple(codes.values())
    kept.refresh_from_db()
    assert kept.surname_phonetic == "KEPT"
