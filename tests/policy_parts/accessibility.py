"""The accessibility statement (issue 13): a public page, the same for everyone signed in or
not; it answers GET only (405 to a POST, for everyone)."""

from tests.access_policy import ANONYMOUS, OTHERS, PUBLIC, page

POLICY = {
    "accessibility": page(PUBLIC, {ANONYMOUS: 405, OTHERS: 405}),
}

ROUTE_AUDIT = {
    "accessibility": "none: the statement itself, the same for everyone",
}
