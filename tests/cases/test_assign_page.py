"""The assign page at a team's size: found by name, a page of investigators at a time (issue 9).

A region may have hundreds of investigators; the page never lists them all at once, each
one offered shows their caseload, and a choice is checked against the whole team.
"""

import re

import pytest
from django.urls import reverse

from beaconport.roles import Role
from cases.permissions import users_assigned_to
from tests.factories import make_case

pytestmark = pytest.mark.django_db

# 3 (session, user, groups) + the lead's forces + the case + its audit row + the team's
# count + the page of investigators with their caseloads + the assignment history.
ASSIGN_PAGE_QUERIES = 9


@pytest.fixture
def many_investigators(make_user, team):
    """A team of 40 investigators besides Ivy: a page and a half of them."""
    made = [make_user(f"inv.{n:02d}", Role.INVESTIGATOR) for n in range(40)]
    team.members.add(*made)
    return made


def offered(response) -> list[str]:
    """The investigators the assign form offers (their option labels)."""
    select = re.search(
        r'<select name="investigator".*?</select>', response.content.decode(), re.DOTALL
    )
    return re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', select.group(0))


def test_the_assign_page_offers_a_page_of_the_team_with_caseloads(
    client, review_lead, investigator, many_investigators
):
    case = make_case()
    client.force_login(review_lead)
    url = reverse("cases:assign", args=[case.reference])
    first = client.get(url)
    assert first.status_code == 200
    assert len(offered(first)) == 25
    assert offered(first)[0] == "inv.00 (0 open cases)"
    assert "Investigators 1 to 25 of 41" in first.content.decode()
    second = client.get(url, {"page": 2})
    assert len(offered(second)) == 16
    assert "ivy.investigator (0 open cases)" in offered(second)


def test_the_assign_page_finds_an_investigator_by_name(
    client, review_lead, investigator, many_investigators
):
    case = make_case()
    client.force_login(review_lead)
    response = client.get(reverse("cases:assign", args=[case.reference]), {"who": "ivy"})
    assert offered(response) == ["ivy.investigator (0 open cases)"]
    assert "of 1 matching" in response.content.decode()


def test_an_investigator_from_a_later_page_can_be_assigned(
    client, review_lead, investigator, many_investigators
):
    case = make_case()
    client.force_login(review_lead)
    response = client.post(
        reverse("cases:assign", args=[case.reference]),
        {"investigator": investigator.pk, "reason": "First review"},
    )
    assert response.status_code == 302
    assert list(users_assigned_to(case)) == [investigator]


def test_an_investigator_outside_the_team_is_refused(client, review_lead, make_user, other_team):
    outsider = make_user("olive.elsewhere", Role.INVESTIGATOR)
    other_team.members.add(outsider)
    case = make_case()
    client.force_login(review_lead)
    response = client.post(
        reverse("cases:assign", args=[case.reference]),
        {"investigator": outsider.pk, "reason": "First review"},
    )
    assert response.status_code == 400
    assert list(users_assigned_to(case)) == []


@pytest.mark.parametrize("size", [5, 40])
def test_the_assign_page_costs_the_same_queries_however_big_the_team(
    client, review_lead, make_user, team, size, django_assert_num_queries
):
    team.members.add(*(make_user(f"inv.{n:02d}", Role.INVESTIGATOR) for n in range(size)))
    case = make_case()
    client.force_login(review_lead)
    with django_assert_num_queries(ASSIGN_PAGE_QUERIES):
        response = client.get(reverse("cases:assign", args=[case.reference]))
    assert len(offered(response)) == min(size, 25)
