"""A victim who may also be a victim in another case (issue 10): told only to the victim's own
liaison officer, the details only after a reason, the reason in the audit log. Liaison
officers see no suspect link."""

import functools

import pytest
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from cases.models import NominalMember
from cases.vocabulary import LinkStatus
from tests.factories import make_case, make_case_in, make_nominal
from tests.liaison.test_views_setup import record_for

pytestmark = pytest.mark.django_db

NOTICE = "This victim may also be a victim in another case"


# The victims' records as one person, a lead having confirmed each link.
link = functools.partial(make_nominal, status=LinkStatus.CONFIRMED, probability=0.97)


@pytest.fixture
def durham():
    return make_case_in("durham")


@pytest.fixture
def record(liaison_officer):
    """The officer's victim (V1 of a Kent case)."""
    return record_for(liaison_officer, party=make_case().parties.get(ref="V1"))


@pytest.fixture
def linked_victim(record, durham):
    """The officer's victim is V2 of the Durham case too (a lead confirmed it)."""
    return link(record.party, durham.parties.get(ref="V2"))


def record_page(client, user, record):
    client.force_login(user)
    return client.get(reverse("liaison:record", args=[record.pk]))


def links_url(record):
    return reverse("liaison:victim_links", args=[record.pk])


def test_the_officer_is_told_the_victim_may_be_a_victim_elsewhere(
    client, liaison_officer, record, durham, linked_victim
):
    page = record_page(client, liaison_officer, record).content.decode()
    assert NOTICE in page
    assert durham.reference not in page  # not before a reason


def test_no_notice_for_a_victim_linked_nowhere(client, liaison_officer, record):
    assert NOTICE not in record_page(client, liaison_officer, record).content.decode()


def test_details_only_after_a_reason_and_the_reason_is_logged(
    client, liaison_officer, record, durham, linked_victim
):
    client.force_login(liaison_officer)
    asked = client.get(links_url(record))
    assert asked.status_code == 302 and "/audit/justify/" in asked["Location"]
    reason = "Coordinating contact with the other force's officer"
    back = client.post(asked["Location"], {"justification": reason})
    assert back.status_code == 302
    page = client.get(back["Location"])
    assert page.status_code == 200
    text = page.content.decode()
    assert durham.reference in text
    assert "Durham Constabulary" in text
    assert "Confirmed" in text
    shown = AuditEvent.objects.filter(
        actor=liaison_officer, operation="consult", object_type="cases.case"
    ).get()
    assert shown.justification == reason
    assert str(durham.pk) in shown.object_ids
    assert AuditEvent.objects.filter(
        actor=liaison_officer, object_type="liaison.liaisonrecord", justification=reason
    ).exists()


def test_a_link_through_a_third_record_says_so(
    client, liaison_officer, record, durham, linked_victim
):
    third = make_case_in("essex").parties.get(ref="V1")
    NominalMember.objects.create(party=third, nominal=linked_victim)
    client.force_login(liaison_officer)
    asked = client.get(links_url(record))
    back = client.post(asked["Location"], {"justification": "Planning the next contact"})
    text = client.get(back["Location"]).content.decode()
    assert "Linked through another record" in text


@pytest.mark.parametrize(
    "persona",
    [
        "other_liaison_officer",
        "liaison_lead",
        "national_lead",
        "investigator",
        "review_lead",
        "analyst",
    ],
)
def test_no_one_but_the_victims_officer_sees_the_victims_links(
    client, request, persona, record, linked_victim
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(links_url(record)).status_code == 404
    response = client.get(reverse("liaison:record", args=[record.pk]))
    assert NOTICE not in response.content.decode()


def test_liaison_officers_see_no_suspect_link(client, liaison_officer, record, durham):
    # The victim's case has a suspect who is also on the Durham case; the victim is linked
    # nowhere. Nothing of it reaches the liaison officer.
    link(record.case.parties.get(ref="S1"), durham.parties.get(ref="S1"))
    page = record_page(client, liaison_officer, record).content.decode()
    assert NOTICE not in page
    assert durham.reference not in page
    assert client.get(reverse("cases:detail", args=[record.case.reference])).status_code == 404
    asked = client.get(links_url(record))
    back = client.post(asked["Location"], {"justification": "Checking before the next contact"})
    text = client.get(back["Location"]).content.decode()
    assert durham.reference not in text
    assert "No other case is linked to this victim now." in text


def test_the_record_page_costs_no_more_with_the_notice(
    client, liaison_officer, record, linked_victim, django_assert_num_queries
):
    from tests.liaison.test_views import RECORD_PAGE_QUERIES

    client.force_login(liaison_officer)
    with django_assert_num_queries(RECORD_PAGE_QUERIES):
        response = client.get(reverse("liaison:record", args=[record.pk]))
    assert NOTICE in response.content.decode()
