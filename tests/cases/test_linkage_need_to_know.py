"""Need-to-know for linked cases, by persona (issue 10): what the case page says of a person's
other cases, flags carried across cases, and access requests to a review lead.

Links are built with the ORM (a nominal and its members, and the pairwise link rows), as
the linkage engine and a lead's decisions leave them.
"""

import datetime

import pytest
from django.core import mail
from django.db import transaction
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from beaconport.models import OutboxMessage
from cases.linkage.access import (
    AccessRequestError,
    access_request_create,
    access_request_grant,
    access_request_refuse,
    access_request_withdraw,
)
from cases.models import (
    CaseAccessRequest,
    Nominal,
    NominalMember,
    PersonLink,
    SuspectFlag,
)
from cases.permissions import cases_visible_to, grant_case_access
from cases.services.intake import case_recompute
from cases.vocabulary import LinkStatus
from tests.factories import make_case_in, make_link, make_nominal

pytestmark = pytest.mark.django_db


@pytest.fixture
def kent(investigator):
    """The investigator's own case (Kent)."""
    case = make_case_in("kent")
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def durham():
    """Another case in the personas' team (Durham): the review lead's, not the investigator's."""
    return make_case_in("durham")


@pytest.fixture
def cumbria():
    """A case of another region's team (Cumbria): outside the review lead's scope."""
    return make_case_in("cumbria")


@pytest.fixture
def suspect_everywhere(kent, durham, cumbria):
    """S1 of the Kent case is S2 of the Durham case and S1 of the Cumbria case."""
    return make_nominal(
        kent.parties.get(ref="S1"), durham.parties.get(ref="S2"), cumbria.parties.get(ref="S1")
    )


def page_of(client, user, case):
    client.force_login(user)
    return client.get(reverse("cases:detail", args=[case.reference]))


# --- what the case page says, by persona --------------------------------------------------


def test_investigator_assigned_to_one_case_sees_the_count_and_forces_not_the_other_cases(
    client, investigator, kent, durham, cumbria, suspect_everywhere
):
    page = page_of(client, investigator, kent).content.decode()
    assert "Also on other cases" in page
    assert "2 other cases" in page
    assert "Cumbria Constabulary" in page and "Durham Constabulary" in page
    assert durham.reference not in page and cumbria.reference not in page
    assert "Ask the review lead for access" in page


def test_investigator_assigned_to_both_cases_sees_both_references(
    client, investigator, kent, durham, cumbria, suspect_everywhere
):
    grant_case_access(investigator, durham)
    page = page_of(client, investigator, kent).content.decode()
    assert durham.reference in page
    assert cumbria.reference not in page  # still not theirs: counted only
    assert "2 other cases" in page


def test_review_lead_sees_the_references_of_their_teams_cases_only(
    client, review_lead, kent, durham, cumbria, suspect_everywhere
):
    page = page_of(client, review_lead, kent).content.decode()
    assert durham.reference in page
    assert cumbria.reference not in page
    assert "Cumbria Constabulary" in page
    assert "Ask the review lead for access" not in page  # leads do not ask; they assign


def test_national_lead_sees_every_reference(
    client, national_lead, kent, durham, cumbria, suspect_everywhere
):
    page = page_of(client, national_lead, kent).content.decode()
    assert durham.reference in page and cumbria.reference in page


def test_the_other_side_of_the_link_is_told_too(
    client, review_lead, kent, durham, suspect_everywhere
):
    page = page_of(client, review_lead, durham).content.decode()
    assert kent.reference in page and "2 other cases" in page


def test_a_case_whose_people_are_linked_nowhere_shows_no_panel(client, investigator, kent):
    page = page_of(client, investigator, kent).content.decode()
    assert "Also on other cases" not in page


def test_a_link_waiting_for_a_lead_or_rejected_says_nothing(client, investigator, kent, durham):
    # Only nominals count, and only linked records are in one: a pair in the review band or
    # rejected has no NominalMember rows.
    make_link(kent.parties.get(ref="S1"), durham.parties.get(ref="S1"), LinkStatus.REVIEW, 0.6)
    page = page_of(client, investigator, kent).content.decode()
    assert "Also on other cases" not in page


def test_victim_links_are_never_shown_on_the_case_page(
    client, investigator, review_lead, kent, durham
):
    make_nominal(kent.parties.get(ref="V1"), durham.parties.get(ref="V1"))
    for user in (investigator, review_lead):
        page = page_of(client, user, kent).content.decode()
        assert "Also on other cases" not in page
        assert durham.reference not in page


@pytest.mark.parametrize("persona", ["liaison_officer", "analyst", "other_team_review_lead"])
def test_those_who_cannot_see_the_case_learn_nothing_of_its_links(
    client, request, persona, kent, suspect_everywhere
):
    user = request.getfixturevalue(persona)
    assert page_of(client, user, kent).status_code == 404


# --- flags carried across cases ------------------------------------------------------------


def flag(party, by, kind="dangerous"):
    return SuspectFlag.objects.create(party=party, kind=kind, reason="Synthetic.", set_by=by)


def test_a_flag_on_the_suspect_shows_on_every_case_where_they_appear(
    client, investigator, review_lead, kent, durham, cumbria, suspect_everywhere
):
    flag(cumbria.parties.get(ref="S1"), review_lead)
    page = page_of(client, investigator, kent).content.decode()
    today = datetime.date.today()
    assert "Flagged on another case" in page
    assert (
        f"{kent.reference}-S1: flagged dangerous on another case, Cumbria Constabulary, since "
        f"{today.day} {today:%B %Y}"
    ) in page
    assert cumbria.reference not in page  # the flag's case stays unnamed to them
    assert "Synthetic." not in page  # and its reason with it


def test_a_carried_flag_shows_in_the_suspects_row_and_the_flags_section_says_so(
    client, investigator, review_lead, kent, durham, cumbria, suspect_everywhere
):
    flag(cumbria.parties.get(ref="S1"), review_lead)
    page = page_of(client, investigator, kent).content.decode()
    row = page[page.index('<tr data-party="S1">') :]
    row = row[: row.index("</tr>")]
    assert "Dangerous — on another case, Cumbria Constabulary" in row
    other_row = page[page.index('<tr data-party="S2">') :]
    assert "on another case" not in other_row[: other_row.index("</tr>")]
    section = page[page.index('<h2 id="flags">') :]
    section = section[: section.index("</section>")]
    assert "No flags on this case." in section
    assert (
        "1 active flag raised on other cases where this case's suspects also appear: "
        f"{kent.reference}-S1 dangerous (Cumbria Constabulary)"
    ) in section
    assert cumbria.reference not in page and "Synthetic." not in page


def test_a_suspect_flagged_on_no_other_case_has_no_carried_flag_in_the_page(
    client, investigator, kent, durham, suspect_everywhere
):
    page = page_of(client, investigator, kent).content.decode()
    assert "on another case" not in page
    assert "raised on other cases" not in page


def test_a_carried_flag_names_the_other_case_to_those_who_may_open_it(
    client, review_lead, kent, durham, suspect_everywhere
):
    flag(durham.parties.get(ref="S2"), review_lead, kind="flight_risk")
    page = page_of(client, review_lead, kent).content.decode()
    assert "flagged at risk of leaving the uk on another case, Durham Constabulary" in page
    assert f'href="/cases/{durham.reference}/">{durham.reference}</a>)' in page


def test_a_cleared_flag_is_not_carried(
    client, investigator, review_lead, kent, durham, suspect_everywhere
):
    from django.utils import timezone

    carried = flag(durham.parties.get(ref="S2"), review_lead)
    SuspectFlag.objects.filter(pk=carried.pk).update(
        cleared_at=timezone.now(), cleared_by=review_lead, cleared_reason="Synthetic."
    )
    assert "Flagged on another case" not in page_of(client, investigator, kent).content.decode()


def test_a_carried_flag_leaves_the_cases_own_priority_alone(
    review_lead, kent, durham, suspect_everywhere
):
    # Decided (docs/linkage-need-to-know.md): priority follows the case's own file; the
    # carried flag is shown, not scored, so a model's link never reorders a force's queue.
    flag(durham.parties.get(ref="S2"), review_lead)
    case_recompute(case=kent)
    case_recompute(case=durham)
    kent.refresh_from_db()
    durham.refresh_from_db()
    assert (kent.priority, durham.priority) == ("P3", "P2")


# --- the case page's cost ----------------------------------------------------------------

# tests/cases/test_queries.py: 18 for an investigator on a case with no findings (16, and
# the decision log and offence history of issue 13); with links: + the nominals' records on
# other cases + the flags among them + the investigator's own access requests.
DETAIL_WITH_LINKS_INVESTIGATOR = 18 + 3
# 19 for a review lead; + records elsewhere + flags (leads do not ask for access).
DETAIL_WITH_LINKS_REVIEW_LEAD = 19 + 2


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("investigator", DETAIL_WITH_LINKS_INVESTIGATOR),
        ("review_lead", DETAIL_WITH_LINKS_REVIEW_LEAD),
    ],
)
def test_the_case_page_with_links_costs_a_fixed_number_of_queries(
    client, request, django_assert_num_queries, persona, expected, kent, review_lead
):
    user = request.getfixturevalue(persona)
    client.force_login(user)
    url = reverse("cases:detail", args=[kent.reference])
    others = []
    for many in (1, 6):
        while len(others) < many:
            others.append(make_case_in("durham" if len(others) % 2 else "cumbria"))
            flag(others[-1].parties.get(ref="S1"), review_lead)
        # S1 is every other case's S1 (each flagged); S2 is S2 of the first other case.
        NominalMember.objects.all().delete()
        Nominal.objects.all().delete()
        PersonLink.objects.all().delete()
        make_nominal(kent.parties.get(ref="S1"), *(case.parties.get(ref="S1") for case in others))
        make_nominal(kent.parties.get(ref="S2"), others[0].parties.get(ref="S2"))
        with django_assert_num_queries(expected):
            response = client.get(url)
        assert response.status_code == 200
        page = response.content.decode()
        assert f"{many} other case" in page
        assert page.count("flagged dangerous on another case") == many


# --- access requests --------------------------------------------------------------------


def ask(client, investigator, case, ref="S1", reason="The same suspect: I need his history."):
    client.force_login(investigator)
    url = reverse("people:access_request_ask", args=[case.reference, ref])
    return client.post(url, {"reason": reason})


def asked_for(case, investigator, kent) -> CaseAccessRequest:
    """The request for this case, once the investigator asked for Kent's S1's other cases."""
    access_request_create(party=kent.parties.get(ref="S1"), by=investigator, reason="Why.")
    return CaseAccessRequest.objects.get(case=case)


def test_investigator_asks_for_the_cases_they_cannot_open(
    client, investigator, kent, durham, cumbria, suspect_everywhere
):
    response = ask(client, investigator, kent)
    assert response.status_code == 302
    asked = CaseAccessRequest.objects.filter(requested_by=investigator)
    assert set(asked.values_list("case_id", flat=True)) == {durham.pk, cumbria.pk}
    assert all(r.from_case_id == kent.pk and r.status == "open" for r in asked)
    assert (
        AuditEvent.objects.filter(
            object_type="cases.caseaccessrequest", operation="collect", actor=investigator
        ).count()
        == 2
    )
    page = page_of(client, investigator, kent).content.decode()
    assert "Asked" in page and "open" in page
    assert "Ask the review lead for access" not in page  # every hidden case asked for


def test_asking_needs_a_reason(client, investigator, kent, suspect_everywhere):
    assert ask(client, investigator, kent, reason=" ").status_code == 400
    assert not CaseAccessRequest.objects.exists()


def test_one_open_request_per_case_and_investigator(investigator, kent, suspect_everywhere):
    party = kent.parties.get(ref="S1")
    access_request_create(party=party, by=investigator, reason="First.")
    with pytest.raises(AccessRequestError):
        access_request_create(party=party, by=investigator, reason="Again.")
    assert CaseAccessRequest.objects.count() == 2


def test_nothing_to_ask_for_a_person_linked_nowhere(client, investigator, kent):
    response = ask(client, investigator, kent)
    assert response.status_code == 400
    assert "nothing to ask for" in response.content.decode()


@pytest.mark.parametrize(
    "persona", ["other_investigator", "review_lead", "liaison_officer", "analyst"]
)
def test_only_the_cases_investigator_may_ask(client, request, persona, kent, suspect_everywhere):
    user = request.getfixturevalue(persona)
    assert ask(client, user, kent).status_code == 404
    assert not CaseAccessRequest.objects.exists()


def test_review_lead_sees_the_requests_for_their_teams_cases_only(
    client,
    investigator,
    review_lead,
    other_team_review_lead,
    kent,
    durham,
    cumbria,
    suspect_everywhere,
):
    access_request_create(party=kent.parties.get(ref="S1"), by=investigator, reason="Why.")
    for_durham = CaseAccessRequest.objects.get(case=durham)
    for_cumbria = CaseAccessRequest.objects.get(case=cumbria)
    client.force_login(review_lead)
    page = client.get(reverse("people:access_requests")).content.decode()
    assert f'data-request="{for_durham.pk}"' in page
    assert f'data-request="{for_cumbria.pk}"' not in page
    decide = reverse("people:access_request_decide", args=[for_cumbria.pk])
    assert client.get(decide).status_code == 404
    client.force_login(other_team_review_lead)
    page = client.get(reverse("people:access_requests")).content.decode()
    assert f'data-request="{for_cumbria.pk}"' in page
    assert kent.reference not in page  # the case where it was asked is not theirs


def test_lead_grants_a_request_as_an_assignment_and_the_investigator_is_told(
    client,
    investigator,
    review_lead,
    kent,
    durham,
    suspect_everywhere,
    django_capture_on_commit_callbacks,
):
    request_ = asked_for(durham, investigator, kent)
    client.force_login(review_lead)
    url = reverse("people:access_request_decide", args=[request_.pk])
    until = datetime.date.today() + datetime.timedelta(days=30)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            url, {"decision": "grant", "reason": "Same suspect; work both.", "until": until}
        )
    assert response.status_code == 302
    request_.refresh_from_db()
    assert (request_.status, request_.decided_by, request_.decision_reason) == (
        "granted",
        review_lead,
        "Same suspect; work both.",
    )
    spell = durham.assignments.get(investigator=investigator)
    assert spell.reason == "Same suspect; work both." and spell.expires_at is not None
    investigator = type(investigator).objects.get(pk=investigator.pk)
    assert cases_visible_to(investigator).filter(pk=durham.pk).exists()
    assert [m.subject for m in mail.outbox] == [f"Beaconport: access to {durham.reference} granted"]
    assert "Same suspect" not in mail.outbox[0].body  # no reasons leave the system
    assert AuditEvent.objects.filter(
        object_type="cases.caseaccessrequest", operation="alter", actor=review_lead
    ).exists()
    page = page_of(client, investigator, kent).content.decode()
    assert durham.reference in page  # now theirs


def test_lead_of_another_team_grants_across_teams(
    investigator, other_team_review_lead, kent, cumbria, suspect_everywhere
):
    request_ = asked_for(cumbria, investigator, kent)
    access_request_grant(request=request_, by=other_team_review_lead, reason="Yes.")
    investigator = type(investigator).objects.get(pk=investigator.pk)
    assert cases_visible_to(investigator).filter(pk=cumbria.pk).exists()


def test_lead_refuses_with_a_reason_and_the_case_stays_unnamed(
    client,
    investigator,
    review_lead,
    kent,
    durham,
    suspect_everywhere,
    django_capture_on_commit_callbacks,
):
    request_ = asked_for(durham, investigator, kent)
    with pytest.raises(AccessRequestError):
        access_request_refuse(request=request_, by=review_lead, reason="")
    with django_capture_on_commit_callbacks(execute=True):
        access_request_refuse(request=request_, by=review_lead, reason="Not needed yet.")
    assert durham.reference not in mail.outbox[0].subject + mail.outbox[0].body
    page = page_of(client, investigator, kent).content.decode()
    assert "refused" in page and "Not needed yet." in page
    assert durham.reference not in page
    with pytest.raises(AccessRequestError):  # decided once
        access_request_grant(request=request_, by=review_lead, reason="Changed my mind.")


def test_a_lead_outside_the_cases_team_cannot_decide(
    investigator, other_team_review_lead, kent, durham, suspect_everywhere
):
    request_ = asked_for(durham, investigator, kent)
    with pytest.raises(AccessRequestError):
        access_request_grant(request=request_, by=other_team_review_lead, reason="Yes.")


def test_a_leads_home_counts_the_open_requests_and_the_navigation_leads_there(
    client, investigator, review_lead, kent, suspect_everywhere
):
    access_request_create(party=kent.parties.get(ref="S1"), by=investigator, reason="Why.")
    client.force_login(review_lead)
    page = client.get(reverse("home")).content.decode()
    assert 'data-role="access_requests"' in page
    assert "Open: 1." in page  # the Durham request; Cumbria's is another team's
    assert f'href="{reverse("people:access_requests")}"' in page
    client.force_login(investigator)
    assert "Access requests" not in client.get(reverse("home")).content.decode()


# --- the leads are told a request is waiting ------------------------------------------------


def test_the_leads_who_decide_are_emailed_after_commit_with_the_reference_only(
    client,
    investigator,
    review_lead,
    other_team_review_lead,
    national_lead,
    kent,
    durham,
    cumbria,
    suspect_everywhere,
    django_capture_on_commit_callbacks,
):
    reason = "Same suspect as on my case: I need his history."
    with django_capture_on_commit_callbacks(execute=False) as after_commit:
        assert ask(client, investigator, kent, reason=reason).status_code == 302
    # Owed in the request's transaction, not yet sent.
    owed = OutboxMessage.objects.filter(kind="cases.access_request_waiting").order_by("case_id")
    assert [(m.case_id, m.recipients, m.sent_at) for m in owed] == sorted(
        [
            (durham.pk, [review_lead.email], None),  # Durham: the personas' team's lead
            (cumbria.pk, [other_team_review_lead.email], None),  # Cumbria: the other team's
        ]
    )
    assert mail.outbox == []
    for callback in after_commit:
        callback()
    sent = sorted(mail.outbox, key=lambda m: m.subject)
    expected = sorted(
        [
            (f"Beaconport: an access request is waiting on {durham.reference}", [review_lead]),
            (
                f"Beaconport: an access request is waiting on {cumbria.reference}",
                [other_team_review_lead],
            ),
        ]
    )
    assert [(m.subject, m.to) for m in sent] == [
        (subject, [u.email for u in users]) for subject, users in expected
    ]
    for message in sent:
        text = message.subject + message.body
        assert "An access request is waiting for case" in message.body
        # No name, no person, no free text, not even the case where it was asked.
        for secret in (investigator.username, reason, "S1", kent.reference):
            assert secret not in text
    assert national_lead.email not in [a for m in sent for a in m.to]  # a team covers both
    assert all(m.sent_at is not None for m in OutboxMessage.objects.filter(pk__in=owed))
    assert (
        AuditEvent.objects.filter(object_type="cases.caseaccessrequest", operation="disclose")
        .exclude(recipient="")
        .count()
        == 2
    )


def test_a_request_that_does_not_commit_owes_the_leads_nothing(
    investigator, review_lead, kent, durham, suspect_everywhere, django_capture_on_commit_callbacks
):
    party = kent.parties.get(ref="S1")
    with (
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError),
        transaction.atomic(),
    ):
        access_request_create(party=party, by=investigator, reason="Why.")
        raise RuntimeError("the request's transaction fails after the claim")
    assert not CaseAccessRequest.objects.exists()
    assert not OutboxMessage.objects.exists()
    assert mail.outbox == []


def test_where_no_teams_review_lead_covers_the_force_the_national_leads_are_told(
    investigator, review_lead, national_lead, kent, cumbria, suspect_everywhere
):
    # Cumbria's team has no review lead here (the other team's lead is not made).
    access_request_create(party=kent.parties.get(ref="S1"), by=investigator, reason="Why.")
    owed = OutboxMessage.objects.get(case_id=cumbria.pk, kind="cases.access_request_waiting")
    assert owed.recipients == [national_lead.email]


# --- the requester withdraws ---------------------------------------------------------------


def withdraw_url(request_):
    return reverse("people:access_request_withdraw", args=[request_.pk])


def test_the_requester_withdraws_an_open_request_and_may_ask_again(
    client, investigator, review_lead, kent, durham, cumbria, suspect_everywhere
):
    request_ = asked_for(durham, investigator, kent)
    page = page_of(client, investigator, kent).content.decode()
    assert f'href="{withdraw_url(request_)}"' in page
    shown = client.get(withdraw_url(request_)).content.decode()
    assert "Durham Constabulary" in shown and durham.reference not in shown
    response = client.post(withdraw_url(request_), {"reason": "Eliminated him yesterday."})
    assert response.status_code == 302
    assert response["Location"] == reverse("cases:detail", args=[kent.reference]) + "#elsewhere"
    request_.refresh_from_db()
    assert (request_.status, request_.decided_by, request_.decision_reason) == (
        "withdrawn",
        investigator,
        "Eliminated him yesterday.",
    )
    row = AuditEvent.objects.get(
        object_type="cases.caseaccessrequest", object_id=str(request_.pk), operation="alter"
    )
    assert (row.actor_id, row.case_id, row.justification) == (
        investigator.pk,
        durham.pk,
        "Eliminated him yesterday.",
    )
    assert row.changes == {"status": ["open", "withdrawn"]}
    assert CaseAccessRequest.objects.get(case=cumbria).status == "open"  # only that one
    page = page_of(client, investigator, kent).content.decode()
    assert "withdrawn" in page and "Ask the review lead for access" in page
    assert ask(client, investigator, kent, reason="Again, now needed.").status_code == 302
    assert CaseAccessRequest.objects.get(case=durham, status="open").reason == "Again, now needed."
    # The lead sees it among the withdrawn, and can no longer decide it.
    client.force_login(review_lead)
    listed = client.get(reverse("people:access_requests") + "?status=withdrawn").content.decode()
    assert f'data-request="{request_.pk}"' in listed
    shown = client.get(reverse("people:access_request_decide", args=[request_.pk]))
    shown = shown.content.decode()
    assert "<dt>Withdrawn</dt><dd>by" in shown and "Eliminated him yesterday." in shown
    assert "Record the decision" not in shown
    with pytest.raises(AccessRequestError, match="already been withdrawn"):
        access_request_grant(request=request_, by=review_lead, reason="Yes.")


def test_withdrawing_needs_a_reason_and_keeps_the_request_open(
    client, investigator, kent, durham, suspect_everywhere
):
    request_ = asked_for(durham, investigator, kent)
    client.force_login(investigator)
    response = client.post(withdraw_url(request_), {"reason": "  "})
    assert response.status_code == 400
    assert '<a href="#id_reason">Why you withdraw it: This field is required.</a>' in (
        response.content.decode()
    )
    request_.refresh_from_db()
    assert request_.status == "open"


def test_a_decided_request_cannot_be_withdrawn(
    client, investigator, review_lead, kent, durham, suspect_everywhere
):
    request_ = asked_for(durham, investigator, kent)
    access_request_refuse(request=request_, by=review_lead, reason="Not now.")
    client.force_login(investigator)
    assert "nothing to withdraw" in client.get(withdraw_url(request_)).content.decode()
    response = client.post(withdraw_url(request_), {"reason": "Too late."})
    assert response.status_code == 400
    assert "already been refused" in response.content.decode()
    request_.refresh_from_db()
    assert (request_.status, request_.decision_reason) == ("refused", "Not now.")


def test_a_requester_no_longer_on_the_case_asked_from_withdraws_without_its_reference(
    client, investigator, kent, durham, suspect_everywhere
):
    """Their grant on the case where they asked ended: the withdraw page names neither case
    (the one asked from by its force, as the one asked for), and leads home afterwards."""
    from cases.permissions import revoke_case_access

    request_ = asked_for(durham, investigator, kent)
    revoke_case_access(investigator, kent)
    client.force_login(investigator)
    shown = client.get(withdraw_url(request_)).content.decode()
    assert kent.reference not in shown and durham.reference not in shown
    assert f"a case in {kent.force.name} you no longer hold" in shown
    response = client.post(withdraw_url(request_), {"reason": "Off the case now."})
    assert response["Location"] == reverse("home")
    request_.refresh_from_db()
    assert request_.status == "withdrawn"


@pytest.mark.parametrize(
    "persona", ["other_investigator", "review_lead", "national_lead", "liaison_officer"]
)
def test_only_the_requester_may_withdraw(
    client, request, persona, investigator, kent, durham, suspect_everywhere
):
    request_ = asked_for(durham, investigator, kent)
    user = request.getfixturevalue(persona)
    client.force_login(user)
    assert client.get(withdraw_url(request_)).status_code == 404
    assert client.post(withdraw_url(request_), {"reason": "Mine now."}).status_code == 404
    with pytest.raises(AccessRequestError):
        access_request_withdraw(request=request_, by=user, reason="Mine now.")
    request_.refresh_from_db()
    assert request_.status == "open"


def test_links_resolved_by_the_nominals_service_reach_the_case_page_and_undo_cleanly(
    client, investigator, review_lead, kent, durham
):
    from cases.linkage.resolution import link_undo, nominals_recompute

    pair = make_link(kent.parties.get(ref="S1"), durham.parties.get(ref="S2"))
    nominals_recompute()
    flag(durham.parties.get(ref="S2"), review_lead)
    page = page_of(client, investigator, kent).content.decode()
    assert "1 other case" in page and "flagged dangerous on another case" in page
    link_undo(link=pair, by=review_lead, reason="Different people.", version=pair.version)
    page = page_of(client, investigator, kent).content.decode()
    assert "Also on other cases" not in page and "Flagged on another case" not in page


# A signed-in page costs 3 (session, user, groups); the withdraw page adds the request with
# its case, force and the case asked from (one query), its consult row, and the
# investigator's grants (whether they may still open the case asked from: the way back).
WITHDRAW_PAGE_QUERIES = 3 + 1 + 1 + 1


def test_the_withdraw_page_reads_a_fixed_number_of_queries(
    client, django_assert_num_queries, investigator, kent, durham, cumbria, suspect_everywhere
):
    request_ = asked_for(durham, investigator, kent)
    client.force_login(investigator)
    with django_assert_num_queries(WITHDRAW_PAGE_QUERIES):
        assert client.get(withdraw_url(request_)).status_code == 200
