"""Phonetic codes for the people written before every writer kept them (issue 10).

Import, `party_add` and `person_update` now set `surname_phonetic` and `forenames_phonetic`
with the names; people already in the database get theirs here, a batch at a time, so
phonetic search and linkage blocking find them too. Nothing to undo: going back leaves the
codes, which the older code ignores.
"""

from django.db import migrations

BATCH = 2000


def backfill(apps, schema_editor):
    from cases.linkage.keys import name_phonetics

    Person = apps.get_model("cases", "Person")
    missing = Person.objects.filter(surname_phonetic="", forenames_phonetic="").exclude(
        surname="", forenames=""
    )
    last = 0
    while True:
        batch = list(
            missing.filter(pk__gt=last).order_by("pk").only("pk", "surname", "forenames")[:BATCH]
        )
        if not batch:
            return
        for person in batch:
            for name, code in name_phonetics(person.surname, person.forenames).items():
                setattr(person, name, code)
        Person.objects.bulk_update(batch, ["surname_phonetic", "forenames_phonetic"])
        last = batch[-1].pk


class Migration(migrations.Migration):
    dependencies = [("cases", "0009_person_search")]

    operations = [migrations.RunPython(backfill, migrations.RunPython.noop, elidable=True)]
