"""The timeout warning's "Stay signed in" (issue 13, WCAG 2.2.1): POST only, for anyone
signed in, about their own session; it restarts the idle clock and answers 204. A GET is
405; anyone signed out is sent to sign in, as on every signed-in-only route."""

from tests.access_policy import everyone, page

POLICY = {
    "session_extend": page(everyone(405), everyone(204)),
}

ROUTE_AUDIT = {
    "session_extend": "none: the user's own session clock, no personal data shown or changed",
}
