"""The case's timeline (issue 13): events naming their suspect, flags set and cleared, moves
through the workflow, decisions and offence changes, newest first; suspects by pseudonym
unless the page shows names; a fixed number of queries however long the history."""

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from cases import selectors, timeline
from cases.models import (
    Case,
    CaseTransition,
    DecisionLogEntry,
    InvestigativeEvent,
    OffenceChange,
    SuspectFlag,
)
from cases.permissions import grant_case_access
from cases.services.decision_log import decision_log_add
from cases.services.offences import offence_add
from cases.views.detail_sections import review_record_section
from tests.cases.helpers import give_reason_for_names
from tests.factories import make_case

pytestmark = pytest.mark.django_db


def _at(day: int, hour: int = 12) -> datetime.datetime:
    return timezone.make_aware(datetime.datetime(2026, 10, day, hour, 0))


def _history(case, investigator, review_lead, *, rounds: int = 1):
    """One of each kind of entry per round, each on its own day of October 2026."""
    suspect = case.parties.get(ref="S1")
    for n in range(rounds):
        base = 1 + (n * 6) % 24
        InvestigativeEvent.objects.create(
            case=case,
            type="arrest",
            occurred_on=datetime.date(2026, 10, base),
            occurred_at=datetime.time(9, 30),
            suspect=suspect,
            recorded_by=investigator,
            notes=f"MARK-EVENT-{n}",
        )
        flag = SuspectFlag.objects.create(
            party=suspect, kind="dangerous", reason=f"MARK-FLAG-{n}", set_by=investigator
        )
        SuspectFlag.objects.filter(pk=flag.pk).update(
            set_at=_at(base + 1),
            cleared_at=_at(base + 2),
            cleared_by=investigator,
            cleared_reason=f"MARK-CLEARED-{n}",
        )
        move = CaseTransition.objects.create(
            case=case, from_status="referred", to_status="triage", by=review_lead, reason="Go"
        )
        CaseTransition.objects.filter(pk=move.pk).update(at=_at(base + 3))
        decision_log_add(
            case=case,
            by=review_lead,
            decision=f"MARK-DECISION-{n}",
            rationale="Why",
            decided_on=datetime.date(2026, 10, base + 4),
        )
        change = offence_add(
            case=case,
            by=investigator,
            type="sexual_assault",
            reason=f"MARK-OFFENCE-{n}",
            version=Case.objects.get(pk=case.pk).version,
        )
        # Backdated for the test's order: the history refuses updates, so the base manager.
        OffenceChange._base_manager.filter(pk=change.pk).update(at=_at(base + 5))


@pytest.fixture
def case(investigator):
    case = make_case(suspects=2, victims=1, received_on=datetime.date(2026, 9, 1))
    grant_case_access(investigator, case)
    return case


def _kinds(html: str) -> list[str]:
    return re.findall(r'data-kind="(\w+)"', html)


def test_the_timeline_runs_newest_first_with_every_kind_of_entry(
    client, case, investigator, review_lead
):
    _history(case, investigator, review_lead)
    client.force_login(investigator)
    page = client.get(reverse("review:timeline", args=[case.reference])).content.decode()
    assert _kinds(page) == [
        "offence",
        "decision",
        "transition",
        "flag_cleared",
        "flag_set",
        "event",
        "referred",
    ]
    for mark in ("MARK-OFFENCE-0", "MARK-DECISION-0", "MARK-CLEARED-0", "MARK-EVENT-0"):
        assert mark in page
    assert "1 October 2026 09:30" in page


def test_the_case_page_shows_the_same_entries_in_the_same_order(
    client, case, investigator, review_lead
):
    _history(case, investigator, review_lead)
    client.force_login(investigator)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    section = page[page.index('id="timeline"') :]
    assert _kinds(section) == [
        "offence",
        "decision",
        "transition",
        "flag_cleared",
        "flag_set",
        "event",
        "referred",
    ]
    assert 'data-testid="timeline-all"' not in section


def test_suspects_are_shown_by_pseudonym_to_a_lead_and_before_a_reason_is_given(
    client, case, investigator, review_lead
):
    _history(case, investigator, review_lead)
    person = case.parties.get(ref="S1").person
    for user in (review_lead, investigator):
        client.force_login(user)
        for url, start in (
            (reverse("cases:detail", args=[case.reference]), 'id="timeline"'),
            (reverse("review:timeline", args=[case.reference]), "<h1"),
        ):
            page = client.get(url).content.decode()
            section = page[page.index(start) :]
            shown = re.findall(r'data-testid="timeline-suspect">([^<]+)', section)
            assert shown and set(shown) == {f"{case.reference}-S1"}, (user, url)
            assert person.surname not in page


def test_an_assigned_investigator_who_gave_a_reason_sees_the_suspects_name(
    client, case, investigator, review_lead
):
    _history(case, investigator, review_lead)
    person = case.parties.get(ref="S1").person
    client.force_login(investigator)
    give_reason_for_names(client, case)
    page = client.get(reverse("review:timeline", args=[case.reference])).content.decode()
    shown = re.findall(r'data-testid="timeline-suspect">([^<]+)', page)
    assert shown and all(person.full_name in name for name in shown)


def test_a_long_history_is_capped_on_the_case_page_with_a_link_to_the_whole_timeline(
    client, case, investigator, review_lead
):
    _history(case, investigator, review_lead, rounds=5)  # 30 entries and the referral
    client.force_login(investigator)
    page = client.get(reverse("cases:detail", args=[case.reference])).content.decode()
    section = page[page.index('id="timeline"') :]
    assert len(_kinds(section)) == timeline.CASE_PAGE_ENTRIES
    assert 'data-testid="timeline-all"' in section
    whole = timeline.case_timeline_page(case, 1, names=False, size=7)
    second = timeline.case_timeline_page(case, 2, names=False, size=7)
    assert len(whole.entries) == 7 and whole.has_next and second.has_previous
    assert not {id(e.item) for e in whole.entries} & {id(e.item) for e in second.entries}
    everything = []
    for number in range(1, 6):
        everything += timeline.case_timeline_page(case, number, names=False, size=7).entries
    assert len(everything) == 31
    assert [e.at for e in everything] == sorted((e.at for e in everything), reverse=True)


def test_another_teams_lead_gets_404_for_the_timeline(client, case, other_team_review_lead):
    client.force_login(other_team_review_lead)
    assert client.get(reverse("review:timeline", args=[case.reference])).status_code == 404


@pytest.mark.parametrize("rounds", [1, 8])
def test_a_timeline_page_costs_the_same_queries_however_long_the_history(
    case, investigator, review_lead, rounds, django_assert_num_queries
):
    _history(case, investigator, review_lead, rounds=rounds)
    # Six sources, one query each, whatever their length.
    with django_assert_num_queries(6):
        page = timeline.case_timeline_page(case, 1, names=True, size=10)
        for entry in page.entries:
            if entry.suspect is not None:
                assert entry.suspect.person.surname
    assert len(page.entries) == min(10, 6 * rounds + 1)


@pytest.mark.parametrize("rounds", [1, 8])
def test_the_case_page_section_adds_two_queries_however_long_the_history(
    case, investigator, review_lead, rounds, django_assert_num_queries
):
    _history(case, investigator, review_lead, rounds=rounds)
    loaded = selectors.case_page_queryset().get(pk=case.pk)
    from cases.permissions import leads_case

    leads_case(review_lead, loaded)  # the page has read the lead's forces already
    # The decision log's newest entries and the offence history; events, moves and flags
    # come from the page's prefetch.
    with django_assert_num_queries(2):
        context = review_record_section(review_lead, loaded)
    assert len(context["review_timeline"]) == min(timeline.CASE_PAGE_ENTRIES, 6 * rounds + 1)
    assert DecisionLogEntry.objects.filter(case=case).count() == rounds
