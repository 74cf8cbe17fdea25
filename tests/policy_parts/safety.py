"""Access policy for a victim's needs and safety (issue 13): the record's officer, its
team's liaison leads and national leads open the needs assessment, the safety plan and the
review form; an empty POST is refused (400: the day or the level of risk is missing).
Everyone else, investigators and review leads included, gets 404, as for a record that is
not there: a safety plan says where a victim may be found."""

from liaison.models import SafetyPlan
from tests.access_policy import record_form

ROUTES = ("needs_edit", "safety_plan_edit", "safety_plan_review")

POLICY = {f"liaison:{name}": record_form() for name in ROUTES}

PK_OF = {f"liaison:{name}": "record" for name in ROUTES}

ROUTE_AUDIT = {
    "liaison:needs_edit": "consult of the record shown; the assessment's write by its service",
    "liaison:safety_plan_edit": "consult of the record shown; the plan's write by its service",
    "liaison:safety_plan_review": "consult of the record shown; the review's write by its service",
}


def world(world, *, investigator, liaison_officer):
    """A safety plan on the officer's record (synthetic)."""
    world["safety_plan"] = SafetyPlan.objects.create(
        record=world["record"], risk_level="medium", plan="Synthetic plan."
    )
