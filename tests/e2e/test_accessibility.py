"""Every page a person uses passes axe-core (WCAG 2.2 AA) and fits 320 px (issue 13).

The pages are read from the access policy (tests/access_policy.py and tests/policy_parts/):
every route whose GET answers 200 to some persona, opened as the first persona of PREFERRED
who may see it, and every route that sends a named persona on to a form asking why (302),
followed to that form. The home page is opened as every persona (its cards and navigation
follow the roles). Not pages: Django admin, the API, and file downloads (a route whose answer
is not HTML is skipped with its content type). The error pages are added: 404 (signed in),
403 (an administrator refused in the admin) and the sign-in steps. A page added to the policy
by a new feature is covered without a line here.

Error states: every route whose empty POST the policy answers 400 for the persona is opened,
its form sent with nothing in it (only the CSRF token), the answer checked for 400, an error
summary that has the focus (the GOV.UK pattern, static/js/error-summary.js), and axe.

One browser and one live server, and one data set: the first test opens every selected page
once (one browser context per persona, signed in by session cookie), runs axe at 1280 px,
measures the page at 320 px, sends its form empty, and lists every problem (page, rule,
elements); the tests after it each assert one page's results, so a failure names the page.
They use no database of their own (pytest-django runs them after the transactional first test),
which keeps the run to one flush of the database instead of one per page.
"""

import os
import re
import time
from dataclasses import dataclass

import pytest
from django.conf import settings
from django.test import Client
from playwright.sync_api import Error as PlaywrightError

from tests import access_policy as policy
from tests.accessibility import (
    axe_rules,
    axe_source,
    axe_violations,
    describe,
    sideways_scroll,
)
from tests.test_access_policy import auditor, resolver_routes, url_of, world  # noqa: F401

pytestmark = pytest.mark.browser

# Who opens a page, the first of these whom the policy lets in: an ordinary role before a
# lead, a lead before the national lead, an outsider last.
PREFERRED = (
    "anonymous",
    "investigator",
    "review_lead",
    "liaison_officer",
    "liaison_lead",
    "analyst",
    "auditor",
    "national_lead",
    "other_investigator",
    "other_liaison_officer",
    "other_team_review_lead",
    "other_team_liaison_lead",
    "administrator",
)
NOT_PAGES = ("admin:", "api:", "/admin/")
# A folder to keep a screenshot of every page at 320 px in (none kept unless set).
SCREENSHOTS = os.environ.get("A11Y_SCREENSHOT_DIR", "")
WIDTH, NARROW = {"width": 1280, "height": 900}, {"width": 320, "height": 640}


@dataclass(frozen=True)
class Visit:
    name: str  # the route (or what the page is)
    persona: str
    route: str = ""  # the policy's route, whose URL is filled from the world
    path: str = ""  # or a fixed path
    form: bool = False  # its empty POST answers 400: the error state is tried too
    refused: int = 400  # what a refused form answers (Django's sign-in form: 200)

    @property
    def id(self) -> str:
        return f"{self.name} as {self.persona}"


def _visits() -> list[Visit]:
    expanded = policy.expanded()
    visits = []
    for route, methods in sorted(expanded.items()):
        if route.startswith(NOT_PAGES):
            continue
        get, post = methods["GET"], methods.get("POST", {})
        persona = next((p for p in PREFERRED if get[p] == 200), None)
        if persona is not None:
            visits.append(Visit(route, persona, route=route, form=post.get(persona) == 400))
            continue
        # A form asking why first: the personas named (not by the default) who are sent on.
        named = policy.POLICY.get(route, {}).get("GET", {})
        asked = next((p for p in PREFERRED if p != "anonymous" and named.get(p) == 302), None)
        if asked is not None:
            visits.append(Visit(route, asked, route=route))
    visits += [
        Visit("home", persona, route="home")
        for persona in PREFERRED
        if persona != "anonymous" and persona != visits_persona(visits, "home")
    ]
    visits += [
        Visit("page not found (404)", "investigator", path="/no-such-page/"),
        Visit("refused (403)", "administrator", path="/admin/audit/auditevent/add/"),
        Visit("sign in, sent empty", "anonymous", path="/accounts/login/", form=True, refused=200),
        Visit("two-step verification", "anonymous", path="two-step"),
    ]
    return visits


def visits_persona(visits, name):
    return next((v.persona for v in visits if v.name == name), None)


VISITS = _visits()
FORMS = [v for v in VISITS if v.form]


@dataclass
class Seen:
    status: int = 0
    url: str = ""
    content_type: str = ""
    violations: list | None = None
    scroll: tuple = ()
    error_status: int = 0
    has_post_form: bool = False
    error_summary: bool = False
    error_focused: str = ""
    error_violations: list | None = None
    note: str = ""


_SWEEP: dict = {}

SUBMIT_EMPTY = """() => {
  const here = location.href.split("#")[0];
  const forms = [...document.querySelectorAll("main form")]
    .filter((f) => f.method.toLowerCase() === "post");
  const form = forms.find((f) => f.action.split("#")[0] === here) || forms[0];
  if (!form) return false;
  for (const control of form.elements) {
    if (control.name !== "csrfmiddlewaretoken") control.disabled = true;
  }
  form.noValidate = true;
  HTMLFormElement.prototype.submit.call(form);
  return true;
}"""

FOCUSED = """() => {
  const el = document.activeElement;
  if (!el || el === document.body) return "the page body";
  return el.tagName.toLowerCase() + (el.className ? "." + el.className : "");
}"""


def _signed_in_context(browser, base_url, user):
    context = browser.new_context(base_url=base_url, viewport=WIDTH)
    context.set_default_timeout(20_000)
    if user is not None:
        client = Client()
        client.force_login(user)
        cookie = client.cookies[settings.SESSION_COOKIE_NAME].value
        name = settings.SESSION_COOKIE_NAME
        context.add_cookies([{"name": name, "value": cookie, "url": base_url}])
    return context


NEXT_FRAME = "() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))"


def _measure(page, seen: Seen) -> None:
    seen.url = page.url
    seen.violations = axe_violations(page)
    page.set_viewport_size(NARROW)
    page.evaluate(NEXT_FRAME)  # the page's resize observers (static/js/table-wrap.js) run
    seen.scroll = sideways_scroll(page)
    if SCREENSHOTS:  # to look at each page as a phone shows it
        name = re.sub(r"[^A-Za-z0-9_.-]+", "_", seen.url.split("//", 1)[-1].split("/", 1)[-1])
        name = name[:120]  # a redirect's query (next=...) can pass the file system's limit
        page.screenshot(path=f"{SCREENSHOTS}/320-{name or 'home'}.png", full_page=True)
    seen.violations += [{**v, "rule": f"{v['rule']} at 320 px"} for v in axe_rules(page)]
    page.set_viewport_size(WIDTH)


def _open(page, visit: Visit, url: str, users) -> Seen:
    seen = Seen()
    if visit.path == "two-step":  # the second step, reached by signing in with a password
        from tests.browser import PASSWORD

        page.goto("/accounts/login/")
        page.get_by_label("Username").fill(users["investigator"].username)
        page.get_by_label("Password").fill(PASSWORD)
        page.get_by_role("button", name="Sign in").click()
        page.wait_for_load_state()
        seen.status, seen.content_type = 200, "text/html"
    else:
        try:
            response = page.goto(url)
        except PlaywrightError as error:
            if "Download is starting" not in str(error):
                raise
            seen.note = "not a page: a download"
            return seen
        seen.status = response.status
        seen.content_type = response.headers.get("content-type", "")
    if not seen.content_type.startswith("text/html"):
        seen.note = f"not a page: {seen.content_type}"
        return seen
    _measure(page, seen)
    if visit.form:
        _send_empty(page, seen)
    return seen


def _send_empty(page, seen: Seen) -> None:
    seen.has_post_form = page.locator("main form[method=post]").count() > 0
    if not seen.has_post_form:
        return  # nothing to send on this page (as the world has it): its error state is not tried
    with page.expect_navigation() as navigation:
        page.evaluate(SUBMIT_EMPTY)
    seen.error_status = navigation.value.status
    seen.error_summary = page.locator(".error-summary").count() > 0
    seen.error_focused = page.evaluate(FOCUSED)
    seen.error_violations = axe_violations(page)


PLANT = """() => {
  document.querySelector("main").insertAdjacentHTML("beforeend", '<input type="text">');
  document.body.insertAdjacentHTML("afterbegin", "<p>Outside every landmark</p>");
  document.querySelector("h1").style.whiteSpace = "nowrap";
}"""


def _control(browser, base_url) -> tuple:
    """What axe and the width check say of a page spoilt on purpose: a control with no label,
    a paragraph outside the landmarks, a heading that cannot wrap. The checks can fail."""
    context = _signed_in_context(browser, base_url, None)
    page = context.new_page()
    try:
        page.goto("/accessibility/")
        page.evaluate(PLANT)
        page.set_viewport_size(NARROW)
        return {v["rule"] for v in axe_violations(page)}, sideways_scroll(page)
    finally:
        context.close()


def _sweep(request, visits: list[Visit]) -> dict:
    """Open every visit once; {visit id: Seen}."""
    live_server = request.getfixturevalue("live_server")
    browser = request.getfixturevalue("browser")
    users = {
        name: None if fixture is None else request.getfixturevalue(fixture)
        for name, fixture in policy.PERSONAS.items()
    }
    data = request.getfixturevalue("world")
    routes = {route.key: route for route in resolver_routes()}
    results, started = {"control": _control(browser, live_server.url)}, time.monotonic()
    for persona in dict.fromkeys(v.persona for v in visits):
        context = _signed_in_context(browser, live_server.url, users[persona])
        page = context.new_page()
        try:
            for visit in (v for v in visits if v.persona == persona):
                url = url_of(routes[visit.route], data, users) if visit.route else visit.path
                try:
                    results[visit.id] = _open(page, visit, url, users)
                except Exception as error:  # named in that page's test
                    results[visit.id] = Seen(note=f"could not be checked: {error!r}"[:500])
        finally:
            context.close()
    print(f"\naccessibility: {len(visits)} pages opened in {time.monotonic() - started:.0f} s")
    return results


def _selected(request) -> list[Visit]:
    """The visits whose tests this run selected (all of them when only the sweep is)."""
    chosen = {
        item.callspec.params["visit"]
        for item in request.session.items
        if item.module is request.module and hasattr(item, "callspec")
    }
    return [v for v in VISITS if v in chosen] or VISITS


def _problems(visit: Visit, result: Seen) -> list[str]:
    """What is wrong with one page, each naming the page (and the rule, for axe)."""
    if result.note.startswith("not a page"):
        return []
    if result.note:
        return [f"{visit.id}: {result.note}"]
    problems = [
        f"{visit.id} ({result.url}): {v['rule']} ({v['impact']}): {', '.join(v['targets'])}"
        for v in result.violations
    ]
    scroll, client, widest = result.scroll
    if scroll > client:
        problems.append(f"{visit.id}: {scroll} px wide at {client} px: {', '.join(widest)}")
    if visit.form and result.error_status:  # 0: the page had no form to send
        if result.error_status != visit.refused:
            problems.append(f"{visit.id}: its form sent empty answered {result.error_status}")
        elif not result.error_focused.startswith("div.error-summary"):
            problems.append(f"{visit.id}: after a failed submit, focus on {result.error_focused}")
        problems += [
            f"{visit.id}, form sent empty: {v['rule']} ({v['impact']}): {', '.join(v['targets'])}"
            for v in result.error_violations or []
        ]
    return problems


def test_every_page_passes_axe_fits_320_px_and_focuses_its_errors(request, live_server, capsys):
    """Open every page once (the tests below each assert one page's results)."""
    visits = _selected(request)
    _SWEEP.update(_sweep(request, visits))
    problems = [p for v in visits for p in _problems(v, _SWEEP[v.id])]
    with capsys.disabled():
        print(f"\naccessibility: {len(visits)} pages, {len(problems)} problems")
        for problem in problems:
            print(f"  {problem}")
    assert problems == []


@pytest.fixture
def seen():
    axe_source()  # without axe-core: skip (fail under CI=true), as the sweep did
    return _SWEEP


def _result(seen, visit) -> Seen:
    result = seen.get(visit.id)
    assert result is not None, (
        f"{visit.id} was not opened: run test_every_page_passes_axe_fits_320_px_and_focuses_its_"
        "errors with it (the module runs it first)"
    )
    assert not result.note or result.note.startswith("not a page"), f"{visit.id}: {result.note}"
    return result


def _not_a_page(result) -> bool:
    """A route the policy lists that answers JSON or a file, not HTML: there is no page to
    check, so what is checked is that it really is not served as one (never skipped)."""
    if not result.note.startswith("not a page"):
        return False
    assert not result.content_type.startswith("text/html"), result.note
    return True


@pytest.mark.parametrize("visit", VISITS, ids=[v.id for v in VISITS])
def test_the_page_has_no_wcag_22_aa_violations(seen, visit):
    result = _result(seen, visit)
    if _not_a_page(result):
        return
    assert result.status in (200, 403, 404), f"{visit.id} answered {result.status}"
    assert result.violations == [], f"{visit.id} ({result.url}): {describe(result.violations)}"


@pytest.mark.parametrize("visit", VISITS, ids=[v.id for v in VISITS])
def test_the_page_does_not_scroll_sideways_at_320_px(seen, visit):
    result = _result(seen, visit)
    if _not_a_page(result):
        return
    scroll, client, widest = result.scroll
    assert scroll <= client, (
        f"{visit.id} ({result.url}) is {scroll} px wide in a {client} px window: {widest}"
    )


@pytest.mark.parametrize("visit", FORMS, ids=[v.id for v in FORMS])
def test_a_form_sent_empty_is_refused_with_the_focus_on_its_error_summary_and_axe_passes(
    seen, visit
):
    result = _result(seen, visit)
    if not result.error_status:
        # The page showed no form to send (as the data set has it): nothing was sent, so the
        # sweep must have found no POST form in its main region. Checked, never skipped.
        assert not result.has_post_form, f"{visit.id}: a form was there but not sent"
        return
    assert result.error_status == visit.refused, (
        f"{visit.id}: an empty form answered {result.error_status}"
    )
    assert result.error_summary, f"{visit.id}: the 400 page has no error summary"
    assert result.error_focused.startswith("div.error-summary"), (
        f"{visit.id}: after the failed submit the focus is on {result.error_focused}"
    )
    assert result.error_violations == [], f"{visit.id}: {describe(result.error_violations)}"


def test_the_checks_find_a_page_spoilt_on_purpose(seen):
    assert "control" in seen, "run test_every_page_passes_axe_fits_320_px_and_focuses_its_errors"
    rules, (scroll, client, widest) = seen["control"]
    assert {"label", "region"} <= rules
    assert scroll > client
    assert widest
