"""The case pages: my cases, the review queue and the case page, as each persona sees them."""

import datetime
import re

import pytest
from django.urls import reverse

from cases.models import CaseCriterion, Force
from cases.permissions import grant_case_access, users_assigned_to
from cases.vocabulary import Criterion
from tests.factories import make_case

pytestmark = pytest.mark.django_db

MY_CASES = reverse("cases:my_cases")
QUEUE = reverse("cases:queue")


def detail(case):
    return reverse("cases:detail", args=[case.reference])


def signed_in(client, user):
    client.force_login(user)
    return client


def references_on(response) -> list[str]:
    return re.findall(r">(BP-\d{6})</a>", response.content.decode())


@pytest.fixture
def own_case(investigator):
    case = make_case(priority="P3", eligibility="unknown", summary="Own case.")
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def others_case(other_investigator):
    case = make_case(priority="P1", eligibility="eligible")
    grant_case_access(other_investigator, case)
    return case


# My cases -------------------------------------------------------------------------------


def test_investigator_sees_only_their_cases_in_my_cases(
    client, investigator, own_case, others_case
):
    response = signed_in(client, investigator).get(MY_CASES)
    assert response.status_code == 200
    assert references_on(response) == [own_case.reference]


@pytest.mark.parametrize("persona", ["liaison_officer", "analyst"])
def test_liaison_officer_and_analyst_see_no_case(client, request, persona, own_case):
    user = request.getfixturevalue(persona)
    response = signed_in(client, user).get(MY_CASES)
    assert response.status_code == 200
    assert references_on(response) == []
    assert "No cases match." in response.content.decode()
    assert signed_in(client, user).get(detail(own_case)).status_code == 404


@pytest.fixture
def spread(review_lead):
    durham = Force.objects.get(slug="durham")
    return [
        make_case(priority="P3", eligibility="eligible", received_on=datetime.date(2025, 1, 3)),
        make_case(priority="P1", eligibility="unknown", received_on=datetime.date(2025, 1, 2)),
        make_case(
            priority="P2",
            eligibility="ineligible",
            status="triage",
            received_on=datetime.date(2025, 1, 1),
            force=durham,
            force_reference="DUR/1",
        ),
    ]


@pytest.mark.parametrize(
    ("sort", "order"),
    [
        ("priority", [1, 2, 0]),
        ("-priority", [0, 2, 1]),
        ("received", [2, 1, 0]),
        ("-received", [0, 1, 2]),
        ("reference", [0, 1, 2]),
        ("eligibility", [0, 2, 1]),
        ("force", [2, 0, 1]),
        ("nonsense", [1, 2, 0]),  # an unknown sort falls back to priority
    ],
)
def test_my_cases_sorts_by_the_chosen_column(client, review_lead, spread, sort, order):
    response = signed_in(client, review_lead).get(MY_CASES, {"sort": sort})
    assert references_on(response) == [spread[i].reference for i in order]


@pytest.mark.parametrize(
    ("filters", "expected"),
    [
        ({"priority": "P1"}, [1]),
        ({"status": "triage"}, [2]),
        ({"eligibility": "eligible"}, [0]),
        ({"force": "durham"}, [2]),
        ({"force": "kent", "priority": "P3"}, [0]),
        ({"priority": "P9"}, []),
    ],
)
def test_my_cases_filters(client, review_lead, spread, filters, expected):
    response = signed_in(client, review_lead).get(MY_CASES, {**filters, "sort": "reference"})
    assert response.status_code == 200
    assert references_on(response) == [spread[i].reference for i in expected]


def test_my_cases_counts_each_filter_value_over_the_other_filters(client, review_lead, spread):
    response = signed_in(client, review_lead).get(MY_CASES, {"force": "kent"})
    page = response.content.decode()
    # Two Kent cases: one P1 and one P3; the force counts ignore the force filter itself.
    assert ">P1 (1)<" in page
    assert ">P2 (0)<" in page
    assert ">P3 (1)<" in page
    assert ">Kent Police (2)<" in page
    assert ">Durham Constabulary (1)<" in page
    assert ">Triage (0)<" in page


def test_my_cases_is_paginated(client, investigator):
    for _ in range(27):
        grant_case_access(investigator, make_case())
    first = signed_in(client, investigator).get(MY_CASES)
    second = client.get(MY_CASES, {"page": 2})
    assert len(references_on(first)) == 25
    assert len(references_on(second)) == 2
    assert "Page 2 of 2" in second.content.decode()


def test_lists_never_show_names(client, investigator, own_case):
    page = signed_in(client, investigator).get(MY_CASES).content.decode()
    for party in own_case.parties.select_related("person"):
        assert party.person.surname not in page


# The review queue ------------------------------------------------------------------------


def test_review_queue_puts_p1_first_then_eligible_and_unknown_then_oldest(client, review_lead):
    """Issue 13: a new P1 case of unknown eligibility comes before every eligible P3."""
    old, new = datetime.date(2024, 1, 1), datetime.date(2025, 1, 1)
    cases = {
        "inel_p1": make_case(priority="P1", eligibility="ineligible", received_on=old),
        "unk_p1_new": make_case(priority="P1", eligibility="unknown", received_on=new),
        "elig_p3": make_case(priority="P3", eligibility="eligible", received_on=old),
        "elig_p1_new": make_case(priority="P1", eligibility="eligible", received_on=new),
        "elig_p1_old": make_case(priority="P1", eligibility="eligible", received_on=old),
        "unk_p2_decided_eligible": make_case(
            priority="P2", eligibility="unknown", eligibility_decision="eligible"
        ),
        "unk_p2": make_case(priority="P2", eligibility="unknown", received_on=old),
        "closed": make_case(priority="P1", eligibility="eligible", status="closed"),
        "confirmed_ineligible": make_case(
            priority="P1", eligibility="unknown", eligibility_decision="ineligible"
        ),
    }
    response = signed_in(client, review_lead).get(QUEUE)
    assert response.status_code == 200
    order = [
        "elig_p1_old",
        "elig_p1_new",
        "unk_p1_new",
        "inel_p1",
        "unk_p2_decided_eligible",
        "unk_p2",
        "elig_p3",
    ]
    assert references_on(response) == [cases[name].reference for name in order]
    assert "Priority 1 first" in response.content.decode()


@pytest.mark.parametrize("persona", ["investigator", "liaison_officer", "analyst"])
def test_only_review_leads_have_a_queue(client, request, persona):
    user = request.getfixturevalue(persona)
    assert signed_in(client, user).get(QUEUE).status_code == 404


def test_review_lead_assigns_an_investigator_from_the_queue(client, review_lead, investigator):
    case = make_case()
    response = signed_in(client, review_lead).post(
        reverse("cases:assign", args=[case.reference]),
        {"investigator": investigator.pk, "reason": "First review", "next": QUEUE},
    )
    assert response.status_code == 302
    assert response["Location"] == QUEUE
    assert list(users_assigned_to(case)) == [investigator]
    queue = client.get(QUEUE, {"unassigned": "1"})
    assert case.reference not in references_on(queue)


def test_assigning_someone_who_is_not_an_investigator_is_refused(client, review_lead, analyst):
    case = make_case()
    response = signed_in(client, review_lead).post(
        reverse("cases:assign", args=[case.reference]),
        {"investigator": analyst.pk, "reason": "First review"},
    )
    assert response.status_code == 400
    assert list(users_assigned_to(case)) == []


def test_assignment_refuses_an_offsite_next_address(client, review_lead, investigator):
    case = make_case()
    response = signed_in(client, review_lead).post(
        reverse("cases:assign", args=[case.reference]),
        {
            "investigator": investigator.pk,
            "reason": "First review",
            "next": "https://evil.example/",
        },
    )
    assert response["Location"].startswith(detail(case))


def test_review_lead_unassigns_an_investigator(client, review_lead, investigator, own_case):
    response = signed_in(client, review_lead).post(
        reverse("cases:unassign", args=[own_case.reference]), {"investigator": investigator.pk}
    )
    assert response.status_code == 302
    assert list(users_assigned_to(own_case)) == []
    client.force_login(investigator)
    assert client.get(detail(own_case)).status_code == 404


# The case page ---------------------------------------------------------------------------


def test_case_page_shows_every_criterion_with_its_reason(client, investigator, own_case):
    CaseCriterion.objects.create(
        case=own_case,
        name=Criterion.SUSPECT_ALIVE,
        result="unknown",
        reason="S2: whether alive is not recorded.",
    )
    response = signed_in(client, investigator).get(detail(own_case))
    page = response.content.decode()
    assert response.status_code == 200
    for _, label in Criterion.choices:
        assert label in page
    assert "S2: whether alive is not recorded." in page
    assert "Synthetic rationale: evidential difficulties." in page


def test_assigned_investigator_sees_the_victims_name_after_saying_why(
    client, investigator, own_case
):
    from beaconport.audit.models import AuditEvent

    victim = own_case.parties.select_related("person").get(ref="V1")
    signed_in(client, investigator)
    first = client.get(detail(own_case)).content.decode()
    assert victim.person.full_name not in first
    assert "Show names" in first

    asked = client.get(detail(own_case), {"names": "1"})
    assert asked.status_code == 302 and "/audit/justify/" in asked["Location"]
    reason = "Planning the victim's re-interview"
    back = client.post(asked["Location"], {"justification": reason})
    assert back.status_code == 302

    page = client.get(back["Location"]).content.decode()
    assert victim.person.full_name in page
    assert "Show names" not in page
    assert AuditEvent.objects.filter(
        case_id=own_case.pk, actor=investigator, justification=reason
    ).exists()


@pytest.mark.parametrize("persona", ["review_lead", "national_lead"])
def test_people_not_assigned_see_pseudonyms_only(client, request, persona, own_case):
    user = request.getfixturevalue(persona)
    page = signed_in(client, user).get(detail(own_case)).content.decode()
    assert f"{own_case.reference}-V1" in page
    for party in own_case.parties.select_related("person"):
        assert party.person.surname not in page


def test_stored_script_in_a_summary_is_shown_as_text(client, investigator):
    case = make_case(summary='<script>alert("x")</script> & <b>bold</b>')
    grant_case_access(investigator, case)
    page = signed_in(client, investigator).get(detail(case)).content.decode()
    assert '<script>alert("x")</script>' not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &lt;b&gt;bold" in page


def test_investigator_is_offered_no_transition_while_a_case_is_referred(
    client, investigator, own_case
):
    page = signed_in(client, investigator).get(detail(own_case)).content.decode()
    assert "Move to" not in page


def test_review_lead_is_offered_only_the_moves_legal_now(client, review_lead, own_case):
    page = signed_in(client, review_lead).get(detail(own_case)).content.decode()
    offered = re.findall(r'name="to" value="(\w+)"', page)
    assert offered == ["triage", "ineligible"]


def test_review_lead_moves_a_case_with_a_reason(client, review_lead, own_case):
    response = signed_in(client, review_lead).post(
        reverse("cases:transition", args=[own_case.reference]),
        {"to": "triage", "reason": "File complete.", "version": own_case.version},
    )
    assert response.status_code == 302
    own_case.refresh_from_db()
    assert own_case.status == "triage"
    page = client.get(detail(own_case)).content.decode()
    assert "File complete." in page


def test_a_move_without_a_reason_is_refused_with_the_error(client, review_lead, own_case):
    response = signed_in(client, review_lead).post(
        reverse("cases:transition", args=[own_case.reference]),
        {"to": "triage", "reason": "", "version": own_case.version},
    )
    assert response.status_code == 400
    assert "This field is required." in response.content.decode()
    own_case.refresh_from_db()
    assert own_case.status == "referred"


def test_an_illegal_move_is_refused_with_a_clear_message(client, review_lead, own_case):
    response = signed_in(client, review_lead).post(
        reverse("cases:transition", args=[own_case.reference]),
        {"to": "closed", "reason": "Trying.", "version": own_case.version},
    )
    assert response.status_code == 400
    assert "Cannot move" in response.content.decode()
    own_case.refresh_from_db()
    assert own_case.status == "referred"


def test_investigator_cannot_make_a_review_leads_move(client, investigator, own_case):
    response = signed_in(client, investigator).post(
        reverse("cases:transition", args=[own_case.reference]),
        {"to": "triage", "reason": "Trying.", "version": own_case.version},
    )
    assert response.status_code == 400
    own_case.refresh_from_db()
    assert own_case.status == "referred"


# Editing and stale edits -----------------------------------------------------------------


def edit_data(case, **changes):
    data = {
        "version": case.version,
        "summary": case.summary,
        "offence_start": "",
        "offence_end": "",
        "decision_outcome": case.decision_outcome,
        "decision_on": case.decision_on.isoformat(),
        "decision_by": case.decision_by,
        "decision_outcome_code": case.decision_outcome_code,
        "decision_rationale": case.decision_rationale,
        "independently_reviewed": "false",
    }
    data.update(changes)
    return data


def test_investigator_edits_the_case(client, investigator, own_case):
    url = reverse("cases:edit", args=[own_case.reference])
    assert signed_in(client, investigator).get(url).status_code == 200
    response = client.post(url, edit_data(own_case, summary="A fuller summary."))
    assert response.status_code == 302
    own_case.refresh_from_db()
    assert own_case.summary == "A fuller summary."
    assert own_case.version == 2


def test_an_invalid_edit_answers_400_with_field_errors(client, investigator, own_case):
    url = reverse("cases:edit", args=[own_case.reference])
    response = signed_in(client, investigator).post(
        url, edit_data(own_case, offence_start="2020-05-01", offence_end="2019-01-01")
    )
    assert response.status_code == 400
    assert "There is a problem" in response.content.decode()
    assert "The offence period must end after it starts." in response.content.decode()


def test_a_stale_edit_shows_what_changed_and_keeps_the_users_input(
    client, investigator, other_investigator, own_case
):
    grant_case_access(other_investigator, own_case)
    url = reverse("cases:edit", args=[own_case.reference])
    loaded = own_case.version
    signed_in(client, other_investigator).post(
        url, edit_data(own_case, summary="Their summary.", version=loaded)
    )
    response = signed_in(client, investigator).post(
        url, edit_data(own_case, summary="My summary.", version=loaded)
    )
    page = response.content.decode()
    assert response.status_code == 409
    assert "This case changed since you opened it" in page
    assert "Their summary." in page
    assert "My summary.</textarea>" in page
    own_case.refresh_from_db()
    assert own_case.summary == "Their summary."
    # Submitting again, having seen the change, is a deliberate overwrite.
    version = re.search(r'name="version" value="(\d+)"', page).group(1)
    again = client.post(url, edit_data(own_case, summary="My summary.", version=version))
    assert again.status_code == 302
    own_case.refresh_from_db()
    assert own_case.summary == "My summary."


def test_review_lead_decides_eligibility_beside_the_computed_result(client, review_lead, own_case):
    url = reverse("cases:eligibility", args=[own_case.reference])
    response = signed_in(client, review_lead).post(
        url, {"decision": "eligible", "reason": "Confirmed with the force.", "version": 1}
    )
    assert response.status_code == 302
    own_case.refresh_from_db()
    assert (own_case.eligibility, own_case.eligibility_decision) == ("unknown", "eligible")
    page = client.get(detail(own_case)).content.decode()
    assert "Confirmed with the force." in page


def test_investigator_cannot_decide_eligibility(client, investigator, own_case):
    url = reverse("cases:eligibility", args=[own_case.reference])
    assert signed_in(client, investigator).get(url).status_code == 404


def test_my_cases_finds_a_case_by_its_reference_or_the_forces(client, investigator, own_case):
    client.force_login(investigator)
    by_ours = client.get(MY_CASES, {"q": own_case.reference.lower()})
    by_theirs = client.get(MY_CASES, {"q": own_case.force_reference[-8:]})
    assert references_on(by_ours) == references_on(by_theirs) == [own_case.reference]
    assert references_on(client.get(MY_CASES, {"q": "BP-999999"})) == []


def test_searching_for_another_investigators_case_finds_nothing(
    client, investigator, own_case, others_case
):
    client.force_login(investigator)
    for text in (others_case.reference, others_case.force_reference):
        assert references_on(client.get(MY_CASES, {"q": text})) == []


def test_the_queue_filters_by_priority_and_finds_a_reference(client, review_lead):
    p1 = make_case(priority="P1", eligibility="unknown")
    p3 = make_case(priority="P3", eligibility="eligible")
    signed_in(client, review_lead)
    assert references_on(client.get(QUEUE, {"priority": "P3"})) == [p3.reference]
    assert references_on(client.get(QUEUE, {"q": p1.reference})) == [p1.reference]
    assert references_on(client.get(QUEUE, {"priority": "P9"})) == [p1.reference, p3.reference]
