"""Pages and API answers to a signed-in user say Cache-Control: no-store; health checks do not."""

import pytest
from django.urls import reverse
from rest_framework.test import APIClient

from cases.permissions import grant_case_access
from tests.factories import make_case
from tests.liaison.test_views_setup import record_for

pytestmark = pytest.mark.django_db


def no_store(response) -> bool:
    directives = {part.strip() for part in response.get("Cache-Control", "").split(",")}
    return {"no-store", "private"} <= directives


@pytest.fixture
def assigned_case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


def test_the_case_page_is_not_stored(client, investigator, assigned_case):
    client.force_login(investigator)
    response = client.get(reverse("cases:detail", args=[assigned_case.reference]))
    assert response.status_code == 200
    assert no_store(response)


def test_the_liaison_record_page_is_not_stored(client, liaison_officer):
    record = record_for(liaison_officer)
    client.force_login(liaison_officer)
    response = client.get(reverse("liaison:record", args=[record.pk]))
    assert response.status_code == 200
    assert no_store(response)


def test_an_api_answer_signed_in_in_the_view_is_not_stored(investigator, assigned_case):
    api = APIClient()
    api.force_authenticate(investigator)  # DRF sets the user inside the view, as for a token
    response = api.get(reverse("api:case-detail", args=[assigned_case.reference]))
    assert response.status_code == 200
    assert no_store(response)


def test_an_api_list_over_a_session_is_not_stored(client, liaison_officer):
    record_for(liaison_officer)
    client.force_login(liaison_officer)
    response = client.get("/api/v1/liaison/records/")
    assert response.status_code == 200
    assert no_store(response)


def test_a_404_to_a_signed_in_user_is_not_stored_either(client, investigator):
    client.force_login(investigator)
    response = client.get(reverse("cases:detail", args=["BP-999999"]))
    assert response.status_code == 404
    assert no_store(response)


def test_an_answer_to_a_stranger_is_left_alone(client):
    response = client.get("/api/v1/cases/")
    assert response.status_code in (401, 403)
    assert "no-store" not in response.get("Cache-Control", "")
