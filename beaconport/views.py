"""Project-wide pages: each role's home and the health check."""

from django.contrib.auth.decorators import login_not_required
from django.http import JsonResponse
from django.shortcuts import render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from beaconport import health
from beaconport.roles import Role, roles_of

# What each role's home page offers, in the order a person with several roles sees them.
ROLE_HOMES = {
    Role.NATIONAL_LEAD: ("Review queue", "Every open referral nationally, to triage and assign."),
    Role.REVIEW_LEAD: ("Review queue", "Referrals to triage, assign and approve."),
    Role.INVESTIGATOR: ("My cases", "Cases assigned to you for review."),
    Role.LIAISON_LEAD: ("Liaison team", "Your team's victims, overdue follow-ups and escalations."),
    Role.LIAISON_OFFICER: ("My victims", "Victims and survivors you keep informed."),
    Role.ANALYST: ("Reports", "Counts across the review: no names, no free text."),
    Role.ADMINISTRATOR: ("Administration", "Users, roles and access to records."),
    Role.AUDITOR: ("Audit log", "Who collected, changed, read or disclosed a record, and why."),
}

# The page each role's card leads to (left unlinked while that page does not exist).
ROLE_PAGES = {
    Role.NATIONAL_LEAD: "cases:queue",
    Role.REVIEW_LEAD: "cases:queue",
    Role.INVESTIGATOR: "cases:my_cases",
    Role.LIAISON_LEAD: "liaison:team",
    Role.LIAISON_OFFICER: "liaison:my_victims",
    Role.ANALYST: "reports:index",
    Role.ADMINISTRATOR: "admin:index",
    Role.AUDITOR: "audit:search",
}


def _page_of(role: Role) -> str | None:
    try:
        return reverse(ROLE_PAGES[role])
    except (KeyError, NoReverseMatch):
        return None


def home(request):
    """The signed-in user's starting page, shaped by their roles."""
    held = roles_of(request.user)
    sections = [
        {"role": role, "title": title, "blurb": blurb, "url": _page_of(role)}
        for role, (title, blurb) in ROLE_HOMES.items()
        if role in held
    ]
    if held & {Role.REVIEW_LEAD, Role.NATIONAL_LEAD}:
        sections.append(_access_requests_card(request.user))
    return render(request, "home.html", {"sections": sections})


# Beyond this many open access requests the home page says "more than" (one bounded query).
ACCESS_REQUESTS_SHOWN = 99


def _access_requests_card(user) -> dict:
    """A lead's open access requests (issue 10): how many wait for them, counted up to a bound."""
    from cases.permissions import access_requests_visible_to

    waiting = (
        access_requests_visible_to(user)
        .filter(status="open")
        .order_by()
        .values("pk")[: ACCESS_REQUESTS_SHOWN + 1]
        .count()
    )
    count = f"more than {ACCESS_REQUESTS_SHOWN}" if waiting > ACCESS_REQUESTS_SHOWN else waiting
    return {
        "role": {"name": "access_requests"},  # the card's marker, not a role's
        "title": "Access requests",
        "blurb": f"Open: {count}. Investigators asking for cases where their people also appear.",
        "url": reverse("people:access_requests"),
    }


@login_not_required
@never_cache
@require_GET
def healthz(request):
    """200 when the database and the broker both answer, 503 otherwise; the replica, if
    there is one, is reported but never makes it 503 (pages then read the primary)."""
    state = {"database": health.database_ok(), "broker": health.broker_ok()}
    ok = all(state.values())
    body = {"status": "ok" if ok else "unavailable"}
    body.update({name: "ok" if up else "unavailable" for name, up in state.items()})
    if state["database"]:
        body["scheduler_last_seen"] = health.last_heartbeat()
    replica = health.replica_ok()
    if replica is not None:
        body["replica"] = "ok" if replica else "unavailable"
    return JsonResponse(body, status=200 if ok else 503)
