"""A lead's link pages: the queue, one link with its reasons, the decision form (issue 10)."""

import functools
import re

import pytest
from django.test import Client
from django.urls import reverse

from beaconport.audit.models import AuditEvent
from cases.linkage.resolution import nominals_recompute
from cases.models import Force, NominalMember
from cases.permissions import grant_case_access
from cases.vocabulary import LinkStatus
from tests.factories import CaseFactory, SuspectFactory, VictimFactory, make_link

pytestmark = pytest.mark.django_db

EVIDENCE = [
    {"comparison": "prior", "level": None, "weight": -13.2},
    {"comparison": "surname", "level": "Jaro-Winkler >= 0.92", "weight": 8.41},
    {"comparison": "date_of_birth", "level": "Day and month swapped", "weight": 4.9},
    {"comparison": "pnc_id", "level": "missing", "weight": 0.0},
    {"comparison": "postcodes", "level": "No shared postcode", "weight": -1.25},
]
OUTSIDERS = ["investigator", "liaison_officer", "analyst", "admin_user", "other_team_review_lead"]


# A link in the review band with the evidence above, unless a test says otherwise.
link = functools.partial(make_link, status=LinkStatus.REVIEW, probability=0.8, evidence=EVIDENCE)


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def waiting():
    """A link in the review band between suspects of two of the personas' team's cases."""
    return link(SuspectFactory(), SuspectFactory(), probability=0.81)


# --- the queue --------------------------------------------------------------------------------


def test_a_lead_sees_links_waiting_most_probable_first_as_pseudonyms(review_lead):
    low = link(SuspectFactory(), SuspectFactory(), probability=0.6)
    high = link(SuspectFactory(), SuspectFactory(), probability=0.9)
    link(SuspectFactory(), SuspectFactory(), status=LinkStatus.PROPOSED, probability=0.99)
    page = client_for(review_lead).get(reverse("people:links"))
    assert page.status_code == 200
    shown = [link.pk for link in page.context["links"]]
    assert shown == [high.pk, low.pk]
    html = page.content.decode()
    assert high.left.pseudonym in html and high.left.person.surname not in html
    assert "2 links" in html


def test_the_automatic_tab_lists_links_made_without_a_lead(review_lead, waiting):
    auto = link(SuspectFactory(), SuspectFactory(), status=LinkStatus.PROPOSED, probability=0.99)
    page = client_for(review_lead).get(reverse("people:links"), {"tab": "proposed"})
    assert [link.pk for link in page.context["links"]] == [auto.pk]


def test_a_cross_role_look_alike_is_marked_as_never_merged(review_lead):
    link(SuspectFactory(), VictimFactory(), probability=0.9)
    html = client_for(review_lead).get(reverse("people:links")).content.decode()
    assert "Cross-role" in html
    assert "who look alike: never merged" in html


def test_the_queue_filters_by_role_cross_role_and_force(review_lead, waiting):
    victims = link(VictimFactory(), VictimFactory(), probability=0.7)
    durham = CaseFactory(force=Force.objects.get(slug="durham"))
    far = link(SuspectFactory(case=durham), SuspectFactory(), probability=0.75)
    cross = link(SuspectFactory(), VictimFactory(), probability=0.72)
    client = client_for(review_lead)

    def shown(**query):
        return {link.pk for link in client.get(reverse("people:links"), query).context["links"]}

    assert shown(role="victim") == {victims.pk, cross.pk}
    assert shown(cross_role="yes") == {cross.pk}
    assert shown(cross_role="no") == {waiting.pk, victims.pk, far.pk}
    assert shown(force="durham") == {far.pk}
    assert shown(force="not-a-force", role="nobody") == {waiting.pk, victims.pk, far.pk, cross.pk}


def test_the_queue_is_paged_by_25(review_lead):
    for _ in range(27):
        link(SuspectFactory(), SuspectFactory())
    client = client_for(review_lead)
    first = client.get(reverse("people:links"))
    assert len(first.context["links"]) == 25
    assert len(client.get(reverse("people:links"), {"page": 2}).context["links"]) == 2


def test_the_queue_logs_the_page_shown_as_one_consultation(review_lead, waiting):
    client_for(review_lead).get(reverse("people:links"))
    row = AuditEvent.objects.filter(actor=review_lead, object_type="cases.personlink").get()
    assert (row.operation, row.object_ids) == ("consult", [str(waiting.pk)])


def test_another_teams_lead_sees_an_empty_queue(other_team_review_lead, waiting):
    page = client_for(other_team_review_lead).get(reverse("people:links"))
    assert page.status_code == 200 and page.context["links"] == []


@pytest.mark.parametrize("persona", OUTSIDERS[:-1])
def test_the_queue_is_not_there_for_anyone_but_leads(request, persona, waiting):
    user = request.getfixturevalue(persona)
    assert client_for(user).get(reverse("people:links")).status_code == 404


def test_the_queue_reads_the_same_number_of_queries_for_5_or_30_links(
    review_lead, django_assert_num_queries
):
    client = client_for(review_lead)
    for _ in range(5):
        link(SuspectFactory(), SuspectFactory())
    client.get(reverse("people:links"))  # the session and the user's roles, warm
    with django_assert_num_queries(QUEUE_QUERIES):
        client.get(reverse("people:links"))
    for _ in range(25):
        link(SuspectFactory(), SuspectFactory())
    with django_assert_num_queries(QUEUE_QUERIES):
        client.get(reverse("people:links"))


# The same whatever the number of links: the page's ids are cut first, then its rows loaded.
QUEUE_QUERIES = 9


# --- one link -------------------------------------------------------------------------------


def test_a_link_shows_both_records_and_its_reasons_as_a_table_and_a_chart(review_lead, waiting):
    page = client_for(review_lead).get(reverse("people:link", args=[waiting.pk]))
    assert page.status_code == 200
    html = page.content.decode()
    assert waiting.left.pseudonym in html and waiting.right.pseudonym in html
    assert waiting.left.person.surname not in html
    steps = page.context["waterfall"].steps
    assert [s.label for s in steps][:2] == ["Prior (before any field)", "Surname"]
    assert [round(s.total, 2) for s in steps] == [-13.2, -4.79, 0.11, 0.11, -1.14]
    assert "Day and month swapped" in html
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert "<script" not in svg and "style=" not in svg
    assert 'role="img"' in svg and "<title" in svg
    # Readable without colour: each bar's value carries its sign, and a total.
    assert "+8.41" in svg and "\N{MINUS SIGN}13.20" in svg and "Total" in svg
    assert 'name="reason"' in html and 'value="confirm"' in html


def test_the_table_and_the_chart_write_each_weight_the_same_way(review_lead):
    # -14.575 is stored as -14.57499...: the table rounded it to -14.58, the chart to -14.57.
    evidence = [
        {"comparison": "prior", "level": None, "weight": -14.575},
        {"comparison": "date_of_birth", "level": "day and month swapped", "weight": 6.2},
    ]
    shown = link(SuspectFactory(), SuspectFactory(), evidence=evidence)
    html = client_for(review_lead).get(reverse("people:link", args=[shown.pk])).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    table = re.search(r"<table>.*?</table>", html, re.S).group(0)
    for text in ("\N{MINUS SIGN}14.58", "+6.20", "\N{MINUS SIGN}8.38"):
        assert text in table and text in svg
    assert "14.57" not in html
    # One minus sign for weights and running totals alike: no hyphen before a number.
    assert not re.search(r"-\d", table) and not re.search(r">-\d", svg)


def test_the_chart_writes_each_comparison_and_level_whole(review_lead, waiting):
    html = client_for(review_lead).get(reverse("people:link", args=[waiting.pk])).content.decode()
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)
    assert ">Prior (before any field)<" in svg
    assert ">Date of birth<" in svg and ">Day and month swapped<" in svg
    assert "\N{HORIZONTAL ELLIPSIS}" not in svg


@pytest.mark.parametrize("status", [LinkStatus.CONFIRMED, LinkStatus.PROPOSED, LinkStatus.REVIEW])
def test_no_decision_is_chosen_for_the_lead(review_lead, status):
    shown = link(SuspectFactory(), SuspectFactory(), status=status)
    html = client_for(review_lead).get(reverse("people:link", args=[shown.pk])).content.decode()
    form = re.search(r'<form method="post" action="[^"]*/decide/".*?</form>', html, re.S).group(0)
    assert 'name="decision"' in form
    assert "checked" not in form


def test_a_confirmed_link_is_undone_only_when_the_lead_chooses_to(review_lead):
    confirmed = link(SuspectFactory(), SuspectFactory(), status=LinkStatus.CONFIRMED)
    answer = client_for(review_lead).post(
        reverse("people:link_decide", args=[confirmed.pk]),
        {"reason": "Pressed the button without choosing", "version": confirmed.version},
    )
    assert answer.status_code == 400  # the form again, with its error
    assert "This field is required" in answer.content.decode()
    confirmed.refresh_from_db()
    assert confirmed.status == LinkStatus.CONFIRMED


def test_a_link_made_by_hand_says_so_instead_of_a_chart(review_lead):
    by_hand = link(SuspectFactory(), SuspectFactory(), probability=None, evidence=[])
    html = client_for(review_lead).get(reverse("people:link", args=[by_hand.pk])).content
    assert b"a lead linked the records by hand" in html and b"<svg" not in html


@pytest.mark.parametrize("persona", OUTSIDERS)
def test_a_link_is_not_there_for_outsiders(request, persona, waiting):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(reverse("people:link", args=[waiting.pk])).status_code == 404
    answer = client.post(
        reverse("people:link_decide", args=[waiting.pk]),
        {"decision": "confirm", "reason": "x", "version": 1},
    )
    assert answer.status_code == 404
    waiting.refresh_from_db()
    assert waiting.status == LinkStatus.REVIEW


def test_a_missing_link_is_404_like_one_not_yours(review_lead):
    assert client_for(review_lead).get(reverse("people:link", args=[999999])).status_code == 404


def test_a_link_between_two_victims_asks_why_before_anything_is_shown(review_lead):
    victims = link(VictimFactory(), VictimFactory())
    client = client_for(review_lead)
    asked = client.get(reverse("people:link", args=[victims.pk]))
    assert asked.status_code == 302 and "/audit/justify/" in asked["Location"]
    form = client.get(asked["Location"])
    assert form.status_code == 200
    done = client.post(asked["Location"], {"justification": "Deciding the review queue"})
    assert done.status_code == 302
    page = client.get(done["Location"])
    assert page.status_code == 200 and victims.left.pseudonym in page.content.decode()
    reasons = AuditEvent.objects.filter(
        object_type="cases.personlink", object_id=str(victims.pk), actor=review_lead
    ).values_list("justification", flat=True)
    assert "Deciding the review queue" in set(reasons)


def test_a_lead_sees_suspects_names_only_after_giving_a_reason(review_lead, waiting):
    client = client_for(review_lead)
    html = client.get(reverse("people:link", args=[waiting.pk])).content.decode()
    assert "Show the names" in html and waiting.left.person.surname not in html
    asked = client.get(reverse("people:link", args=[waiting.pk]), {"names": "1"})
    assert "/audit/justify/" in asked["Location"]
    client.post(asked["Location"], {"justification": "Checking the link before deciding"})
    html = client.get(reverse("people:link", args=[waiting.pk])).content.decode()
    assert waiting.left.person.surname in html and waiting.right.person.surname in html
    assert AuditEvent.objects.filter(
        object_id=str(waiting.pk), justification="Checking the link before deciding"
    ).exists()


def test_a_victims_name_is_shown_only_where_the_lead_is_assigned(review_lead):
    victims = link(VictimFactory(), VictimFactory(), probability=0.8)
    client = client_for(review_lead)
    first = client.get(reverse("people:link", args=[victims.pk]))
    client.post(first["Location"], {"justification": "Deciding the review queue"})
    html = client.get(reverse("people:link", args=[victims.pk])).content.decode()
    assert "Show the names" not in html  # assigned to neither case
    assert client.get(reverse("people:link", args=[victims.pk]), {"names": "1"}).status_code == 302

    grant_case_access(review_lead, victims.left.case)
    client = client_for(review_lead)
    again = client.get(reverse("people:link", args=[victims.pk]))
    client.post(again["Location"], {"justification": "Deciding the review queue"})
    asked = client.get(reverse("people:link", args=[victims.pk]), {"names": "1"})
    client.post(asked["Location"], {"justification": "Checking the link before deciding"})
    html = client.get(reverse("people:link", args=[victims.pk])).content.decode()
    assert victims.left.person.surname in html
    assert victims.right.person.surname not in html
    assert "shown only to those assigned to the case" in html


def test_other_links_of_the_cluster_are_listed(review_lead):
    a, b, c = (SuspectFactory() for _ in range(3))
    first = link(a, b, status=LinkStatus.PROPOSED, probability=0.99)
    second = link(b, c, status=LinkStatus.PROPOSED, probability=0.97)
    nominals_recompute()
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    page = client_for(review_lead).get(reverse("people:link", args=[first.pk]))
    assert [other.pk for other in page.context["cluster_links"]] == [second.pk]
    shown = AuditEvent.objects.filter(seq__gt=seq, operation="consult")
    assert [str(second.pk)] in [row.object_ids for row in shown]  # logged like the link


def test_the_link_page_reads_a_fixed_number_of_queries(review_lead, django_assert_num_queries):
    a, b, c = (SuspectFactory() for _ in range(3))
    first = link(a, b, status=LinkStatus.PROPOSED, probability=0.99)
    link(b, c, status=LinkStatus.PROPOSED, probability=0.97)
    nominals_recompute()
    client = client_for(review_lead)
    client.get(reverse("people:link", args=[first.pk]))
    with django_assert_num_queries(DETAIL_QUERIES):
        client.get(reverse("people:link", args=[first.pk]))


# Session, user and roles, the link and its records, the reasons and model, the audit rows:
# the link, and the cluster's other links shown beside it (one each).
DETAIL_QUERIES = 9


# --- deciding ---------------------------------------------------------------------------------


def test_a_lead_confirms_a_link_with_a_reason(review_lead, waiting):
    client = client_for(review_lead)
    answer = client.post(
        reverse("people:link_decide", args=[waiting.pk]),
        {"decision": "confirm", "reason": "Same PNC", "version": 1},
    )
    assert answer.status_code == 302
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by, waiting.reason) == (
        LinkStatus.CONFIRMED,
        review_lead,
        "Same PNC",
    )
    assert NominalMember.objects.count() == 2
    page = client.get(answer["Location"])
    assert "Link confirmed" in page.content.decode()
    assert 'value="undo"' in page.content.decode()


def test_a_decision_without_a_reason_shows_the_form_again(review_lead, waiting):
    answer = client_for(review_lead).post(
        reverse("people:link_decide", args=[waiting.pk]),
        {"decision": "reject", "reason": "", "version": 1},
    )
    assert answer.status_code == 400
    waiting.refresh_from_db()
    assert waiting.status == LinkStatus.REVIEW


def test_a_stale_decision_is_shown_beside_what_changed(review_lead, national_lead, waiting):
    from cases.linkage.resolution import link_reject

    link_reject(link=waiting, by=national_lead, reason="Different people", version=1)
    answer = client_for(review_lead).post(
        reverse("people:link_decide", args=[waiting.pk]),
        {"decision": "confirm", "reason": "Same man", "version": 1},
    )
    assert answer.status_code == 409
    html = answer.content.decode()
    assert "This link changed since you opened it" in html and "Same man" in html
    waiting.refresh_from_db()
    assert (waiting.status, waiting.decided_by) == (LinkStatus.REJECTED, national_lead)


def test_a_cross_role_link_offers_no_confirm_and_refuses_one(review_lead):
    alike = link(SuspectFactory(), VictimFactory(), probability=0.9)
    client = client_for(review_lead)
    html = client.get(reverse("people:link", args=[alike.pk])).content.decode()
    assert 'value="confirm"' not in html and 'value="acknowledge"' in html
    answer = client.post(
        reverse("people:link_decide", args=[alike.pk]),
        {"decision": "confirm", "reason": "Same person", "version": 1},
    )
    assert answer.status_code == 400
    alike.refresh_from_db()
    assert alike.status == LinkStatus.REVIEW


def test_leads_have_links_in_their_navigation(review_lead, investigator):
    assert b'href="/people/links/"' in client_for(review_lead).get("/").content
    assert b'href="/people/links/"' not in client_for(investigator).get("/").content
