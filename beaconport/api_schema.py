"""How the API describes itself: every operation lists the errors it can answer.

drf-spectacular documents only the success response of each operation. A client (and the
Schemathesis run in CI) must also know the shape of a refusal, so every operation gets the
error responses DRF actually sends, each with a small schema matching the body:

- 400: field errors, `{"field": ["message", ...]}`, or `{"detail": "..."}` for a body that
  cannot be parsed; only where the operation takes query parameters or a body;
- 401/403: `{"detail": "..."}` for a caller who is not signed in or may not use the route;
- 404: `{"detail": "..."}` for a record that is missing or not the caller's (the same
  answer, see `cases.permissions.case_get_for`), or a list page past the end (or a cursor
  that is not one the list gave);
- 409: `{"detail": "..."}` on a write that takes an `Idempotency-Key`, for a key already used
  with a different request (`beaconport.idempotency`), which also documents the header;
- 415: `{"detail": "..."}` for a body in a media type the operation does not read;
- 429: `{"detail": "..."}` when the caller is throttled;
- 503: `{"detail": "..."}` with `Retry-After` while the throttles' cache cannot be reached
  (the API fails closed, see `beaconport.accounts.throttles`).
"""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent

from beaconport.idempotency import CONFLICT_DESCRIPTION, IDEMPOTENCY_KEY_PARAMETER, is_idempotent

DETAIL_SCHEMA = {
    "type": "object",
    "description": "Why the request was refused.",
    "properties": {"detail": {"type": "string"}},
    "required": ["detail"],
}

FIELD_ERRORS_SCHEMA = {
    "type": "object",
    "description": "What was wrong with the input: each field (or query parameter) names "
    "its messages; `non_field_errors` holds those about the input as a whole, and `detail` "
    "explains a body that could not be read at all.",
    "properties": {
        "detail": {"type": "string"},
        "non_field_errors": {"type": "array", "items": {"type": "string"}},
    },
    "additionalProperties": {"type": "array", "items": {"type": "string"}},
}

ERRORS = {
    "400": ("FieldErrors", FIELD_ERRORS_SCHEMA, "The input is invalid; nothing was changed."),
    "401": ("ErrorDetail", DETAIL_SCHEMA, "Not signed in, or the credentials are not valid."),
    "403": ("ErrorDetail", DETAIL_SCHEMA, "The caller's role may not use this route."),
    "404": (
        "ErrorDetail",
        DETAIL_SCHEMA,
        "No such record, or not one the caller may see (the same answer); or a list page "
        "past the end, or a cursor the list did not give.",
    ),
    "409": ("ErrorDetail", DETAIL_SCHEMA, CONFLICT_DESCRIPTION),
    "415": ("ErrorDetail", DETAIL_SCHEMA, "The body is in a media type this route does not read."),
    "429": ("ErrorDetail", DETAIL_SCHEMA, "Too many requests; try again later."),
    "503": (
        "ErrorDetail",
        DETAIL_SCHEMA,
        "Briefly unavailable (the throttles cannot be counted); try again after Retry-After.",
    ),
}


# The query parameters that choose a list's page: a page number or a cursor.
PAGING = ("page", "cursor")


class ErrorDocumentingAutoSchema(AutoSchema):
    """drf-spectacular's schema, plus the error responses each operation can answer."""

    def get_override_parameters(self):
        parameters = super().get_override_parameters()
        if is_idempotent(self.view, self.method):
            parameters = [*parameters, IDEMPOTENCY_KEY_PARAMETER]
        return parameters

    def get_operation(self, path, path_regex, path_prefix, method, registry):
        operation = super().get_operation(path, path_regex, path_prefix, method, registry)
        if operation is None:
            return None
        for code in self._error_codes(operation):
            name, schema, description = ERRORS[code]
            component = ResolvedComponent(
                name=name, type=ResolvedComponent.SCHEMA, schema=schema, object=name
            )
            self.registry.register_on_missing(component)
            response = operation["responses"].setdefault(code, {"description": description})
            # A view may describe an error its own way (a 409 for a stale edit as well as a
            # reused key): the body is still the error's.
            response.setdefault("content", {"application/json": {"schema": component.ref}})
        return operation

    def _error_codes(self, operation) -> list[str]:
        parameters = operation.get("parameters", [])
        takes_input = "requestBody" in operation or any(
            p["in"] == "query" and p["name"] not in PAGING for p in parameters
        )
        # A path names a record; `page` may point past the end of a list, `cursor` be not ours.
        may_miss = any(p["in"] == "path" or p["name"] in PAGING for p in parameters)
        codes = ["401", "403", "429", "503"]
        if takes_input:
            codes.append("400")
        if may_miss:
            codes.append("404")
        if "requestBody" in operation:
            codes.append("415")
        if is_idempotent(self.view, self.method):
            codes.append("409")
        return sorted(codes)


class TokenScheme(KnoxTokenScheme):
    """Our knox authentication (which throttles failures) is knox's `Token ...` header."""

    target_class = "beaconport.accounts.authentication.ThrottledTokenAuthentication"
    match_subclasses = True
    name = "tokenAuth"
