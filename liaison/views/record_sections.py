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
    """Consent and support referrals: the victim's consents (active first, then withdrawn
    with why) and their referrals with due, made, late and outcome; two queries."""
    from django.utils import timezone

    from liaison.models import FollowUpStatus
    from liaison.services.consent import contact_withdrawn_reason

    consents = sorted(
        record.consents.select_related("recorded_by", "withdrawn_by"),
        key=lambda c: (not c.is_active, -c.given_on.toordinal(), -c.pk),
    )
    referrals = list(record.support_referrals.select_related("consent", "followup"))
    now = timezone.now()
    for referral in referrals:
        follow_up = referral.followup
        referral.stopped = (
            referral.referred_on is None
            and follow_up is not None
            and follow_up.status == FollowUpStatus.CANCELLED
        )
        referral.overdue = (
            follow_up is not None
            and follow_up.status == FollowUpStatus.OPEN
            and follow_up.due_at < now
        )
    return {
        "support_consents": consents,
        "support_has_sharing_consent": any(
            c.is_active and c.kind == "information_sharing" for c in consents
        ),
        "support_referrals": referrals,
        "support_contact_withdrawn": contact_withdrawn_reason(record),
    }


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
