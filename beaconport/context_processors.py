"""Template context shared by every page."""

from django.urls import NoReverseMatch, reverse

from beaconport.roles import Role, roles_of

# Navigation per role: (route name, label). Routes that do not exist yet are left out.
NAVIGATION = [
    ("cases:queue", "Review queue", {Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    ("cases:my_cases", "My cases", {Role.INVESTIGATOR, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    ("cases:my_actions", "My actions", {Role.INVESTIGATOR}),
    ("cases:overdue_actions", "Overdue actions", {Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    ("cases:flags", "Safety list", {Role.INVESTIGATOR, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    ("people:links", "Links", {Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    ("people:search", "Search", {Role.INVESTIGATOR, Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    (
        "document_search:search",
        "Search documents",
        {Role.INVESTIGATOR, Role.REVIEW_LEAD, Role.NATIONAL_LEAD},
    ),
    ("people:networks", "Networks", {Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    ("intake:history", "Intake", {Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    ("people:access_requests", "Access requests", {Role.REVIEW_LEAD, Role.NATIONAL_LEAD}),
    ("liaison:team", "Liaison team", {Role.LIAISON_LEAD, Role.NATIONAL_LEAD}),
    ("liaison:my_victims", "My victims", {Role.LIAISON_OFFICER, Role.LIAISON_LEAD}),
    (
        "liaison:review_requests",
        "Right to Review",
        {Role.REVIEW_LEAD, Role.LIAISON_LEAD, Role.NATIONAL_LEAD},
    ),
    (
        "liaison:notifications",
        "Notifications",
        {
            Role.LIAISON_OFFICER,
            Role.LIAISON_LEAD,
            Role.INVESTIGATOR,
            Role.REVIEW_LEAD,
            Role.NATIONAL_LEAD,
        },
    ),
    (
        "reports:index",
        "Reports",
        {Role.ANALYST, Role.REVIEW_LEAD, Role.NATIONAL_LEAD, Role.LIAISON_LEAD},
    ),
    ("audit:search", "Audit log", {Role.AUDITOR}),
]


def _url_or_none(name: str) -> str | None:
    try:
        return reverse(name)
    except NoReverseMatch:
        return None


def roles(request):
    """The signed-in user's roles and the navigation they lead to."""
    held = roles_of(getattr(request, "user", None))
    items = []
    for name, label, allowed in NAVIGATION:
        if held & allowed and (url := _url_or_none(name)):
            items.append({"url": url, "label": label})
    return {"user_roles": {role.name for role in held}, "nav_items": items}
