"""Who may see and do what with liaison records: the only module that decides.

Need-to-know: a liaison officer sees the records of the victims assigned to them, until
the end of the assignment if it has one (`officer_until`, checked on every request); a liaison
lead sees the records of victims on cases of their teams' forces and assigns officers; a
national lead sees every record. Being a superuser is not a way in. Investigators, review
leads, analysts and everyone else see no liaison record: what they may know of liaison for
a case they can see is the glance in `liaison.selectors.liaison_glance_for_case` (last
contact, next update due), never notes or expectations. A record the user may not see
answers 404, exactly like a missing one.
"""

from django.db.models import Q, QuerySet
from django.utils import timezone

from beaconport.access import get_for, register_restriction
from beaconport.roles import Role, has_role
from cases.models import Case, Team
from cases.permissions import led_force_ids, team_force_ids
from liaison.models import Correspondence, FollowUp, LiaisonRecord, Message, Notification

VIEW = "view"  # read the record, its contacts, expectations and follow-ups
CHANGE = "change"  # log contacts, record expectations, edit preferences, complete follow-ups
ASSIGN = "assign"  # give the record to an officer; switch enhanced rights off
ACTIONS = {VIEW, CHANGE, ASSIGN}


def _active(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def sees_all_records(user) -> bool:
    """National leads see every record nationally (as a lead: pseudonyms)."""
    return _active(user) and has_role(user, Role.NATIONAL_LEAD)


def leads_records(user) -> bool:
    """Whether the user leads liaison: a liaison lead (for their teams) or a national lead."""
    return _active(user) and has_role(user, Role.LIAISON_LEAD, Role.NATIONAL_LEAD)


def leads_record(user, record: LiaisonRecord) -> bool:
    """Whether the user is a lead whose scope holds the record (national, or its team's)."""
    if sees_all_records(user):
        return True
    return (
        _active(user)
        and has_role(user, Role.LIAISON_LEAD)
        and record.case.force_id in led_force_ids(user)
    )


def is_liaison_staff(user) -> bool:
    """Whether the user works in liaison at all (officer or lead)."""
    return leads_records(user) or (_active(user) and has_role(user, Role.LIAISON_OFFICER))


def assignment_current(prefix: str = "", now=None) -> Q:
    """Records whose officer's assignment has not ended: no end given, or an end to come.

    Checked on every request, so an assignment past its end stops working on the next one.
    `prefix` reaches the record from another model ("record__" from a follow-up).
    """
    return Q(**{f"{prefix}officer_until__isnull": True}) | Q(
        **{f"{prefix}officer_until__gt": now or timezone.now()}
    )


def assignment_ended(prefix: str = "", now=None) -> Q:
    """Records with no officer, or whose officer's assignment has ended: the unassigned."""
    return Q(**{f"{prefix}officer__isnull": True}) | Q(
        **{f"{prefix}officer_until__lte": now or timezone.now()}
    )


def has_current_officer(record: LiaisonRecord, now=None) -> bool:
    """Whether the record has an officer whose assignment has not ended (in Python, for a
    record already read: what `assignment_current` asks of the database)."""
    if record.officer_id is None:
        return False
    return record.officer_until is None or record.officer_until > (now or timezone.now())


def holds_record(user, record: LiaisonRecord) -> bool:
    """Whether the record is assigned to the user now (their assignment has not ended)."""
    return record.officer_id == user.pk and has_current_officer(record)


def _scope(user, *, force_path: str, officer_path: str) -> Q | None:
    """What a liaison lead's teams and an officer's own (current) victims cover (None: nothing).

    `officer_path` is the path to the record's officer ("officer", or "record__officer").
    """
    scope = Q()
    if has_role(user, Role.LIAISON_LEAD):
        scope |= Q(**{f"{force_path}__in": team_force_ids(user)})
    if has_role(user, Role.LIAISON_OFFICER):
        prefix = officer_path.removesuffix("officer")
        scope |= Q(**{officer_path: user}) & assignment_current(prefix)
    return scope or None


def records_visible_to(user) -> QuerySet[LiaisonRecord]:
    """Every liaison record the user may see; the start of every record list and lookup.

    A liaison lead's scope is one `force_id IN (subquery over their teams)` on the case.
    """
    if not _active(user):
        return LiaisonRecord.objects.none()
    if sees_all_records(user):
        return LiaisonRecord.objects.all()
    scope = _scope(user, force_path="case__force_id", officer_path="officer")
    return LiaisonRecord.objects.filter(scope) if scope else LiaisonRecord.objects.none()


def record_user_can(user, action: str, record: LiaisonRecord) -> bool:
    """Whether the user may take the action on a record (they must also be able to see it)."""
    if action not in ACTIONS:
        raise ValueError(f"Unknown liaison action {action!r}")
    if not _active(user):
        return False
    if leads_record(user, record):
        return True
    if action == ASSIGN:
        return False
    return has_role(user, Role.LIAISON_OFFICER) and holds_record(user, record)


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
    scope = _scope(user, force_path="case__force_id", officer_path="record__officer")
    return FollowUp.objects.filter(scope) if scope else FollowUp.objects.none()


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


def correspondence_visible_to(user) -> QuerySet[Correspondence]:
    """The correspondence of the records the user may see: the record's officer, its team's
    liaison leads, national leads. Never investigators, review leads or analysts."""
    return Correspondence.objects.filter(record__in=records_visible_to(user))


def correspondence_restrict(queryset, user, action: str = VIEW):
    """The queryset cut to the correspondence of records the user may see."""
    return queryset & correspondence_visible_to(user)


def correspondence_get_for(user, pk, action: str = VIEW) -> Correspondence:
    """A piece of correspondence if the user may take the action on its record; 404 otherwise.

    Not logged as a consult: the one way to read it is a download, logged as a disclosure.
    """
    return get_for(
        user,
        Correspondence.objects.select_related("record__party", "record__case"),
        _as_id(pk),
        action=action,
        allowed=_may_take_on_correspondence,
        missing="No such correspondence",
        audit=False,
    )


def _may_take_on_correspondence(user, action: str, item: Correspondence) -> bool:
    return record_user_can(user, action, item.record)


def messages_visible_to(user) -> QuerySet[Message]:
    """The messages to the victims of the records the user may see: the record's officer,
    its team's liaison leads, national leads (issue 13)."""
    return Message.objects.filter(record__in=records_visible_to(user))


def messages_restrict(queryset, user, action: str = VIEW):
    """The queryset cut to the messages of records the user may see."""
    return queryset & messages_visible_to(user)


def message_get_for(user, pk, action: str = VIEW) -> Message:
    """A message if the user may take the action on its record; 404 otherwise. Logged as a
    consult of the message (its record, victim, template and writer come in the same query,
    so the officer's page names the victim without another)."""
    return get_for(
        user,
        Message.objects.select_related(
            "record__party__person", "record__case", "template", "written_by"
        ),
        _as_id(pk),
        action=action,
        allowed=_may_take_on_message,
        missing="No such message",
    )


def _may_take_on_message(user, action: str, item: Message) -> bool:
    return record_user_can(user, action, item.record)


register_restriction(LiaisonRecord, records_restrict)
register_restriction(FollowUp, followups_restrict)
register_restriction(Correspondence, correspondence_restrict)
register_restriction(Message, messages_restrict)


def notifications_visible_to(user) -> QuerySet[Notification]:
    """A user's own notifications; nobody reads anyone else's."""
    if not _active(user):
        return Notification.objects.none()
    return Notification.objects.filter(user=user)


def with_record_load(users: QuerySet) -> QuerySet:
    """The users, each with `caseload`: the victims they hold now (assignments that have
    ended do not count; a victim whose case is finished still counts, as liaison goes on
    until the last letter).

    One correlated count per row, answered from the (officer, officer_until) index alone, so
    a team of a hundred officers holding a hundred thousand victims costs milliseconds: the
    case table is not read.
    """
    from django.db.models import Count, IntegerField, OuterRef, Subquery
    from django.db.models.functions import Coalesce

    held = (
        LiaisonRecord.objects.filter(assignment_current(), officer=OuterRef("pk"))
        .order_by()
        .values("officer")
        .annotate(n=Count("officer"))
        .values("n")
    )
    return users.annotate(caseload=Coalesce(Subquery(held), 0, output_field=IntegerField()))


def assignable_officers(record: LiaisonRecord | None = None):
    """Who a record may be given to: active liaison officers and leads in a team covering
    the force of the record's case, each with their caseload. Never everyone nationally.

    Without a record: everyone in liaison (for the admin and checks that need no team).
    """
    from django.contrib.auth import get_user_model

    users = get_user_model().objects.filter(
        is_active=True,
        groups__name__in=[Role.LIAISON_OFFICER.value, Role.LIAISON_LEAD.value],
    )
    if record is not None:
        force_id = Case.objects.filter(pk=record.case_id).values("force_id")
        members = Team.members.through.objects.filter(team__forces__in=force_id).values("user_id")
        users = users.filter(pk__in=members)
    return with_record_load(users.distinct().order_by("username"))


def team_officers(user):
    """Whom a lead may give their victims to from the workspace: the active liaison officers
    and leads of the lead's own teams (every one in liaison for a national lead), by name.
    The assign service still checks each record's own team."""
    from django.contrib.auth import get_user_model

    if not leads_records(user):
        return get_user_model().objects.none()
    users = get_user_model().objects.filter(
        is_active=True,
        groups__name__in=[Role.LIAISON_OFFICER.value, Role.LIAISON_LEAD.value],
    )
    if not sees_all_records(user):
        teams = Team.objects.filter(members=user).values("pk")
        users = users.filter(
            pk__in=Team.members.through.objects.filter(team__in=teams).values("user_id")
        )
    return users.distinct().order_by("username")


def escalation_recipients() -> "LeadDirectory":
    """Who hears of overdue follow-ups, read once for a whole sweep (two queries)."""
    return LeadDirectory.load()


class LeadDirectory:
    """Escalations go to the liaison leads of the teams covering the record's case's force.

    National leads see every record but are not sent every escalation in the country: they
    hear of one only when no team's liaison lead covers that force, so none is lost.
    """

    def __init__(self, by_force: dict[int, list], national: list):
        self.by_force = by_force
        self.national = national

    @classmethod
    def load(cls) -> "LeadDirectory":
        from django.contrib.auth import get_user_model

        User = get_user_model()
        leads = {
            user.pk: user
            for user in User.objects.filter(
                is_active=True, groups__name=Role.LIAISON_LEAD.value
            ).order_by("pk")
        }
        by_force: dict[int, list] = {}
        covered = (
            Team.members.through.objects.filter(user_id__in=list(leads))
            .exclude(team__forces=None)
            .values_list("team__forces", "user_id")
            .distinct()
            .order_by("team__forces", "user_id")
        )
        for force_id, user_id in covered:
            by_force.setdefault(force_id, []).append(leads[user_id])
        national = list(
            User.objects.filter(is_active=True, groups__name=Role.NATIONAL_LEAD.value).order_by(
                "pk"
            )
        )
        return cls(by_force, national)

    def for_force(self, force_id: int) -> list:
        """The liaison leads of the force's teams; the national leads if it has none."""
        return self.by_force.get(force_id) or self.national


def can_see_victim_name(user, record: LiaisonRecord) -> bool:
    """A victim's name goes only to the officer assigned to them (lifetime anonymity).

    Everyone else who may see the record, leads included, sees its pseudonymous reference;
    the officer too once their assignment has ended.
    """
    return _active(user) and holds_record(user, record)


# --- Victims' Right to Review (issue 13) -----------------------------------------------

DECIDE = "decide"  # record the outcome of a Right to Review request


def review_requests_visible_to(user) -> QuerySet:
    """The Right to Review requests the user may see: those on the records they see (the
    victim's officer, the team's liaison leads), and those of the cases a review lead leads;
    national leads see all. Never investigators or analysts."""
    from liaison.models import ReviewRequest

    if not _active(user):
        return ReviewRequest.objects.none()
    if sees_all_records(user):
        return ReviewRequest.objects.all()
    scope = _scope(user, force_path="case__force_id", officer_path="record__officer") or Q()
    if has_role(user, Role.REVIEW_LEAD):
        scope |= Q(case__force_id__in=team_force_ids(user))
    return ReviewRequest.objects.filter(scope) if scope else ReviewRequest.objects.none()


def review_requests_restrict(queryset, user, action: str = VIEW):
    """The queryset cut to the Right to Review requests the user may see."""
    return queryset & review_requests_visible_to(user)


def review_involved_user_ids(*, case_id: int, challenged) -> set[int]:
    """Who took part in the decision a Right to Review request challenges (two queries).

    Every investigator ever assigned to the case (ended or revoked assignments count); and,
    where the challenge is to a review outcome, the user who made that transition and
    whoever moved the case to "review complete" before it. The original police or CPS
    decision (`challenged` None) was made outside the review: its investigators remain
    involved, as they worked on that decision's review.
    """
    from cases.models import CaseAssignment, CaseTransition

    involved = set(
        CaseAssignment.objects.filter(case_id=case_id).values_list("investigator_id", flat=True)
    )
    if challenged is not None:
        involved.add(challenged.by_id)
        involved.update(
            CaseTransition.objects.filter(
                case_id=case_id, to_status="review_complete", pk__lt=challenged.pk
            ).values_list("by_id", flat=True)
        )
    return involved


def review_decider_problem(user, review_request) -> str | None:
    """Why the user may not decide the request (None: they may): the decider must be a
    review lead of the case's team or a national lead, and independent of the decision."""
    from cases.permissions import leads_case

    if not (_active(user) and leads_case(user, review_request.case)):
        return (
            "Only a review lead of the case's team or a national lead may decide a "
            "Right to Review request."
        )
    involved = review_involved_user_ids(
        case_id=review_request.case_id, challenged=review_request.challenged
    )
    if user.pk in involved:
        return (
            "You took part in the decision challenged (you made it, moved the case to "
            "review complete before it, or were assigned to investigate the case): someone "
            "independent must decide."
        )
    return None


def review_request_user_can(user, action: str, review_request) -> bool:
    """View: anyone who sees it. Change (record, acknowledge, delay, withdraw): whoever may
    change the victim's record. Decide: an independent review lead or national lead."""
    if not _active(user):
        return False
    if action == VIEW:
        return review_requests_visible_to(user).filter(pk=review_request.pk).exists()
    if action == CHANGE:
        return record_user_can(user, CHANGE, review_request.record)
    if action == DECIDE:
        return review_decider_problem(user, review_request) is None
    raise ValueError(f"Unknown Right to Review action {action!r}")


def review_request_get_for(user, pk, action: str = VIEW, queryset=None, audit: bool = True):
    """A Right to Review request if the user may take the action on it; 404 otherwise.

    Logged as consulted unless `audit` is False (its record, party and case come in the
    same query).
    """
    from liaison.models import ReviewRequest

    base = ReviewRequest.objects if queryset is None else queryset
    return get_for(
        user,
        base.select_related(
            "record__party",
            "record__case",
            "case",
            "challenged",
            "acknowledge_followup",
            "answer_followup",
            "decided_by",
            "recorded_by",
        ),
        _as_id(pk),
        action=action,
        allowed=None if action == VIEW else review_request_user_can,
        missing="No such Right to Review request",
        audit=audit,
    )


def _register_review_requests() -> None:
    from liaison.models import ReviewRequest

    register_restriction(ReviewRequest, review_requests_restrict)


_register_review_requests()


# --- Consent and support referrals (issue 13) ---------------------------------------------


def consent_get_for(user, pk, action: str = VIEW):
    """A consent if the user may take the action on its record (the record's officer, the
    team's liaison leads, national leads); 404 otherwise. Logged as a consult of the record."""
    from django.http import Http404

    from liaison.models import Consent

    consent = Consent.objects.filter(pk=_as_id(pk)).first() if _as_id(pk) else None
    if consent is None:
        raise Http404("No such consent")
    consent.record = record_get_for(user, consent.record_id, action)
    return consent


def support_referral_get_for(user, pk, action: str = VIEW):
    """A support referral (with its consent and follow-up) if the user may take the action
    on its record; 404 otherwise. Logged as a consult of the record."""
    from django.http import Http404

    from liaison.models import SupportReferral

    referral = (
        SupportReferral.objects.select_related("consent", "followup").filter(pk=_as_id(pk)).first()
        if _as_id(pk)
        else None
    )
    if referral is None:
        raise Http404("No such support referral")
    referral.record = record_get_for(user, referral.record_id, action)
    return referral
