"""Support referrals (issue 13): a victim referred to an ISVA, a ChISVA or other support with
their consent to share information recorded first; due within 2 working days for enhanced
entitlement; made (late only with a reason); its outcome recorded."""

import datetime

import holidays
import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from beaconport.audit.models import AuditEvent
from cases.services.errors import StaleEdit
from liaison.models import FollowUpStatus, SupportReferral, VictimsCodeRule
from liaison.services import (
    consent_record,
    consent_withdraw,
    enhanced_rights_set,
    support_referral_create,
    support_referral_made,
    support_referral_outcome,
)
from liaison.views.record_sections import support_section
from tests.audit.helpers import last_seq
from tests.liaison.test_views_setup import days_from_today, record_for

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate
BANK_HOLIDAYS = holidays.country_holidays("GB", subdiv="ENG", years=range(2020, 2031))


def working(day: datetime.date) -> bool:
    return day.weekday() < 5 and day not in BANK_HOLIDAYS


def nth_working_day_after(day: datetime.date, n: int) -> datetime.date:
    """Walk the calendar by hand: the test's own count, not the code's."""
    while n:
        day += datetime.timedelta(days=1)
        n -= working(day)
    return day


def day_before_a_bank_holiday() -> datetime.date:
    """The latest past working day whose next two calendar days hold a weekday bank holiday."""
    for holiday in sorted(BANK_HOLIDAYS, reverse=True):
        if holiday.weekday() >= 5 or holiday >= TODAY() - datetime.timedelta(days=7):
            continue
        day = holiday - datetime.timedelta(days=1)
        while not working(day):
            day -= datetime.timedelta(days=1)
        return day
    raise AssertionError("no bank holiday in the calendar")


@pytest.fixture
def record(liaison_officer):
    return record_for(liaison_officer)


def share(record, by, given_on=None, kind="information_sharing"):
    return consent_record(
        record=record,
        by=by,
        kind=kind,
        scope="Name, age and phone shared with the ChISVA service, to offer support",
        given_on=given_on or TODAY(),
        how="in_person",
    )


def withdraw(consent, by, reason):
    """The victim withdraws the consent today, at the version loaded."""
    return consent_withdraw(
        consent=consent, by=by, withdrawn_on=TODAY(), reason=reason, version=consent.version
    )


def mark_made(referral, by, late_reason=""):
    """The referral was made today, at the version loaded."""
    return support_referral_made(
        referral=referral,
        by=by,
        referred_on=TODAY(),
        late_reason=late_reason,
        version=referral.version,
    )


def give_outcome(referral, by, outcome, notes=""):
    """What came of the referral, today, at the version loaded."""
    return support_referral_outcome(
        referral=referral,
        by=by,
        outcome=outcome,
        outcome_on=TODAY(),
        notes=notes,
        version=referral.version,
    )


def refer(record, by, consent, agreed_on=None, service="chisva", organisation=""):
    return support_referral_create(
        record=record,
        by=by,
        service=service,
        organisation=organisation,
        consent=consent,
        agreed_on=agreed_on or TODAY(),
    )


def test_a_referral_needs_an_active_consent_to_share_information_recorded_first(
    record, liaison_officer
):
    with pytest.raises(ValidationError) as none:
        refer(record, liaison_officer, None)
    assert "consent" in none.value.message_dict

    contact = share(record, liaison_officer, kind="contact")
    with pytest.raises(ValidationError) as wrong_kind:
        refer(record, liaison_officer, contact)
    assert "not to contact" in wrong_kind.value.message_dict["consent"][0]

    elsewhere = share(record_for(liaison_officer), liaison_officer)
    with pytest.raises(ValidationError):
        refer(record, liaison_officer, elsewhere)

    withdrawn = share(record, liaison_officer)
    withdraw(withdrawn, liaison_officer, "Changed their mind")
    with pytest.raises(ValidationError) as gone:
        refer(record, liaison_officer, withdrawn)
    assert "withdrawn" in gone.value.message_dict["consent"][0]
    assert not SupportReferral.objects.exists()

    referral = refer(record, liaison_officer, share(record, liaison_officer))
    assert referral.pk


def test_a_referral_cannot_be_agreed_before_the_consent_it_relies_on(record, liaison_officer):
    consent = share(record, liaison_officer)
    with pytest.raises(ValidationError) as refused:
        refer(record, liaison_officer, consent, agreed_on=days_from_today(-1))
    assert "agreed_on" in refused.value.message_dict


def test_the_referral_is_due_in_two_working_days_over_a_bank_holiday(record, liaison_officer):
    agreed_on = day_before_a_bank_holiday()
    expected = nth_working_day_after(agreed_on, 2)
    assert expected > agreed_on + datetime.timedelta(days=2)  # the holiday moved it on
    consent = share(record, liaison_officer, given_on=agreed_on)

    referral = refer(record, liaison_officer, consent, agreed_on=agreed_on)

    follow_up = referral.followup
    assert follow_up.due_on == expected
    assert follow_up.rule.trigger == "support_referral"
    assert follow_up.source == f"support:{referral.pk}"
    assert follow_up.status == FollowUpStatus.OPEN and follow_up.officer_id == liaison_officer.pk


def test_without_enhanced_entitlement_the_rules_standard_days_apply(record, liaison_officer):
    VictimsCodeRule.objects.filter(trigger="support_referral").update(standard_days=5)
    record = enhanced_rights_set(
        record=record, enhanced=False, by=liaison_officer, reason="Synthetic: adult, one offence"
    )
    agreed_on = day_before_a_bank_holiday()
    referral = refer(
        record, liaison_officer, share(record, liaison_officer, agreed_on), agreed_on=agreed_on
    )
    assert referral.followup.due_on == nth_working_day_after(agreed_on, 5)


def test_made_late_needs_a_reason_and_is_kept_as_late(record, liaison_officer):
    agreed_on = day_before_a_bank_holiday()
    referral = refer(
        record, liaison_officer, share(record, liaison_officer, agreed_on), agreed_on=agreed_on
    )
    with pytest.raises(ValidationError) as refused:
        mark_made(referral, liaison_officer)
    assert "say why" in refused.value.message_dict["late_reason"][0]
    referral.refresh_from_db()
    assert referral.referred_on is None

    made = mark_made(
        referral, liaison_officer, late_reason="The service's line was down over the holiday"
    )
    follow_up = made.followup
    follow_up.refresh_from_db()
    assert made.referred_on == TODAY()
    assert follow_up.status == FollowUpStatus.DONE and follow_up.completed_late is True
    assert follow_up.late_reason == "The service's line was down over the holiday"


def test_made_in_time_needs_no_reason(record, liaison_officer):
    referral = refer(record, liaison_officer, share(record, liaison_officer))
    made = mark_made(referral, liaison_officer)
    made.followup.refresh_from_db()
    assert made.followup.completed_late is False


def test_the_outcome_is_recorded_once_the_referral_is_made(record, liaison_officer):
    referral = refer(record, liaison_officer, share(record, liaison_officer))
    with pytest.raises(ValidationError) as early:
        give_outcome(referral, liaison_officer, "accepted")
    assert "made first" in early.value.message_dict["outcome"][0]

    referral = mark_made(referral, liaison_officer)
    referral = give_outcome(referral, liaison_officer, "accepted", notes="First session booked")
    stored = SupportReferral.objects.get(pk=referral.pk)
    assert (stored.outcome, stored.outcome_on, stored.outcome_notes) == (
        "accepted",
        TODAY(),
        "First session booked",
    )


def test_a_victim_who_declines_before_it_is_made_stops_the_referral(record, liaison_officer):
    referral = refer(record, liaison_officer, share(record, liaison_officer))
    referral = give_outcome(referral, liaison_officer, "declined_by_victim")
    referral.followup.refresh_from_db()
    assert referral.followup.status == FollowUpStatus.CANCELLED
    with pytest.raises(ValidationError):
        mark_made(referral, liaison_officer)


def test_stale_edits_of_a_referral_are_refused(record, liaison_officer, liaison_lead):
    referral = refer(record, liaison_officer, share(record, liaison_officer))
    loaded = SupportReferral.objects.select_related("record").get(pk=referral.pk)
    mark_made(referral, liaison_lead)
    with pytest.raises(StaleEdit) as stale_made:
        mark_made(loaded, liaison_officer)
    assert "referred_on" in stale_made.value.changes
    with pytest.raises(StaleEdit):
        give_outcome(loaded, liaison_officer, "declined_by_victim")
    assert SupportReferral.objects.get(pk=referral.pk).outcome == ""


def test_withdrawing_consent_to_share_information_stops_a_referral_not_yet_made(
    record, liaison_officer
):
    consent = share(record, liaison_officer)
    referral = refer(record, liaison_officer, consent)
    withdraw(consent, liaison_officer, "Does not want the service told")
    referral.followup.refresh_from_db()
    assert referral.followup.status == FollowUpStatus.CANCELLED
    assert "withdrew consent to share their information" in referral.followup.cancelled_reason
    with pytest.raises(ValidationError) as refused:
        mark_made(referral, liaison_officer)
    assert "Does not want the service told" in refused.value.messages[0]


def test_no_referral_opens_while_consent_to_contact_is_withdrawn(record, liaison_officer):
    contact = share(record, liaison_officer, kind="contact")
    withdraw(contact, liaison_officer, "No calls")
    record.refresh_from_db()
    with pytest.raises(ValidationError) as refused:
        refer(record, liaison_officer, share(record, liaison_officer))
    assert "withdrew consent to contact" in refused.value.messages[0]


def test_other_support_must_be_named(record, liaison_officer):
    with pytest.raises(ValidationError) as refused:
        refer(record, liaison_officer, share(record, liaison_officer), service="other")
    assert "organisation" in refused.value.message_dict


def test_referring_making_and_the_outcome_are_audited(record, liaison_officer):
    seq = last_seq()
    referral = refer(record, liaison_officer, share(record, liaison_officer))
    referral = mark_made(referral, liaison_officer)
    give_outcome(referral, liaison_officer, "accepted")
    rows = list(
        AuditEvent.objects.filter(seq__gt=seq, object_type="liaison.supportreferral")
        .order_by("seq")
        .values_list("operation", "actor_id", "case_id")
    )
    assert rows == [
        ("collect", liaison_officer.pk, record.case_id),
        ("alter", liaison_officer.pk, record.case_id),
        ("alter", liaison_officer.pk, record.case_id),
    ]


@pytest.mark.parametrize("referrals", [1, 6])
def test_the_record_pages_support_section_costs_two_queries_however_many_referrals(
    record, liaison_officer, django_assert_num_queries, referrals
):
    consent = share(record, liaison_officer)
    for _ in range(referrals):
        refer(record, liaison_officer, consent)
    with django_assert_num_queries(2):
        section = support_section(liaison_officer, record)
        [(r.followup.due_on, r.consent.scope) for r in section["support_referrals"]]
        [(c.recorded_by.username, c.withdrawn_by) for c in section["support_consents"]]
    assert len(section["support_referrals"]) == referrals


# --- pages ----------------------------------------------------------------------------


def test_the_refer_page_offers_only_this_records_active_consents_to_share(
    client, record, liaison_officer
):
    mine = share(record, liaison_officer)
    contact = share(record, liaison_officer, kind="contact")
    elsewhere = share(record_for(liaison_officer), liaison_officer)
    gone = share(record, liaison_officer)
    withdraw(gone, liaison_officer, "No")
    client.force_login(liaison_officer)
    response = client.get(reverse("liaison:support_referral_create", args=[record.pk]))
    offered = [value for value, _ in response.context["form"].fields["consent"].choices if value]
    assert offered == [mine.pk]
    assert contact.pk not in offered and elsewhere.pk not in offered


def test_the_refer_page_links_to_record_consent_first_when_there_is_none(
    client, record, liaison_officer
):
    client.force_login(liaison_officer)
    response = client.get(reverse("liaison:support_referral_create", args=[record.pk]))
    page = response.content.decode()
    assert "Record their consent first" in page
    assert reverse("liaison:consent_create", args=[record.pk]) in page
    refused = client.post(
        reverse("liaison:support_referral_create", args=[record.pk]),
        {"service": "chisva", "agreed_on": TODAY().isoformat(), "consent": ""},
    )
    assert refused.status_code == 400 and not SupportReferral.objects.exists()


def test_referring_on_the_page_shows_the_due_day_on_the_record(client, record, liaison_officer):
    consent = share(record, liaison_officer)
    client.force_login(liaison_officer)
    response = client.post(
        reverse("liaison:support_referral_create", args=[record.pk]),
        {"service": "isva", "organisation": "", "consent": consent.pk, "agreed_on": TODAY()},
    )
    assert response.status_code == 302
    due = SupportReferral.objects.get().followup.due_on
    page = client.get(reverse("liaison:record", args=[record.pk])).content.decode()
    assert f"{due:%a} {due.day} {due:%b %Y}" in page
    assert "Independent sexual violence adviser (ISVA)" in page


def test_making_it_late_on_the_page_answers_400_with_the_reason_asked(
    client, record, liaison_officer
):
    agreed_on = day_before_a_bank_holiday()
    referral = refer(
        record, liaison_officer, share(record, liaison_officer, agreed_on), agreed_on=agreed_on
    )
    client.force_login(liaison_officer)
    response = client.post(
        reverse("liaison:support_referral_made", args=[referral.pk]),
        {"version": referral.version, "referred_on": TODAY().isoformat(), "late_reason": ""},
    )
    assert response.status_code == 400
    assert "Why it was late" in response.content.decode()


def test_a_stale_outcome_on_the_page_answers_409(client, record, liaison_officer, liaison_lead):
    referral = refer(record, liaison_officer, share(record, liaison_officer))
    version = referral.version
    support_referral_made(referral=referral, by=liaison_lead, referred_on=TODAY(), version=version)
    client.force_login(liaison_officer)
    response = client.post(
        reverse("liaison:support_referral_outcome", args=[referral.pk]),
        {"version": version, "outcome": "accepted", "outcome_on": TODAY().isoformat()},
    )
    assert response.status_code == 409
    assert SupportReferral.objects.get().outcome == ""


def test_an_investigator_and_another_officer_get_404_on_the_referral_pages(
    client, record, liaison_officer, other_liaison_officer, investigator
):
    referral = refer(record, liaison_officer, share(record, liaison_officer))
    urls = [
        reverse("liaison:support_referral_create", args=[record.pk]),
        reverse("liaison:support_referral_made", args=[referral.pk]),
        reverse("liaison:support_referral_outcome", args=[referral.pk]),
    ]
    for outsider in (other_liaison_officer, investigator):
        client.force_login(outsider)
        for url in urls:
            assert client.get(url).status_code == 404, (outsider, url)


def test_opening_the_referral_pages_logs_a_read_of_the_record(client, record, liaison_officer):
    referral = refer(record, liaison_officer, share(record, liaison_officer))
    client.force_login(liaison_officer)
    for url in (
        reverse("liaison:support_referral_create", args=[record.pk]),
        reverse("liaison:support_referral_made", args=[referral.pk]),
        reverse("liaison:support_referral_outcome", args=[referral.pk]),
        reverse("liaison:consent_create", args=[record.pk]),
    ):
        seq = last_seq()
        assert client.get(url).status_code == 200
        row = AuditEvent.objects.get(seq__gt=seq, operation="consult")
        assert (row.object_type, row.object_id) == ("liaison.liaisonrecord", str(record.pk))
