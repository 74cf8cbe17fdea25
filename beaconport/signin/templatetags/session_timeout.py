"""The timeout warning on every signed-in page (issue 13, WCAG 2.2.1 Timing Adjustable).

`{% session_timeout_warning %}` renders the dialog (hidden) and its script for a signed-in
user whose sign-in is complete; static/js/session-timeout.js reads the seconds left from its
data attributes. It reads the session only, which the request has loaded already.
"""

from django import template
from django.contrib.auth import SESSION_KEY

from beaconport.signin.sessions import SECOND_STEP, session_time_left

register = template.Library()


@register.inclusion_tag("signin/_session_timeout.html", takes_context=True)
def session_timeout_warning(context):
    request = context.get("request")
    session = getattr(request, "session", None)
    if session is None or SESSION_KEY not in session or SECOND_STEP in session:
        return {"show": False}
    return {
        "show": True,
        "left": session_time_left(session),
        "csrf_token": context.get("csrf_token"),
    }
