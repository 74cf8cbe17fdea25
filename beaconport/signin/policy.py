"""Who must sign in with a second step: the roles that see or manage across cases."""

from beaconport.roles import Role, has_role

# Issue 8: administrators, leads and auditors see or manage many people's records, so a
# stolen password alone must not be enough for them. Everyone else is offered it.
TWO_FACTOR_ROLES = (
    Role.ADMINISTRATOR,
    Role.REVIEW_LEAD,
    Role.LIAISON_LEAD,
    Role.AUDITOR,
    Role.NATIONAL_LEAD,
)


def two_factor_required(user) -> bool:
    """Whether the user may not work without a confirmed authenticator."""
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_staff or user.is_superuser or has_role(user, *TWO_FACTOR_ROLES)
