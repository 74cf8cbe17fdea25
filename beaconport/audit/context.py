"""Where an audited act comes from: the request (user, IP, route), a command or a task.

The middleware puts the request in a context variable so a service deep in the call stack
can log who asked without every caller passing it down. Commands and tasks are recognised
on their own; `audit_context()` names the source explicitly (an import, a script).
"""

import contextlib
import sys
from contextvars import ContextVar
from dataclasses import dataclass, field, replace

from django.conf import settings


@dataclass(frozen=True)
class AuditContext:
    """Who and where for the rows written while it is active."""

    request: object | None = None
    source: str = ""
    actor: object | None = None
    justification: str = ""
    extra: dict = field(default_factory=dict)


_current: ContextVar[AuditContext | None] = ContextVar("beaconport_audit_context", default=None)


def current() -> AuditContext | None:
    return _current.get()


@contextlib.contextmanager
def audit_context(*, source: str | None = None, actor=None, justification: str | None = None):
    """Attribute the audit rows written inside the block (e.g. source="command:import")."""
    base = _current.get() or AuditContext()
    changes = {}
    if source is not None:
        changes["source"] = source
    if actor is not None:
        changes["actor"] = actor
    if justification is not None:
        changes["justification"] = justification
    token = _current.set(replace(base, **changes))
    try:
        yield
    finally:
        _current.reset(token)


def set_justification(justification: str) -> None:
    """Carry a justification given for this request into every row it writes."""
    base = _current.get() or AuditContext()
    _current.set(replace(base, justification=justification))


class AuditContextMiddleware:
    """Makes the current request (user, IP, route) known to audit_record."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _current.set(AuditContext(request=request))
        try:
            return self.get_response(request)
        finally:
            _current.reset(token)


def client_ip(request) -> str:
    """The client address: REMOTE_ADDR, or the named proxy header when one is trusted."""
    header = getattr(settings, "AUDIT_CLIENT_IP_HEADER", "")
    if header and (value := request.META.get(header)):
        # The proxy appends the address it saw last; earlier entries are client-supplied.
        return value.split(",")[-1].strip()[:45]
    return (request.META.get("REMOTE_ADDR") or "")[:45]


def _process_source() -> str:
    """A command, task or plain process when there is no request."""
    try:
        from celery import current_task

        if current_task and getattr(current_task.request, "id", None):
            return f"task:{current_task.name}"
    except ImportError:  # pragma: no cover - celery is a dependency
        pass
    argv = sys.argv
    if len(argv) > 1 and argv[0].endswith("manage.py"):
        return f"command:{argv[1]}"
    return "system"


def resolve(actor=None, source: str | None = None) -> tuple[object | None, str, str, str, str]:
    """(user or None, actor label, source, ip, justification) for the row being written."""
    ctx = _current.get() or AuditContext()
    request = ctx.request
    ip = ""
    if actor is None:
        actor = ctx.actor
    if actor is None and request is not None:
        user = getattr(request, "user", None)
        if getattr(user, "is_authenticated", False):
            actor = user
    if request is not None:
        ip = client_ip(request)
        default_source = f"{request.method} {request.get_full_path()}"
    else:
        default_source = _process_source()
    source = source or ctx.source or default_source
    if actor is not None and getattr(actor, "pk", None) is not None:
        label = actor.get_username()
    else:
        actor = None
        label = "system:" + source.split(":", 1)[1] if ":" in source else "system"
    return actor, label, source[:300], ip, ctx.justification
