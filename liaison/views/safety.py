"""A victim's needs and safety (issue 13): the needs assessment, the safety plan and its
review. Each page fetches the record through liaison.permissions (the record's officer, its
team's liaison leads and national leads; 404 to everyone else, as for a missing record,
and the fetch logs the consult), then hands the form to one service."""

from django.utils import timezone
from django.views.decorators.http import require_http_methods

from cases.services.errors import StaleEdit
from liaison import services
from liaison.models import SpecialMeasure
from liaison.permissions import CHANGE, record_get_for
from liaison.safety_forms import NeedsAssessmentForm, SafetyPlanForm, SafetyReviewForm
from liaison.safety_selectors import safety_of
from liaison.views.common import form_page

TEMPLATE = "liaison/safety/form.html"
ANCHOR = "safety"

NEEDS_LABELS = {name: str(field.label) for name, field in NeedsAssessmentForm.base_fields.items()}
PLAN_LABELS = {name: str(field.label) for name, field in SafetyPlanForm.base_fields.items()}
REVIEW_LABELS = {
    "reviewed_on": "Reviewed on",
    "reviewed_by": "Reviewed by",
    "review_needed_since": "Needs review since",
    "review_needed_reason": "Why it needs review",
    **PLAN_LABELS,
}


def _measures_shown(change: dict) -> dict:
    """Special measures as a person reads them in the stale-edit panel."""
    return {
        side: [SpecialMeasure(v).label for v in values] if isinstance(values, list) else values
        for side, values in change.items()
    }


@require_http_methods(["GET", "POST"])
def needs_edit(request, pk):
    """Record or update the victim's needs assessment; a stale edit is refused."""
    record = record_get_for(request.user, pk, CHANGE)
    assessment, _ = safety_of(record)
    page = {
        "title": "Needs assessment",
        "submit_label": "Save the assessment",
        "template": TEMPLATE,
        "anchor": ANCHOR,
        "labels": NEEDS_LABELS,
        "intro": (
            "What the victim needs to take part and be kept informed. Ask them; write what "
            "they tell you."
        ),
    }

    def write(cleaned):
        try:
            services.needs_assessment_save(
                record=record,
                by=request.user,
                communication_needs=cleaned["communication_needs"],
                interpreter_language=cleaned["interpreter_language"],
                accessibility_needs=cleaned["accessibility_needs"],
                special_measures=cleaned["special_measures"],
                contact_person=cleaned["contact_person"],
                contact_person_details=cleaned["contact_person_details"],
                assessed_on=cleaned["assessed_on"],
                version=cleaned["version"],
            )
        except StaleEdit as error:
            if "special_measures" in error.changes:
                error.changes["special_measures"] = _measures_shown(
                    error.changes["special_measures"]
                )
            raise

    initial = NeedsAssessmentForm.initial_for(assessment)
    return form_page(request, record, NeedsAssessmentForm, write, initial=initial, **page)


@require_http_methods(["GET", "POST"])
def safety_plan_edit(request, pk):
    """Record or update the victim's level of risk and safety plan; a stale edit is refused."""
    record = record_get_for(request.user, pk, CHANGE)
    _, safety = safety_of(record)
    page = {
        "title": "Safety plan",
        "submit_label": "Save the plan",
        "template": TEMPLATE,
        "anchor": ANCHOR,
        "labels": PLAN_LABELS,
        "safety": safety,
        "intro": "Saving the plan does not record a review: record the review on its own page.",
    }

    def write(cleaned):
        services.safety_plan_save(
            record=record,
            by=request.user,
            risk_level=cleaned["risk_level"],
            plan=cleaned["plan"],
            version=cleaned["version"],
        )

    initial = SafetyPlanForm.initial_for(safety)
    return form_page(request, record, SafetyPlanForm, write, initial=initial, **page)


@require_http_methods(["GET", "POST"])
def safety_plan_review(request, pk):
    """Record that the safety plan was reviewed: answers a call for review and clears it."""
    record = record_get_for(request.user, pk, CHANGE)
    _, safety = safety_of(record)
    page = {
        "title": "Record a review of the safety plan",
        "submit_label": "Record the review",
        "template": TEMPLATE,
        "anchor": ANCHOR,
        "labels": REVIEW_LABELS,
        "safety": safety,
        "show_plan": True,
    }
    initial = {"reviewed_on": timezone.localdate()}
    if safety is not None:
        initial["version"] = safety.version

    def write(cleaned):
        services.safety_plan_reviewed(
            record=record,
            by=request.user,
            reviewed_on=cleaned["reviewed_on"],
            version=cleaned["version"],
        )

    return form_page(request, record, SafetyReviewForm, write, initial=initial, **page)
