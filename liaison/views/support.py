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
from liaison.views.common import form_page

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
    page = {
        "title": "Record consent",
        "submit_label": "Record the consent",
        "template": TEMPLATE,
        "anchor": ANCHOR,
    }
    initial = {"given_on": timezone.localdate()}
    if request.GET.get("kind") in ConsentKind.values:
        initial["kind"] = request.GET["kind"]

    def write(cleaned):
        services.consent_record(
            record=record,
            by=request.user,
            kind=cleaned["kind"],
            scope=cleaned["scope"],
            given_on=cleaned["given_on"],
            how=cleaned["how"],
        )

    return form_page(request, record, ConsentForm, write, initial=initial, **page)


@require_http_methods(["GET", "POST"])
def consent_withdraw(request, pk):
    """Record that the victim withdrew a consent, and why; refused when stale."""
    consent = consent_get_for(request.user, pk, CHANGE)
    record = consent.record
    page = {
        "title": "Withdraw consent",
        "submit_label": "Record the withdrawal",
        "template": TEMPLATE,
        "anchor": ANCHOR,
        "labels": LABELS,
        "consent": consent,
        "danger": True,
    }

    def write(cleaned):
        services.consent_withdraw(
            consent=consent,
            by=request.user,
            withdrawn_on=cleaned["withdrawn_on"],
            reason=cleaned["reason"],
            version=cleaned["version"],
        )

    initial = {"version": consent.version, "withdrawn_on": timezone.localdate()}
    return form_page(request, record, ConsentWithdrawForm, write, initial=initial, **page)


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
        "anchor": ANCHOR,
        "needs_consent": not consents,
    }

    def make_form(data=None, initial=None):
        return SupportReferralForm(data, initial=initial, consents=consents)

    initial = {"agreed_on": timezone.localdate()}
    if len(consents) == 1:
        initial["consent"] = consents[0].pk

    def write(cleaned):
        services.support_referral_create(
            record=record,
            by=request.user,
            service=cleaned["service"],
            organisation=cleaned["organisation"],
            consent=cleaned["consent"],
            agreed_on=cleaned["agreed_on"],
        )

    return form_page(request, record, make_form, write, initial=initial, **page)


def _referral_page(referral, title: str) -> dict:
    """What a referral's form page shows around its form (made, outcome)."""
    return {
        "title": title,
        "submit_label": "Save",
        "template": TEMPLATE,
        "anchor": ANCHOR,
        "labels": LABELS,
        "referral": referral,
    }


@require_http_methods(["GET", "POST"])
def referral_made(request, pk):
    """Record that the referral was made; after its deadline, with the reason."""
    referral = support_referral_get_for(request.user, pk, CHANGE)
    record = referral.record
    page = _referral_page(referral, "Record the referral as made")

    def write(cleaned):
        services.support_referral_made(
            referral=referral,
            by=request.user,
            referred_on=cleaned["referred_on"],
            late_reason=cleaned["late_reason"],
            version=cleaned["version"],
        )

    initial = {"version": referral.version, "referred_on": timezone.localdate()}
    return form_page(request, record, ReferralMadeForm, write, initial=initial, **page)


@require_http_methods(["GET", "POST"])
def referral_outcome(request, pk):
    """Record what came of the referral; a correction later is refused when stale."""
    referral = support_referral_get_for(request.user, pk, CHANGE)
    record = referral.record
    page = _referral_page(referral, "Record the referral's outcome")

    def write(cleaned):
        services.support_referral_outcome(
            referral=referral,
            by=request.user,
            outcome=cleaned["outcome"],
            outcome_on=cleaned["outcome_on"],
            notes=cleaned["outcome_notes"],
            version=cleaned["version"],
        )

    initial = {
        "version": referral.version,
        "outcome": referral.outcome or None,
        "outcome_on": referral.outcome_on or timezone.localdate(),
        "outcome_notes": referral.outcome_notes,
    }
    return form_page(request, record, ReferralOutcomeForm, write, initial=initial, **page)
