"""Intake in the browser (issue 12): a lead sends a force's referral file, watches it being
checked and imported, reads every problem found, and looks back over what came in.

Only review leads and national leads have these pages; anyone else gets 404. A batch the
lead does not see (`cases.permissions.referral_batches_visible_to`) answers 404 too.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.csrf import csrf_exempt, csrf_protect

from beaconport.access import access_required
from beaconport.audit.services import audit_consult
from beaconport.documents.uploads import cap_document_uploads, upload_too_large
from cases.forms_intake import IntakeFilterForm, ReferralFileForm
from cases.permissions import forces_led_by, referral_batch_get_for, takes_in_referrals
from cases.referrals.history import referral_batch_page_queryset, referral_batches_for
from cases.services.referral_batches import referral_batch_receive, too_large_text
from cases.vocabulary import BATCH_FINISHED, BatchChannel

HISTORY_PAGE_SIZE = 25
PROBLEMS_PAGE_SIZE = 50


def _seen(request, pk):
    """404 unless the user sees the batch (so a 405 never confirms that one exists)."""
    referral_batch_get_for(request.user, pk, audit=False)


@access_required(test=takes_in_referrals, methods=["GET"])
def history(request):
    """The referral files the lead sees, newest first, narrowed to one force if asked."""
    form = IntakeFilterForm(
        request.GET or None, forces=forces_led_by(request.user).order_by("name")
    )
    force = None
    if form.is_bound:
        if not form.is_valid():
            return render(request, "cases/intake/history.html", {"form": form}, status=400)
        force = form.chosen_force()
    page = Paginator(referral_batches_for(request.user, force=force), HISTORY_PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    if page.object_list:
        audit_consult(ids=page.object_list, actor=request.user)
    return render(
        request, "cases/intake/history.html", {"form": form, "page_obj": page, "force": force}
    )


@csrf_exempt  # checked by _upload, once the size cap is in front of the upload
def upload(request):
    """Send a force's referral file: kept, then checked and imported in the background.

    The size cap (REFERRAL_FILE_MAX_BYTES) stops a file as it arrives, before the whole of
    it is written to a temporary file; the page then says why."""
    cap_document_uploads(request, limit=settings.REFERRAL_FILE_MAX_BYTES)
    return _upload(request)


@csrf_protect
@access_required(test=takes_in_referrals, methods=["GET", "POST"])
def _upload(request):
    if request.method == "POST":
        form = ReferralFileForm(request.POST, request.FILES)
        if upload_too_large(request):
            form.add_error("file", too_large_text())
        elif form.is_valid():
            try:
                batch = referral_batch_receive(
                    by=request.user, file=form.cleaned_data["file"], channel=BatchChannel.BROWSER
                )
            except ValidationError as error:
                for field, messages in error.message_dict.items():
                    form.add_error(field if field in form.fields else None, messages)
            else:
                return redirect("intake:batch", pk=batch.pk)
        return render(request, "cases/intake/upload.html", {"form": form}, status=400)
    return render(request, "cases/intake/upload.html", {"form": ReferralFileForm()})


@access_required(test=takes_in_referrals, methods=["GET"], seen=_seen)
def batch(request, pk):
    """One referral file: who sent it and when, its checksum, its progress while it runs,
    then its counts, or every problem found (a page at a time)."""
    batch = referral_batch_get_for(request.user, pk, referral_batch_page_queryset())
    problems = Paginator(batch.problems, PROBLEMS_PAGE_SIZE).get_page(request.GET.get("page"))
    return render(
        request,
        "cases/intake/batch.html",
        {
            "batch": batch,
            "finished": batch.status in BATCH_FINISHED,
            "percent": _percent(batch),
            "page_obj": problems,
            "unlisted": batch.problem_count - len(batch.problems),
        },
    )


@access_required(test=takes_in_referrals, methods=["GET"], seen=_seen)
def status(request, pk):
    """Where a batch stands, for the page's progress bar (JSON; no personal data, so the
    polling is not logged as a consultation: the page itself was)."""
    batch = referral_batch_get_for(request.user, pk, audit=False)
    return JsonResponse(
        {
            "id": batch.pk,
            "status": batch.status,
            "status_label": batch.get_status_display(),
            "finished": batch.status in BATCH_FINISHED,
            "stage_bytes": batch.stage_bytes,
            "size": batch.size,
            "percent": _percent(batch),
            "page": reverse("intake:batch", args=[batch.pk]),
        }
    )


def _percent(batch) -> int:
    """How far the current stage has read, in whole percent."""
    if batch.status in BATCH_FINISHED:
        return 100
    return min(100, batch.stage_bytes * 100 // batch.size) if batch.size else 0
