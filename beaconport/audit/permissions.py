"""Who may read the audit log: members of the Auditor group, and nobody else (404)."""

from functools import wraps

from django.http import Http404

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
    """A view only auditors reach; everyone else gets 404, as for a page that is not there."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        if not is_auditor(request.user):
            raise Http404("No such page")
        return view(request, *args, **kwargs)

    return wrapper
