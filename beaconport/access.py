"""One access layer for every app: fetch-and-authorise, scoped querysets, role checks.

    record = get_for(user, LiaisonRecord.objects, pk, action=CHANGE, allowed=record_user_can)
    cases = Case.objects.restrict(user, "view")            # or restrict(queryset, user)
    @access_required(Role.LIAISON_LEAD)                     # a page only some roles have

Who may see what is decided by each app's permission module (`cases.permissions`,
`liaison.permissions`), which registers one restriction per model here; this module holds
the machinery only, so a rule lives in one place and every route answers alike:

- a record the user may not see answers 404, exactly like a missing one (Zulip's
  `access_stream_common`), and each record handed out is logged as consulted;
- a page the user's role does not have answers 404 too, never 403 (pretix's
  `control/permissions.py`, one decorator plus its mixin);
- each refusal of something that exists is noted as a security event
  (`beaconport.security`), written once the response is done, so the request's own
  transaction rolling back cannot take the trace with it.
"""

from collections.abc import Callable, Iterable
from functools import wraps

from django.core.exceptions import ImproperlyConfigured
from django.db import models
from django.http import Http404, HttpResponseNotAllowed

from beaconport.roles import has_role

VIEW = "view"

# Security event kinds (beaconport.models.SecurityEvent.Kind has their labels).
NOT_YOURS = "not_yours"  # 404 for a record that exists but is not the user's
WRONG_ROLE = "wrong_role"  # 404 for a page the user's roles do not have
FORBIDDEN = "forbidden"  # a 403 answer (the API's refusals, Django admin's)

# {"app_label.modelname": restriction(queryset, user, action) -> queryset}
_RESTRICTIONS: dict[str, Callable] = {}


def register_restriction(model, restriction: Callable) -> None:
    """Say how querysets of a model are cut to what a user may see (or act on).

    `restriction(queryset, user, action)` returns the queryset narrowed to the rows the user
    may take the action on. Permission modules call this at import (their app's `ready`),
    so models need not import their permission module.
    """
    _RESTRICTIONS[model._meta.label_lower] = restriction


def restrict(queryset: models.QuerySet, user, action: str = VIEW) -> models.QuerySet:
    """The queryset cut to what the user may take the action on (NetBox's `restrict`).

    A model nobody registered a restriction for is refused outright: fail closed.
    """
    label = queryset.model._meta.label_lower
    try:
        restriction = _RESTRICTIONS[label]
    except KeyError:
        raise ImproperlyConfigured(f"No access restriction is registered for {label}") from None
    return restriction(queryset, user, action)


class RestrictedQuerySet(models.QuerySet):
    """A queryset that can be cut to what a user may see: `Model.objects.restrict(user)`."""

    def restrict(self, user, action: str = VIEW) -> models.QuerySet:
        return restrict(self, user, action)


RestrictedManager = models.Manager.from_queryset(RestrictedQuerySet)


def _noted(request, **event) -> None:
    from beaconport.security import note_refusal

    note_refusal(request, **event)


def _current_request():
    from beaconport.audit import context

    current = context.current()
    return current.request if current is not None else None


def get_for(
    user,
    queryset: models.QuerySet | models.Manager,
    pk,
    *,
    action: str = VIEW,
    allowed: Callable | None = None,
    missing: str = "No such record",
    audit: bool = True,
    object_id: str | None = None,
):
    """The object with this primary key if the user may take the action on it; 404 otherwise.

    The queryset (its `select_related` and the like are the caller's) is cut to what the
    user may see; `allowed(user, action, obj)`, when given, decides actions beyond seeing.
    Missing and forbidden give the same 404; a refusal of an object that exists is noted
    as a security event (one more query, on refusals only). Every object handed out is
    logged as consulted by the user (one INSERT in the audit log) unless `audit=False`.
    `object_id` is how the event names the object (a case's reference); the pk otherwise.
    """
    queryset = queryset.all()
    model = queryset.model
    if pk is None:
        raise Http404(missing)
    try:
        obj = restrict(queryset, user, VIEW).get(pk=pk)
    except model.DoesNotExist:
        if model._base_manager.filter(pk=pk).exists():
            _refused(model, object_id or pk)
        raise Http404(missing) from None
    if allowed is not None and not allowed(user, action, obj):
        _refused(model, object_id or pk)
        raise Http404(missing)
    if audit:
        audit_consult(obj=obj, actor=user)
    return obj


def audit_consult(**kwargs):
    """The audit log's consult (`beaconport.audit.services`), imported on first use."""
    from beaconport.audit.services import audit_consult as consult

    return consult(**kwargs)


def _refused(model, object_id) -> None:
    _noted(
        _current_request(),
        kind=NOT_YOURS,
        object_type=model._meta.label_lower,
        object_id=str(object_id),
    )


def user_passes(user, roles: Iterable = (), test: Callable | None = None) -> bool:
    """Whether an active, signed-in user holds one of the roles or passes the test."""
    if not (getattr(user, "is_authenticated", False) and user.is_active):
        return False
    if roles and has_role(user, *roles):
        return True
    return test is not None and bool(test(user))


def check_access(request, *, roles=(), test=None, methods=None, seen=None, args=(), kwargs=None):
    """None if the request may go on to the view; else the answer it gets (or Http404).

    Wrong role: 404, noted as a security event. A method the route does not answer: 405,
    but only to someone who may see what the URL names (`seen(request, *args, **kwargs)`
    raises 404 otherwise), so a 405 never confirms that someone else's record exists.
    """
    if (roles or test is not None) and not user_passes(request.user, roles, test):
        _noted(request, kind=WRONG_ROLE)
        raise Http404("No such page")
    if methods is not None and request.method not in methods:
        if seen is not None:
            seen(request, *args, **(kwargs or {}))
        return HttpResponseNotAllowed(methods)
    return None


def access_required(
    *roles,
    test: Callable | None = None,
    methods: Iterable[str] | None = None,
    seen: Callable | None = None,
):
    """A view reached only by users holding one of `roles` (or passing `test(user)`).

    Everyone else gets 404, as for a page that is not there. With `methods`, other HTTP
    methods answer 405 (after the role check, and after `seen` for routes naming a record).
    With neither roles nor test, any signed-in user passes the role check.
    """
    allowed_methods = list(methods) if methods is not None else None

    def decorator(view):
        @wraps(view)
        def wrapped(request, *args, **kwargs):
            refused = check_access(
                request,
                roles=roles,
                test=test,
                methods=allowed_methods,
                seen=seen,
                args=args,
                kwargs=kwargs,
            )
            return refused or view(request, *args, **kwargs)

        return wrapped

    return decorator


class AccessRequiredMixin:
    """The class-based form of `access_required`: set `access_roles` and/or `access_test`."""

    access_roles: tuple = ()
    access_test: Callable | None = None
    access_methods: Iterable[str] | None = None

    def dispatch(self, request, *args, **kwargs):
        test = getattr(type(self), "access_test", None)  # a plain function, not bound
        refused = check_access(
            request,
            roles=self.access_roles,
            test=test,
            methods=self.access_methods,
            args=args,
            kwargs=kwargs,
        )
        return refused or super().dispatch(request, *args, **kwargs)
