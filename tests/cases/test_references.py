"""A case reference is ASCII: a look-alike digit opens nothing, not a different case."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import parse_reference
from cases.permissions import grant_case_access
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def _look_alike(reference: str, base: int) -> str:
    """The reference with its last digit replaced by the same digit of another script."""
    return reference[:-1] + chr(base + int(reference[-1]))


FULLWIDTH, ARABIC_INDIC, DEVANAGARI = (
    0xFF10,
    0x0660,
    0x0966,
)  # fullwidth, Arabic-Indic, Devanagari zero


@pytest.mark.parametrize("base", [FULLWIDTH, ARABIC_INDIC, DEVANAGARI])
def test_a_reference_with_a_non_ascii_digit_parses_to_nothing(base):
    assert parse_reference("BP-000006") == 6
    assert parse_reference(_look_alike("BP-000006", base)) is None


def test_a_reference_too_long_for_a_key_parses_to_nothing():
    assert parse_reference("BP-" + "9" * 18) == 10**18 - 1
    assert parse_reference("BP-" + "1" * 25) is None


@pytest.fixture
def assigned_case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


@pytest.mark.parametrize("base", [FULLWIDTH, ARABIC_INDIC])
def test_the_case_page_answers_404_for_a_look_alike_reference(
    client, investigator, assigned_case, base
):
    client.force_login(investigator)
    url = reverse("cases:detail", args=[assigned_case.reference])
    assert client.get(url).status_code == 200
    look_alike = reverse("cases:detail", args=[_look_alike(assigned_case.reference, base)])
    assert client.get(look_alike).status_code == 404


def test_the_case_api_answers_404_for_a_look_alike_or_overlong_reference(
    investigator, assigned_case
):
    api = APIClient()
    api.force_authenticate(investigator)
    url = reverse("api:case-detail", args=[assigned_case.reference])
    assert api.get(url).status_code == 200
    for reference in (_look_alike(assigned_case.reference, FULLWIDTH), "BP-" + "1" * 25):
        assert api.get(reverse("api:case-detail", args=[reference])).status_code == 404
