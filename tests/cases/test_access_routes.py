"""Investigator A finds nothing of investigator B's case: what the policy matrix cannot see.

Every route's answer to every persona is in tests/access_policy.py (tried by
tests/test_access_policy.py). Here: a record of B's case named under A's own reference,
B's case missing from A's lists and searches, and a guessed reference answering a page
byte for byte like a missing one.
"""

import re

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.models import Finding, LineOfInquiry, SuspectFlag
from cases.permissions import grant_case_access
from tests.factories import make_case

pytestmark = pytest.mark.django_db

# Extra route arguments, besides the case reference, for the routes that name a record.
RECORD_ARGS = {
    "party_edit": "party",
    "person_edit": "party",
    "flag_add": "party",
    "flag_clear": "flag",
    "inquiry_edit": "inquiry",
    "finding_edit": "finding",
}


@pytest.fixture
def bs_case(other_investigator):
    case = make_case(summary="B's case.")
    grant_case_access(other_investigator, case)
    finding = Finding.objects.create(
        case=case,
        category="other",
        description="B's finding.",
        severity="low",
        recorded_by=other_investigator,
    )
    inquiry = LineOfInquiry.objects.create(
        case=case, description="B's inquiry.", origin="review", created_by=other_investigator
    )
    flag = SuspectFlag.objects.create(
        party=case.parties.get(ref="S1"),
        kind="dangerous",
        reason="B's flag.",
        set_by=other_investigator,
    )
    return {"case": case, "finding": finding, "inquiry": inquiry, "flag": flag}


@pytest.fixture
def as_case(investigator):
    case = make_case(summary="A's case.")
    grant_case_access(investigator, case)
    return case


def without_csrf_token(response) -> str:
    """The page without what differs on every request: the CSRF token, and the seconds the
    timeout warning says are left (a second may pass between two requests)."""
    page = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", response.content.decode())
    return re.sub(r'data-(idle|absolute)-left="\d+"', "", page)


def url_for(name, records, case=None):
    case = case or records["case"]
    record = RECORD_ARGS.get(name)
    if record is None:
        return reverse(f"cases:{name}", args=[case.reference])
    if record == "party":
        return reverse(f"cases:{name}", args=[case.reference, "S1"])
    return reverse(f"cases:{name}", args=[case.reference, records[record].pk])


@pytest.mark.parametrize("name", sorted(set(RECORD_ARGS.values()) - {"party"}))
def test_another_cases_record_under_your_own_reference_is_404(
    client, investigator, as_case, bs_case, name
):
    route = {"flag": "flag_clear", "inquiry": "inquiry_edit", "finding": "finding_edit"}[name]
    client.force_login(investigator)
    url = reverse(f"cases:{route}", args=[as_case.reference, bs_case[name].pk])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404


def test_another_investigators_case_is_absent_from_my_cases(client, investigator, as_case, bs_case):
    client.force_login(investigator)
    page = client.get(reverse("cases:my_cases")).content.decode()
    assert as_case.reference in page
    assert bs_case["case"].reference not in page
    search = client.get(reverse("cases:my_cases"), {"force": "kent"}).content.decode()
    assert bs_case["case"].reference not in search


def test_another_investigators_case_is_absent_from_the_api_list(investigator, as_case, bs_case):
    api = APIClient()
    api.force_login(investigator)
    body = api.get(reverse("api:case-list")).json()
    assert [row["reference"] for row in body["results"]] == [as_case.reference]
    filtered = api.get(
        reverse("api:case-list"), {"force_reference": bs_case["case"].force_reference}
    ).json()
    assert filtered["results"] == [] and filtered["next"] is None


def test_guessing_the_next_reference_looks_like_a_missing_case(client, investigator, bs_case):
    client.force_login(investigator)
    taken = client.get(reverse("cases:detail", args=[bs_case["case"].reference]))
    missing = client.get(reverse("cases:detail", args=["BP-999999"]))
    assert taken.status_code == missing.status_code == 404
    assert without_csrf_token(taken) == without_csrf_token(missing)
