"""Who sees which liaison records: their officer, the liaison leads, and nobody else."""

import datetime

import pytest
from django.http import Http404
from django.utils import timezone

from liaison.permissions import (
    can_see_victim_name,
    followups_visible_to,
    record_get_for,
    records_visible_to,
)
from liaison.selectors import (
    case_summary_for_liaison,
    liaison_glance_for_case,
    records_for_list,
)
from liaison.services import contact_record, expectation_record, record_assign
from tests.factories import LiaisonRecordFactory, make_followup

pytestmark = pytest.mark.django_db


@pytest.fixture
def record(liaison_officer, liaison_lead):
    return record_assign(
        reason="Synthetic assignment",
        record=LiaisonRecordFactory(),
        officer=liaison_officer,
        by=liaison_lead,
    )


@pytest.fixture
def others_record(other_liaison_officer, liaison_lead):
    return record_assign(
        reason="Synthetic assignment",
        record=LiaisonRecordFactory(),
        officer=other_liaison_officer,
        by=liaison_lead,
    )


def test_a_liaison_officer_sees_only_the_records_assigned_to_them(
    record, others_record, liaison_officer
):
    assert list(records_visible_to(liaison_officer)) == [record]
    assert record_get_for(liaison_officer, record.pk) == record
    with pytest.raises(Http404):
        record_get_for(liaison_officer, others_record.pk)


def test_not_yours_answers_exactly_like_missing(record, others_record, liaison_officer):
    with pytest.raises(Http404) as not_yours:
        record_get_for(liaison_officer, others_record.pk)
    with pytest.raises(Http404) as missing:
        record_get_for(liaison_officer, 999_999)
    with pytest.raises(Http404):
        record_get_for(liaison_officer, "not-a-number")
    assert str(not_yours.value) == str(missing.value)


def test_a_liaison_lead_sees_and_assigns_every_record(record, others_record, liaison_lead):
    assert set(records_visible_to(liaison_lead)) == {record, others_record}
    assert record_get_for(liaison_lead, others_record.pk, "assign") == others_record


def test_a_liaison_officer_cannot_assign_even_their_own_record(record, liaison_officer):
    with pytest.raises(Http404):
        record_get_for(liaison_officer, record.pk, "assign")


@pytest.mark.parametrize("persona", ["investigator", "review_lead", "analyst"])
def test_people_outside_liaison_see_no_liaison_record_or_follow_up(request, record, persona):
    user = request.getfixturevalue(persona)
    make_followup(record, due_on=timezone.localdate())
    assert not records_visible_to(user).exists()
    assert not followups_visible_to(user).exists()
    with pytest.raises(Http404):
        record_get_for(user, record.pk)


def test_a_superuser_sees_nothing_for_being_one(record, admin_user):
    assert list(records_visible_to(admin_user)) == []


def test_an_inactive_officer_sees_nothing(record, liaison_officer):
    liaison_officer.is_active = False
    assert not records_visible_to(liaison_officer).exists()


def test_follow_ups_follow_their_records(record, others_record, liaison_officer):
    mine = make_followup(record, due_on=timezone.localdate())
    make_followup(others_record, due_on=timezone.localdate())
    assert list(followups_visible_to(liaison_officer)) == [mine]


def test_only_the_assigned_officer_sees_the_victims_name(record, liaison_officer, liaison_lead):
    assert can_see_victim_name(liaison_officer, record)
    assert not can_see_victim_name(liaison_lead, record)


def test_the_case_summary_for_liaison_shows_no_investigative_detail(
    record, liaison_officer, investigator, other_liaison_officer
):
    from cases.models import InvestigativeEvent, LineOfInquiry
    from tests.factories import SuspectFactory

    case = record.case
    SuspectFactory(case=case)
    LineOfInquiry.objects.create(
        case=case, description="Request phone records of SECRET-LINE", origin="review",
        created_by=investigator,
    )  # fmt: skip
    InvestigativeEvent.objects.create(
        case=case, type="arrest", occurred_on=datetime.date(2025, 8, 22),
        notes="Arrested at SECRET-ADDRESS", recorded_by=investigator,
    )  # fmt: skip
    summary = case_summary_for_liaison(liaison_officer, record)
    assert summary.reference == case.reference
    assert [(s.label, s.on) for s in summary.may_be_shared] == [
        ("Suspect arrested", datetime.date(2025, 8, 22))
    ]
    assert "SECRET" not in repr(summary)
    assert case_summary_for_liaison(other_liaison_officer, record) is None
    assert case_summary_for_liaison(investigator, record) is None


def test_an_investigator_glances_dates_of_liaison_never_what_was_said(record, liaison_officer):
    contact, _ = contact_record(
        record=record,
        by=liaison_officer,
        occurred_at=timezone.now() - datetime.timedelta(hours=1),
        channel="phone",
        direction="out",
        outcome="made",
        summary="SECRET-SUMMARY",
        said_about_case="SECRET-SAID",
        no_outcome_promised=True,
        next_contact_on=timezone.localdate() + datetime.timedelta(days=7),
    )
    expectation_record(record=record, by=liaison_officer, hope="other", in_their_words="SECRET")
    (glance,) = liaison_glance_for_case(record.case)
    assert glance.last_contact_at == contact.occurred_at
    assert timezone.localdate(glance.next_update_due_at) == contact.next_contact_on
    assert "SECRET" not in repr(glance)
    assert record.party.person.surname not in repr(glance)


def test_my_victims_list_costs_one_query_whatever_its_length(
    liaison_officer, liaison_lead, django_assert_num_queries
):
    for _ in range(4):
        record = record_assign(
            reason="Synthetic assignment",
            record=LiaisonRecordFactory(),
            officer=liaison_officer,
            by=liaison_lead,
        )
        make_followup(record, due_on=timezone.localdate() - datetime.timedelta(days=1))
    from beaconport.roles import roles_of

    liaison_officer = type(liaison_officer).objects.get(pk=liaison_officer.pk)
    roles_of(liaison_officer)  # roles are read once per request, before any list
    with django_assert_num_queries(1):
        rows = list(records_for_list(liaison_officer))
        assert [r.party.ref for r in rows] and all(r.overdue for r in rows)
        assert all(r.case.reference for r in rows)
