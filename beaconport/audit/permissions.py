"""Who may read the audit log: members of the Auditor group, and nobody else (404)."""

from beaconport.access import access_required

AUDITOR_GROUP = "Auditor"  # created by migration 0003_auditor_role


def is_auditor(user) -> bool:
    """Whether the user may search and download the audit log (cached for the request)."""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return False
    cached = getattr(user, "_audit_is_auditor", None)
    if cached is None:
        cached = user._audit_is_auditor = user.groups.filter(name=AUDITOR_GROUP).exists()
    return cached


def auditor_required(view):
    """A view only auditors reach; everyone else gets 404, as for a page that is not there.

    The project's one role check (`beaconport.access.access_required`), with this test.
    """
    return access_required(test=is_auditor)(view)
