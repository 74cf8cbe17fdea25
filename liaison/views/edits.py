"""Forms on one victim's record: contact preferences, expectations and contacts."""

from django.utils import timezone
from django.views.decorators.http import require_http_methods

from liaison import services
from liaison.forms import ContactForm, ExpectationForm, PreferencesForm
from liaison.models import FollowUpStatus
from liaison.permissions import CHANGE, record_get_for
from liaison.selectors import current_expectations
from liaison.views.common import render_form, save_or_show

# What a stale-edit panel calls each preference (model field names, as the service reports).
PREFERENCE_LABELS = {
    "channels": "Ways of contact, in order",
    "safe_phone": "Safe phone number",
    "safe_email": "Safe email address",
    "safe_days": "Safe days",
    "safe_from": "Safe from",
    "safe_to": "Safe until",
    "may_leave_message": "A message may be left",
    "via_adviser": "Only through an independent adviser",
    "adviser_name": "Adviser's name",
    "adviser_contact": "How to reach the adviser",
    "intermediary": "Intermediary",
    "language": "Language",
    "interpreter_needed": "Interpreter needed",
    "update_interval_days": "Update every (days)",
}


@require_http_methods(["GET", "POST"])
def preferences_edit(request, pk):
    """Change how and when the victim may safely be contacted (a stale edit is refused)."""
    record = record_get_for(request.user, pk, CHANGE)
    page = {"title": "Contact preferences", "submit_label": "Save preferences"}
    if request.method == "GET":
        form = PreferencesForm(initial=PreferencesForm.initial_for(record))
        return render_form(request, record, form, **page)

    def write(cleaned):
        services.preferences_update(
            record=record,
            by=request.user,
            version=cleaned["version"],
            **{name: cleaned[name] for name in services.PREFERENCE_FIELDS},
        )

    return save_or_show(
        request,
        record,
        PreferencesForm,
        write,
        anchor="preferences",
        labels=PREFERENCE_LABELS,
        **page,
    )


@require_http_methods(["GET", "POST"])
def expectation_create(request, pk):
    """Record what the victim hopes for: a new entry in the history, nothing overwritten."""
    record = record_get_for(request.user, pk, CHANGE)
    current = current_expectations(record)
    page = {"title": "Record what the victim hopes for", "submit_label": "Record"}

    def make_form(data=None):
        return ExpectationForm(data, current=current)

    if request.method == "GET":
        return render_form(request, record, make_form(), **page)

    def write(cleaned):
        services.expectation_record(
            record=record,
            by=request.user,
            hope=cleaned["hope"],
            in_their_words=cleaned["in_their_words"],
            what_they_were_told=cleaned["what_they_were_told"],
            supersedes=cleaned["supersedes"],
        )

    return save_or_show(request, record, make_form, write, anchor="expectations", **page)


@require_http_methods(["GET", "POST"])
def contact_create(request, pk):
    """Log a contact; it completes the follow-up it answers and plans the next one."""
    record = record_get_for(request.user, pk, CHANGE)
    open_followups = list(
        record.followups.filter(status=FollowUpStatus.OPEN).order_by("due_at", "pk")
    )
    page = {
        "title": "Log a contact",
        "submit_label": "Log the contact",
        "template": "liaison/contact_form.html",
        "overdue": [f for f in open_followups if f.due_at < timezone.now()],
    }

    def make_form(data=None, initial=None):
        return ContactForm(data, initial=initial, open_followups=open_followups)

    if request.method == "GET":
        initial = {"occurred_at": timezone.localtime().replace(second=0, microsecond=0)}
        wanted = request.GET.get("followup", "")
        if wanted.isdigit() and int(wanted) in {f.pk for f in open_followups}:
            initial["completes"] = int(wanted)
        return render_form(request, record, make_form(initial=initial), **page)

    def write(cleaned):
        _, warnings = services.contact_record(
            record=record,
            by=request.user,
            occurred_at=cleaned["occurred_at"],
            channel=cleaned["channel"],
            direction=cleaned["direction"],
            outcome=cleaned["outcome"],
            present=cleaned["present"],
            summary=cleaned["summary"],
            said_about_case=cleaned["said_about_case"],
            no_outcome_promised=cleaned["no_outcome_promised"],
            next_contact_on=cleaned["next_contact_on"],
            next_contact_time=cleaned["next_contact_time"],
            completes=cleaned["completes"],
            late_reason=cleaned["late_reason"],
        )
        return warnings

    return save_or_show(request, record, make_form, write, anchor="contacts", **page)
