"""Writes a force's system can retry: the `Idempotency-Key` header on the API's write routes.

A caller that sends a write and loses the answer (a timeout, a dropped connection) cannot
know whether it was done. Sending it again with the same `Idempotency-Key` is safe:

- same key, same request (method, path and a SHA-256 of the body): the first answer comes
  back, status and JSON body, with `Idempotent-Replayed: true`, and nothing is written again;
- same key, a different request: 409, nothing written (a key names one request, not a slot);
- a key that is not 1 to 255 printable ASCII characters: 400 naming the header;
- no key: the route behaves as it always did.

The record of a key is inserted first, in the same transaction as the write it guards. A
retry that arrives while the first is still being answered therefore waits on the unique
index (user, key) until the first commits, then replays it; if the first rolls back, the
retry's insert goes through and it does the write itself. Only a successful answer (2xx) is
kept: a refusal wrote nothing, so its key may be sent again once the request is put right,
and a server error (5xx) rolls back with the write. Records are kept IDEMPOTENCY_KEY_HOURS
(24 by default) and swept by the scheduler (`idempotency_records_expire`).

Keys are per caller: two callers may use the same key without meeting.

A replay answers only a caller who may still use the route: authentication and the view's
permission classes run before the handler, as on any request, so a closed account, a
revoked token or a role taken away answers 401 or 403, not the kept copy. A view whose
access is decided inside the handler (a case route: `case_get_for`) defines
`idempotent_replay_check(request, *args, **kwargs)`, run before a replay and raising as the
handler would (404 for a case no longer the caller's). Without it, a caller who has lost
access to the record since gets back, for at most IDEMPOTENCY_KEY_HOURS, the very answer
they were already given, and nothing newer.

The body is compared by its exact bytes (a multipart upload by its fields and each file's
SHA-256): the same JSON with its keys reordered or spaced differently is another request
(409). A client retries by sending the bytes it sent the first time.

Records grow by one per successful keyed write and are swept after IDEMPOTENCY_KEY_HOURS; a
kept answer is the JSON the route returned, no larger than that answer.
"""

import datetime
import functools
import hashlib
import json
import re

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.encoding import escape_uri_path
from drf_spectacular.utils import OpenApiParameter
from rest_framework import status
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response

from beaconport.models import IdempotencyRecord

KEY_HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
KEY_MAX_LENGTH = IdempotencyRecord._meta.get_field("key").max_length
PATH_MAX_LENGTH = IdempotencyRecord._meta.get_field("path").max_length

# Printable ASCII, 1 to 255 characters. A space may sit inside a key but not at either end:
# HTTP trims the ends of a header's value, so such a key could not be sent back faithfully.
KEY_PATTERN = rf"^[!-~](?:[ -~]{{0,{KEY_MAX_LENGTH - 2}}}[!-~])?$"
_KEY = re.compile(KEY_PATTERN)

IDEMPOTENCY_KEY_PARAMETER = OpenApiParameter(
    KEY_HEADER,
    {"type": "string", "minLength": 1, "maxLength": KEY_MAX_LENGTH, "pattern": KEY_PATTERN},
    OpenApiParameter.HEADER,
    required=False,
    description="A key you choose for this write (a UUID is a good one), so that it can be "
    "sent again safely. The same key with the same request returns the first answer, with "
    f"`{REPLAYED_HEADER}: true`, and writes nothing again; the same key with a different "
    f"request answers 409. 1 to {KEY_MAX_LENGTH} printable ASCII characters, no space at "
    "either end. Keys are yours alone and kept for a day (IDEMPOTENCY_KEY_HOURS).",
)
CONFLICT_DESCRIPTION = (
    f"The `{KEY_HEADER}` was already used for a different request (another method, path or "
    "body): nothing was written. Send a new key with a new request."
)


def key_problem(key: str) -> str | None:
    """Why `key` cannot be an idempotency key, or None if it can."""
    if not key:
        return "Give a key of at least one character, or leave the header out."
    if len(key) > KEY_MAX_LENGTH:
        return f"A key has at most {KEY_MAX_LENGTH} characters."
    if not _KEY.match(key):
        return "Use printable ASCII characters only, with no space at either end."
    return None


def request_sha256(request) -> str:
    """The SHA-256 that says whether two requests carry the same body.

    The body's bytes, except for a file upload (multipart): its boundary is chosen anew by
    the client on every send, so there the fields and each file's own SHA-256 are hashed.
    """
    if request.content_type.startswith("multipart/form-data"):
        digest = hashlib.sha256()
        for name in sorted(request.data.keys()):
            for value in request.data.getlist(name):
                digest.update(f"field {name}\n".encode())
                if hasattr(value, "chunks"):
                    file_digest = hashlib.sha256()
                    for chunk in value.chunks():
                        file_digest.update(chunk)
                    value.seek(0)
                    digest.update(f"file {value.name} {file_digest.hexdigest()}\n".encode())
                else:
                    digest.update(f"{len(value)}:{value}\n".encode())
        return digest.hexdigest()
    return hashlib.sha256(request.body).hexdigest()


def stored_path(request) -> str:
    """The request's path as kept: percent-encoded, and cut to fit with its hash appended."""
    path = escape_uri_path(request.path)
    if len(path) <= PATH_MAX_LENGTH:
        return path
    tail = "#" + hashlib.sha256(path.encode()).hexdigest()
    return path[: PATH_MAX_LENGTH - len(tail)] + tail


def expiry_cutoff(now: datetime.datetime | None = None) -> datetime.datetime:
    """Records created before this are no longer answered from, and are swept."""
    return (now or timezone.now()) - datetime.timedelta(hours=settings.IDEMPOTENCY_KEY_HOURS)


def idempotency_records_expire(*, now: datetime.datetime | None = None) -> int:
    """Forget the answers older than IDEMPOTENCY_KEY_HOURS; how many were removed.

    Not audited: a record is a copy of an answer already given, kept only for retries.
    """
    deleted, _ = IdempotencyRecord.objects.filter(created_at__lt=expiry_cutoff(now)).delete()
    return deleted


def _claim(*, user, key: str, method: str, path: str, sha256: str):
    """Insert the key's record, or return the one already there: (new, earlier).

    Must run inside the write's transaction. The insert waits on the unique index while
    another transaction holds the same key uncommitted, so a concurrent retry is answered
    only once the first is settled.
    """
    IdempotencyRecord.objects.filter(user=user, key=key, created_at__lt=expiry_cutoff()).delete()
    for _ in range(2):  # the earlier record may be swept between the two statements
        try:
            with transaction.atomic():
                record = IdempotencyRecord.objects.create(
                    user=user, key=key, method=method, path=path, request_sha256=sha256
                )
            return record, None
        except IntegrityError:
            earlier = IdempotencyRecord.objects.filter(user=user, key=key).first()
            if earlier is not None:
                return None, earlier
    raise RuntimeError("An idempotency key could be neither claimed nor found.")


def _answer_again(earlier: IdempotencyRecord, *, method: str, path: str, sha256: str):
    if (earlier.method, earlier.path, earlier.request_sha256) != (method, path, sha256):
        return Response({"detail": CONFLICT_DESCRIPTION}, status=status.HTTP_409_CONFLICT)
    if earlier.status_code is None:  # never committed so; kept for a record written by hand
        return Response(
            {"detail": "The first request with this key is still being answered: retry."},
            status=status.HTTP_409_CONFLICT,
        )
    return Response(
        earlier.response_body, status=earlier.status_code, headers={REPLAYED_HEADER: "true"}
    )


def idempotent(handler):
    """Make a DRF view's write method answer a repeated `Idempotency-Key` from its record.

    Put it on the method that writes (`create`, `partial_update`, an `@action`), in any order
    with `@action` and `@extend_schema`; the schema (`beaconport.api_schema`) then documents
    the header and the 409 for that operation. The method must write through services that
    join the surrounding transaction (they do: `@transaction.atomic`).
    """

    @functools.wraps(handler)
    def wrapper(view, request, *args, **kwargs):
        key = request.headers.get(KEY_HEADER)
        if key is None or not request.user.is_authenticated:
            return handler(view, request, *args, **kwargs)
        problem = key_problem(key)
        if problem:
            return Response({KEY_HEADER: [problem]}, status=status.HTTP_400_BAD_REQUEST)
        method, path, sha256 = request.method, stored_path(request), request_sha256(request)
        with transaction.atomic():
            record, earlier = _claim(
                user=request.user, key=key, method=method, path=path, sha256=sha256
            )
            if earlier is not None:
                check = getattr(view, "idempotent_replay_check", None)
                if check is not None:
                    check(request, *args, **kwargs)  # raises (404, 403) as the handler would
                return _answer_again(earlier, method=method, path=path, sha256=sha256)
            # An exception (a refusal DRF turns into 4xx, or a crash) rolls the record back.
            response = handler(view, request, *args, **kwargs)
            if response.status_code >= 500:
                transaction.set_rollback(True)
            elif not status.is_success(response.status_code):
                record.delete()  # a refusal wrote nothing: the key stays free
            else:
                record.status_code = response.status_code
                record.response_body = (
                    None
                    if response.data is None
                    else json.loads(JSONRenderer().render(response.data))
                )
                record.save(update_fields=["status_code", "response_body"])
        return response

    wrapper.idempotent = True
    return wrapper


def is_idempotent(view, method: str) -> bool:
    """Whether the view's handler for `method` (its action, on a viewset) takes a key."""
    name = getattr(view, "action", None) or method.lower()
    return bool(getattr(getattr(view, name, None), "idempotent", False))
