"""Sections that a victim's further rights add to their liaison record page (issue 13).

Each function gives the template context of one section (its template is
templates/liaison/record/_<name>.html); `record_sections` merges them for the record page.
Each reads only what its section shows, in a fixed number of queries.
"""


def review_requests_section(user, record) -> dict:
    """The victim's Right to Review requests with their deadlines (one query)."""
    from liaison.permissions import CHANGE, record_user_can
    from liaison.review_request_selectors import review_requests_of_record

    return {
        "review_requests": review_requests_of_record(record),
        "may_record_review_request": record_user_can(user, CHANGE, record),
    }


def support_section(user, record) -> dict:
    """Consent and support referrals."""
    return {}


def safety_section(user, record) -> dict:
    """The needs assessment and the safety plan, and whether the plan needs review: one
    query (liaison.safety_selectors.safety_of); the record's fetch decided access."""
    from liaison.models import SpecialMeasure
    from liaison.safety_selectors import safety_of

    needs, plan = safety_of(record)
    measures = [SpecialMeasure(v).label for v in needs.special_measures] if needs else []
    return {"safety_needs": needs, "safety_plan": plan, "safety_measures": measures}


MESSAGES_SHOWN = 5


def messages_section(user, record) -> dict:
    """Messages drafted or sent to the victim: the newest few (one query) and whether the
    user may write one."""
    from liaison.permissions import CHANGE, record_user_can

    recent = record.messages.order_by("-written_at", "-pk")[:MESSAGES_SHOWN]
    return {
        "messages_recent": list(recent),
        "messages_may_write": record_user_can(user, CHANGE, record),
    }


SECTIONS = (review_requests_section, support_section, safety_section, messages_section)


def record_sections(user, record) -> dict:
    context = {}
    for section in SECTIONS:
        context.update(section(user, record))
    return context
