"""The linkage API: clusters and links scoped by role and team, no names, cursor pages with a
fixed query count, consultations logged, and a lead's decisions with their refusals."""

import itertools
import re

import pytest
from rest_framework.test import APIClient

from beaconport.audit.models import AuditEvent
from cases.api.linkage import LinkagePagination
from cases.models import Force, LinkageModel, Nominal, NominalMember, PersonLink
from cases.vocabulary import DECIDED_STATUSES, LinkStatus
from tests.factories import make_case

pytestmark = pytest.mark.django_db

CLUSTERS = "/api/v1/linkage/clusters/"
LINKS = "/api/v1/linkage/links/"

# The model's reasons as Splink gives them: comparison, level, match weight; no values.
EVIDENCE = [
    {"comparison": "prior", "level": None, "weight": -9.5},
    {"comparison": "surname", "level": "jaro_winkler >= 0.92", "weight": 6.1},
    {"comparison": "date_of_birth", "level": "exact", "weight": 7.8},
    {"comparison": "pnc_id", "level": "missing", "weight": 0.0},
]


def cluster_url(nominal):
    return f"{CLUSTERS}{nominal.pk}/"


def decide_url(link, decision):
    return f"{LINKS}{link.pk}/{decision}/"


@pytest.fixture
def api():
    return APIClient()


def as_user(api, user):
    api.force_login(user)
    return api


@pytest.fixture
def model():
    return LinkageModel.objects.create(
        version=3,
        path="linkage/model-v3.json",
        sha256="0" * 64,
        settings={},
        records=100,
        auto_threshold=0.95,
        review_threshold=0.7,
    )


def link_between(a, b, status=LinkStatus.PROPOSED, *, model=None, probability=0.99, by=None):
    """A scored pair (left < right, as the engine writes it); decided ones carry a reason."""
    left, right = sorted((a, b), key=lambda party: party.pk)
    decided = status in DECIDED_STATUSES
    return PersonLink.objects.create(
        left=left,
        right=right,
        status=status,
        match_probability=probability,
        match_weight=12.0,
        evidence=EVIDENCE,
        model=model,
        reason="Same PNC record and date of birth (synthetic)." if decided else "",
        decided_by=by if decided else None,
    )


def cluster_of(*parties, statuses=None, model=None):
    """A nominal of the parties, chained by links (proposed unless statuses say)."""
    nominal = Nominal.objects.create(role=parties[0].role)
    for party in parties:
        NominalMember.objects.create(party=party, nominal=nominal)
    statuses = statuses or [LinkStatus.PROPOSED] * (len(parties) - 1)
    links = [
        link_between(a, b, status, model=model)
        for (a, b), status in zip(itertools.pairwise(parties), statuses, strict=True)
    ]
    return nominal, links


def suspect(case, ref="S1"):
    return case.parties.get(ref=ref)


@pytest.fixture
def kent_cases():
    return [make_case(), make_case(), make_case()]


@pytest.fixture
def cumbria_case():
    return make_case(force=Force.objects.get(slug="cumbria"), force_reference="CUM/1/19")


@pytest.fixture
def clusters(kent_cases, cumbria_case, model):
    """Three clusters: Kent only, Kent with Cumbria (both teams'), Cumbria only (victims)."""
    a, b, c = kent_cases
    kent, kent_links = cluster_of(suspect(a), suspect(b), suspect(c), model=model)
    across, _ = cluster_of(
        suspect(a, "S2"), suspect(cumbria_case), statuses=[LinkStatus.CONFIRMED], model=model
    )
    cumbria_only = make_case(force=Force.objects.get(slug="cumbria"), force_reference="CUM/2/19")
    victims, _ = cluster_of(cumbria_case.parties.get(ref="V1"), cumbria_only.parties.get(ref="V1"))
    return {"kent": kent, "across": across, "cumbria": victims, "kent_links": kent_links}


def ids(response):
    return {row["id"] for row in response.json()["results"]}


# --- who sees which clusters --------------------------------------------------------------


def test_a_national_lead_lists_every_cluster(api, national_lead, clusters):
    response = as_user(api, national_lead).get(CLUSTERS)
    assert response.status_code == 200
    assert set(response.json()) == {"next", "previous", "results"}
    assert ids(response) == {
        n.pk for n in (clusters["kent"], clusters["across"], clusters["cumbria"])
    }


def test_an_administrator_lists_every_cluster(api, admin_user, clusters):
    response = as_user(api, admin_user).get(CLUSTERS)
    assert response.status_code == 200
    assert len(ids(response)) == 3


def test_a_review_lead_lists_the_clusters_touching_their_teams_forces(api, review_lead, clusters):
    response = as_user(api, review_lead).get(CLUSTERS)
    assert ids(response) == {clusters["kent"].pk, clusters["across"].pk}


def test_another_teams_lead_lists_only_their_own_teams_clusters(
    api, other_team_review_lead, clusters
):
    response = as_user(api, other_team_review_lead).get(CLUSTERS)
    assert ids(response) == {clusters["across"].pk, clusters["cumbria"].pk}


def test_another_teams_lead_gets_404_for_a_cluster_not_theirs_as_for_a_missing_one(
    api, other_team_review_lead, clusters
):
    client = as_user(api, other_team_review_lead)
    not_theirs = client.get(cluster_url(clusters["kent"]))
    missing = client.get(f"{CLUSTERS}999999/")
    assert (not_theirs.status_code, missing.status_code) == (404, 404)
    assert not_theirs.json() == missing.json() == {"detail": "No such cluster"}


@pytest.mark.parametrize("persona", ["investigator", "liaison_officer", "analyst", "liaison_lead"])
def test_other_roles_are_refused_every_linkage_route_with_403(api, request, persona, clusters):
    client = as_user(api, request.getfixturevalue(persona))
    link = clusters["kent_links"][0]
    answers = [
        client.get(CLUSTERS).status_code,
        client.get(cluster_url(clusters["kent"])).status_code,
        client.get(LINKS, {"status": "review"}).status_code,
        client.post(decide_url(link, "confirm"), {"reason": "x", "version": 1}).status_code,
        client.post(decide_url(link, "reject"), {"reason": "x", "version": 1}).status_code,
    ]
    assert answers == [403] * 5


def test_anonymous_callers_are_refused(api, clusters):
    link = clusters["kent_links"][0]
    assert api.get(CLUSTERS).status_code == 403
    assert api.get(cluster_url(clusters["kent"])).status_code == 403
    assert api.get(LINKS).status_code == 403
    assert api.post(decide_url(link, "confirm"), {}).status_code == 403


# --- what a cluster says -------------------------------------------------------------------


def test_each_cluster_lists_its_members_by_file_with_its_role_and_status(
    api, national_lead, clusters, kent_cases, cumbria_case
):
    rows = {r["id"]: r for r in as_user(api, national_lead).get(CLUSTERS).json()["results"]}
    kent = rows[clusters["kent"].pk]
    assert set(kent) == {"id", "role", "status", "members"}
    assert (kent["role"], kent["status"]) == ("suspect", "proposed")
    assert kent["members"] == [
        {
            "case": case.reference,
            "force": "kent",
            "force_reference": case.force_reference,
            "ref": "S1",
        }
        for case in kent_cases
    ]
    across = rows[clusters["across"].pk]
    assert across["status"] == "confirmed"
    assert [(m["case"], m["force"]) for m in across["members"]] == [
        (kent_cases[0].reference, "kent"),
        (cumbria_case.reference, "cumbria"),
    ]
    assert rows[clusters["cumbria"].pk]["role"] == "victim"


def test_a_cluster_is_confirmed_only_when_every_linked_pair_inside_is(api, national_lead, clusters):
    first, second = clusters["kent_links"]
    PersonLink.objects.filter(pk=first.pk).update(status=LinkStatus.CONFIRMED, reason="Seen.")
    client = as_user(api, national_lead)
    assert client.get(cluster_url(clusters["kent"])).json()["status"] == "proposed"
    PersonLink.objects.filter(pk=second.pk).update(status=LinkStatus.CONFIRMED, reason="Seen.")
    assert client.get(cluster_url(clusters["kent"])).json()["status"] == "confirmed"


def test_no_name_or_personal_value_appears_in_any_answer(api, national_lead, clusters):
    client = as_user(api, national_lead)
    bodies = [
        client.get(CLUSTERS).content,
        *(client.get(cluster_url(n)).content for n in Nominal.objects.all()),
        client.get(LINKS).content,
    ]
    people = NominalMember.objects.select_related("party__person")
    for member in people:
        person = member.party.person
        for value in (person.surname, person.forenames, str(person.date_of_birth)):
            assert all(value.encode() not in body for body in bodies), value


def test_the_detail_lists_the_links_inside_with_probability_status_model_and_reasons(
    api, review_lead, clusters, kent_cases
):
    body = as_user(api, review_lead).get(cluster_url(clusters["kent"])).json()
    assert set(body) == {"id", "role", "status", "members", "links"}
    first = clusters["kent_links"][0]
    link = body["links"][0]
    assert link == {
        "id": first.pk,
        "left": {
            "case": kent_cases[0].reference,
            "force": "kent",
            "force_reference": kent_cases[0].force_reference,
            "ref": "S1",
        },
        "right": {
            "case": kent_cases[1].reference,
            "force": "kent",
            "force_reference": kent_cases[1].force_reference,
            "ref": "S1",
        },
        "match_probability": 0.99,
        "status": "proposed",
        "cross_role": False,
        "model": 3,
        "reasons": EVIDENCE,
        "decided_by": None,
        "decided_at": None,
        "version": 1,
    }
    assert [item["id"] for item in body["links"]] == [x.pk for x in clusters["kent_links"]]


def test_a_waiting_pair_between_two_members_shows_among_the_links_inside(
    api, national_lead, clusters, kent_cases
):
    waiting = link_between(
        suspect(kent_cases[0]), suspect(kent_cases[2]), LinkStatus.REVIEW, probability=0.8
    )
    body = as_user(api, national_lead).get(cluster_url(clusters["kent"])).json()
    assert waiting.pk in {item["id"] for item in body["links"]}
    assert body["status"] == "proposed"


# --- pages, queries and the audit log -----------------------------------------------------


def test_clusters_page_by_cursor_without_repeats_or_a_count(
    api, national_lead, kent_cases, monkeypatch
):
    monkeypatch.setattr(LinkagePagination, "page_size", 2)
    made = set()
    for case in kent_cases:
        other = make_case()
        made.add(cluster_of(suspect(case), suspect(other))[0].pk)
    client = as_user(api, national_lead)
    seen, url, pages = [], CLUSTERS, 0
    while url:
        body = client.get(url).json()
        assert "count" not in body
        seen += [row["id"] for row in body["results"]]
        url, pages = body["next"], pages + 1
    assert (sorted(seen), pages) == (sorted(made), 2)


def test_a_cursor_the_list_did_not_give_is_404(api, national_lead):
    response = as_user(api, national_lead).get(CLUSTERS, {"cursor": "not-a-cursor"})
    assert response.status_code == 404


# Session, user and roles (3), the review lead's forces (1), the page of clusters with their
# status (1), their members with case and force (1), the audit rows: the clusters, and the
# cases of their records (2).
LIST_QUERIES = 8


@pytest.mark.parametrize("size", [2, 12])
def test_a_page_of_clusters_costs_the_same_queries_at_any_size(
    api, review_lead, size, django_assert_num_queries
):
    for _ in range(size):
        cluster_of(suspect(make_case()), suspect(make_case()), suspect(make_case()))
    client = as_user(api, review_lead)
    with django_assert_num_queries(LIST_QUERIES):
        response = client.get(CLUSTERS)
    assert len(response.json()["results"]) == size


@pytest.mark.parametrize("size", [2, 6])
def test_a_cluster_detail_costs_the_same_queries_at_any_size(
    api, national_lead, model, size, django_assert_num_queries
):
    parties = [suspect(make_case()) for _ in range(size)]
    nominal, _ = cluster_of(*parties, model=model)
    client = as_user(api, national_lead)
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(cluster_url(nominal))
    assert len(response.json()["links"]) == size - 1


# Session, user and roles (3), the cluster with its status (1), the audit row (1), its
# members (1), the audit row of their cases (1), its links with both records' cases and
# forces and the model (1).
DETAIL_QUERIES = 8


def test_every_page_and_cluster_shown_is_logged_as_consulted(api, review_lead, clusters):
    client = as_user(api, review_lead)
    client.get(CLUSTERS)
    listed = AuditEvent.objects.filter(operation="consult", object_type="cases.nominal").last()
    assert (listed.actor_id, sorted(listed.object_ids)) == (
        review_lead.pk,
        sorted([str(clusters["kent"].pk), str(clusters["across"].pk)]),
    )
    client.get(cluster_url(clusters["kent"]))
    opened = AuditEvent.objects.filter(operation="consult", object_type="cases.nominal").last()
    assert opened.object_id == str(clusters["kent"].pk)
    client.get(LINKS)
    links = AuditEvent.objects.filter(operation="consult", object_type="cases.personlink").last()
    kent = PersonLink.objects.filter(left__case__force__slug="kent").values_list("pk", flat=True)
    assert sorted(links.object_ids) == sorted(str(pk) for pk in kent)


# --- links waiting for a decision ---------------------------------------------------------


@pytest.fixture
def waiting(kent_cases, cumbria_case, model):
    """Pairs in the uncertain band: one in Kent, one in Cumbria only, and a cross-role pair."""
    in_kent = link_between(
        suspect(kent_cases[1], "S2"),
        suspect(kent_cases[2], "S2"),
        LinkStatus.REVIEW,
        model=model,
        probability=0.8,
    )
    other = make_case(force=Force.objects.get(slug="cumbria"), force_reference="CUM/3/19")
    in_cumbria = link_between(
        suspect(cumbria_case, "S2"), suspect(other), LinkStatus.REVIEW, model=model
    )
    return {"kent": in_kent, "cumbria": in_cumbria}


def test_the_review_queue_lists_only_waiting_links_in_the_leads_scope(
    api, review_lead, clusters, waiting
):
    response = as_user(api, review_lead).get(LINKS, {"status": "review"})
    assert response.status_code == 200
    assert ids(response) == {waiting["kent"].pk}
    row = response.json()["results"][0]
    assert (row["status"], row["model"], row["reasons"]) == ("review", 3, EVIDENCE)


def test_a_national_lead_sees_every_waiting_link(api, national_lead, clusters, waiting):
    response = as_user(api, national_lead).get(LINKS, {"status": "review"})
    assert ids(response) == {waiting["kent"].pk, waiting["cumbria"].pk}


def test_an_unknown_status_is_refused_with_400_naming_the_parameter(api, national_lead):
    response = as_user(api, national_lead).get(LINKS, {"status": "maybe"})
    assert response.status_code == 400
    assert list(response.json()) == ["status"]


# --- decisions ------------------------------------------------------------------------------


def test_a_review_lead_confirms_a_waiting_link_with_a_reason(api, review_lead, waiting):
    link = waiting["kent"]
    response = as_user(api, review_lead).post(
        decide_url(link, "confirm"),
        {"reason": "Same PNC ID on both files.", "version": link.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    link.refresh_from_db()
    assert (link.status, link.reason, link.decided_by) == (
        LinkStatus.CONFIRMED,
        "Same PNC ID on both files.",
        review_lead,
    )
    body = response.json()
    assert (body["status"], body["decided_by"], body["version"]) == (
        "confirmed",
        review_lead.username,
        link.version,
    )
    # The two records now resolve to one cluster the lead can list.
    nominal = NominalMember.objects.get(party=link.left).nominal
    assert NominalMember.objects.get(party=link.right).nominal == nominal


def test_a_national_lead_rejects_a_link_and_it_is_remembered(api, national_lead, waiting):
    link = waiting["cumbria"]
    response = as_user(api, national_lead).post(
        decide_url(link, "reject"),
        {"reason": "Different dates of birth in both files.", "version": link.version},
        format="json",
    )
    assert response.status_code == 200, response.json()
    link.refresh_from_db()
    assert (link.status, link.decided_by) == (LinkStatus.REJECTED, national_lead)
    assert response.json()["status"] == "rejected"


def test_a_decision_on_a_link_changed_since_it_was_read_is_refused_with_409(
    api, review_lead, waiting
):
    link = waiting["kent"]
    read = link.version
    PersonLink.objects.filter(pk=link.pk).update(version=read + 1)
    response = as_user(api, review_lead).post(
        decide_url(link, "confirm"), {"reason": "Same person.", "version": read}, format="json"
    )
    assert response.status_code == 409
    assert response.json()["version"] == read + 1
    assert response.json()["detail"]
    link.refresh_from_db()
    assert link.status == LinkStatus.REVIEW


@pytest.mark.parametrize(
    ("body", "fields"),
    [
        ({"version": 1}, {"reason"}),
        ({"reason": "   ", "version": 1}, {"reason"}),
        ({"reason": "Same person."}, {"version"}),
        ({"reason": "Same person.", "version": "first"}, {"version"}),
        ({}, {"reason", "version"}),
    ],
)
def test_a_decision_without_a_reason_or_version_is_refused_with_400_naming_the_field(
    api, review_lead, waiting, body, fields
):
    link = waiting["kent"]
    response = as_user(api, review_lead).post(decide_url(link, "reject"), body, format="json")
    assert response.status_code == 400
    assert set(response.json()) == fields
    link.refresh_from_db()
    assert link.status == LinkStatus.REVIEW


def test_a_pair_of_different_roles_cannot_be_confirmed(api, review_lead, kent_cases):
    victim, accused = kent_cases[0].parties.get(ref="V1"), suspect(kent_cases[1])
    left, right = sorted((victim, accused), key=lambda party: party.pk)
    link = PersonLink.objects.create(
        left=left, right=right, status=LinkStatus.REVIEW, cross_role=True, match_probability=0.8
    )
    response = as_user(api, review_lead).post(
        decide_url(link, "confirm"), {"reason": "Same person.", "version": 1}, format="json"
    )
    assert response.status_code == 400
    link.refresh_from_db()
    assert link.status == LinkStatus.REVIEW


def test_another_teams_lead_gets_404_deciding_a_link_not_theirs(
    api, other_team_review_lead, waiting
):
    link = waiting["kent"]
    response = as_user(api, other_team_review_lead).post(
        decide_url(link, "confirm"), {"reason": "Same person.", "version": 1}, format="json"
    )
    assert response.status_code == 404
    link.refresh_from_db()
    assert link.status == LinkStatus.REVIEW


def test_an_administrator_sees_links_but_may_not_decide_them(api, admin_user, waiting):
    link = waiting["kent"]
    client = as_user(api, admin_user)
    assert client.get(LINKS, {"status": "review"}).status_code == 200
    response = client.post(
        decide_url(link, "confirm"), {"reason": "Same person.", "version": 1}, format="json"
    )
    assert response.status_code == 403


def test_a_decision_is_audited_and_so_is_the_read_before_it(api, review_lead, waiting):
    link = waiting["kent"]
    before = AuditEvent.objects.count()
    as_user(api, review_lead).post(
        decide_url(link, "reject"), {"reason": "Different people.", "version": 1}, format="json"
    )
    rows = AuditEvent.objects.order_by("seq")[before:]
    about_link = [
        (r.operation, r.actor_id) for r in rows if r.object_id == str(link.pk) and r.object_type
    ]
    # The read that opened it for deciding, then the decision (an alteration).
    assert about_link == [("consult", review_lead.pk), ("alter", review_lead.pk)]


def test_the_schema_documents_each_linkage_route_and_the_409_of_a_stale_decision(
    api, national_lead
):
    schema = as_user(api, national_lead).get("/api/v1/schema/", {"format": "json"}).json()
    paths = {p for p in schema["paths"] if "linkage" in p}
    assert paths == {
        "/api/v1/linkage/clusters/",
        "/api/v1/linkage/clusters/{id}/",
        "/api/v1/linkage/links/",
        "/api/v1/linkage/links/{id}/confirm/",
        "/api/v1/linkage/links/{id}/reject/",
    }
    confirm = schema["paths"]["/api/v1/linkage/links/{id}/confirm/"]["post"]
    assert {"200", "400", "403", "404", "409"} <= set(confirm["responses"])
    assert re.match(
        r"^#/components/schemas/",
        confirm["responses"]["409"]["content"]["application/json"]["schema"]["$ref"],
    )


@pytest.mark.parametrize("path", ["-3/", "1.5/", "null/", "99999999999999999999/"])
def test_an_id_that_is_not_a_number_answers_the_apis_404(api, national_lead, path):
    response = as_user(api, national_lead).get(f"{CLUSTERS}{path}")
    assert (response.status_code, response["Content-Type"]) == (404, "application/json")
    decision = as_user(api, national_lead).post(f"{LINKS}{path}confirm/", {}, format="json")
    assert (decision.status_code, decision.json()) == (404, {"detail": "No such link"})
