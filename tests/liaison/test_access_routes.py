"""Liaison routes written to by the people who must not get in: 404, and nothing changes.

What every route answers to every persona is in tests/access_policy.py (tried by
tests/test_access_policy.py). Here: what each liaison route's argument names (the audit's
route tests use it), and an outsider's plausible POST to each record form, which must
answer 404 and leave the record, its follow-up and its periods as they were.
"""

import pytest
from django.urls import URLResolver, get_resolver, reverse

from liaison.models import (
    Consent,
    DoNotContact,
    Message,
    NeedsAssessment,
    Notification,
    ReviewRequest,
    SafetyPlan,
    SupportReferral,
)
from tests.liaison.test_views_setup import days_from_today, open_followup, record_for

pytestmark = pytest.mark.django_db

OUTSIDERS = ("investigator", "other_liaison_officer", "analyst")

# route name: what its argument names (None: no argument)
ROUTES = {
    "liaison:my_victims": None,
    "liaison:notifications": None,
    "liaison:notifications_read_all": None,
    "liaison:notification_read": "notification",
    "liaison:team": None,
    "liaison:deadlines": None,
    "liaison:record": "record",
    "liaison:preferences_edit": "record",
    "liaison:expectation_create": "record",
    "liaison:contact_create": "record",
    "liaison:followup_create": "record",
    "liaison:record_assign": "record",
    "liaison:enhanced_rights_edit": "record",
    "liaison:do_not_contact_add": "record",
    "liaison:do_not_contact_end": "period",
    "liaison:followup_complete": "followup",
    "liaison:followup_cancel": "followup",
    "liaison:victim_links": "record",
    # The victim's correspondence (issue 12): tests/liaison/test_correspondence.py.
    "liaison:correspondence": "record",
    "liaison:correspondence_add": "record",
    "liaison:correspondence_download": "correspondence",
    # Victims' Right to Review (issue 13): tests/liaison/test_review_requests_pages.py.
    "liaison:review_requests": None,
    "liaison:review_request_create": "record",
    "liaison:review_request": "review_request",
    "liaison:review_request_acknowledge": "review_request",
    "liaison:review_request_delay": "review_request",
    "liaison:review_request_decide": "review_request",
    "liaison:review_request_withdraw": "review_request",
    # Consent and support referrals (issue 13): tests/liaison/test_consent.py and
    # test_support_referrals.py.
    "liaison:consent_create": "record",
    "liaison:consent_withdraw": "consent",
    "liaison:support_referral_create": "record",
    "liaison:support_referral_made": "support_referral",
    "liaison:support_referral_outcome": "support_referral",
    # Needs and safety (issue 13): tests/liaison/test_safety.py.
    "liaison:needs_edit": "record",
    "liaison:safety_plan_edit": "record",
    "liaison:safety_plan_review": "record",
    # Messages to the victim (issue 13): tests/liaison/test_messages.py.
    "liaison:messages": "record",
    "liaison:message_new": "record",
    "liaison:message": "message",
    "liaison:message_edit": "message",
    "liaison:message_mark_sent": "message",
    "api:liaison-record-list": None,
    "api:liaison-followup-list": None,
}
# The record forms written to: a refused outsider's POST must change nothing either. (The
# pages that answer GET only refuse any POST with 405, whoever sends it.)
GET_ONLY = {
    "liaison:record",
    "liaison:correspondence",
    "liaison:correspondence_download",
    "liaison:review_request",
    "liaison:messages",
    "liaison:message",
}
WRITES = [name for name, arg in ROUTES.items() if arg and name not in GET_ONLY]


def liaison_route_names() -> set[str]:
    """Every named route under liaison: and the liaison part of the API."""
    names = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or ""
                walk(entry.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace)
            elif entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "")
    return {n for n in names if n.startswith("liaison:") or n.startswith("api:liaison-")}


def test_the_table_names_every_liaison_route():
    assert liaison_route_names() == set(ROUTES)


def period_for(record) -> DoNotContact:
    """A do-not-contact period on the record, until further notice."""
    return DoNotContact.objects.create(
        record=record,
        starts_on=days_from_today(-1),
        reason="In hospital (synthetic)",
        created_by=record.officer,
    )


@pytest.fixture
def owned(liaison_officer):
    """A record, follow-up, do-not-contact period and notification of the liaison officer;
    on the record a Right to Review request, consent to share information, a referral to a
    ChISVA relying on it, a safety plan and a draft message (synthetic)."""
    record = record_for(liaison_officer, channels=["text", "letter"])
    consent = Consent.objects.create(
        record=record,
        kind="information_sharing",
        scope="Synthetic: name and phone shared with the ChISVA service",
        given_on=days_from_today(-3),
        how="in_person",
        recorded_by=liaison_officer,
    )
    return {
        "consent": consent,
        "support_referral": SupportReferral.objects.create(
            record=record,
            service="chisva",
            consent=consent,
            agreed_on=days_from_today(-1),
            recorded_by=liaison_officer,
        ),
        "safety_plan": SafetyPlan.objects.create(
            record=record, risk_level="medium", plan="Synthetic plan."
        ),
        "message": Message.objects.create(
            record=record,
            channel="text",
            register="plain",
            body="The review of your case is still going on (synthetic).",
            written_by=liaison_officer,
        ),
        "record": record,
        "followup": open_followup(record),
        "period": period_for(record),
        "notification": Notification.objects.create(
            user=liaison_officer, text="BP-000001: an update is due today"
        ),
        "review_request": ReviewRequest.objects.create(
            record=record,
            case=record.case,
            received_on=days_from_today(-1),
            channel="letter",
            challenged_decision="Synthetic decision",
            challenged_on=days_from_today(-30),
            recorded_by=liaison_officer,
        ),
    }


def url_for(name, arg, owned):
    return reverse(name, args=[owned[arg].pk]) if arg else reverse(name)


def rights_of(record) -> list:
    """What issue 13 keeps on the record: each row with its version (and a message's
    status, a plan's risk), so any write shows."""
    return [
        sorted(ReviewRequest.objects.filter(record=record).values_list("pk", "version")),
        sorted(Consent.objects.filter(record=record).values_list("pk", "version")),
        sorted(SupportReferral.objects.filter(record=record).values_list("pk", "version")),
        sorted(NeedsAssessment.objects.filter(record=record).values_list("pk", "version")),
        sorted(SafetyPlan.objects.filter(record=record).values_list("pk", "version", "risk_level")),
        sorted(Message.objects.filter(record=record).values_list("pk", "version", "status")),
    ]


def plausible_post(owned) -> dict:
    """One POST that every record form would take from someone let in (its dates today)."""
    today = days_from_today(0).isoformat()
    return {
        "version": "1",
        "reason": "x",
        "starts_on": today,
        "ends_on": today,
        "enhanced_rights": "yes",
        # Consent, support referrals, needs and safety, messages (issue 13).
        "kind": "contact",
        "scope": "Synthetic: calls from the review",
        "given_on": today,
        "how": "phone",
        "withdrawn_on": today,
        "service": "isva",
        "consent": str(owned["consent"].pk),
        "agreed_on": today,
        "referred_on": today,
        "outcome": "declined_by_victim",
        "outcome_on": today,
        "assessed_on": today,
        "risk_level": "high",
        "plan": "Synthetic plan, changed.",
        "reviewed_on": today,
        "body": "Synthetic words, changed.",
        "sent_on": today,
    }


@pytest.mark.parametrize("outsider", OUTSIDERS)
@pytest.mark.parametrize("name", sorted(WRITES))
def test_an_outsiders_post_to_a_record_form_answers_404_and_changes_nothing(
    request, client, owned, name, outsider
):
    arg = ROUTES[name]
    record = owned["record"]
    before = (record.version, record.officer_id, record.contacts.count())
    periods = list(record.do_not_contact.values_list("pk", "ends_on"))
    rights = rights_of(record)
    client.force_login(request.getfixturevalue(outsider))
    response = client.post(url_for(name, arg, owned), plausible_post(owned))
    assert response.status_code == 404
    record.refresh_from_db()
    owned["followup"].refresh_from_db()
    assert (record.version, record.officer_id, record.contacts.count()) == before
    assert owned["followup"].status == "open"
    assert list(record.do_not_contact.values_list("pk", "ends_on")) == periods
    assert ReviewRequest.objects.get(pk=owned["review_request"].pk).version == 1
    assert rights_of(record) == rights


ISSUE_13_WRITES = sorted(
    name
    for name in WRITES
    if name.split(":")[1].startswith(("consent", "support", "needs", "safety", "message"))
)


@pytest.mark.parametrize("name", ISSUE_13_WRITES)
def test_the_control_the_records_officer_posting_the_same_writes(client, owned, name):
    """The outsiders' post above is one the record's officer gets written (302): their 404
    is the refusal of the person, not of the payload."""
    record = owned["record"]
    rights = rights_of(record)
    client.force_login(record.officer)
    response = client.post(url_for(name, ROUTES[name], owned), plausible_post(owned))
    assert response.status_code == 302, response.context and response.context.get("form").errors
    assert rights_of(record) != rights
