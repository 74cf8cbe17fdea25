"""Follow-ups opened, completed and cancelled by hand."""

from django.views.decorators.http import require_http_methods

from liaison import services
from liaison.forms import FollowUpCancelForm, FollowUpCompleteForm, FollowUpForm
from liaison.permissions import CHANGE, followup_get_for, record_get_for
from liaison.views.common import render_form, save_or_show

FOLLOWUP_LABELS = {"status": "Status", "due_on": "Due by the end of"}


@require_http_methods(["GET", "POST"])
def followup_create(request, pk):
    """Open a follow-up: something owed to the victim by a date."""
    record = record_get_for(request.user, pk, CHANGE)
    page = {"title": "Add a follow-up", "submit_label": "Add the follow-up"}
    if request.method == "GET":
        return render_form(request, record, FollowUpForm(), **page)

    def write(cleaned):
        _, warnings = services.followup_create(
            record=record,
            by=request.user,
            due_on=cleaned["due_on"],
            reason=cleaned["reason"],
            suggested_at=cleaned["suggested_at"],
        )
        return warnings

    return save_or_show(
        request, record, FollowUpForm, write, anchor="followups", labels=FOLLOWUP_LABELS, **page
    )


def _followup_page(follow_up, title, submit_label, **extra):
    return {
        "title": title,
        "submit_label": submit_label,
        "follow_up": follow_up,
        **extra,
    }


@require_http_methods(["GET", "POST"])
def followup_complete(request, pk):
    """Mark a follow-up done without a contact; after its deadline, with a reason."""
    follow_up = followup_get_for(request.user, pk, CHANGE)
    record = follow_up.record
    page = _followup_page(follow_up, "Mark a follow-up done", "Mark as done")
    if request.method == "GET":
        form = FollowUpCompleteForm(initial={"version": follow_up.version})
        return render_form(request, record, form, **page)

    def write(cleaned):
        services.followup_complete(
            follow_up=follow_up,
            by=request.user,
            late_reason=cleaned["late_reason"],
            version=cleaned["version"],
        )

    return save_or_show(
        request,
        record,
        FollowUpCompleteForm,
        write,
        anchor="followups",
        labels=FOLLOWUP_LABELS,
        **page,
    )


@require_http_methods(["GET", "POST"])
def followup_cancel(request, pk):
    """Cancel a follow-up that is no longer owed, saying why."""
    follow_up = followup_get_for(request.user, pk, CHANGE)
    record = follow_up.record
    page = _followup_page(follow_up, "Cancel a follow-up", "Cancel the follow-up", danger=True)
    if request.method == "GET":
        form = FollowUpCancelForm(initial={"version": follow_up.version})
        return render_form(request, record, form, **page)

    def write(cleaned):
        services.followup_cancel(
            follow_up=follow_up,
            by=request.user,
            reason=cleaned["reason"],
            version=cleaned["version"],
        )

    return save_or_show(
        request,
        record,
        FollowUpCancelForm,
        write,
        anchor="followups",
        labels=FOLLOWUP_LABELS,
        **page,
    )
