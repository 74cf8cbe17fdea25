"""Who may see and do what with cases: the only module that decides, and the only guardian user.

Need-to-know: a review lead sees the cases of their teams' forces, a national lead every
case; an investigator sees the cases granted to them (directly or through a group) until the
grant ends; nobody else sees any. Being a superuser is not a way in: administrators work in
Django admin. A case the user may not see answers 404, exactly like one that does not exist.
Grants live in guardian's direct foreign-key tables (`CaseUserObjectPermission`,
`CaseGroupObjectPermission`), so a user's list is one indexed query over their grants, never
a scan of the case table. Both halves of a scope are read once per request and cached on the
user (`granted_case_ids`, `led_force_ids`): every later list, check or count of the request
filters on those ids instead of rebuilding the grant UNION.
"""

from django.contrib.auth.models import Permission
from django.core.exceptions import EmptyResultSet
from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import Lookup, Q, QuerySet
from django.db.models.signals import post_migrate
from django.utils import timezone
from guardian.shortcuts import assign_perm, remove_perm

from beaconport.access import get_for, register_restriction
from beaconport.audit.services import audit_consult
from beaconport.roles import Role, has_role
from cases.models import (
    Case,
    CaseAccessRequest,
    CaseAssignment,
    CaseGroupObjectPermission,
    CaseUserObjectPermission,
    Document,
    Force,
    Network,
    Nominal,
    NominalMember,
    PersonLink,
    ReferralBatch,
    Team,
    parse_reference,
)
from cases.vocabulary import BatchStatus

VIEW = "view"
CHANGE = "change"
ASSIGN = "assign"  # give investigators a case
TRIAGE = "triage"  # confirm or override eligibility, move through the workflow's gates
ACTIONS = {VIEW, CHANGE, ASSIGN, TRIAGE}

_CODENAMES = {VIEW: "view_case", CHANGE: "change_case"}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_cases(user) -> bool:
    """National leads see every case nationally (as a lead: pseudonyms, no grant needed)."""
    return _active(user) and has_role(user, Role.NATIONAL_LEAD)


def leads_cases(user) -> bool:
    """Whether the user leads reviews: a review lead (for their teams) or a national lead."""
    return _active(user) and has_role(user, Role.REVIEW_LEAD, Role.NATIONAL_LEAD)


def team_force_ids(user) -> QuerySet:
    """The ids of the forces of every team the user belongs to (a subquery, not a list)."""
    return Force.objects.filter(teams__members=user).values("pk")


def led_force_ids(user) -> frozenset[int]:
    """The forces a review lead leads, read once per request (cached on the user)."""
    cached = getattr(user, "_team_force_ids", None)
    if cached is None:
        cached = user._team_force_ids = frozenset(
            Force.objects.filter(teams__members=user).values_list("pk", flat=True)
        )
    return cached


def forces_led_by(user) -> QuerySet[Force]:
    """The forces whose cases the user sees as a lead: every force nationally, or their
    teams' forces (none for anyone else)."""
    if sees_all_cases(user):
        return Force.objects.all()
    if _active(user) and has_role(user, Role.REVIEW_LEAD):
        return Force.objects.filter(pk__in=led_force_ids(user))
    return Force.objects.none()


def leads_case(user, case: Case) -> bool:
    """Whether the user is a lead whose scope holds the case (national, or its force's team)."""
    if sees_all_cases(user):
        return True
    return (
        _active(user) and has_role(user, Role.REVIEW_LEAD) and case.force_id in led_force_ids(user)
    )


def may_keep_decision_log(user, case: Case) -> bool:
    """Whether the user writes the case's decision log (issue 13): the senior investigating
    officer's decisions are recorded by a lead whose scope holds the case (its team's review
    leads, national leads); the assigned investigators only read it."""
    return leads_case(user, case)


def _unexpired(now=None) -> Q:
    """A grant with no end, or whose end is still to come."""
    return Q(expires_at__isnull=True) | Q(expires_at__gt=now or timezone.now())


# {codename: auth_permission id} of the case permissions, read once per process: grant
# lookups filter on the id, never joining auth_permission and django_content_type again.
_permission_ids: dict[str, int] = {}


def case_permission_id(codename: str) -> int:
    """The id of one of the case model's permissions (cached for the process)."""
    if codename not in _permission_ids:
        _read_permission_ids()
    return _permission_ids[codename]


def _read_permission_ids(using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    # Read again after every migrate or flush (which may recreate the permission rows), so
    # the ids are current and the first request of a process does not pay for them.
    _permission_ids.clear()
    _permission_ids.update(
        Permission.objects.using(using)
        .filter(content_type__app_label="cases", content_type__model="case")
        .values_list("codename", "pk")
    )


post_migrate.connect(_read_permission_ids, dispatch_uid="cases.permissions.ids")


def granted_case_ids(user, codename: str = "view_case") -> frozenset[int]:
    """The ids of the cases granted to the user or their groups, read once per request.

    One query (a UNION over the two grant tables, for view and change at once), cached on
    the user like `led_force_ids`; every later check of the request is a set lookup. A
    grant past its end is left out, so it stops working on the next request.
    """
    cached = getattr(user, "_case_grant_ids", None)
    if cached is None:
        wanted = {case_permission_id(name): name for name in _CODENAMES.values()}
        live = _unexpired()
        direct = CaseUserObjectPermission.objects.filter(
            live, user=user, permission_id__in=wanted
        ).values_list("permission_id", "content_object_id")
        through_groups = CaseGroupObjectPermission.objects.filter(
            live, group__user=user, permission_id__in=wanted
        ).values_list("permission_id", "content_object_id")
        found: dict[str, set[int]] = {name: set() for name in wanted.values()}
        for permission_id, case_ids in _ids_by_permission(direct.union(through_groups)):
            found[wanted[permission_id]].update(case_ids)
        cached = user._case_grant_ids = {name: frozenset(ids) for name, ids in found.items()}
    return cached[codename]


def _ids_by_permission(grants: QuerySet) -> list[tuple[int, list[int]]]:
    """(permission id, case ids) for (permission id, case id) rows: on PostgreSQL, one array
    per permission, built by the server (an investigator of 2,000 cases has 4,000 rows, and
    a row each cost Django and psycopg 3-4 ms a request; two arrays cost a tenth of that)."""
    if connections[grants.db].vendor != "postgresql":
        found: dict[int, list[int]] = {}
        for permission_id, case_id in grants:
            found.setdefault(permission_id, []).append(case_id)
        return list(found.items())
    try:
        sql, params = grants.query.sql_with_params()
    except EmptyResultSet:
        return []
    with connections[grants.db].cursor() as cursor:
        # The SQL around Django's own query is fixed text; its values stay bound parameters.
        cursor.execute(
            f"SELECT g.permission_id, array_agg(g.content_object_id) FROM ({sql}) AS g"  # noqa: S608
            " GROUP BY g.permission_id",
            params,
        )
        return cursor.fetchall()


def _forget_grants(user) -> None:
    if hasattr(user, "_case_grant_ids"):
        del user._case_grant_ids


class _AnyOf(Lookup):
    """`pk__any_of=ids`: on PostgreSQL `id = ANY(%s::integer[])` with the ids as one array
    parameter, written as its text (`{1,2,3}`).

    A scope of a few thousand granted cases as `IN (%s, %s, ...)` costs Django and psycopg
    a placeholder each to build and bind (a few ms a query at 2,000); the array is one.
    Handed a Python list, psycopg quotes it element by element (a regular expression each:
    about 2 ms at 2,000 ids, measured on an investigator's list); the ids are integers, so
    their text needs no quoting and is one string to send. Other databases get the IN list.
    """

    lookup_name = "any_of"
    prepare_rhs = False

    def get_prep_lookup(self):
        return sorted(self.rhs)

    def as_sql(self, compiler, connection):
        lhs, params = self.process_lhs(compiler, connection)
        if not self.rhs:
            raise EmptyResultSet
        if connection.vendor == "postgresql":
            array_type = self.lhs.output_field.cast_db_type(connection)
            ids = ",".join(str(int(pk)) for pk in self.rhs)
            return f"{lhs} = ANY(%s::{array_type}[])", [*params, f"{{{ids}}}"]
        return f"{lhs} IN ({', '.join(['%s'] * len(self.rhs))})", [*params, *self.rhs]


Case._meta.pk.register_lookup(_AnyOf)


def cases_visible_to(user) -> QuerySet[Case]:
    """Every case the user may see; the start of every case list and lookup."""
    if not _active(user):
        return Case.objects.none()
    if sees_all_cases(user):
        return Case.objects.all()
    scope = Q()
    if has_role(user, Role.REVIEW_LEAD):
        scope |= Q(force_id__in=led_force_ids(user))
    if has_role(user, Role.INVESTIGATOR):
        scope |= Q(pk__any_of=granted_case_ids(user, "view_case"))
    if not scope:
        return Case.objects.none()
    return Case.objects.filter(scope)


def cases_led_by(user) -> QuerySet[Case]:
    """The cases a lead sees as a lead: their teams' forces, or every case nationally; none
    for anyone else (an investigator's grants are not a lead's scope)."""
    if sees_all_cases(user):
        return Case.objects.all()
    if not leads_cases(user):
        return Case.objects.none()
    return Case.objects.filter(force_id__in=led_force_ids(user))


def case_scope_of_party(user) -> Q:
    """`cases_visible_to`'s scope said of a party's (or any row's) own `case_id`, for a
    national lead too (no condition: every case), to filter rows by the case they are on
    without a subquery on Case: a review lead's forces, an investigator's granted case ids
    (both read once per request, cached on the user).

    Through a Case subquery PostgreSQL walked a case index over the whole table to find an
    investigator's 2,000 granted cases (70 ms against 20 ms at 100,000 cases).
    """
    if not _active(user):
        return Q(pk__in=[])
    if sees_all_cases(user):
        return Q()
    scope = Q(pk__in=[])
    if has_role(user, Role.REVIEW_LEAD):
        scope |= Q(case__force_id__in=led_force_ids(user))
    if has_role(user, Role.INVESTIGATOR):
        scope |= Q(case_id__in=granted_case_ids(user, "view_case"))
    return scope


def cases_changeable_by(user) -> QuerySet[Case]:
    """Every case the user may see and change (one query, like `cases_visible_to`)."""
    if sees_all_cases(user):
        return Case.objects.all()
    if not _active(user):
        return Case.objects.none()
    scope = Q()
    if has_role(user, Role.REVIEW_LEAD):
        scope |= Q(force_id__in=led_force_ids(user))
    if has_role(user, Role.INVESTIGATOR):
        scope |= Q(pk__any_of=granted_case_ids(user, "change_case"))
    if not scope:
        return Case.objects.none()
    return Case.objects.filter(scope)


def user_can(user, action: str, case: Case) -> bool:
    """Whether the user may take the action on a case they can see."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown case action {action!r}")
    if not _active(user):
        return False
    if leads_case(user, case):
        return True
    if action in (ASSIGN, TRIAGE):
        return False
    return case.pk in granted_case_ids(user, _CODENAMES[action])


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
    return case.pk in granted_case_ids(user, "view_case")


def identity_visible_case_ids(user, case_ids) -> set[int]:
    """Of the given case ids, those whose names the user may see (the request's grants)."""
    case_ids = list(case_ids)
    if not case_ids or not getattr(user, "is_authenticated", False) or not user.is_active:
        return set()
    return set(case_ids) & granted_case_ids(user, "view_case")


def grant_case_access(user, case: Case, *, expires_at=None) -> None:
    """Give a user (an assigned investigator) view and change rights on one case.

    With `expires_at`, the rights stop at that moment (the rows stay, filtered out); a
    grant given again replaces the end of the one held.
    """
    for codename in ("view_case", "change_case"):
        assign_perm(f"cases.{codename}", user, case)
    CaseUserObjectPermission.objects.filter(
        user=user,
        content_object=case,
        permission_id__in=[case_permission_id(name) for name in _CODENAMES.values()],
    ).update(expires_at=expires_at)
    _forget_grants(user)


def revoke_case_access(user, case: Case) -> None:
    """Take away a user's rights on one case."""
    for codename in ("view_case", "change_case"):
        remove_perm(f"cases.{codename}", user, case)
    _forget_grants(user)


def assigned_case_ids() -> QuerySet:
    """The ids of cases some user holds a direct view grant on (for 'unassigned' filters)."""
    return CaseUserObjectPermission.objects.filter(
        _unexpired(), permission_id=case_permission_id("view_case")
    ).values("content_object_id")


def users_assigned_to_cases(case_ids) -> dict[int, list]:
    """{case id: the users holding a direct view grant on it}, for a page of cases at once."""
    grants = (
        CaseUserObjectPermission.objects.filter(
            _unexpired(),
            content_object_id__in=list(case_ids),
            permission_id=case_permission_id("view_case"),
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

    return (
        get_user_model()
        .objects.filter(
            pk__in=CaseUserObjectPermission.objects.filter(
                _unexpired(), content_object=case, permission_id=case_permission_id("view_case")
            ).values("user_id")
        )
        .order_by("username")
    )


# Cases still being worked: what counts in an investigator's caseload.
FINISHED_STATUSES = ("nfa_upheld", "ineligible", "closed")


def with_caseload(users: QuerySet) -> QuerySet:
    """The users, each with `caseload`: the open cases they hold a live grant on.

    One correlated subquery per row over the grant index, so a candidate list costs one
    query however many cases or grants there are.
    """
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    held = (
        CaseUserObjectPermission.objects.filter(
            _unexpired(),
            user=OuterRef("pk"),
            permission_id=case_permission_id("view_case"),
        )
        .exclude(content_object__status__in=FINISHED_STATUSES)
        .order_by()
        .values("user")
        .annotate(n=Count("content_object"))
        .values("n")
    )
    return users.annotate(caseload=Coalesce(Subquery(held), 0, output_field=IntegerField()))


def assignable_investigators(case: Case) -> QuerySet:
    """Who may be given the case: active investigators in a team covering its force.

    Never everyone nationally: a lead is offered the investigators of the case's region,
    each with their caseload (`with_caseload`).
    """
    from django.contrib.auth import get_user_model

    members = Team.members.through.objects.filter(team__forces=case.force_id).values("user_id")
    return with_caseload(
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.INVESTIGATOR.value, pk__in=members)
        .order_by("username")
    )


def investigators_named(users: QuerySet, text: str) -> QuerySet:
    """The users whose username, first or last name contains the text (all, without text)."""
    text = (text or "").strip()
    if not text:
        return users
    return users.filter(
        Q(username__icontains=text) | Q(first_name__icontains=text) | Q(last_name__icontains=text)
    )


def leads_to_tell(force_id: int) -> QuerySet:
    """Who hears of something urgent on a case of this force: the active review leads of the
    teams covering it, or, when no team's review lead covers it, the national leads."""
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(is_active=True)
    members = Team.members.through.objects.filter(team__forces=force_id).values("user_id")
    leads = users.filter(groups__name=Role.REVIEW_LEAD.value, pk__in=members)
    if leads.exists():
        return leads
    return users.filter(groups__name=Role.NATIONAL_LEAD.value)


def assignment_history(case: Case) -> QuerySet:
    """Every spell of an investigator on the case, newest first, with who gave and ended it."""
    return CaseAssignment.objects.filter(case=case).select_related(
        "investigator", "assigned_by", "ended_by"
    )


# Person index (issue 10). Links, clusters and networks are a lead's tools: a national lead
# (and an administrator, through the API) sees every one, a review lead those touching their
# teams' forces. Investigators see only what `linked_elsewhere` tells them on their own case;
# liaison officers and analysts see no link. Add new linkage checks below, in this section.


def sees_linkage(user) -> bool:
    """Whether the user works with links and networks at all (leads and administrators)."""
    return _active(user) and has_role(
        user, Role.REVIEW_LEAD, Role.NATIONAL_LEAD, Role.ADMINISTRATOR
    )


def sees_all_linkage(user) -> bool:
    """National leads and administrators see every link, cluster and network."""
    return _active(user) and has_role(user, Role.NATIONAL_LEAD, Role.ADMINISTRATOR)


def links_visible_to(user) -> QuerySet[PersonLink]:
    """Every link the user may see: all (national), or those with a record in the lead's
    teams' forces (review lead), or none."""
    if not sees_linkage(user):
        return PersonLink.objects.none()
    if sees_all_linkage(user):
        return PersonLink.objects.all()
    # Written as one join with an OR on purpose (measured at 100,000 cases, 10,818 links in
    # review, a lead whose forces hold 37% of the cases): the queue's page walks the index on
    # (status, match_probability) and checks each link's two records until it has 25, 1-2 ms.
    # A union of the two sides starting from the lead's cases probes every record of those
    # cases (256,000): 0.6-2 s. EXISTS per side is turned by PostgreSQL 15 into a hash of
    # those records: 0.7 s. Both need planner statistics on the link table (ANALYZE after a
    # full `link_people`); without them the planner sorts every link in review (0.3 s).
    forces = led_force_ids(user)
    return PersonLink.objects.filter(
        Q(left__case__force_id__in=forces) | Q(right__case__force_id__in=forces)
    )


def links_restrict(queryset: QuerySet[PersonLink], user, action: str = VIEW) -> QuerySet:
    return queryset.filter(pk__in=links_visible_to(user).values("pk"))


register_restriction(PersonLink, links_restrict)


def may_decide_link(user, link: PersonLink) -> bool:
    """Confirm, reject or undo a link: a lead who sees it (administrators only look)."""
    return _active(user) and has_role(user, Role.REVIEW_LEAD, Role.NATIONAL_LEAD)


def link_get_for(user, pk, action: str = VIEW, queryset=None) -> PersonLink:
    """The link if the user may take the action on it (VIEW or CHANGE); 404 otherwise."""
    return get_for(
        user,
        PersonLink.objects if queryset is None else queryset,
        pk,
        action=action,
        allowed=lambda u, a, link: a == VIEW or may_decide_link(u, link),
        missing="No such link",
    )


def networks_visible_to(user) -> QuerySet[Network]:
    """Every network the user may open: all (national), those with a case in the lead's
    teams' forces (review lead), or none."""
    if not sees_linkage(user):
        return Network.objects.none()
    if sees_all_linkage(user):
        return Network.objects.all()
    return Network.objects.filter(memberships__case__force_id__in=led_force_ids(user)).distinct()


def networks_restrict(queryset: QuerySet[Network], user, action: str = VIEW) -> QuerySet:
    return queryset.filter(pk__in=networks_visible_to(user).values("pk"))


register_restriction(Network, networks_restrict)


def nominals_visible_to(user) -> QuerySet[Nominal]:
    """Every cluster (nominal) the user may see: all (national lead, administrator), those
    with a record in the lead's teams' forces (review lead), or none."""
    if not sees_linkage(user):
        return Nominal.objects.none()
    if sees_all_linkage(user):
        return Nominal.objects.all()
    in_forces = NominalMember.objects.filter(party__case__force_id__in=led_force_ids(user))
    return Nominal.objects.filter(pk__in=in_forces.values("nominal_id"))


def nominals_restrict(queryset: QuerySet[Nominal], user, action: str = VIEW) -> QuerySet:
    return queryset.filter(pk__in=nominals_visible_to(user).values("pk"))


register_restriction(Nominal, nominals_restrict)


def nominal_get_for(user, pk, queryset=None) -> Nominal:
    """The cluster if the user may see it; 404 otherwise (logged as consulted)."""
    return get_for(
        user,
        Nominal.objects if queryset is None else queryset,
        pk,
        missing="No such cluster",
    )


# Need-to-know across cases (issue 10): what the case page may say of a person's other cases.


def linked_case_ids_visible(user, cases) -> set[int]:
    """Of (case id, force id) pairs where a person on the user's case also appears, the ids
    of the cases the user may open themselves: every one (national lead), their teams'
    forces (review lead), their live grants (investigator). The rest are only counted.

    Reads nothing new: the grants and led forces are the request's, cached on the user.
    """
    cases = list(cases)
    if not _active(user) or not cases:
        return set()
    if sees_all_cases(user):
        return {case_id for case_id, _ in cases}
    seen = set()
    if has_role(user, Role.REVIEW_LEAD):
        forces = led_force_ids(user)
        seen |= {case_id for case_id, force_id in cases if force_id in forces}
    if has_role(user, Role.INVESTIGATOR):
        seen |= {case_id for case_id, _ in cases} & granted_case_ids(user, "view_case")
    return seen


def may_ask_for_access(user) -> bool:
    """Investigators ask a review lead for a case they see linked but are not assigned to."""
    return _active(user) and has_role(user, Role.INVESTIGATOR)


def access_requests_visible_to(user) -> QuerySet[CaseAccessRequest]:
    """The access requests a lead decides: every one (national lead), those for cases of
    their teams' forces (review lead), none for anyone else."""
    if sees_all_cases(user):
        return CaseAccessRequest.objects.all()
    if _active(user) and has_role(user, Role.REVIEW_LEAD):
        return CaseAccessRequest.objects.filter(case__force_id__in=led_force_ids(user))
    return CaseAccessRequest.objects.none()


def access_requests_restrict(queryset, user, action: str = VIEW) -> QuerySet:
    """The requests a lead decides, and an investigator's own (which they may withdraw)."""
    mine = Q(requested_by=user) if may_ask_for_access(user) else Q(pk__in=[])
    return queryset.filter(Q(pk__in=access_requests_visible_to(user).values("pk")) | mine)


register_restriction(CaseAccessRequest, access_requests_restrict)


def access_request_get_for(user, pk, action: str = VIEW, queryset=None) -> CaseAccessRequest:
    """An access request a lead may decide (VIEW or CHANGE alike); 404 for anyone else."""
    return get_for(
        user,
        CaseAccessRequest.objects if queryset is None else queryset,
        pk,
        action=action,
        allowed=lambda u, a, request: leads_case(u, request.case),
        missing="No such access request",
    )


def access_request_get_own(user, pk, queryset=None) -> CaseAccessRequest:
    """An access request the investigator made themselves (to withdraw it); 404 for anyone
    else, a lead of the case included."""
    return get_for(
        user,
        CaseAccessRequest.objects if queryset is None else queryset,
        pk,
        allowed=lambda u, a, request: may_ask_for_access(u) and request.requested_by_id == u.pk,
        missing="No such access request",
    )


def searches_people(user) -> bool:
    """Whether the user may search the person index: those who see cases (investigators,
    review and national leads), each within their own cases (`cases.linkage.search`).
    Liaison officers (who see no suspects), liaison leads and analysts do not."""
    return _active(user) and has_role(user, Role.INVESTIGATOR, Role.REVIEW_LEAD, Role.NATIONAL_LEAD)


# --- Referral files taken in (issue 12: intake) -------------------------------------------


def takes_in_referrals(user) -> bool:
    """Whether the user may send a force's referral file: review leads and national leads."""
    return leads_cases(user)


def referral_forces_for(user) -> frozenset[str] | None:
    """The slugs of the forces whose referrals the user may take in; None for every force
    (a national lead). A review lead's teams' forces; nobody else any."""
    if sees_all_cases(user):
        return None
    if _active(user) and has_role(user, Role.REVIEW_LEAD):
        return frozenset(
            Force.objects.filter(pk__in=led_force_ids(user)).values_list("slug", flat=True)
        )
    return frozenset()


def referral_batches_visible_to(user) -> QuerySet[ReferralBatch]:
    """The referral files a lead sees in the intake history.

    A national lead sees every file. A review lead sees the files they sent, and the files
    imported into their teams' forces (counts only: an imported file lists no problems). A
    file someone else sent that was refused or failed stays with its sender and the
    national leads, since its problems quote values from referrals of any force.
    """
    if sees_all_cases(user):
        return ReferralBatch.objects.all()
    if not (_active(user) and has_role(user, Role.REVIEW_LEAD)):
        return ReferralBatch.objects.none()
    into_their_forces = ReferralBatch.forces.through.objects.filter(
        force_id__in=led_force_ids(user)
    ).values("referralbatch_id")
    return ReferralBatch.objects.filter(
        Q(uploaded_by=user) | Q(status=BatchStatus.IMPORTED, pk__in=into_their_forces)
    )


def referral_batches_restrict(queryset, user, action: str = VIEW) -> QuerySet[ReferralBatch]:
    """The queryset cut to the referral files the user sees: `ReferralBatch.objects.restrict`."""
    return queryset.filter(pk__in=referral_batches_visible_to(user).values("pk"))


register_restriction(ReferralBatch, referral_batches_restrict)


def referral_batch_get_for(user, pk, queryset=None, *, audit: bool = True) -> ReferralBatch:
    """A referral file the user sees; 404 otherwise, as for one that does not exist."""
    return get_for(
        user,
        ReferralBatch.objects if queryset is None else queryset,
        pk,
        missing="No such referral file",
        audit=audit,
    )


# Case-file material (issue 12): documents follow their case. Those who see the case see
# its documents (assigned investigators, the review leads of its force's teams, national
# leads); liaison officers and leads, analysts, administrators and auditors see none.


def documents_visible_to(user) -> QuerySet[Document]:
    """Every document the user may open: those of the cases they see (filtered on the
    document's own case id and the case's force, read from the request's cached scope)."""
    return Document.objects.filter(case_scope_of_party(user))


def documents_restrict(queryset: QuerySet[Document], user, action: str = VIEW) -> QuerySet:
    return queryset.filter(case_scope_of_party(user))


register_restriction(Document, documents_restrict)


def may_add_document(user, case: Case) -> bool:
    """Add material to a case: those who may change it (its investigators, its leads)."""
    return user_can(user, CHANGE, case)


def document_get_for(
    user, reference: str, pk, action: str = VIEW, queryset=None, audit: bool = True
) -> Document:
    """The document `pk` of the case `reference` if the user may take the action on it
    (VIEW: read it; CHANGE: change it, as for its case); 404 otherwise, the same for a
    document of another case, of a case not theirs, or none at all.

    Logged as consulted unless `audit=False` (a download logs a disclosure instead).
    """
    queryset = Document.objects.select_related("case") if queryset is None else queryset
    return get_for(
        user,
        queryset.filter(case_id=parse_reference(reference)),
        pk,
        action=action,
        allowed=lambda u, a, document: a == VIEW or user_can(u, a, document.case),
        missing="No such document",
        audit=audit,
    )
