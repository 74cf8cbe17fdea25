"""Access policy for the API's lines of inquiry and findings (issue 12): those who see the case
read them, those who may change it write them; an empty write is refused (400: no field, no
version). Anyone else gets 404, as for a case that is not there; the API refuses an anonymous
caller (403) and answers 405 to every caller for a method a route does not take."""

from tests.access_policy import CASE_SEERS, api, only


def _reads_and_writes(write: str) -> dict:
    return api(
        get=only(CASE_SEERS, 200, anonymous=403),
        **{write: only(CASE_SEERS, 400, anonymous=403)},
    )


POLICY = {
    "api:case-inquiry-list": _reads_and_writes("post"),
    "api:case-inquiry-detail": _reads_and_writes("patch"),
    "api:case-finding-list": _reads_and_writes("post"),
    "api:case-finding-detail": _reads_and_writes("patch"),
}

PK_OF = {
    "api:case-inquiry-detail": "inquiry",
    "api:case-finding-detail": "finding",
}
