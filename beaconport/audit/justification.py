"""Asking for a reason before a sensitive read (a victim's identity, access outside the
user's assignment), logging it, and carrying it into the rows the read then writes.

In a view, after the permission layer has fetched the object:

    if (response := require_justification(request, obj=case, reason="victim identity")):
        return response

or, for a whole view, the `justification_required(...)` decorator. A reason, once given,
holds for that object and reason for AUDIT_JUSTIFICATION_TTL seconds of the session.

The form's address carries a signed token naming the user, the read it is for and a
one-time number kept in that user's session: another user, another session, a second use
or a late use is refused, and nothing is logged. A view whose fetch logs the read (as
`case_get_for` does) calls `carry_justification(...)` before fetching, so the row of the
read that shows the sensitive record carries the reason given.
"""

import secrets
import time
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.core import signing
from django.shortcuts import redirect
from django.urls import reverse

from beaconport.audit.context import set_justification

SESSION_KEY = "audit_justifications"
PENDING_KEY = "audit_justify_pending"  # one-time numbers of the forms issued to this session
SIGNING_SALT = "beaconport.audit.justify"
FORM_TTL = 15 * 60  # seconds a justification form may be answered after it was issued
MAX_PENDING = 20  # forms a session may hold open at once; the oldest goes first


def _ttl() -> int:
    return int(getattr(settings, "AUDIT_JUSTIFICATION_TTL", 30 * 60))


def justification_key(object_type: str, object_id, reason: str) -> str:
    return f"{object_type}:{object_id}:{reason}"


def justification_given(request, key: str) -> str | None:
    """The reason the user gave in this session for this access, if still fresh."""
    entry = request.session.get(SESSION_KEY, {}).get(key)
    if not entry or time.time() - entry["at"] > _ttl():
        return None
    return entry["text"]


def remember_justification(request, key: str, text: str) -> None:
    stored = {
        k: v
        for k, v in request.session.get(SESSION_KEY, {}).items()
        if time.time() - v["at"] <= _ttl()
    }
    stored[key] = {"text": text, "at": time.time()}
    request.session[SESSION_KEY] = stored


def carry_justification(request, *, object_type: str, object_id, reason: str) -> str | None:
    """Before a fetch that logs the read: carry the reason this session gave for the record
    into the rows the request writes, the read's own row included. The reason given, or None.
    """
    text = justification_given(request, justification_key(object_type, object_id, reason))
    if text is not None:
        set_justification(text)
    return text


def make_token(**subject) -> str:
    return signing.dumps(subject, salt=SIGNING_SALT, compress=True)


def read_token(token: str) -> dict:
    """The subject a justification form is for; BadSignature if it was tampered with,
    SignatureExpired (a BadSignature) if it is older than the form may be answered."""
    return signing.loads(token, salt=SIGNING_SALT, max_age=FORM_TTL)


def _issue_form(request, key: str) -> str:
    """A one-time number for a form about `key`, kept in this session until used or stale."""
    now = time.time()
    pending = {
        nonce: entry
        for nonce, entry in request.session.get(PENDING_KEY, {}).items()
        if now - entry["at"] <= FORM_TTL
    }
    while len(pending) >= MAX_PENDING:
        del pending[min(pending, key=lambda n: pending[n]["at"])]
    nonce = secrets.token_urlsafe(16)
    pending[nonce] = {"key": key, "at": now}
    request.session[PENDING_KEY] = pending
    return nonce


def form_pending(request, subject: dict) -> bool:
    """Whether this session was issued the form the token names, unused and in time."""
    entry = request.session.get(PENDING_KEY, {}).get(subject.get("nonce") or "")
    return bool(entry) and entry["key"] == subject["key"] and time.time() - entry["at"] <= FORM_TTL


def form_used(request, subject: dict) -> None:
    """Spend the form's one-time number: the same address cannot log a reason twice."""
    pending = dict(request.session.get(PENDING_KEY, {}))
    pending.pop(subject["nonce"], None)
    request.session[PENDING_KEY] = pending


def require_justification(
    request,
    *,
    reason: str,
    obj=None,
    object_type: str | None = None,
    object_id=None,
    case=None,
    person=None,
    label: str = "",
):
    """None if the user has justified this access (now carried into the audit rows of the
    request); otherwise the redirect to the justification form, which comes back here."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = obj.pk if object_id is None else object_id
    key = justification_key(object_type, object_id, reason)
    text = justification_given(request, key)
    if text is not None:
        set_justification(text)
        return None
    token = make_token(
        user=request.user.pk,
        nonce=_issue_form(request, key),
        key=key,
        object_type=object_type,
        object_id=str(object_id),
        reason=reason,
        label=label or reason,
        case=getattr(case, "pk", case),
        person=getattr(person, "pk", person),
        next=request.get_full_path(),
    )
    return redirect(f"{reverse('audit:justify')}?{urlencode({'t': token})}")


def justification_required(*, reason: str, subject, when=None, label: str = ""):
    """Decorate a view: `subject(request, **kwargs)` gives (object_type, object_id) and
    `when(request, **kwargs)` (default: always) whether this request needs a reason."""

    def decorate(view):
        @wraps(view)
        def wrapper(request, *args, **kwargs):
            if when is None or when(request, *args, **kwargs):
                object_type, object_id = subject(request, *args, **kwargs)
                response = require_justification(
                    request,
                    reason=reason,
                    object_type=object_type,
                    object_id=object_id,
                    label=label,
                )
                if response is not None:
                    return response
            return view(request, *args, **kwargs)

        return wrapper

    return decorate
