"""Searching the text of documents (cases.documents_search and /documents/search/): only the
documents of cases the user may see, with the matching pages, snippets only where the user
may see names, every page of results logged; and the same with a real worker reading the
files from a directory and from a real S3-compatible server."""

import pytest
from django.urls import reverse

from beaconport.audit.models import AuditEvent, Operation
from cases.documents_search import (
    document_search,
    pages_matching_fallback,
    search_terms,
    snippet_fallback,
)
from cases.models import DocumentPage
from cases.permissions import grant_case_access
from cases.services.extraction import document_text_extract, document_text_extract_later
from cases.vocabulary import ExtractionStatus
from tests.cases.documents_text import DOCX, docx_bytes, make_document, pdf_bytes
from tests.factories import make_case
from tests.worker import wait_for

PHRASE = "blue transit van"
SEARCH_URL = "/documents/search/"


def statement_pages():
    return [
        "Statement of a witness, page one. Nothing of note.",
        f"I saw a {PHRASE} parked outside the library at 21:40.",
        "The witness signed the statement.",
    ]


@pytest.fixture
def case(investigator):
    case = make_case()
    grant_case_access(investigator, case)
    return case


@pytest.fixture
def statement(filesystem_documents, case, investigator):
    document = make_document(case, investigator, pdf_bytes(statement_pages()))
    document_text_extract(document_id=document.pk)
    return document


def hits_of(user, text, **options):
    return [(hit.document.pk, hit.pages) for hit in document_search(user, text, **options).hits]


@pytest.mark.django_db
def test_search_finds_a_phrase_on_its_page_for_those_who_see_the_case(
    statement, investigator, review_lead, national_lead
):
    for user in (investigator, review_lead, national_lead):
        assert hits_of(user, f'"{PHRASE}"') == [(statement.pk, [2])], user


@pytest.mark.django_db
def test_search_finds_nothing_on_a_case_the_user_may_not_see(
    statement, other_investigator, other_team_review_lead, liaison_officer, analyst
):
    for user in (other_investigator, other_team_review_lead, liaison_officer, analyst):
        assert hits_of(user, f'"{PHRASE}"') == [], user


@pytest.mark.django_db
def test_only_the_assigned_investigator_gets_a_snippet_and_it_is_escaped(
    filesystem_documents, case, investigator, review_lead
):
    document = make_document(
        case,
        investigator,
        b"<script>x</script> 5 < 6 & the blue transit van",
        content_type="text/plain",
    )
    document_text_extract(document_id=document.pk)

    [mine] = document_search(investigator, "transit").hits
    [leads] = document_search(review_lead, "transit").hits

    assert "<mark>transit</mark>" in mine.snippet
    # ts_headline drops what looks like markup; anything else is escaped.
    assert "<script>" not in mine.snippet
    assert "5 &lt; 6 &amp; the" in mine.snippet
    assert mine.snippet_page == 1
    assert leads.snippet is None


@pytest.mark.django_db
def test_search_reads_web_search_syntax(statement, investigator):
    assert hits_of(investigator, "transit van library") == [(statement.pk, [2])]
    assert hits_of(investigator, "witness") == [(statement.pk, [1, 3])]
    assert hits_of(investigator, "witness -signed") == [(statement.pk, [1])]
    assert hits_of(investigator, '"van transit"') == []
    # Stemming on PostgreSQL: "parking" finds "parked".
    assert hits_of(investigator, "parking") == [(statement.pk, [2])]


@pytest.mark.django_db
def test_search_on_one_case_leaves_out_the_users_other_cases(
    filesystem_documents, statement, case, investigator
):
    other = make_case()
    grant_case_access(investigator, other)
    elsewhere = make_document(other, investigator, pdf_bytes([f"Another {PHRASE}."]))
    document_text_extract(document_id=elsewhere.pk)

    assert {pk for pk, _ in hits_of(investigator, PHRASE)} == {statement.pk, elsewhere.pk}
    assert hits_of(investigator, PHRASE, case=case) == [(statement.pk, [2])]


@pytest.mark.django_db
def test_results_come_a_page_at_a_time(filesystem_documents, case, investigator, monkeypatch):
    monkeypatch.setattr("cases.documents_search.PER_PAGE", 2)
    for n in range(3):
        document = make_document(
            case, investigator, f"Report {n} on the van.".encode(), "text/plain"
        )
        document_text_extract(document_id=document.pk)

    first = document_search(investigator, "van")
    last = document_search(investigator, "van", page=2)

    assert first.page.paginator.count == 3
    assert len(first.hits) == 2 and len(last.hits) == 1


# --- the fallback without PostgreSQL's full-text search, run here on PostgreSQL ------------


def test_the_fallback_reads_words_phrases_and_exclusions():
    assert search_terms('blue "transit van" -car or') == (["blue", "transit van"], ["car"])
    assert search_terms('-"red car" ') == ([], ["red car"])


@pytest.mark.django_db
def test_the_fallback_finds_the_same_pages_as_full_text_for_simple_searches(statement):
    pages = DocumentPage.objects.filter(document=statement)
    for text in (PHRASE, f'"{PHRASE}"', "witness", "witness -signed", "library", "nowhere"):
        fallback = set(pages_matching_fallback(pages, text).values_list("number", flat=True))
        full = {number for _, numbers in hits_of(statement.added_by, text) for number in numbers}
        assert fallback == full, text


@pytest.mark.django_db
def test_the_whole_search_works_through_the_fallback(statement, investigator, monkeypatch):
    monkeypatch.setattr("cases.documents_search.uses_full_text", lambda: False)

    found = document_search(investigator, f'"{PHRASE}"')

    assert [(hit.document.pk, hit.pages) for hit in found.hits] == [(statement.pk, [2])]
    assert "<mark>blue transit van</mark>" in found.hits[0].snippet


def test_the_fallback_snippet_is_a_window_around_the_first_match_escaped():
    text = "x" * 500 + " the <b>van</b> was blue " + "y" * 500
    snippet = snippet_fallback(text, ["van"])
    assert "<mark>van</mark>" in snippet
    assert "&lt;b&gt;" in snippet
    assert len(snippet) < 200


# --- the page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_page_lists_documents_found_and_logs_them_without_the_words(
    client, statement, investigator
):
    client.force_login(investigator)

    response = client.post(SEARCH_URL, {"q": PHRASE})

    assert response.status_code == 200
    body = response.content.decode()
    assert statement.title in body
    assert "<mark>" in body
    assert statement.case.reference in body
    row = AuditEvent.objects.filter(purpose__startswith="document search").latest("seq")
    assert row.operation == Operation.CONSULT
    assert row.object_ids == [str(statement.pk)]
    assert PHRASE not in row.purpose and PHRASE not in row.source


@pytest.mark.django_db
def test_the_page_shows_a_lead_which_pages_but_not_the_text(client, statement, review_lead):
    client.force_login(review_lead)

    body = client.post(SEARCH_URL, {"q": PHRASE}).content.decode()

    assert statement.case.reference in body
    assert "<mark>" not in body and "library" not in body


@pytest.mark.django_db
def test_the_page_says_how_many_documents_could_not_be_read(
    client, filesystem_documents, statement, case, investigator
):
    broken = make_document(case, investigator, b"%PDF-1.4 not really", title="Broken")
    document_text_extract(document_id=broken.pk)
    broken.refresh_from_db()
    assert broken.extraction_status == ExtractionStatus.FAILED
    client.force_login(investigator)

    body = client.post(SEARCH_URL, {"q": PHRASE}).content.decode()

    assert "1 document whose text could not be read" in body


@pytest.mark.django_db
def test_the_page_searches_one_case_when_given_its_reference(
    client, filesystem_documents, statement, case, investigator, other_investigator
):
    other = make_case()
    grant_case_access(investigator, other)
    elsewhere = make_document(other, investigator, pdf_bytes([f"Another {PHRASE}."]), title="Else")
    document_text_extract(document_id=elsewhere.pk)
    client.force_login(investigator)

    body = client.post(SEARCH_URL, {"q": PHRASE, "case": case.reference}).content.decode()

    assert f"1 document found on case {case.reference}" in body
    assert "Else" not in body
    client.force_login(other_investigator)
    assert client.post(SEARCH_URL, {"q": PHRASE, "case": case.reference}).status_code == 404


@pytest.mark.django_db
def test_an_empty_search_is_refused_with_the_field_and_reason(client, investigator):
    client.force_login(investigator)

    response = client.post(SEARCH_URL, {"q": ""})

    assert response.status_code == 400
    assert "This field is required." in response.content.decode()


@pytest.mark.django_db
def test_liaison_officers_find_no_search_page(client, liaison_officer):
    client.force_login(liaison_officer)

    assert client.get(SEARCH_URL).status_code == 404


@pytest.mark.django_db
def test_the_search_is_in_the_navigation_for_investigators(client, investigator):
    client.force_login(investigator)

    assert reverse("document_search:search") in client.get("/").content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("documents", [1, 20])
def test_the_search_page_reads_a_fixed_number_of_queries(
    client, filesystem_documents, case, investigator, django_assert_num_queries, documents
):
    for n in range(documents):
        document = make_document(case, investigator, f"Note {n}: the van.".encode(), "text/plain")
        document_text_extract(document_id=document.pk)
    client.force_login(investigator)
    client.get(SEARCH_URL)  # the session and the user, warmed like any later request

    with django_assert_num_queries(QUERIES):
        response = client.post(SEARCH_URL, {"q": "van"})

    assert response.content.decode().count("<mark>van</mark>") == documents


# The session, the user, their roles and grants; the matching pages (at most MATCH_CAP + 1),
# the count, the page of results, the unread count, the documents, their page numbers, the
# snippets; the audit row.
QUERIES = 12


@pytest.mark.django_db
def test_a_search_matching_more_pages_than_the_cap_ranks_the_first_and_says_so(
    client, filesystem_documents, case, investigator, monkeypatch
):
    import cases.documents_search as search

    for n in range(4):
        document = make_document(case, investigator, f"Note {n}: the van.".encode(), "text/plain")
        document_text_extract(document_id=document.pk)
    monkeypatch.setattr(search, "MATCH_CAP", 3)
    client.force_login(investigator)

    capped = client.post(SEARCH_URL, {"q": "van"}).content.decode()
    narrowed = client.post(SEARCH_URL, {"q": "van note 2"}).content.decode()

    assert "3 documents found" in capped and 'data-testid="search-capped"' in capped
    assert "1 document found" in narrowed and 'data-testid="search-capped"' not in narrowed


# --- with a real worker, on a directory and on a real S3-compatible server ---------------


@pytest.mark.worker
def test_a_worker_reads_a_pdf_and_search_finds_its_page_only_within_scope(
    documents_storage,
    celery_worker_process,
    investigator,
    review_lead,
    other_investigator,
    other_team_review_lead,
):
    case = make_case()
    grant_case_access(investigator, case)
    document = make_document(case, investigator, pdf_bytes(statement_pages()))
    broken = make_document(case, investigator, b"%PDF-1.7\n" + b"\xff" * 300, title="Damaged")
    docx = make_document(
        case, investigator, docx_bytes([f"Interview: the {PHRASE} again."]), content_type=DOCX
    )

    document_text_extract_later(document_ids=[document.pk, broken.pk, docx.pk])

    def read_all():
        statuses = set(
            type(document)
            .objects.filter(pk__in=[document.pk, broken.pk, docx.pk])
            .values_list("extraction_status", flat=True)
        )
        return ExtractionStatus.PENDING not in statuses

    wait_for(read_all, timeout=60)
    broken.refresh_from_db()
    assert broken.extraction_status == ExtractionStatus.FAILED
    assert broken.extraction_error == "The PDF is damaged or not a PDF; its text cannot be read."
    assert sorted(hits_of(investigator, f'"{PHRASE}"')) == sorted(
        [(docx.pk, [1]), (document.pk, [2])]
    )
    assert {pk for pk, _ in hits_of(review_lead, f'"{PHRASE}"')} == {document.pk, docx.pk}
    assert hits_of(other_investigator, f'"{PHRASE}"') == []
    assert hits_of(other_team_review_lead, f'"{PHRASE}"') == []

    # Read again by the worker: still one set of pages (a new reading time says it ran).
    document.refresh_from_db()
    first_read = document.extracted_at
    document_text_extract_later(document_ids=[document.pk])
    wait_for(lambda: type(document).objects.get(pk=document.pk).extracted_at != first_read)
    assert list(document.pages.values_list("number", flat=True)) == [1, 2, 3]
