"""Who may see and do what with cases: the only module that decides, and the only guardian user.

Need-to-know: superusers and review leads see every case (until teams exist); an
investigator sees the cases granted to them (directly or through a group); nobody else sees
any. A case the user may not see answers 404, exactly like one that does not exist.
Grants live in guardian's direct foreign-key tables (`CaseUserObjectPermission`,
`CaseGroupObjectPermission`), so a user's list is one indexed query over their grants, never
a scan of the case table.
"""

from django.contrib.auth.models import Permission
from django.db.models import QuerySet
from guardian.shortcuts import assign_perm, remove_perm

from beaconport.access import get_for, register_restriction
from beaconport.audit.services import audit_consult
from beaconport.roles import Role, has_role
from cases.models import (
    Case,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    parse_reference,
)

VIEW = "view"
CHANGE = "change"
ASSIGN = "assign"  # give investigators a case
TRIAGE = "triage"  # confirm or override eligibility, move through the workflow's gates
ACTIONS = {VIEW, CHANGE, ASSIGN, TRIAGE}

_CODENAMES = {VIEW: "view_case", CHANGE: "change_case"}


def sees_all_cases(user) -> bool:
    """Review leads and superusers see every case of their team (all, until teams exist)."""
    return bool(user.is_active and (user.is_superuser or has_role(user, Role.REVIEW_LEAD)))


def _granted_case_ids(user, codename: str, case_id: int | None = None) -> QuerySet:
    """The ids of cases granted to the user or any of their groups (one UNION subquery).

    With a case id, only that case (filtered inside each half: a UNION cannot be filtered).
    """
    only = {} if case_id is None else {"content_object_id": case_id}
    direct = CaseUserObjectPermission.objects.filter(
        user=user,
        permission__codename=codename,
        permission__content_type__app_label="cases",
        **only,
    ).values("content_object_id")
    through_groups = CaseGroupObjectPermission.objects.filter(
        group__user=user,
        permission__codename=codename,
        permission__content_type__app_label="cases",
        **only,
    ).values("content_object_id")
    return direct.union(through_groups)


def cases_visible_to(user) -> QuerySet[Case]:
    """Every case the user may see; the start of every case list and lookup."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Case.objects.none()
    if sees_all_cases(user):
        return Case.objects.all()
    if not has_role(user, Role.INVESTIGATOR):
        return Case.objects.none()
    return Case.objects.filter(pk__in=_granted_case_ids(user, "view_case"))


def cases_changeable_by(user) -> QuerySet[Case]:
    """Every case the user may see and change (one query, like `cases_visible_to`)."""
    if sees_all_cases(user):
        return Case.objects.all()
    return cases_visible_to(user).filter(pk__in=_granted_case_ids(user, "change_case"))


def user_can(user, action: str, case: Case) -> bool:
    """Whether the user may take the action on a case they can see."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown case action {action!r}")
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    if sees_all_cases(user):
        return True
    if action in (ASSIGN, TRIAGE):
        return False
    return _is_granted(user, case, _CODENAMES[action])


def _is_granted(user, case: Case, codename: str) -> bool:
    cache = getattr(user, "_case_grant_cache", None)
    if cache is None:
        cache = user._case_grant_cache = {}
    key = (case.pk, codename)
    if key not in cache:
        cache[key] = _granted_case_ids(user, codename, case_id=case.pk).exists()
    return cache[key]


def case_get_for(user, reference: str, action: str = VIEW, queryset=None) -> Case:
    """The case behind a reference if the user may take the action on it; 404 otherwise.

    Missing and forbidden give the same answer, so a reference's existence never leaks.
    Every case handed out is logged as consulted by the user (one INSERT, in the audit log).
    """
    return get_for(
        user,
        Case.objects if queryset is None else queryset,
        parse_reference(reference),
        action=action,
        allowed=_may_take,
        missing="No such case",
    )


def _may_take(user, action: str, case: Case) -> bool:
    return action == VIEW or user_can(user, action, case)


def cases_restrict(queryset: QuerySet[Case], user, action: str = VIEW) -> QuerySet[Case]:
    """The queryset cut to the cases the user may see (or change): `Case.objects.restrict`."""
    return queryset & (cases_changeable_by(user) if action == CHANGE else cases_visible_to(user))


register_restriction(Case, cases_restrict)


def cases_shown(user, cases) -> list[Case]:
    """Log that a page of cases was shown to the user: one audit row naming every case.

    Lists and searches start from `cases_visible_to`; once a page is cut, the view hands
    it here, so what each person was shown can be answered later.
    """
    cases = list(cases)
    audit_consult(ids=[case.pk for case in cases], object_type="cases.case", actor=user)
    return cases


def can_see_identities(user, case: Case) -> bool:
    """Whether names of the people on the case may be shown to the user.

    Victims of sexual offences have lifetime anonymity: names go only to those assigned to
    the case. Everyone else, review leads included, sees pseudonymous references.
    """
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    return _is_granted(user, case, "view_case")


def identity_visible_case_ids(user, case_ids) -> set[int]:
    """Of the given case ids, those whose names the user may see (one query for a page)."""
    case_ids = list(case_ids)
    if not case_ids or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    granted = _granted_case_ids(user, "view_case")
    return set(
        Case.objects.filter(pk__in=case_ids).filter(pk__in=granted).values_list("pk", flat=True)
    )


def grant_case_access(user, case: Case) -> None:
    """Give a user (an assigned investigator) view and change rights on one case."""
    for codename in ("view_case", "change_case"):
        assign_perm(f"cases.{codename}", user, case)
    if hasattr(user, "_case_grant_cache"):
        del user._case_grant_cache


def revoke_case_access(user, case: Case) -> None:
    """Take away a user's rights on one case."""
    for codename in ("view_case", "change_case"):
        remove_perm(f"cases.{codename}", user, case)
    if hasattr(user, "_case_grant_cache"):
        del user._case_grant_cache


def assigned_case_ids() -> QuerySet:
    """The ids of cases some user holds a direct view grant on (for 'unassigned' filters)."""
    return CaseUserObjectPermission.objects.filter(
        permission__codename="view_case", permission__content_type__app_label="cases"
    ).values("content_object_id")


def users_assigned_to_cases(case_ids) -> dict[int, list]:
    """{case id: the users holding a direct view grant on it}, for a page of cases at once."""
    grants = (
        CaseUserObjectPermission.objects.filter(
            content_object_id__in=list(case_ids),
            permission__codename="view_case",
            permission__content_type__app_label="cases",
        )
        .select_related("user")
        .order_by("user__username")
    )
    assignees: dict[int, list] = {}
    for grant in grants:
        assignees.setdefault(grant.content_object_id, []).append(grant.user)
    return assignees


def users_assigned_to(case: Case):
    """The users holding a direct view grant on the case (its assigned investigators)."""
    from django.contrib.auth import get_user_model

    view = Permission.objects.filter(content_type__app_label="cases", codename="view_case")
    return (
        get_user_model()
        .objects.filter(
            pk__in=CaseUserObjectPermission.objects.filter(
                content_object=case, permission__in=view
            ).values("user_id")
        )
        .order_by("username")
    )
