"""Forms on a victim's record about their rights: do-not-contact periods and enhanced rights."""

from types import SimpleNamespace

from django.db import transaction
from django.http import Http404
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases.services.errors import StaleEdit
from liaison import services
from liaison.forms import DoNotContactEndForm, DoNotContactForm, EnhancedRightsForm, period_token
from liaison.models import DoNotContact
from liaison.permissions import CHANGE, record_get_for
from liaison.views.common import render_form, save_or_show

ENTITLEMENT_LABELS = {
    "enhanced_rights": "Entitled to enhanced rights",
    "enhanced_rights_off_reason": "Why enhanced rights do not apply",
}


@require_http_methods(["GET", "POST"])
def enhanced_rights_edit(request, pk):
    """Switch enhanced rights off (with the reason) or back on; a stale edit is refused."""
    record = record_get_for(request.user, pk, CHANGE)
    page = {"title": "Enhanced rights (Victims' Code)", "submit_label": "Save"}
    if request.method == "GET":
        form = EnhancedRightsForm(initial=EnhancedRightsForm.initial_for(record))
        return render_form(request, record, form, **page)

    def write(cleaned):
        services.enhanced_rights_set(
            record=record,
            enhanced=cleaned["enhanced_rights"],
            reason=cleaned["enhanced_rights_off_reason"],
            by=request.user,
            version=cleaned["version"],
        )

    return save_or_show(
        request,
        record,
        EnhancedRightsForm,
        write,
        anchor="preferences",
        labels=ENTITLEMENT_LABELS,
        **page,
    )


@require_http_methods(["GET", "POST"])
def do_not_contact_add(request, pk):
    """Record a period in which the victim must not be contacted."""
    record = record_get_for(request.user, pk, CHANGE)
    page = {"title": "Add a do-not-contact period", "submit_label": "Add the period"}
    if request.method == "GET":
        form = DoNotContactForm(initial={"starts_on": timezone.localdate()})
        return render_form(request, record, form, **page)

    def write(cleaned):
        services.do_not_contact_add(
            record=record,
            by=request.user,
            starts_on=cleaned["starts_on"],
            ends_on=cleaned["ends_on"],
            reason=cleaned["reason"],
        )

    return save_or_show(request, record, DoNotContactForm, write, anchor="do-not-contact", **page)


def _period_get_for(user, pk):
    """The period and its record if the user may change the record; 404 otherwise."""
    period = DoNotContact.objects.filter(pk=pk).first()
    if period is None:
        raise Http404("No such do-not-contact period")
    record = record_get_for(user, period.record_id, CHANGE)
    period.record = record
    return period, record


def _day(value) -> str:
    return f"{value:%d %b %Y}" if value else "Until further notice"


@require_http_methods(["GET", "POST"])
def do_not_contact_end(request, pk):
    """End a do-not-contact period early; refused if someone changed its end meanwhile."""
    period, record = _period_get_for(request.user, pk)
    page = {
        "title": "End a do-not-contact period early",
        "submit_label": "Set the last day",
        "template": "liaison/do_not_contact_end.html",
        "period": period,
    }

    def make_form(data=None, initial=None):
        return DoNotContactEndForm(data, initial=initial, period=period)

    if request.method == "GET":
        initial = {"version": period_token(period), "ends_on": timezone.localdate()}
        if period.starts_on > initial["ends_on"]:
            initial["ends_on"] = period.starts_on
        return render_form(request, record, make_form(initial=initial), **page)

    def write(cleaned):
        with transaction.atomic():
            current = DoNotContact.objects.select_for_update().get(pk=period.pk)
            if period_token(current) != cleaned["version"]:
                period.ends_on = current.ends_on  # the form shown again checks against it
                raise StaleEdit(
                    "This do-not-contact period was changed by someone else since you loaded "
                    "it. Nothing was saved: review the change and submit again.",
                    changes={
                        "ends_on": {
                            "theirs": _day(current.ends_on),
                            "yours": _day(cleaned["ends_on"]),
                        }
                    },
                    current=SimpleNamespace(version=period_token(current)),
                )
            current.record = record
            services.do_not_contact_end(period=current, by=request.user, ends_on=cleaned["ends_on"])

    return save_or_show(
        request,
        record,
        make_form,
        write,
        anchor="do-not-contact",
        labels={"ends_on": "Last day"},
        **page,
    )
