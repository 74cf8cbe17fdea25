"""Reading pages: the officer's own victims and one victim's liaison record."""

from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from beaconport.access import access_required
from beaconport.audit.services import audit_consult
from cases.linkage.crosscase import has_victim_links
from cases.models import format_reference
from liaison.models import Channel, FollowUpStatus, Weekday
from liaison.permissions import ASSIGN, can_see_victim_name, holds_record, record_user_can
from liaison.selectors import (
    case_summary_for_liaison,
    current_expectations,
    my_victims_page,
    record_detail,
)
from liaison.views.common import LIAISON_ROLES, victim_label
from liaison.views.record_sections import record_sections


@access_required(*LIAISON_ROLES, methods=["GET"])
def my_victims(request):
    """The victims assigned to the signed-in officer, the most urgent first, a page at a time."""
    mine = my_victims_page(request.user, page=request.GET.get("page"))
    audit_consult(ids=mine.page.rows, object_type="liaison.liaisonrecord", actor=request.user)
    rows = [
        {"record": r, "label": victim_label(request.user, r), "case": format_reference(r.case_id)}
        for r in mine.page.rows
    ]
    return render(
        request,
        "liaison/my_victims.html",
        {"rows": rows, "page_obj": mine.page, "total": mine.total, "overdue_count": mine.overdue},
    )


@require_GET
def record_page(request, pk):
    """One victim's liaison record: preferences, hopes, contacts, follow-ups, case summary."""
    record = record_detail(request.user, pk)
    now = timezone.now()
    followups = list(record.followups.all())
    open_followups = [f for f in followups if f.status == FollowUpStatus.OPEN]
    closed_followups = [f for f in followups if f.status != FollowUpStatus.OPEN]
    for follow_up in followups:
        follow_up.is_overdue = follow_up.status == FollowUpStatus.OPEN and follow_up.due_at < now
    expectations = list(record.expectations.all())
    current = {e.pk for e in current_expectations(record)}
    return render(
        request,
        "liaison/record.html",
        {
            "record": record,
            "label": victim_label(request.user, record),
            "shows_name": can_see_victim_name(request.user, record),
            "perms_assign": record_user_can(request.user, ASSIGN, record),
            "summary": case_summary_for_liaison(request.user, record),
            "open_followups": open_followups,
            "closed_followups": closed_followups,
            "expectations": expectations,
            "current_expectation_ids": current,
            "contacts": list(record.contacts.all()),
            "do_not_contact": list(record.do_not_contact.all()),
            "preferences": preference_rows(record),
            # Only the victim's own officer hears of the victim's other cases (issue 10).
            "victim_links": holds_record(request.user, record) and has_victim_links(record.party),
            **record_sections(request.user, record),
        },
    )


def _yes_no(value: bool) -> str:
    return "Yes" if value else "No"


def preference_rows(record) -> list[tuple[str, str]]:
    """The victim's contact preferences as (label, value) rows, in plain words."""
    channels = [Channel(c).label for c in record.channels or []]
    days = [Weekday(d).label for d in sorted(record.safe_days or [])]
    hours = "Any time"
    if record.safe_from or record.safe_to:
        start = f"{record.safe_from:%H:%M}" if record.safe_from else "start of day"
        end = f"{record.safe_to:%H:%M}" if record.safe_to else "end of day"
        hours = f"{start} to {end}"
    adviser = "No"
    if record.via_adviser:
        adviser = "Yes: " + ", ".join(
            part for part in (record.adviser_name, record.adviser_contact) if part
        )
    interval = record.update_interval_days
    return [
        ("Ways of contact, in order", ", then ".join(channels) or "Not recorded"),
        ("Safe phone number", record.safe_phone or "None recorded"),
        ("Safe email address", record.safe_email or "None recorded"),
        ("Safe days", ", ".join(days) or "Any day"),
        ("Safe hours", hours),
        ("A message may be left", _yes_no(record.may_leave_message)),
        ("Only through an independent adviser", adviser),
        ("Intermediary", record.intermediary or "None"),
        ("Language", record.language or "Not recorded"),
        ("Interpreter needed", _yes_no(record.interpreter_needed)),
        ("Updates agreed", f"Every {interval} days" if interval else "No interval agreed"),
        (
            "Enhanced rights (Victims' Code)",
            "Yes" if record.enhanced_rights else f"No: {record.enhanced_rights_off_reason}",
        ),
    ]
