"""Who may see and do what with liaison records: the only module that decides.

Need-to-know: a liaison officer sees the records of the victims assigned to them; a liaison
lead sees every record of their team (every record, until teams exist) and assigns officers;
a superuser sees all. Investigators, review leads, analysts and everyone else see no liaison
record: what they may know of liaison for a case they can see is the glance in
`liaison.selectors.liaison_glance_for_case` (last contact, next update due), never notes or
expectations. A record the user may not see answers 404, exactly like a missing one.
"""

from django.db.models import QuerySet

from beaconport.access import get_for, register_restriction
from beaconport.roles import Role, has_role
from liaison.models import FollowUp, LiaisonRecord, Notification

VIEW = "view"  # read the record, its contacts, expectations and follow-ups
CHANGE = "change"  # log contacts, record expectations, edit preferences, complete follow-ups
ASSIGN = "assign"  # give the record to an officer; switch enhanced rights off
ACTIONS = {VIEW, CHANGE, ASSIGN}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_records(user) -> bool:
    """Liaison leads (of their team: all, until teams exist) and superusers."""
    return _active(user) and (user.is_superuser or has_role(user, Role.LIAISON_LEAD))


def is_liaison_staff(user) -> bool:
    """Whether the user works in liaison at all (officer, lead or superuser)."""
    return sees_all_records(user) or (_active(user) and has_role(user, Role.LIAISON_OFFICER))


def records_visible_to(user) -> QuerySet[LiaisonRecord]:
    """Every liaison record the user may see; the start of every record list and lookup."""
    if not _active(user):
        return LiaisonRecord.objects.none()
    if sees_all_records(user):
        return LiaisonRecord.objects.all()
    if has_role(user, Role.LIAISON_OFFICER):
        return LiaisonRecord.objects.filter(officer=user)
    return LiaisonRecord.objects.none()


def record_user_can(user, action: str, record: LiaisonRecord) -> bool:
    """Whether the user may take the action on a record (they must also be able to see it)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown liaison action {action!r}")
    if not _active(user):
        return False
    if sees_all_records(user):
        return True
    if action == ASSIGN:
        return False
    return has_role(user, Role.LIAISON_OFFICER) and record.officer_id == user.pk


def record_get_for(user, pk, action: str = VIEW, queryset=None) -> LiaisonRecord:
    """The record with this id if the user may take the action on it; 404 otherwise.

    Every record handed out is logged as consulted by the user; its party comes in the same
    query, so the log names the victim's person without another.
    """
    return get_for(
        user,
        LiaisonRecord.objects.select_related("party", "case") if queryset is None else queryset,
        _as_id(pk),
        action=action,
        allowed=record_user_can,
        missing="No such liaison record",
    )


def followups_visible_to(user) -> QuerySet[FollowUp]:
    """Every follow-up the user may see: those of the records they may see."""
    if not _active(user):
        return FollowUp.objects.none()
    if sees_all_records(user):
        return FollowUp.objects.all()
    if has_role(user, Role.LIAISON_OFFICER):
        return FollowUp.objects.filter(record__officer=user)
    return FollowUp.objects.none()


def followup_get_for(user, pk, action: str = VIEW, queryset=None) -> FollowUp:
    """The follow-up with this id if the user may take the action on its record; 404 otherwise.

    Logged as consulted like a record (its record and party come in the same query).
    """
    base = FollowUp.objects if queryset is None else queryset
    return get_for(
        user,
        base.select_related("record__party", "record__case"),
        _as_id(pk),
        action=action,
        allowed=_may_take_on_followup,
        missing="No such follow-up",
    )


def _may_take_on_followup(user, action: str, follow_up: FollowUp) -> bool:
    return record_user_can(user, action, follow_up.record)


def _as_id(pk) -> int | None:
    try:
        return int(pk)
    except (TypeError, ValueError):
        return None


def records_restrict(queryset, user, action: str = VIEW):
    """The queryset cut to the records the user may see: `LiaisonRecord.objects.restrict`."""
    return queryset & records_visible_to(user)


def followups_restrict(queryset, user, action: str = VIEW):
    """The queryset cut to the follow-ups of records the user may see."""
    return queryset & followups_visible_to(user)


register_restriction(LiaisonRecord, records_restrict)
register_restriction(FollowUp, followups_restrict)


def notifications_visible_to(user) -> QuerySet[Notification]:
    """A user's own notifications; nobody reads anyone else's."""
    if not _active(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def assignable_officers():
    """Users a record may be assigned to: active liaison officers and leads."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            is_active=True,
            groups__name__in=[Role.LIAISON_OFFICER.value, Role.LIAISON_LEAD.value],
        )
        .distinct()
        .order_by("username")
    )


def liaison_leads():
    """Every active liaison lead: the people escalations go to."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(is_active=True, groups__name=Role.LIAISON_LEAD.value)
        .distinct()
        .order_by("pk")
    )


def can_see_victim_name(user, record: LiaisonRecord) -> bool:
    """A victim's name goes only to the officer assigned to them (lifetime anonymity).

    Everyone else who may see the record, leads included, sees its pseudonymous reference.
    """
    return _active(user) and record.officer_id is not None and record.officer_id == user.pk
