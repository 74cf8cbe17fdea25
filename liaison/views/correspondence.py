"""The victim's correspondence on their liaison record: the list, adding a file, a copy.

Only those who see the record reach these pages (its officer, its team's liaison leads,
national leads); anyone else, investigators and review leads included, gets 404. A copy is
stamped with who took it and when, and logged as a disclosure to them.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect
from django.views.decorators.http import require_GET, require_http_methods

from beaconport.audit.justification import (
    justification_given,
    justification_key,
    require_justification,
)
from beaconport.documents.serve import stored_file_response
from beaconport.documents.stamp import StampFailed, stamp_text
from beaconport.documents.store import size_limit_text
from beaconport.documents.uploads import cap_document_uploads, upload_too_large
from beaconport.forms import form_submitted
from liaison.correspondence_forms import CorrespondenceForm
from liaison.models import LiaisonRecord
from liaison.permissions import (
    CHANGE,
    VIEW,
    correspondence_get_for,
    record_get_for,
    record_user_can,
)
from liaison.services import correspondence as services
from liaison.views.common import consulted_page, render_form, victim_label

PAGE_SIZE = 25
# The reason asked once (for AUDIT_JUSTIFICATION_TTL) before a record's correspondence is
# opened, as before a case's documents: it becomes the purpose of each disclosure.
CORRESPONDENCE = "victim correspondence"


def _record(user, pk, action):
    # The victim's person in the same query: their officer sees the name in the heading.
    queryset = LiaisonRecord.objects.select_related("party__person", "case")
    return record_get_for(user, pk, action, queryset=queryset)


@require_GET
def correspondence_list(request, pk):
    """The letters, emails and messages on the record, newest first, a page at a time."""
    record = _record(request.user, pk, VIEW)
    listed = record.correspondence.select_related("added_by").order_by(
        "-received_or_sent_on", "-pk"
    )
    page = consulted_page(
        request, record, listed, object_type="liaison.correspondence", size=PAGE_SIZE
    )
    return render(
        request,
        "liaison/correspondence/list.html",
        {
            "record": record,
            "label": victim_label(request.user, record),
            "page_obj": page,
            "may_add": record_user_can(request.user, CHANGE, record),
        },
    )


@csrf_exempt  # checked by _correspondence_add, once the size cap is in front of the upload
def correspondence_add(request, pk):
    """Keep a letter, email or message from or to the victim on their record."""
    cap_document_uploads(request)
    return _correspondence_add(request, pk)


@csrf_protect
@require_http_methods(["GET", "POST"])
def _correspondence_add(request, pk):
    record = _record(request.user, pk, CHANGE)
    page = {
        "title": "Add correspondence",
        "submit_label": "Add correspondence",
        "template": "liaison/correspondence/add.html",
    }
    if request.method == "GET":
        return render_form(request, record, CorrespondenceForm(), **page)

    def make_form(data=None):
        form = CorrespondenceForm(data, request.FILES if data is not None else None)
        if data is not None and upload_too_large(request):
            form.refuse_file(f"The file is larger than the {size_limit_text()} a file may be.")
        return form

    def write(cleaned):
        return services.correspondence_add(
            record=record,
            by=request.user,
            file=cleaned["file"],
            direction=cleaned["direction"],
            title=cleaned["title"],
            received_or_sent_on=cleaned["received_or_sent_on"],
        )

    def saved(item):
        messages.success(request, f"“{item.title}” added to the record.")
        return redirect(reverse("liaison:correspondence", args=[record.pk]))

    return form_submitted(
        request,
        make_form,
        write,
        render_page=lambda form, *, status, stale=None: render_form(
            request, record, form, status=status, **page
        ),
        on_saved=saved,
        stale_panel=lambda form, error: {},
    )


@require_GET
def correspondence_download(request, pk):
    """A copy of the file, stamped with who took it and when, once the user has said why;
    logged as a disclosure to them with that reason as its purpose."""
    item = correspondence_get_for(request.user, pk, VIEW)
    record = item.record
    asked = require_justification(
        request,
        obj=record,
        reason=CORRESPONDENCE,
        case=record.case_id,
        person=record.party.person_id,
        label="open the correspondence on this victim's liaison record",
    )
    if asked is not None:
        return asked
    reason = justification_given(
        request, justification_key("liaison.liaisonrecord", record.pk, CORRESPONDENCE)
    )
    try:
        response = stored_file_response(
            storage_name=item.storage_name,
            content_type=item.content_type,
            filename=item.filename,
            stamp=stamp_text(request.user),
        )
    except StampFailed:
        # Never an unmarked copy: say so on the list instead.
        messages.error(request, f"“{item.title}” could not be stamped, so no copy was made.")
        return redirect(reverse("liaison:correspondence", args=[item.record_id]))
    services.correspondence_disclosed(item=item, by=request.user, reason=reason)
    return response
