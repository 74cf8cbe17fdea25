"""The roles of the review, as Django groups (created by data migrations)."""

from enum import StrEnum


class Role(StrEnum):
    """A role is a Django group of this name; a user's role decides their home page."""

    INVESTIGATOR = "Investigator"
    REVIEW_LEAD = "Review lead"
    LIAISON_OFFICER = "Liaison officer"
    LIAISON_LEAD = "Liaison lead"
    ANALYST = "Analyst"
    ADMINISTRATOR = "Administrator"
    # Issue 5: reads the audit log ("who looked at this record, when and why"); the group
    # is created by beaconport.audit's migration 0003_auditor_role.
    AUDITOR = "Auditor"
    # Issue 8: sees every case and liaison record nationally, as a lead would (pseudonyms;
    # names only for a logged reason). The group is created by the teams migration.
    NATIONAL_LEAD = "National lead"


ALL_ROLES = tuple(Role)


def roles_of(user) -> frozenset[Role]:
    """The roles a signed-in user holds, cached on the user object for the request."""
    if not getattr(user, "is_authenticated", False):
        return frozenset()
    cached = getattr(user, "_beaconport_roles", None)
    if cached is None:
        names = set(user.groups.values_list("name", flat=True))
        cached = frozenset(role for role in Role if role.value in names)
        user._beaconport_roles = cached
    return cached


def has_role(user, *roles: Role) -> bool:
    """Whether the user holds any of the given roles."""
    return bool(roles_of(user).intersection(roles))
