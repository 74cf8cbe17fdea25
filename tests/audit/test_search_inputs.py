"""The auditor's question cannot crash the page: numbers too long for a key, look-alike
digits and implausible dates are form errors, and nothing is looked up or logged."""

import pytest

from beaconport.audit.models import AuditEvent

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("question", "message"),
    [
        ({"subject": "person", "value": "1" * 25}, "up to 18 digits"),  # was: bigint out of range
        ({"subject": "person", "value": "\u0663\u0664"}, "up to 18 digits"),  # Arabic-Indic 34
        ({"subject": "person", "value": "\u00b2"}, "up to 18 digits"),  # superscript two
        ({"subject": "case", "value": "BP-00000\uff16"}, "Enter a case reference"),
        ({"subject": "case", "value": "BP-" + "1" * 25}, "Enter a case reference"),
        ({"subject": "case", "value": "BP-000001", "since": "0001-01-01"}, "1 January 1900"),
        ({"subject": "case", "value": "BP-000001", "until": "9999-12-31"}, "31 December 2100"),
    ],
)
def test_an_impossible_question_is_a_form_error_and_logs_nothing(
    client, auditor, django_assert_max_num_queries, question, message
):
    client.force_login(auditor)
    with django_assert_max_num_queries(8):  # session and user only: no search ran
        response = client.get("/audit/", question)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert response.context["page_obj"] is None
    assert not AuditEvent.objects.exists()


def test_the_longest_person_number_is_searched(client, auditor):
    client.force_login(auditor)
    response = client.get("/audit/", {"subject": "person", "value": "9" * 18})
    assert response.status_code == 200
    assert response.context["page_obj"] is not None
