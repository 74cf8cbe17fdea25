"""What the bench measures of the person index (issue 10): its pages, and `link_people`.

The pages are built by several hands; each scenario runs when its route resolves and the
database holds what it shows (a link in review, a network, a case with links), and is
otherwise reported as skipped, with the reason, rather than failed. `link_people` runs in
a child process, so its peak RSS is linkage's own.
"""
# The SQL below is composed of this module's own constants; values are always bound.
# ruff: noqa: S608

import importlib.util
import os
import subprocess
import sys
import time

from django.urls import NoReverseMatch, Resolver404, resolve

from beaconport.bench.jobs import ROOT, JobResult, child_env
from beaconport.bench.scenarios import _TEAM_FORCES, Page, Target

# The lead's links in review touching their forces, most probable first (the queue's page).
_LED_LINKS = f"""
    SELECT l.id FROM cases_personlink l
      JOIN cases_caseparty a ON a.id = l.left_id JOIN cases_case ca ON ca.id = a.case_id
      JOIN cases_caseparty b ON b.id = l.right_id JOIN cases_case cb ON cb.id = b.case_id
     WHERE l.status = 'review'
       AND (ca.force_id IN ({_TEAM_FORCES}) OR cb.force_id IN ({_TEAM_FORCES}))
"""
SQL_LINK_QUEUE = (
    f"""SELECT l.id, l.match_probability, l.left_id, l.right_id, l.cross_role
          FROM cases_personlink l WHERE l.id IN ({_LED_LINKS})
         ORDER BY l.match_probability DESC, l.id LIMIT 25""",
    f"SELECT count(*) FROM ({_LED_LINKS}) q",
)
SQL_LINK_DETAIL = (
    """SELECT l.*, a.ref, a.role, b.ref, b.role, pa.*, pb.*
         FROM cases_personlink l
         JOIN cases_caseparty a ON a.id = l.left_id JOIN cases_person pa ON pa.id = a.person_id
         JOIN cases_caseparty b ON b.id = l.right_id JOIN cases_person pb ON pb.id = b.person_id
        WHERE l.id = %(link)s""",
)
SQL_NETWORK = (
    """SELECT c.id, c.force_reference, f.name FROM cases_casenetwork m
         JOIN cases_case c ON c.id = m.case_id JOIN cases_force f ON f.id = c.force_id
        WHERE m.network_id = %(network)s ORDER BY c.id LIMIT 50""",
    """SELECT p.id, p.role, p.ref, p.case_id FROM cases_casenetwork m
         JOIN cases_caseparty p ON p.case_id = m.case_id
        WHERE m.network_id = %(network)s ORDER BY p.case_id, p.id LIMIT 200""",
)
# The people of a phonetic surname on cases the investigator holds (search's floor).
SQL_PERSON_SEARCH = (
    """SELECT p.id, p.surname, p.forenames, cp.case_id, cp.ref FROM cases_person p
         JOIN cases_caseparty cp ON cp.person_id = p.id
        WHERE p.surname_phonetic = %(surname_phonetic)s AND cp.case_id = ANY(%(granted)s)
        ORDER BY p.surname, p.forenames, p.id LIMIT 25""",
)
# A common surname's records on the lead's teams' forces, by sound, ranked by how like the
# name the whole name is (the page's own work: ranking every record of a common name); a
# lead's search reads no victim (victims are found only on cases one is assigned to).
SQL_PERSON_SEARCH_LEAD = (
    f"""SELECT p.id, p.surname, p.forenames, cp.case_id, cp.ref FROM cases_person p
         JOIN cases_caseparty cp ON cp.person_id = p.id JOIN cases_case c ON c.id = cp.case_id
        WHERE p.surname_phonetic = %(surname_phonetic)s AND cp.role <> 'victim'
          AND c.force_id = ANY(ARRAY({_TEAM_FORCES}))
        ORDER BY similarity(lower(p.forenames || ' ' || p.surname), lower(%(surname)s)) DESC,
                 p.id
        LIMIT 20""",
)
SQL_CASE_LINKED = (
    """SELECT l.id, l.status, l.left_id, l.right_id FROM cases_personlink l
         JOIN cases_caseparty p ON p.id IN (l.left_id, l.right_id)
        WHERE p.case_id = %(linked_case)s AND l.status IN ('proposed', 'confirmed')""",
)

LINKAGE_PAGES = [
    # The search is a POST (its text never goes in a URL): a GET only draws the empty form.
    Page("person_search", "person search, investigator", "heavy",
         lambda ctx: "/people/search/", SQL_PERSON_SEARCH, Target(p95_ms=50),
         form=lambda ctx: {"q": ctx["surname"], "kind": "any"}),
    Page("person_search_lead", "person search, review lead, common surname", "review_lead",
         lambda ctx: "/people/search/", SQL_PERSON_SEARCH_LEAD, Target(p95_ms=50),
         form=lambda ctx: {"q": ctx["surname"], "kind": "any"}),
    Page("link_queue", "link queue, review lead", "review_lead",
         lambda ctx: "/people/links/", SQL_LINK_QUEUE, Target(p95_ms=50)),
    Page("link_detail", "link detail, review lead", "review_lead",
         lambda ctx: f"/people/links/{ctx['link']}/", SQL_LINK_DETAIL,
         Target(p95_ms=50, fixed_queries=True), lambda ctx: f"/people/links/{ctx['other_link']}/"),
    Page("network_page", "network page, review lead", "review_lead",
         lambda ctx: f"/people/networks/{ctx['network']}/", SQL_NETWORK, Target(p95_ms=100)),
    Page("case_detail_linked", "case detail with links, investigator", "heavy",
         lambda ctx: f"/cases/{ctx['linked_reference']}/", SQL_CASE_LINKED,
         Target(p95_ms=25)),
]  # fmt: skip
LINKAGE_PAGE_NAMES = [page.name for page in LINKAGE_PAGES]
LINK_PEOPLE = "link_people"


class Skipped(Exception):
    """The scenario's page or data is not there (yet): reported, not failed."""


def _route(path: str) -> None:
    try:
        resolve(path.split("?")[0])
    except (Resolver404, NoReverseMatch) as error:
        raise Skipped(f"no route {path.split('?')[0]} (not built yet)") from error


def linkage_context(page: Page, ctx: dict) -> dict:
    """The ids a linkage page needs for its persona, or Skipped if the data lacks them."""
    from django.db.models import Count

    from cases.linkage.keys import phonetic
    from cases.models import CaseParty, Person, PersonLink, format_reference
    from cases.permissions import cases_visible_to, links_visible_to, networks_visible_to

    user = ctx["user_obj"]
    extra = {}
    if page.name == "person_search":
        party = CaseParty.objects.filter(case__in=cases_visible_to(user)).select_related("person")
        party = party.order_by("pk").first()
        if party is None:
            raise Skipped("the investigator holds no case with people")
        extra["surname"] = party.person.surname
        extra["surname_phonetic"] = phonetic(party.person.surname)
        extra["granted"] = list(cases_visible_to(user).values_list("pk", flat=True))
    elif page.name == "person_search_lead":
        # The surname most people share in the whole index: a lead's worst name search.
        common = (
            Person.objects.values("surname")
            .annotate(people=Count("pk"))
            .order_by("-people", "surname")
            .first()
        )
        if common is None:
            raise Skipped("the index holds no person")
        extra["surname"] = common["surname"]
        extra["surname_phonetic"] = phonetic(common["surname"])
    elif page.name == "link_detail":
        # Two victims' link first asks the lead why (a page of its own): a suspect's.
        links = links_visible_to(user).filter(status="review").exclude(left__role="victim")
        ids = list(links.order_by("pk").values_list("pk", flat=True))
        if not ids:
            raise Skipped("no suspect's link in review in the lead's forces: run link_people")
        extra["link"], extra["other_link"] = ids[0], ids[-1]
    elif page.name == "network_page":
        network = networks_visible_to(user).order_by("-case_count", "pk").first()
        if network is None:
            raise Skipped("no network in the lead's forces: run link_people")
        extra["network"] = network.pk
    elif page.name == "case_detail_linked":
        held = cases_visible_to(user).values("pk")
        linked = (
            PersonLink.objects.filter(status__in=("proposed", "confirmed"), left__case__in=held)
            .order_by("pk")
            .values_list("left__case_id", flat=True)
            .first()
        )
        if linked is None:
            raise Skipped("no case of the investigator's has a linked person: run link_people")
        extra["linked_case"] = linked
        extra["linked_reference"] = format_reference(linked)
    path = page.path({**ctx, **extra})
    _route(path)
    if page.other_path is not None:
        _route(page.other_path({**ctx, **extra}))
    return {**ctx, **extra}


def link_people_available() -> bool:
    return importlib.util.find_spec("cases.management.commands.link_people") is not None


def link_people(*, full: bool = True, timeout: int = 3600) -> JobResult:
    """`manage.py link_people` in a child process: records a second from its `LinkageRun`,
    and the child's peak RSS from the kernel (os.wait4), which counts no grandchild: on
    Spark the JVM's memory is its own (Spark's UI shows it)."""
    from cases.models import LinkageRun

    if not link_people_available():
        raise Skipped("cases/management/commands/link_people.py is not there yet")
    before = LinkageRun.objects.order_by("-pk").values_list("pk", flat=True).first() or 0
    started = time.monotonic()
    status, output, peak_mib = _run_measured(
        [sys.executable, "manage.py", "link_people", *(["--full"] if full else [])], timeout
    )
    seconds = time.monotonic() - started
    if status != 0:
        raise RuntimeError(f"link_people failed ({status}):\n{output[-2000:]}")
    run = LinkageRun.objects.filter(pk__gt=before).order_by("-pk").first()
    result = JobResult(LINK_PEOPLE, "link_people, all records (--full)")
    result.figures = {"seconds": seconds, "peak_rss_mib": peak_mib}
    if run is not None:
        result.figures.update(
            records=run.records,
            comparisons=run.comparisons,
            links=run.links,
            review=run.review,
            clusters=run.clusters,
            run_seconds=run.seconds,
            per_second=run.records / run.seconds if run.seconds else 0.0,
        )
    return result


def _run_measured(args: list[str], timeout: int) -> tuple[int, str, float]:
    """Run a child to its end; (exit status, its output, its peak RSS in MiB from wait4)."""
    import tempfile

    with tempfile.TemporaryFile(mode="w+") as log:
        process = subprocess.Popen(  # noqa: S603 - our own command, fixed arguments
            args, cwd=ROOT, env=child_env(), stdout=log, stderr=subprocess.STDOUT
        )
        deadline = time.monotonic() + timeout
        while True:
            pid, status, usage = os.wait4(process.pid, os.WNOHANG)
            if pid:
                break
            if time.monotonic() > deadline:
                process.kill()
                pid, status, usage = os.wait4(process.pid, 0)
                break
            time.sleep(0.2)
        process.returncode = os.waitstatus_to_exitcode(status)
        log.seek(0)
        return process.returncode, log.read(), usage.ru_maxrss / 1024
