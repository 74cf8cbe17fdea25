"""Giving investigators cases, and taking them away: a review lead's decision."""

from django.core.exceptions import ValidationError
from django.db import transaction

from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record
from beaconport.roles import Role, has_role
from cases.models import Case
from cases.permissions import ASSIGN, grant_case_access, revoke_case_access, users_assigned_to
from cases.services.errors import require_permission


@transaction.atomic
def case_assign(*, case: Case, investigator, by) -> Case:
    """Assign an investigator to a case, giving them sight of it and the right to work it.

    Only a review lead (or superuser) assigns, and only users in the Investigator role can
    be assigned. Assigning someone already assigned changes nothing.
    """
    require_permission(by, ASSIGN, case, "assign investigators")
    if not (investigator.is_active and has_role(investigator, Role.INVESTIGATOR)):
        raise ValidationError(
            {
                "investigator": (
                    f"{investigator.get_username()} is not an active investigator: only "
                    "investigators can be assigned to a case."
                )
            }
        )
    grant_case_access(investigator, case)
    audit_record(
        operation=Operation.ALTER, actor=by, obj=case, changes={"assigned": (None, investigator.pk)}
    )
    return case


@transaction.atomic
def case_unassign(*, case: Case, investigator, by) -> Case:
    """Take an investigator off a case: they no longer see it or work it."""
    require_permission(by, ASSIGN, case, "unassign investigators")
    if not users_assigned_to(case).filter(pk=investigator.pk).exists():
        raise ValidationError(
            {
                "investigator": (
                    f"{investigator.get_username()} is not assigned to {case.reference}."
                )
            }
        )
    revoke_case_access(investigator, case)
    audit_record(
        operation=Operation.ALTER, actor=by, obj=case, changes={"assigned": (investigator.pk, None)}
    )
    return case
