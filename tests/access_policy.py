"""The access policy: what every route answers to every persona, for every method (issue 8).

Plain data for a reviewer. Each route (its URL name; its path pattern when it has none)
maps each HTTP method to an answer set: {persona: status}, where OTHERS stands for every
signed-in persona the set does not name. `tests/test_access_policy.py` walks the URL
resolver, fails on a route missing here, and tries every route as every persona with real
objects: the investigator's case (a victim, a suspect, a finding, an inquiry, a flag) and
that victim's liaison record, kept by the liaison officer (a follow-up, a do-not-contact
period, a notification), plus one row of every model the admin lists.

Requests carry no form data: a form the user may use answers 400 (or 200 where Django's
own form pages redisplay), which proves the door opened without writing anything.

Adding a persona is one line in PERSONAS (its name and its pytest fixture): it gets the
OTHERS answer everywhere, which is "not yours" (404 on pages, 403 from the API, the admin's
login redirect) unless an answer set below names it.

    302  to the sign-in page (or, in the admin, to the admin's sign-in; or a form asking
         why before names are shown)          400  the door opened; the empty form refused
    404  not there, or not yours: the same     403  the API's and the admin's refusal
    405  method not answered, said only to someone who may see what the URL names
"""

OTHERS = "*"
ANONYMOUS = "anonymous"

# persona: the pytest fixture that makes them (tests/conftest.py; test_access_policy.py)
PERSONAS = {
    ANONYMOUS: None,
    "investigator": "investigator",  # assigned to the case
    "other_investigator": "other_investigator",
    "review_lead": "review_lead",  # leads the team covering the case's force
    "liaison_officer": "liaison_officer",  # keeps the victim's liaison record
    "other_liaison_officer": "other_liaison_officer",
    "liaison_lead": "liaison_lead",
    "analyst": "analyst",
    "administrator": "admin_user",  # is_staff, Administrator group, is_superuser
    "auditor": "auditor",
    "national_lead": "national_lead",  # group "National lead": every case and record
    "other_team_review_lead": "other_team_review_lead",  # leads another region's cases
    "other_team_liaison_lead": "other_team_liaison_lead",  # leads another region's victims
}

WEB_METHODS = ("GET", "POST")
API_METHODS = ("GET", "POST", "PUT", "PATCH", "DELETE")

# Who may see the case, its records, the victim's liaison record.
CASE_SEERS = ("investigator", "review_lead", "national_lead")
CASE_LEADS = ("review_lead", "national_lead")
RECORD_SEERS = ("liaison_officer", "liaison_lead", "national_lead")
RECORD_LEADS = ("liaison_lead", "national_lead")
# Who searches the person index (in their own cases).
PEOPLE_SEARCHERS = (
    "investigator",
    "other_investigator",
    "review_lead",
    "national_lead",
    "other_team_review_lead",
)
# Who has a role's page at all (its content is their own scope: maybe empty).
REVIEW_LEADS = (*CASE_LEADS, "other_team_review_lead")
LIAISON_LEADS = (*RECORD_LEADS, "other_team_liaison_lead")
LIAISON_STAFF = (
    "liaison_officer",
    "other_liaison_officer",
    "liaison_lead",
    "other_team_liaison_lead",
)
# Who is sent notifications (follow-up reminders; case reminders and flag alerts).
NOTIFIED = (*LIAISON_STAFF, *PEOPLE_SEARCHERS)


def only(people, status, *, otherwise=404, anonymous=302) -> dict:
    """`status` for these personas, `otherwise` for every other signed-in one."""
    return {ANONYMOUS: anonymous, OTHERS: otherwise, **dict.fromkeys(people, status)}


def everyone(status, *, anonymous=302) -> dict:
    """The same answer for every signed-in persona."""
    return {ANONYMOUS: anonymous, OTHERS: status}


PUBLIC = {ANONYMOUS: 200, OTHERS: 200}


def page(get, post) -> dict:
    return {"GET": get, "POST": post}


def api(get=405, post=405, put=405, patch=405, delete=405) -> dict:
    """An API route; an int is the answer for every signed-in persona (anonymous: 403)."""
    methods = {"GET": get, "POST": post, "PUT": put, "PATCH": patch, "DELETE": delete}
    return {m: everyone(a, anonymous=403) if isinstance(a, int) else a for m, a in methods.items()}


# A case route: those who may see the case get in (a form: 400 on an empty POST); a method
# the route does not answer is 405 to them and 404 to everyone else (case_methods).
def case_form(people=CASE_SEERS) -> dict:
    return page(only(people, 200), only(people, 400))


def case_post_only(people=CASE_SEERS, post=400) -> dict:
    return page(only(CASE_SEERS, 405), only(people, post))


def liaison_list() -> dict:
    """A liaison API list: liaison staff and national leads get their scope; others 403."""
    staff = (*LIAISON_STAFF, "national_lead")
    return {
        m: only(staff, 200 if m == "GET" else 405, otherwise=403, anonymous=403)
        for m in API_METHODS
    }


# The person index's API (issue 10): leads and administrators see clusters and links (a review
# lead those touching their teams' forces); only leads decide. Other roles: 403.
LINKAGE_SEERS = (*REVIEW_LEADS, "administrator")


def linkage_answers(people, status, *, other_team=None) -> dict:
    """`status` for these personas, 403 for other callers (anonymous too); the other team's
    lead gets `other_team` where the route names a record outside their team's forces."""
    answers = only(people, status, otherwise=403, anonymous=403)
    if other_team is not None:
        answers["other_team_review_lead"] = other_team
    return answers


def linkage_api(get=None, post=None) -> dict:
    """A linkage API route: the answer sets given for GET or POST; every other method is 405
    to those who see links and 403 to the rest (the role is checked before the method)."""
    refused = only(LINKAGE_SEERS, 405, otherwise=403, anonymous=403)
    return {m: {"GET": get, "POST": post}.get(m) or refused for m in API_METHODS}


def record_form(people=RECORD_SEERS) -> dict:
    return page(only(people, 200), only(people, 400))


# --- reports (issue 11): a dashboard opens to the roles it is registered for ------------------
# The personas holding each role (tests/conftest.py), to read a dashboard's roles as personas.
ROLE_PERSONAS = {
    "Investigator": ("investigator", "other_investigator"),
    "Review lead": ("review_lead", "other_team_review_lead"),
    "Liaison officer": ("liaison_officer", "other_liaison_officer"),
    "Liaison lead": ("liaison_lead", "other_team_liaison_lead"),
    "Analyst": ("analyst",),
    "Administrator": ("administrator",),
    "Auditor": ("auditor",),
    "National lead": ("national_lead",),
}


def holders(roles) -> tuple:
    return tuple(sorted({persona for role in roles for persona in ROLE_PERSONAS[str(role)]}))


def _reports() -> tuple[str, tuple, tuple]:
    """The dashboard the matrix tries (the first registered), who opens it, and who opens
    the index (the report roles and every dashboard's); tests/reports/test_access.py tries
    every registered dashboard the same way."""
    from beaconport.reports.permissions import REPORT_ROLES
    from beaconport.reports.registry import dashboards

    boards = dashboards()
    roles = set(REPORT_ROLES).union(*(board.roles for board in boards))
    first = boards[0] if boards else None
    return (first.key if first else "none", holders(first.roles if first else ()), holders(roles))


REPORT_KEY, REPORT_OPENERS, REPORT_READERS = _reports()


POLICY = {
    # --- signing in, the home page, the health check ------------------------------------
    "home": page(everyone(200), everyone(200)),
    "healthz": page(PUBLIC, {ANONYMOUS: 405, OTHERS: 405}),
    "login": page(PUBLIC, PUBLIC),
    "logout": page(everyone(405), {ANONYMOUS: 302, OTHERS: 302}),
    "password_change": page(everyone(200), everyone(200)),
    "password_change_done": page(everyone(200), everyone(405)),
    # Two-step sign-in (beaconport.signin): enrolling is offered to those without a device
    # who need none; the others, and the investigator who has one, are sent on.
    "two_factor": page(everyone(200), everyone(200)),
    "two_factor_verify": page(everyone(302), everyone(302)),
    "two_factor_enrol": page(
        only(
            ("other_investigator", "liaison_officer", "other_liaison_officer", "analyst"),
            200,
            otherwise=302,
        ),
        only(
            ("other_investigator", "liaison_officer", "other_liaison_officer", "analyst"),
            200,
            otherwise=302,
        ),
    ),
    # The user's own API tokens: no token named, nothing to revoke.
    "accounts:tokens": page(everyone(200), everyone(400)),
    "accounts:token_revoke": page(everyone(405), everyone(404)),
    # --- cases -----------------------------------------------------------------------------
    "cases:my_cases": page(everyone(200), everyone(405)),  # a list of what each may see
    "cases:queue": page(only(REVIEW_LEADS, 200), only(REVIEW_LEADS, 405)),
    "cases:detail": page(only(CASE_SEERS, 200), only(CASE_SEERS, 405)),
    # Work across cases (issue 11): each sees their own scope (maybe empty).
    "cases:my_actions": page(
        only(("investigator", "other_investigator"), 200),
        only(("investigator", "other_investigator"), 405),
    ),
    "cases:overdue_actions": page(only(REVIEW_LEADS, 200), only(REVIEW_LEADS, 405)),
    "cases:flags": page(only(PEOPLE_SEARCHERS, 200), only(PEOPLE_SEARCHERS, 405)),
    "cases:edit": case_form(),
    "cases:eligibility": case_form(CASE_LEADS),
    "cases:assign": case_form(CASE_LEADS),
    "cases:unassign": case_post_only(CASE_LEADS),
    "cases:transition": case_post_only(),
    "cases:event_add": case_post_only(),
    "cases:party_add": case_form(),
    "cases:party_edit": case_form(),
    # A person's record names them: only the assigned investigator, after saying why.
    "cases:person_edit": page(only(("investigator",), 302), only(("investigator",), 302)),
    "cases:flag_add": case_form(),
    "cases:flag_clear": case_form(),
    "cases:inquiry_add": case_form(),
    "cases:inquiry_edit": case_form(),
    "cases:finding_add": case_form(),
    "cases:finding_edit": case_form(),
    # --- liaison ---------------------------------------------------------------------------
    "liaison:my_victims": page(only(LIAISON_STAFF, 200), only(LIAISON_STAFF, 405)),
    "liaison:team": page(only(LIAISON_LEADS, 200), only(LIAISON_LEADS, 400)),  # bulk assign
    "liaison:deadlines": page(only(LIAISON_LEADS, 200), only(LIAISON_LEADS, 405)),
    # Everyone sent notifications: liaison staff, and investigators and leads (case reminders).
    "liaison:notifications": page(only(NOTIFIED, 200), only(NOTIFIED, 405)),
    "liaison:notifications_read_all": page(only(NOTIFIED, 405), only(NOTIFIED, 302)),
    "liaison:notification_read": page(  # the officer's own notification
        only(NOTIFIED, 405), only(("liaison_officer",), 302)
    ),
    # The record page answers GET only, whoever asks and whichever record.
    "liaison:record": page(only(RECORD_SEERS, 200), everyone(405)),
    "liaison:preferences_edit": record_form(),
    "liaison:expectation_create": record_form(),
    "liaison:contact_create": record_form(),
    "liaison:followup_create": record_form(),
    "liaison:record_assign": record_form(RECORD_LEADS),
    "liaison:enhanced_rights_edit": record_form(),
    "liaison:do_not_contact_add": record_form(),
    "liaison:do_not_contact_end": record_form(),
    "liaison:followup_complete": record_form(),
    "liaison:followup_cancel": record_form(),
    # Person search: those who see cases, each within their own (a search is a POST; an
    # empty one is refused). Liaison staff, analysts, auditors and administrators: 404.
    "people:search": page(only(PEOPLE_SEARCHERS, 200), only(PEOPLE_SEARCHERS, 400)),
    # --- the person index: links (issue 10) -------------------------------------------------
    # A lead's queue (each their own scope); the world's link (the cluster's) joins two of
    # the personas' team's suspects, so the other team's lead gets 404 like everyone else.
    "people:links": page(only(REVIEW_LEADS, 200), only(REVIEW_LEADS, 405)),
    "people:link": page(only(CASE_LEADS, 200), only(CASE_LEADS, 405)),
    "people:link_decide": page(only(CASE_LEADS, 405), only(CASE_LEADS, 400)),
    # --- the person index: networks (issue 10) ----------------------------------------------
    # Leads only: the list is each lead's own scope (maybe empty); the world's network ties
    # its case to another Kent case, so the other team's lead gets 404 like everyone else.
    "people:networks": page(only(REVIEW_LEADS, 200), only(REVIEW_LEADS, 405)),
    "people:network": page(only(CASE_LEADS, 200), only(CASE_LEADS, 405)),
    # Only the victim's own officer sees where else the victim may be one, after saying why.
    "liaison:victim_links": page(only(("liaison_officer",), 302), only(("liaison_officer",), 405)),
    # --- the person index: access requests (issue 10) ---------------------------------------
    # An investigator asks from their own case (for a suspect); a lead of the asked-for case
    # decides. The page of requests is every lead's own (maybe empty).
    "people:access_request_ask": page(only(("investigator",), 200), only(("investigator",), 400)),
    "people:access_requests": page(only(REVIEW_LEADS, 200), only(REVIEW_LEADS, 405)),
    "people:access_request_decide": page(only(CASE_LEADS, 200), only(CASE_LEADS, 400)),
    # Only the investigator who asked may withdraw their request (a reason, so empty is 400).
    "people:access_request_withdraw": page(
        only(("investigator",), 200), only(("investigator",), 400)
    ),
    # --- reports (issue 11): the index is each reader's own list; a dashboard and its CSV
    # (REPORT_KEY's) answer those its roles hold, 404 everyone else, even for a POST.
    "reports:index": page(only(REPORT_READERS, 200), only(REPORT_READERS, 405)),
    "reports:dashboard": page(only(REPORT_OPENERS, 200), only(REPORT_OPENERS, 405)),
    "reports:download": page(only(REPORT_OPENERS, 200), only(REPORT_OPENERS, 405)),
    # --- the audit log (auditors only; a download is a POST) ---------------------------------
    "audit:search": page(only(("auditor",), 200), only(("auditor",), 200)),
    "audit:export": page(only(("auditor",), 405), only(("auditor",), 400)),
    "audit:security_events": page(only(("auditor",), 200), only(("auditor",), 405)),
    "audit:justify": page(everyone(404), everyone(404)),  # without a signed token
    # --- the API (anonymous: 403) ----------------------------------------------------------
    "api:schema": api(get=200),
    "api:docs": api(get=200),
    "api:case-list": api(get=200),  # each caller's own cases
    "api:case-detail": api(get=only(CASE_SEERS, 200, anonymous=403)),
    "api:case-events": api(post=only(CASE_SEERS, 400, anonymous=403)),
    "api:liaison-record-list": liaison_list(),
    "api:liaison-followup-list": liaison_list(),
    # The world's cluster and link join its case's S1 to another Kent case's (the lead's team).
    "api:linkage-cluster-list": linkage_api(get=linkage_answers(LINKAGE_SEERS, 200)),
    "api:linkage-cluster-detail": linkage_api(
        get=linkage_answers(LINKAGE_SEERS, 200, other_team=404)
    ),
    "api:linkage-link-list": linkage_api(get=linkage_answers(LINKAGE_SEERS, 200)),
    "api:linkage-link-confirm": linkage_api(post=linkage_answers(CASE_LEADS, 400, other_team=404)),
    "api:linkage-link-reject": linkage_api(post=linkage_answers(CASE_LEADS, 400, other_team=404)),
}

# --- Django admin ----------------------------------------------------------------------------
# Everyone but the administrator is sent to the admin's sign-in (302), signed in or not.
ADMINISTRATOR = "administrator"


def admin_page(get, post) -> dict:
    return page(
        only((ADMINISTRATOR,), get, otherwise=302), only((ADMINISTRATOR,), post, otherwise=302)
    )


ADMIN_SITE = {
    "admin:index": admin_page(200, 200),
    "admin:login": page(only((ADMINISTRATOR,), 302, otherwise=200, anonymous=200), PUBLIC),
    "admin:logout": admin_page(405, 302),
    "admin:password_change": admin_page(200, 200),
    "admin:password_change_done": admin_page(200, 405),
    "admin:autocomplete": admin_page(403, 405),
    "admin:jsi18n": admin_page(200, 405),
    "admin:app_list": admin_page(200, 200),
    "admin:view_on_site": admin_page(404, 404),  # no model here has a page of its own
    "/admin/(?P<url>.*)$": admin_page(404, 404),  # anything else under /admin/
    # guardian's object permission pages for a case (audited: tests/audit/test_grants.py)
    "admin:cases_case_permissions": admin_page(200, 200),
    "admin:cases_case_permissions_manage_user": admin_page(200, 200),
    "admin:cases_case_permissions_manage_group": admin_page(200, 200),
    "admin:auth_user_password_change": admin_page(200, 200),
}

# What the administrator may do with each model: WRITE (GET and POST open), READ (the
# change page shows, a POST is refused), NO (403), WHY (asks for a reason first: 302).
WRITE, READ, NO, WHY = (200, 200), (200, 403), (403, 403), (302, 302)
ADMIN_MODELS = {
    # model: (add, change, delete); the list and the history are open, and /<id>/ redirects
    "audit.auditevent": (NO, READ, NO),
    "auth.group": (WRITE, WRITE, WRITE),
    "auth.user": (WRITE, WRITE, NO),
    "axes.accessattempt": (NO, READ, WRITE),  # deleting one lifts a lockout
    "axes.accessfailurelog": (NO, READ, NO),
    "axes.accesslog": (NO, READ, NO),
    "cases.case": (NO, WRITE, NO),
    "cases.caseaccessrequest": (NO, READ, NO),  # the person index (issue 10): looked at only
    "cases.casecriterion": (NO, READ, NO),
    "cases.caseparty": (NO, WHY, NO),
    "cases.casetransition": (NO, READ, NO),
    "cases.finding": (NO, WRITE, NO),
    "cases.force": (WRITE, WRITE, NO),
    "cases.casenetwork": (NO, READ, NO),
    "cases.investigativeevent": (NO, READ, NO),
    "cases.linkagemodel": (NO, READ, NO),
    "cases.linkagerun": (NO, READ, NO),
    "cases.lineofinquiry": (NO, WRITE, NO),
    "cases.network": (NO, READ, NO),
    "cases.nominal": (NO, READ, NO),
    "cases.nominalmember": (NO, READ, NO),
    "cases.offence": (NO, READ, NO),
    "cases.person": (NO, WHY, NO),
    "cases.personidentifier": (NO, WHY, NO),  # an alias, phone, ...: asks why first
    "cases.personlink": (NO, READ, NO),
    "cases.suspectflag": (NO, READ, NO),
    "cases.team": (WRITE, WRITE, NO),
    "knox.authtoken": (NO, READ, NO),
    "liaison.followup": (NO, READ, NO),
    "liaison.reminderdelivery": (NO, READ, NO),
    "liaison.victimscoderule": (WRITE, WRITE, WRITE),
    "otp_static.staticdevice": (NO, READ, WRITE),  # deleting one resets a lost device
    "otp_totp.totpdevice": (NO, READ, WRITE),
}


def admin_model_routes(label: str, rights) -> dict:
    app, model = label.split(".")
    add, change, delete = rights
    stem = f"admin:{app}_{model}"
    return {
        f"{stem}_changelist": admin_page(200, 200),
        f"{stem}_history": admin_page(200, 200),
        f"{stem}_add": admin_page(*add),
        f"{stem}_change": admin_page(*change),
        f"{stem}_delete": admin_page(*delete),
        f"/admin/{app}/{model}/<path:object_id>/": admin_page(302, 302),
    }


# Routes that sign the persona out: the test signs them back in afterwards.
SIGNS_OUT = {"logout", "admin:logout"}

# Which object of the data set a route's <pk> names.
PK_OF = {
    "cases:flag_clear": "flag",
    "cases:inquiry_edit": "inquiry",
    "cases:finding_edit": "finding",
    "people:link": "cluster_link",
    "people:link_decide": "cluster_link",
    "api:linkage-cluster-detail": "cluster",
    "api:linkage-link-confirm": "cluster_link",
    "api:linkage-link-reject": "cluster_link",
    "people:access_request_decide": "access_request",
    "people:access_request_withdraw": "access_request",
    "people:network": "network",
    "liaison:notification_read": "notification",
    "liaison:do_not_contact_end": "period",
    "liaison:followup_complete": "followup",
    "liaison:followup_cancel": "followup",
    **{
        f"liaison:{name}": "record"
        for name in (
            "record",
            "preferences_edit",
            "expectation_create",
            "contact_create",
            "followup_create",
            "record_assign",
            "enhanced_rights_edit",
            "do_not_contact_add",
            "victim_links",
        )
    },
}


def expanded() -> dict:
    """{route: {method: {persona: status}}} for every route and every persona."""
    routes = {**POLICY, **ADMIN_SITE}
    for label, rights in ADMIN_MODELS.items():
        routes.update(admin_model_routes(label, rights))
    return {
        route: {
            method: {persona: answers.get(persona, answers[OTHERS]) for persona in PERSONAS}
            for method, answers in methods.items()
        }
        for route, methods in routes.items()
    }


def _parts() -> list:
    """The modules of tests/policy_parts, each merged into the tables above."""
    import importlib
    import pkgutil

    from tests import policy_parts

    modules = [
        importlib.import_module(f"tests.policy_parts.{info.name}")
        for info in pkgutil.iter_modules(policy_parts.__path__)
    ]
    for module in modules:
        POLICY.update(getattr(module, "POLICY", {}))
        ADMIN_MODELS.update(getattr(module, "ADMIN_MODELS", {}))
        PK_OF.update(getattr(module, "PK_OF", {}))
    return modules


PARTS = _parts()
