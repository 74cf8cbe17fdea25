"""What the bench measures of case-file material and intake (issue 12): a case's documents,
document search, the intake history, and the API's lines of inquiry on a case.

Each page's count of queries is held fixed against another record of the same kind: a
second case's documents or lines, page 2 of the history, and the search for the common word
against the rare one (`seed_scale` writes both: `beaconport.scale.material`). Search is a
POST, as the page asks (the words never go in a URL).
"""
# The SQL below is composed of this module's own constants; values are always bound.
# ruff: noqa: S608

from django.db.models import Count

from beaconport.bench.scenarios import _GRANTED, _TEAM_FORCES, Page, Target
from beaconport.scale.material import COMMON_TERM, PHRASE

# The rare word searched: one of the seed's phrase, on about one page in 100 (the seed's
# rarest word is on one in 2,000: the heavy investigator's cases mostly hold none, and a
# search finding nothing makes fewer queries than one finding some).
RARE_TERM = PHRASE.split()[1]

# The lead's intake history: the files they sent, and those imported into their forces.
_LED_BATCHES = f"""(b.uploaded_by_id = %(user)s OR (b.status = 'imported' AND b.id IN (
    SELECT bf.referralbatch_id FROM cases_referralbatch_forces bf
     WHERE bf.force_id IN ({_TEAM_FORCES}))))"""


def _history(where: str) -> tuple[str, ...]:
    """The history's floor: its page of 25 newest first with the sender, the total, and the
    page's forces."""
    page = f"""SELECT b.id, b.filename, b.status, b.channel, b.uploaded_at, b.referrals, u.username
                 FROM cases_referralbatch b JOIN auth_user u ON u.id = b.uploaded_by_id
                WHERE {where} ORDER BY b.uploaded_at DESC, b.id DESC LIMIT 25"""
    return (
        page,
        f"SELECT count(*) FROM cases_referralbatch b WHERE {where}",
        f"""SELECT bf.referralbatch_id, f.name FROM cases_referralbatch_forces bf
              JOIN cases_force f ON f.id = bf.force_id
             WHERE bf.referralbatch_id IN (SELECT id FROM ({page}) p) ORDER BY f.name""",
    )


SQL_HISTORY_LEAD = _history(_LED_BATCHES)
SQL_HISTORY_NATIONAL = _history("true")
SQL_DOCUMENTS = (
    """SELECT d.id, d.kind, d.title, d.made_on, d.page_count, d.extraction_status, d.added_at,
              u.username
         FROM cases_document d JOIN auth_user u ON u.id = d.added_by_id
        WHERE d.case_id = %(documents_case)s ORDER BY d.added_at DESC, d.id DESC LIMIT 25""",
    "SELECT count(*) FROM cases_document d WHERE d.case_id = %(documents_case)s",
)


def _search(scope: str) -> tuple[str, ...]:
    """The search's floor: the page of 20 documents whose pages match, best page's rank first,
    and how many documents match."""
    query = "websearch_to_tsquery('english', %(q)s)"
    matching = f"""FROM cases_documentpage p JOIN cases_document d ON d.id = p.document_id
                  WHERE p.search @@ {query} AND {scope}"""
    return (
        f"""SELECT p.document_id, max(ts_rank(p.search, {query})) AS rank {matching}
             GROUP BY p.document_id ORDER BY rank DESC, p.document_id DESC LIMIT 20""",
        f"SELECT count(DISTINCT p.document_id) {matching}",
    )


SQL_SEARCH_GRANTED = _search(f"d.case_id = ANY(ARRAY({_GRANTED}))")
SQL_SEARCH_LED = _search(
    f"d.case_id IN (SELECT c.id FROM cases_case c WHERE c.force_id IN ({_TEAM_FORCES}))"
)
SQL_API_INQUIRIES = (
    """SELECT l.*, u.username FROM cases_lineofinquiry l
         LEFT JOIN auth_user u ON u.id = l.allocated_to_id
        WHERE l.case_id = %(lines_case)s ORDER BY l.id LIMIT 51""",
)

LIST = Target(p95_ms=50, fixed_queries=True)
SEARCH = Target(p95_ms=300, fixed_queries=True)


def _search_page(name: str, label: str, persona: str, sql, word: str, other: str) -> Page:
    return Page(
        name, label, persona, lambda ctx: "/documents/search/", sql, SEARCH,
        lambda ctx: "/documents/search/", params={"q": word},
        form=lambda ctx: {"q": word}, other_form=lambda ctx: {"q": other},
    )  # fmt: skip


MATERIAL_PAGES = [
    Page("documents_list", "a case's documents, heavy investigator", "heavy",
         lambda ctx: f"/cases/{ctx['documents_reference']}/documents/", SQL_DOCUMENTS, LIST,
         lambda ctx: f"/cases/{ctx['other_documents_reference']}/documents/"),
    _search_page("document_search_heavy_rare", f"document search, heavy investigator, "
                 f"rare word ({RARE_TERM})", "heavy", SQL_SEARCH_GRANTED, RARE_TERM, COMMON_TERM),
    _search_page("document_search_heavy_common", f"document search, heavy investigator, "
                 f"common word ({COMMON_TERM})", "heavy", SQL_SEARCH_GRANTED, COMMON_TERM,
                 RARE_TERM),
    _search_page("document_search_lead_rare", f"document search, review lead, rare word "
                 f"({RARE_TERM})", "review_lead", SQL_SEARCH_LED, RARE_TERM, COMMON_TERM),
    _search_page("document_search_lead_common", f"document search, review lead, common word "
                 f"({COMMON_TERM})", "review_lead", SQL_SEARCH_LED, COMMON_TERM, RARE_TERM),
    Page("intake_history_review_lead", "intake history, review lead", "review_lead",
         lambda ctx: "/intake/", SQL_HISTORY_LEAD, LIST, lambda ctx: "/intake/?page=2"),
    Page("intake_history_national_lead", "intake history, national lead (every file)",
         "national_lead", lambda ctx: "/intake/", SQL_HISTORY_NATIONAL, LIST,
         lambda ctx: "/intake/?page=2"),
    Page("api_inquiries", "API lines of inquiry on a case, heavy investigator", "heavy",
         lambda ctx: f"/api/v1/cases/{ctx['lines_reference']}/lines-of-inquiry/",
         SQL_API_INQUIRIES, LIST,
         lambda ctx: f"/api/v1/cases/{ctx['other_lines_reference']}/lines-of-inquiry/"),
]  # fmt: skip
MATERIAL_PAGE_NAMES = [page.name for page in MATERIAL_PAGES]


class MissingMaterial(Exception):
    """The database holds no documents or lines for the persona: seed_scale writes them."""


def _two_busiest(rows, what: str) -> tuple[int, int]:
    """The case with the most rows and a second case (the other record a count is fixed
    against); the same case twice where the persona has only one."""
    ids = [row["case_id"] for row in rows.annotate(n=Count("pk")).order_by("-n", "case_id")[:2]]
    if not ids:
        raise MissingMaterial(f"no case of the persona's has {what}: run `seed_scale` again")
    return ids[0], ids[-1]


def material_context(page: Page, ctx: dict) -> dict:
    """The ids a page needs for its persona: the cases with the most documents or lines."""
    from cases.models import Document, LineOfInquiry, format_reference
    from cases.permissions import cases_visible_to

    held = cases_visible_to(ctx["user_obj"]).values("pk")
    extra = {}
    if page.name == "documents_list":
        rows = Document.objects.filter(case__in=held).values("case_id")
        first, other = _two_busiest(rows, "documents")
        extra = {"documents_case": first, "documents_reference": format_reference(first),
                 "other_documents_reference": format_reference(other)}  # fmt: skip
    elif page.name == "api_inquiries":
        rows = LineOfInquiry.objects.filter(case__in=held).values("case_id")
        first, other = _two_busiest(rows, "lines of inquiry")
        extra = {"lines_case": first, "lines_reference": format_reference(first),
                 "other_lines_reference": format_reference(other)}  # fmt: skip
    return {**ctx, **page.params, **extra}
