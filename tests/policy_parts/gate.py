"""Access policy for the review's gate (issue 13): recording and withdrawing "no failings
found" are case form pages for those who may work the case (its assigned investigator and
the leads whose scope holds it): the page opens (200), an empty POST is refused (400: no
version, no reason). Everyone else, other investigators, another region's lead and liaison
staff included, gets 404, as for a case that is not there. The approval of a review's
outcome is the case page's own transition route (`cases:transition`), already in the
policy."""

from tests.access_policy import case_form

POLICY = {
    "gate:no_failings": case_form(),
    "gate:no_failings_withdraw": case_form(),
}

ROUTE_AUDIT = {
    "gate:no_failings": "consult of the case shown (case_get_for); the record by its service",
    "gate:no_failings_withdraw": "consult of the case shown (case_get_for); the withdrawal "
    "by its service",
}
