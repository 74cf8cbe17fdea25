"""Data migrations give every fresh database the roles and the 43 forces."""

import pytest
from django.contrib.auth.models import Group

from beaconport.roles import ALL_ROLES
from cases.models import Force


@pytest.mark.django_db
def test_every_role_exists_as_a_group_after_migrate():
    names = set(Group.objects.values_list("name", flat=True))
    expected = {
        "Investigator",
        "Review lead",
        "Liaison officer",
        "Liaison lead",
        "Analyst",
        "Administrator",
        "Auditor",
        "National lead",
    }
    assert {role.value for role in ALL_ROLES} == expected
    assert expected <= names


@pytest.mark.django_db
def test_the_43_forces_of_england_and_wales_exist_with_full_names():
    assert Force.objects.count() == 43
    assert Force.objects.get(slug="metropolitan").name == "Metropolitan Police Service"
    assert Force.objects.filter(name="").count() == 0


@pytest.mark.django_db
def test_force_slugs_match_the_referral_format(referral_schema):
    referral = referral_schema["properties"]["referrals"]["items"]
    schema_slugs = set(referral["properties"]["force"]["enum"])
    assert set(Force.objects.values_list("slug", flat=True)) == schema_slugs
