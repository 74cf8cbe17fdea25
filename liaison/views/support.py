"""Consent and support referrals on a victim's record: record and withdraw consent, refer
the victim, record the referral made and its outcome. Those who may change the record (its
officer, the team's liaison leads, national leads) get in; everyone else 404."""

from django.utils import timezone
from django.views.decorators.http import require_http_methods

from liaison import services
from liaison.models import ConsentKind
from liaison.permissions import CHANGE, consent_get_for, record_get_for, support_referral_get_for
from liaison.support_forms import (
    ConsentForm,
    ConsentWithdrawForm,
    ReferralMadeForm,
    ReferralOutcomeForm,
    SupportReferralForm,
)
from liaison.views.common import render_form, save_or_show

TEMPLATE = "liaison/support/form.html"
ANCHOR = "support"
LABELS = {
    "withdrawn_on": "Withdrawn on",
    "scope": "What it covers",
    "referred_on": "Referred on",
    "outcome": "Outcome",
    "outcome_on": "Outcome on",
    "outcome_notes": "Notes",
}


@require_http_methods(["GET", "POST"])
def consent_create(request, pk):
    """Record the victim's consent, to sharing their information or to being contacted."""
    record = record_get_for(request.user, pk, CHANGE)
    page = {"title": "Record consent", "submit_label": "Record the consent", "template": TEMPLATE}
    if request.method == "GET":
        initial = {"given_on": timezone.localdate()}
        if request.GET.get("kind") in ConsentKind.values:
            initial["kind"] = request.GET["kind"]
        return render_form(request, record, ConsentForm(initial=initial), **page)

    def write(cleaned):
        services.consent_record(
            record=record,
            by=request.user,
            kind=cleaned["kind"],
            scope=cleaned["scope"],
            given_on=cleaned["given_on"],
            how=cleaned["how"],
        )

    return save_or_show(request, record, ConsentForm, write, anchor=ANCHOR, **page)


@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk):
    """Record that the victim withdrew a consent, and why; refused when stale."""
    consent = consent_get_for(request.user, pk, CHANGE)
    record = consent.record
    page = {
        "title": "Withdraw consent",
        "submit_label": "Record the withdrawal",
        "template": TEMPLATE,
        "consent": consent,
        "danger": True,
    }
    if request.method == "GET":
        form = ConsentWithdrawForm(
            initial={"version": consent.version, "withdrawn_on": timezone.localdate()}
        )
        return render_form(request, record, form, **page)

    def write(cleaned):
        services.consent_withdraw(
            consent=consent,
            by=request.user,
            withdrawn_on=cleaned["withdrawn_on"],
            reason=cleaned["reason"],
            version=cleaned["version"],
        )

    return save_or_show(
        request, record, ConsentWithdrawForm, write, anchor=ANCHOR, labels=LABELS, **page
    )


@require_http_methods(["GET", "POST"])
def referral_create(request, pk):
    """Refer the victim to an ISVA, a ChISVA or other support, relying on one of their
    active consents to share information (recorded first)."""
    record = record_get_for(request.user, pk, CHANGE)
    consents = list(record.consents.filter(kind=ConsentKind.INFORMATION_SHARING, withdrawn_on=None))
    page = {
        "title": "Refer to support",
        "submit_label": "Refer",
        "template": TEMPLATE,
        "needs_consent": not consents,
    }

    def make_form(data=None, initial=None):
        return SupportReferralForm(data, initial=initial, consents=consents)

    if request.method == "GET":
        initial = {"agreed_on": timezone.localdate()}
        if len(consents) == 1:
            initial["consent"] = consents[0].pk
        return render_form(request, record, make_form(initial=initial), **page)

    def write(cleaned):
        services.support_referral_create(
            record=record,
            by=request.user,
            service=cleaned["service"],
            organisation=cleaned["organisation"],
            consent=cleaned["consent"],
            agreed_on=cleaned["agreed_on"],
        )

    return save_or_show(request, record, make_form, write, anchor=ANCHOR, **page)


@require_http_methods(["GET", "POST"])
def referral_made(request, pk):
    """Record that the referral was made; after its deadline, with the reason."""
    referral = support_referral_get_for(request.user, pk, CHANGE)
    record = referral.record
    page = {
        "title": "Record the referral as made",
        "submit_label": "Save",
        "template": TEMPLATE,
        "referral": referral,
    }
    if request.method == "GET":
        form = ReferralMadeForm(
            initial={"version": referral.version, "referred_on": timezone.localdate()}
        )
        return render_form(request, record, form, **page)

    def write(cleaned):
        services.support_referral_made(
            referral=referral,
            by=request.user,
            referred_on=cleaned["referred_on"],
            late_reason=cleaned["late_reason"],
            version=cleaned["version"],
        )

    return save_or_show(
        request, record, ReferralMadeForm, write, anchor=ANCHOR, labels=LABELS, **page
    )


@require_http_methods(["GET", "POST"])
def referral_outcome(request, pk):
    """Record what came of the referral; a correction later is refused when stale."""
    referral = support_referral_get_for(request.user, pk, CHANGE)
    record = referral.record
    page = {
        "title": "Record the referral's outcome",
        "submit_label": "Save",
        "template": TEMPLATE,
        "referral": referral,
    }
    if request.method == "GET":
        form = ReferralOutcomeForm(
            initial={
                "version": referral.version,
                "outcome": referral.outcome or None,
                "outcome_on": referral.outcome_on or timezone.localdate(),
                "outcome_notes": referral.outcome_notes,
            }
        )
        return render_form(request, record, form, **page)

    def write(cleaned):
        services.support_referral_outcome(
            referral=referral,
            by=request.user,
            outcome=cleaned["outcome"],
            outcome_on=cleaned["outcome_on"],
            notes=cleaned["outcome_notes"],
            version=cleaned["version"],
        )

    return save_or_show(
        request, record, ReferralOutcomeForm, write, anchor=ANCHOR, labels=LABELS, **page
    )
