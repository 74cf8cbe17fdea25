"""Every route, web, API and admin, is accounted for in the audit log.

One table says, for each named route, how it is audited: a read of personal data writes a
`consult` row; a write goes through a service (and `test_completeness` proves every service
writes its row); the audit pages log themselves; the rest show no personal data, with the
reason. A route added without a line here fails `test_the_table_names_every_route`, and the
reads are tried for real as the person who may see them.
"""

import pytest
from django.contrib import admin
from django.urls import URLResolver, get_resolver, reverse
from rest_framework.test import APIClient

from beaconport.audit.admin_mixins import AuditedAdminMixin
from beaconport.audit.models import AuditEvent
from cases.models import Finding, LineOfInquiry, SuspectFlag
from cases.permissions import grant_case_access
from liaison.models import Notification
from tests.access_policy import PARTS
from tests.audit.helpers import last_seq
from tests.cases.test_access_routes import url_for as case_url
from tests.factories import make_case
from tests.liaison.test_access_routes import ROUTES as LIAISON_ROUTES
from tests.liaison.test_access_routes import period_for
from tests.liaison.test_access_routes import url_for as liaison_url
from tests.liaison.test_views_setup import open_followup, record_for

CONSULT = "consult"  # reading it writes a consult row (tried below)
SERVICE = "service"  # POST only: the write service logs it (tests/audit/test_completeness.py)
SELF = "logs itself"  # the audit pages: searches, downloads and justifications are logged


def none(reason: str) -> str:
    return f"none: {reason}"


ROUTE_AUDIT = {
    "home": none("the signed-in user's own roles"),
    "healthz": none("the state of the database and broker"),
    "login": none("signing in"),
    "logout": none("signing out"),
    "password_change": none("the user's own password"),
    "password_change_done": none("the user's own password"),
    "two_factor": SERVICE,  # the user's own devices: set-up and removal are audited
    "two_factor_verify": none("a code for the user's own sign-in"),
    "two_factor_enrol": SERVICE,  # the new device is a collection row (signin.services)
    "accounts:tokens": none("the user's own API tokens; issuing one is audited by its service"),
    "accounts:token_revoke": SERVICE,
    "api:schema": none("the API's description"),
    "api:docs": none("the API's description"),
    "api:case-list": CONSULT,
    "api:case-detail": CONSULT,
    "api:case-events": SERVICE,
    "api:liaison-record-list": CONSULT,
    "api:liaison-followup-list": CONSULT,
    "audit:search": SELF,
    "audit:export": SELF,
    "audit:justify": SELF,
    "audit:security_events": SELF,
    "cases:my_cases": CONSULT,
    "cases:queue": CONSULT,
    # Work across cases (issue 11): one row naming the cases on the page
    # (tests/cases/test_work_lists.py).
    "cases:my_actions": CONSULT,
    "cases:overdue_actions": CONSULT,
    "cases:flags": CONSULT,
    "cases:detail": CONSULT,
    "cases:edit": CONSULT,
    "cases:eligibility": CONSULT,
    "cases:party_add": CONSULT,
    "cases:party_edit": CONSULT,
    "cases:person_edit": CONSULT,
    "cases:flag_add": CONSULT,
    "cases:flag_clear": CONSULT,
    "cases:inquiry_add": CONSULT,
    "cases:inquiry_edit": CONSULT,
    "cases:finding_add": CONSULT,
    "cases:finding_edit": CONSULT,
    "cases:transition": SERVICE,
    "cases:assign": SERVICE,
    "cases:unassign": SERVICE,
    "cases:event_add": SERVICE,
    "people:search": CONSULT,  # the records shown: tests/cases/test_person_search_pages.py
    # Access requests (issue 10): the pages' reads are consults, the decisions services
    # (tests/cases/test_linkage_need_to_know.py).
    "people:access_requests": CONSULT,
    "people:access_request_decide": CONSULT,
    "people:access_request_ask": CONSULT,
    "people:access_request_withdraw": CONSULT,
    # Links and networks (issue 10): leads' reads are consults naming the links, networks
    # and cases shown (tried below); decisions go through cases.linkage.resolution.
    "people:links": CONSULT,
    "people:link": CONSULT,
    "people:link_decide": SERVICE,
    "people:networks": CONSULT,
    "people:network": CONSULT,
    # Lines of inquiry and findings over the API (issue 12): a read is a consult of the case
    # and one of the records shown, a write goes through the page's services
    # (tests/api/test_api_work.py).
    "api:case-inquiry-list": "consult of the case and the rows shown; raising by its service",
    "api:case-inquiry-detail": "consult of the case and the row; updates by its service",
    "api:case-finding-list": "consult of the case and the rows shown; recording by its service",
    "api:case-finding-detail": "consult of the case and the row; corrections by its service",
    "api:linkage-cluster-list": CONSULT,
    "api:linkage-cluster-detail": CONSULT,
    "api:linkage-link-list": CONSULT,
    "api:linkage-link-confirm": SERVICE,
    "api:linkage-link-reject": SERVICE,
    # Asks why first (audit:justify logs the reason), then a consult row naming the cases
    # shown, carrying the reason: tests/liaison/test_victim_links.py.
    "liaison:victim_links": "justified consult",
    "liaison:my_victims": CONSULT,
    "liaison:team": CONSULT,
    "liaison:deadlines": CONSULT,
    "liaison:record": CONSULT,
    "liaison:preferences_edit": CONSULT,
    "liaison:expectation_create": CONSULT,
    "liaison:contact_create": CONSULT,
    "liaison:followup_create": CONSULT,
    "liaison:followup_complete": CONSULT,
    "liaison:followup_cancel": CONSULT,
    "liaison:record_assign": CONSULT,
    "liaison:enhanced_rights_edit": CONSULT,
    "liaison:do_not_contact_add": CONSULT,
    "liaison:do_not_contact_end": CONSULT,
    # Reports (issue 11): a dashboard read is one consult row naming it (the filters are in
    # the row's source); its CSV one disclosure row to the user (tests/reports/test_views.py).
    "reports:index": none("the names of the dashboards the user's roles open"),
    "reports:dashboard": CONSULT,
    "reports:download": "disclosure, logged by the view",
    # Citations (issue 12): the forms read the case (case_get_for's consult row); citing and
    # removing go through cases/services/citations.py.
    "citations:finding_cite": "consult of the case; the write by its service",
    "citations:inquiry_cite": "consult of the case; the write by its service",
    "citations:remove": "consult of the case; the write by its service",
    # Victims' correspondence (issue 12): the list logs the record and the rows shown, the
    # form the record; a copy is a disclosure to the reader with their reason
    # (tests/liaison/test_correspondence.py).
    "liaison:correspondence": "consult of the record and of the rows shown",
    "liaison:correspondence_add": "consult of the record; the file's collection by its service",
    "liaison:correspondence_download": "disclosure to the reader, logged by its service",
    # Documents on a case (issue 12): the list logs the case and the documents shown, a
    # document's record the case (case_get_for), adding one is a collection by its service,
    # and every copy (read in the browser or downloaded) a disclosure to the reader with
    # their reason (tests/cases/test_documents.py).
    "documents:list": "consult of the case and of the documents shown",
    "documents:detail": "consult of the case and the document",
    "documents:add": "consult of the case; the file's collection by its service",
    "documents:view": "disclosure to the reader, logged by its service",
    "documents:download": "disclosure to the reader, logged by its service",
    # Search in documents' text: one row naming the documents listed, with a keyed digest of
    # the words instead of the words (tests/cases/test_document_search.py).
    "document_search:search": "consult of the documents listed",
    # Intake (issue 12): a file received is a collection by its service; the history and a
    # batch's page log the batches shown; the progress poll carries no personal data.
    "intake:upload": SERVICE,
    "intake:history": "consult of the batches shown",
    "intake:batch": "consult of the batch",
    "intake:status": none("a batch's status and bytes read, for the progress bar"),
    "api:referral-batch-list": "consult of the batches shown; a file sent by its service",
    "api:referral-batch-detail": "consult of the batch",
    # Case export: the bundle is a disclosure with recipient and purpose, logged by its
    # service (tests/cases/test_export.py); the form reads the case (case_get_for).
    "export:case": "consult of the case; the bundle a disclosure by its service",
    "liaison:notifications": none("the user's own notifications: a case reference and a date"),
    "liaison:notification_read": none("marks the user's own notification read"),
    "liaison:notifications_read_all": none("marks the user's own notifications read"),
}
# Features that keep their access policy beside them (tests/policy_parts/*.py) may say how
# their routes are audited there too, as ROUTE_AUDIT = {route: how}, in the words above.
for _part in PARTS:
    ROUTE_AUDIT.update(getattr(_part, "ROUTE_AUDIT", {}))


def route_names() -> set[str]:
    names = set()

    def walk(patterns, namespace):
        for entry in patterns:
            if isinstance(entry, URLResolver):
                inner = entry.namespace or ""
                walk(entry.url_patterns, f"{namespace}:{inner}".strip(":") if inner else namespace)
            elif entry.name:
                names.add(f"{namespace}:{entry.name}" if namespace else entry.name)

    walk(get_resolver().url_patterns, "")
    return {name for name in names if not name.startswith("admin:")}


def test_the_table_names_every_route():
    assert route_names() == set(ROUTE_AUDIT)
    for name, how in ROUTE_AUDIT.items():
        assert how in (CONSULT, SERVICE, SELF) or len(how) > len("none: "), name


def test_every_admin_page_over_case_liaison_or_audit_data_logs_what_it_shows():
    from beaconport.audit.admin import AuditEventAdmin

    unaudited = [
        model._meta.label
        for model, model_admin in admin.site._registry.items()
        if model._meta.app_label in {"cases", "liaison", "audit"}
        and not isinstance(model_admin, AuditedAdminMixin | AuditEventAdmin)
    ]
    assert unaudited == []


def consults_after(seq):
    return AuditEvent.objects.filter(seq__gt=seq, operation="consult")


@pytest.fixture
def own_case(investigator):
    case = make_case(summary="The investigator's own case.")
    grant_case_access(investigator, case)
    return {
        "case": case,
        "finding": Finding.objects.create(
            case=case,
            category="other",
            description="A finding.",
            severity="low",
            recorded_by=investigator,
        ),
        "inquiry": LineOfInquiry.objects.create(
            case=case, description="An inquiry.", origin="review", created_by=investigator
        ),
        "flag": SuspectFlag.objects.create(
            party=case.parties.get(ref="S1"),
            kind="dangerous",
            reason="A reason.",
            set_by=investigator,
        ),
    }


CASE_READS = sorted(
    name.removeprefix("cases:")
    for name, how in ROUTE_AUDIT.items()
    if how == CONSULT
    and name.startswith("cases:")
    and name
    not in {
        "cases:my_cases",
        "cases:queue",
        "cases:my_actions",
        "cases:overdue_actions",
        "cases:flags",
    }
)
LEAD_ROUTES = {"eligibility"}


@pytest.mark.django_db
@pytest.mark.parametrize("name", CASE_READS)
def test_opening_a_case_page_logs_a_read_of_that_case(
    client, request, investigator, own_case, name
):
    user = request.getfixturevalue("review_lead") if name in LEAD_ROUTES else investigator
    client.force_login(user)
    seq = last_seq()
    response = client.get(case_url(name, own_case))
    assert response.status_code in (200, 302), (name, response.status_code)
    row = consults_after(seq).get()
    assert (row.case_id, row.actor_id) == (own_case["case"].pk, user.pk)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["cases:my_cases", "cases:queue", "api:case-list"])
def test_each_case_list_logs_one_row_naming_what_it_showed(request, own_case, name):
    user = request.getfixturevalue("investigator" if name != "cases:queue" else "review_lead")
    api = APIClient()
    api.force_login(user)
    seq = last_seq()
    assert api.get(reverse(name)).status_code == 200
    row = consults_after(seq).get()
    assert str(own_case["case"].pk) in row.object_ids


@pytest.mark.django_db
def test_the_case_api_detail_logs_a_read(investigator, own_case):
    api = APIClient()
    api.force_login(investigator)
    seq = last_seq()
    case = own_case["case"]
    assert api.get(reverse("api:case-detail", args=[case.reference])).status_code == 200
    assert consults_after(seq).get().case_id == case.pk


@pytest.fixture
def owned(liaison_officer):
    record = record_for(liaison_officer)
    return {
        "record": record,
        "followup": open_followup(record),
        "period": period_for(record),
        "notification": Notification.objects.create(user=liaison_officer, text="BP-000001"),
    }


LIAISON_READS = sorted(
    name for name, how in ROUTE_AUDIT.items() if how == CONSULT and "liaison" in name
)


@pytest.mark.django_db
@pytest.mark.parametrize("name", LIAISON_READS)
def test_opening_a_liaison_page_logs_what_it_showed(
    client, liaison_officer, liaison_lead, owned, name
):
    arg = LIAISON_ROUTES[name]
    leads = {"liaison:team", "liaison:deadlines", "liaison:record_assign"}
    user = liaison_lead if name in leads else liaison_officer
    client.force_login(user)
    seq = last_seq()
    response = client.get(liaison_url(name, arg, owned))
    assert response.status_code == 200, (name, response.status_code)
    row = consults_after(seq).get()
    assert row.actor_id == user.pk
    if arg in ("record", "period"):  # a period's form is a read of its victim's record
        assert row.object_id == str(owned["record"].pk) or str(owned["record"].pk) in (
            row.object_ids or []
        )


@pytest.mark.django_db
def test_an_administrator_opening_a_persons_record_in_admin_is_logged(client, admin_user):
    case = make_case()
    person = case.parties.get(ref="V1").person
    client.force_login(admin_user)
    url = reverse("admin:cases_person_change", args=[person.pk])
    given = client.post(client.get(url)["Location"], {"justification": "Checking a record."})
    assert given.status_code == 302  # the admin asks why before it shows a name
    seq = last_seq()
    assert client.get(url).status_code == 200
    row = consults_after(seq).get()
    assert (row.object_type, row.object_id, row.actor_id) == (
        "cases.person",
        str(person.pk),
        admin_user.pk,
    )
    seq = last_seq()
    assert client.get(reverse("admin:cases_person_changelist")).status_code == 200
    assert str(person.pk) in consults_after(seq).get().object_ids


@pytest.fixture
def linked(investigator):
    """A link and its cluster (the case's S2 and another Kent case's) and a network (the
    case's suspect shares a phone with another Kent case's), as the access policy makes."""
    from tests.test_access_policy import _cluster_of, _network_of

    case = make_case(summary="A case in the person index.")
    grant_case_access(investigator, case)
    nominal, link = _cluster_of(case.parties.get(ref="S2"), make_case().parties.get(ref="S2"))
    return {
        "case": case,
        "nominal": nominal,
        "link": link,
        "network": _network_of(case, make_case()),
    }


# Each lead's read of the person index: its address, and the (object type, id) its consult
# rows must name. A network's page, and the clusters, name the cases they show as well.
LINKAGE_READS = {
    "people:links": (
        lambda o: reverse("people:links") + "?tab=proposed",
        [("cases.personlink", "link")],
    ),
    "people:link": (
        lambda o: reverse("people:link", args=[o["link"].pk]),
        [("cases.personlink", "link")],
    ),
    "people:networks": (lambda o: reverse("people:networks"), [("cases.network", "network")]),
    "people:network": (
        lambda o: reverse("people:network", args=[o["network"].pk]),
        [("cases.network", "network"), ("cases.case", "case")],
    ),
    "api:linkage-cluster-list": (
        lambda o: reverse("api:linkage-cluster-list"),
        [("cases.nominal", "nominal"), ("cases.case", "case")],
    ),
    "api:linkage-cluster-detail": (
        lambda o: reverse("api:linkage-cluster-detail", args=[o["nominal"].pk]),
        [("cases.nominal", "nominal"), ("cases.case", "case")],
    ),
    "api:linkage-link-list": (
        lambda o: reverse("api:linkage-link-list"),
        [("cases.personlink", "link")],
    ),
}


def person_index_reads() -> list[str]:
    """The person index's routes the table calls reads, from the URL resolver: each must
    have a try in LINKAGE_READS, or its test below fails looking it up."""
    return sorted(
        name
        for name in route_names()
        if name.startswith(("people:link", "people:network", "api:linkage"))
        and ROUTE_AUDIT.get(name) == CONSULT
    )


def _names(row, object_type, pk) -> bool:
    return row.object_type == object_type and (
        row.object_id == str(pk) or str(pk) in (row.object_ids or [])
    )


@pytest.mark.django_db
@pytest.mark.parametrize("name", person_index_reads())
def test_a_lead_opening_a_person_index_page_logs_what_it_showed(review_lead, linked, name):
    url, expected = LINKAGE_READS[name]  # a read route with no try here fails
    api = APIClient()
    api.force_login(review_lead)
    seq = last_seq()
    response = api.get(url(linked))
    assert response.status_code == 200, (name, response.status_code)
    rows = list(consults_after(seq))
    assert rows and {row.actor_id for row in rows} == {review_lead.pk}
    for object_type, key in expected:
        assert any(_names(row, object_type, linked[key].pk) for row in rows), (name, key)


@pytest.mark.django_db
def test_a_leads_read_of_the_names_on_a_link_carries_the_reason_given(client, review_lead, linked):
    link = linked["link"]
    client.force_login(review_lead)
    name = link.left.person.full_name
    assert name not in client.get(reverse("people:link", args=[link.pk])).content.decode()
    asked = client.get(reverse("people:link", args=[link.pk]) + "?names=1")
    assert asked.status_code == 302 and "/audit/justify/" in asked["Location"]
    reason = "Judging whether the two suspects are one man"
    back = client.post(asked["Location"], {"justification": reason})
    assert client.get(back["Location"]).status_code == 302  # the link page, without ?names
    seq = last_seq()
    page = client.get(reverse("people:link", args=[link.pk]))
    assert name in page.content.decode()
    row = consults_after(seq).get()
    assert (row.object_type, row.object_id, row.justification) == (
        "cases.personlink",
        str(link.pk),
        reason,
    )
