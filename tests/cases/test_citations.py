"""Findings and lines of inquiry citing the case's documents, at a page (issue 12)."""

import itertools

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from beaconport.audit.models import AuditEvent, Operation
from cases.citations import citations_of_document
from cases.models import Citation, Document, Finding, LineOfInquiry
from cases.permissions import grant_case_access
from cases.services.citations import citation_add, citation_remove
from cases.services.errors import ActionNotPermitted
from tests.factories import make_case

pytestmark = pytest.mark.django_db

# The finding's and the line of inquiry's edit pages with their citations: the same count
# with one citation as with three (no query per citation), and with one document offered
# as with three. Two of them are the panel's: the citations with their documents, and the
# documents that may be cited.
FINDING_EDIT_QUERIES = 9
INQUIRY_EDIT_QUERIES = 10

_sha = itertools.count(1)


def make_document(case, by, *, title="A statement", page_count=5, **fields):
    """A document row on the case (its bytes are never read here)."""
    n = next(_sha)
    return Document.objects.create(
        case=case,
        kind=fields.pop("kind", "statement"),
        title=title,
        source="Synthetic force file",
        filename=f"statement-{n}.pdf",
        content_type=fields.pop("content_type", "application/pdf"),
        size=100,
        sha256=f"{n:064x}",
        storage_name=f"cases/{case.pk}/test-{n}",
        added_by=by,
        page_count=page_count,
        **fields,
    )


@pytest.fixture
def case(investigator):
    case = make_case(summary="A case whose findings cite its file (synthetic).")
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def finding(case, investigator):
    return Finding.objects.create(
        case=case,
        category="other",
        description="The suspect's account was never put to him.",
        severity="high",
        recorded_by=investigator,
    )


@pytest.fixture
def inquiry(case, investigator):
    return LineOfInquiry.objects.create(
        case=case,
        description="Trace the second witness.",
        origin="review",
        created_by=investigator,
    )


@pytest.fixture
def document(case, investigator):
    return make_document(case, investigator, title="First account of V1", page_count=5)


def cite_url(name, case, pk):
    return reverse(f"citations:{name}", args=[case.reference, pk])


# --- the service --------------------------------------------------------------------------


def test_a_finding_cites_a_document_at_a_page_and_it_is_audited(investigator, finding, document):
    citation = citation_add(
        by=investigator, document=document, page=3, finding=finding, note=" The gap. "
    )
    assert (citation.page, citation.note, citation.finding, citation.added_by) == (
        3,
        "The gap.",
        finding,
        investigator,
    )
    row = AuditEvent.objects.filter(operation=Operation.COLLECT).latest("seq")
    assert (row.object_type, row.object_id, row.case_id) == (
        "cases.citation",
        str(citation.pk),
        finding.case_id,
    )


def test_a_line_of_inquiry_cites_a_whole_document(investigator, inquiry, document):
    citation = citation_add(by=investigator, document=document, line_of_inquiry=inquiry)
    assert citation.page is None
    assert list(citations_of_document(document)) == [citation]


def test_a_document_from_another_case_is_refused(investigator, finding):
    elsewhere = make_case()
    grant_case_access(investigator, elsewhere)
    theirs = make_document(elsewhere, investigator)
    with pytest.raises(ValidationError) as refused:
        citation_add(by=investigator, document=theirs, page=1, finding=finding)
    assert refused.value.message_dict == {"document": ["Choose a document of this case."]}
    assert not Citation.objects.exists()


def test_a_page_past_the_documents_page_count_is_refused(investigator, finding, document):
    with pytest.raises(ValidationError) as refused:
        citation_add(by=investigator, document=document, page=6, finding=finding)
    assert refused.value.message_dict == {"page": ["“First account of V1” has 5 pages: no page 6."]}
    assert not Citation.objects.exists()


def test_page_nought_is_refused(investigator, finding, document):
    with pytest.raises(ValidationError) as refused:
        citation_add(by=investigator, document=document, page=0, finding=finding)
    assert refused.value.message_dict == {"page": ["Pages are numbered from 1."]}


def test_any_page_may_be_cited_while_the_page_count_is_not_known(investigator, finding, case):
    unread = make_document(case, investigator, page_count=None)
    assert citation_add(by=investigator, document=unread, page=40, finding=finding).page == 40


def test_a_citation_is_for_one_record_not_two(investigator, finding, inquiry, document):
    with pytest.raises(ValidationError) as refused:
        citation_add(by=investigator, document=document, finding=finding, line_of_inquiry=inquiry)
    assert list(refused.value.message_dict) == ["record"]


def test_someone_who_may_not_change_the_case_cannot_cite(other_investigator, finding, document):
    with pytest.raises(ActionNotPermitted):
        citation_add(by=other_investigator, document=document, page=1, finding=finding)
    assert not Citation.objects.exists()


def test_removing_a_citation_keeps_the_document_and_is_audited(investigator, finding, document):
    citation = citation_add(by=investigator, document=document, page=1, finding=finding)
    pk = citation.pk
    citation_remove(by=investigator, citation=citation)
    assert not Citation.objects.exists()
    assert Document.objects.filter(pk=document.pk).exists()
    row = AuditEvent.objects.filter(operation=Operation.ERASE).latest("seq")
    assert (row.object_type, row.object_id) == ("cases.citation", str(pk))


# --- the pages ----------------------------------------------------------------------------


def test_an_investigator_cites_from_the_finding_page_and_sees_the_citation(
    client, investigator, case, finding, document
):
    client.force_login(investigator)
    response = client.post(
        cite_url("finding_cite", case, finding.pk),
        {"cite-document": document.pk, "cite-page": "4", "cite-note": "Account of the night."},
    )
    edit = reverse("cases:finding_edit", args=[case.reference, finding.pk])
    assert response.status_code == 302
    assert response.url == f"{edit}#citations"
    page = client.get(edit)
    assert page.status_code == 200
    html = page.content.decode()
    assert "First account of V1" in html
    assert "Account of the night." in html
    citation = Citation.objects.get()
    assert (citation.page, citation.document) == (4, document)


def test_a_page_past_the_end_answers_400_with_the_reason_and_keeps_the_input(
    client, investigator, case, finding, document
):
    client.force_login(investigator)
    response = client.post(
        cite_url("finding_cite", case, finding.pk),
        {"cite-document": document.pk, "cite-page": "9", "cite-note": "Kept."},
    )
    assert response.status_code == 400
    form = response.context["form"]
    assert form.errors == {"page": ["“First account of V1” has 5 pages: no page 9."]}
    assert form["note"].value() == "Kept."
    assert not Citation.objects.exists()


def test_a_document_of_another_case_cannot_be_posted_for_a_finding(
    client, investigator, case, finding
):
    elsewhere = make_case()
    grant_case_access(investigator, elsewhere)
    theirs = make_document(elsewhere, investigator)
    client.force_login(investigator)
    response = client.post(cite_url("finding_cite", case, finding.pk), {"cite-document": theirs.pk})
    assert response.status_code == 400
    assert list(response.context["form"].errors) == ["document"]
    assert not Citation.objects.exists()


def test_a_line_of_inquiry_cites_from_its_page(client, investigator, case, inquiry, document):
    client.force_login(investigator)
    response = client.post(
        cite_url("inquiry_cite", case, inquiry.pk), {"cite-document": document.pk}
    )
    assert response.status_code == 302
    assert Citation.objects.get().line_of_inquiry == inquiry


def test_the_citation_links_to_the_pdf_at_its_page(client, investigator, case, finding, document):
    citation_add(by=investigator, document=document, page=2, finding=finding)
    client.force_login(investigator)
    page = client.get(reverse("cases:finding_edit", args=[case.reference, finding.pk]))
    rows = page.context["citations"]
    assert len(rows) == 1
    view = reverse("documents:view", args=[case.reference, document.pk])
    assert rows[0]["url"] == f"{view}?page=2"
    assert f'href="{view}?page=2"' in page.content.decode()


def test_opening_the_citation_form_logs_a_read_of_the_case(client, investigator, case, finding):
    client.force_login(investigator)
    assert client.get(cite_url("finding_cite", case, finding.pk)).status_code == 200
    row = AuditEvent.objects.filter(operation=Operation.CONSULT).latest("seq")
    assert (row.case_id, row.actor_id) == (case.pk, investigator.pk)


def test_a_citation_is_removed_from_the_page(client, investigator, case, finding, document):
    citation = citation_add(by=investigator, document=document, page=2, finding=finding)
    client.force_login(investigator)
    url = cite_url("remove", case, citation.pk)
    assert client.get(url).status_code == 200
    assert client.post(url).status_code == 400  # no yes given: nothing removed
    assert Citation.objects.exists()
    response = client.post(url, {"confirm": "on"})
    assert response.status_code == 302
    assert not Citation.objects.exists()


@pytest.mark.parametrize("outsider", ["other_investigator", "liaison_officer", "analyst"])
def test_an_outsider_gets_404_on_every_citation_route(
    request, client, investigator, case, finding, inquiry, document, outsider
):
    citation = citation_add(by=investigator, document=document, page=1, finding=finding)
    client.force_login(request.getfixturevalue(outsider))
    urls = [
        cite_url("finding_cite", case, finding.pk),
        cite_url("inquiry_cite", case, inquiry.pk),
        cite_url("remove", case, citation.pk),
    ]
    for url in urls:
        assert client.get(url).status_code == 404, url
        assert client.post(url, {"cite-document": document.pk, "confirm": "on"}).status_code == 404
    assert Citation.objects.count() == 1


def test_a_citation_of_another_case_is_404_under_this_case(
    client, investigator, case, finding, document
):
    citation = citation_add(by=investigator, document=document, page=1, finding=finding)
    mine = make_case()
    grant_case_access(investigator, mine)
    client.force_login(investigator)
    response = client.post(cite_url("remove", mine, citation.pk), {"confirm": "on"})
    assert response.status_code == 404
    assert Citation.objects.exists()


def _edit_page_costs(client, django_assert_num_queries, url, expected):
    with django_assert_num_queries(expected):
        assert client.get(url).status_code == 200


def test_the_finding_page_costs_the_same_with_one_citation_as_with_three(
    client, investigator, case, finding, document, django_assert_num_queries
):
    client.force_login(investigator)
    url = reverse("cases:finding_edit", args=[case.reference, finding.pk])
    citation_add(by=investigator, document=document, page=1, finding=finding)
    _edit_page_costs(client, django_assert_num_queries, url, FINDING_EDIT_QUERIES)
    for n in (2, 3):
        other = make_document(case, investigator, title=f"Document {n}")
        citation_add(by=investigator, document=other, page=n, finding=finding)
    _edit_page_costs(client, django_assert_num_queries, url, FINDING_EDIT_QUERIES)


def test_the_inquiry_page_costs_the_same_with_one_citation_as_with_three(
    client, investigator, case, inquiry, document, django_assert_num_queries
):
    client.force_login(investigator)
    url = reverse("cases:inquiry_edit", args=[case.reference, inquiry.pk])
    citation_add(by=investigator, document=document, line_of_inquiry=inquiry)
    _edit_page_costs(client, django_assert_num_queries, url, INQUIRY_EDIT_QUERIES)
    for n in (2, 3):
        other = make_document(case, investigator, title=f"Document {n}")
        citation_add(by=investigator, document=other, page=n, line_of_inquiry=inquiry)
    _edit_page_costs(client, django_assert_num_queries, url, INQUIRY_EDIT_QUERIES)


def test_the_case_page_lists_each_findings_citations_with_no_query_per_finding(
    client, investigator, case, finding, document
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    citation_add(by=investigator, document=document, page=2, finding=finding)
    client.force_login(investigator)
    url = reverse("cases:detail", args=[case.reference])
    client.get(url)  # the first read of a session settles what later ones reuse
    with CaptureQueriesContext(connection) as one:
        page = client.get(url)
    view = reverse("documents:view", args=[case.reference, document.pk])
    assert f'href="{view}?page=2"' in page.content.decode()
    for n in (2, 3):
        more = Finding.objects.create(
            case=case,
            category="other",
            description=f"Finding {n}.",
            severity="low",
            recorded_by=investigator,
        )
        other = make_document(case, investigator, title=f"Document {n}", content_type="text/plain")
        citation_add(by=investigator, document=other, page=1, finding=more)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url)
    assert len(three) == len(one)
    html = page.content.decode()
    for n in (2, 3):
        assert f"Document {n}</a>, p. 1" in html


def test_a_documents_page_lists_what_cites_it(
    client, investigator, case, finding, inquiry, document
):
    citation_add(by=investigator, document=document, page=4, finding=finding, note="The 22:10 car.")
    citation_add(by=investigator, document=document, line_of_inquiry=inquiry)
    client.force_login(investigator)
    page = client.get(reverse("documents:detail", args=[case.reference, document.pk]))
    assert page.status_code == 200
    cited = page.content.decode().split('data-testid="cited-by"')[1].split("</ul>")[0]
    finding_url = reverse("cases:finding_edit", args=[case.reference, finding.pk])
    inquiry_url = reverse("cases:inquiry_edit", args=[case.reference, inquiry.pk])
    assert f'href="{finding_url}"' in cited and ", p. 4 \u2013 The 22:10 car." in cited
    assert f'href="{inquiry_url}"' in cited
