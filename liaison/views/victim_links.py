"""A victim's other cases, for their liaison officer only, after a reason (issue 10).

Victim-to-victim links are shown only to the review lead (on the link pages) and to the
victims' own liaison officers: here, once the officer has said why, the reason logged with
the read. Liaison officers see no suspect link anywhere.
"""

from django.http import Http404
from django.shortcuts import render

from beaconport.access import access_required
from beaconport.audit.justification import require_justification
from beaconport.audit.services import audit_consult
from beaconport.roles import Role
from cases.linkage.crosscase import victim_links_of
from liaison.permissions import holds_record, record_get_for
from liaison.views.common import victim_label

# What the officer is asked to justify (the key of the reason in the session and the log).
VICTIM_LINKS = "victim links"


def _own_record(request, pk):
    """The record if it is assigned to the signed-in officer now; 404 otherwise."""
    record = record_get_for(request.user, pk)
    if not holds_record(request.user, record):
        raise Http404("No such record")
    return record


@access_required(Role.LIAISON_OFFICER, methods=["GET"], seen=_own_record)
def victim_links(request, pk):
    """Where else the victim may be a victim: the other case's reference, force and link."""
    record = _own_record(request, pk)
    asked = require_justification(
        request,
        obj=record,
        reason=VICTIM_LINKS,
        case=record.case_id,
        person=record.party.person_id,
        label=f"see where else {record.pseudonym} may be a victim",
    )
    if asked is not None:
        return asked
    links = victim_links_of(record.party)
    # The read of the other cases' references, with the reason now carried (set above).
    audit_consult(
        ids=[link.case_id for link in links],
        object_type="cases.case",
        actor=request.user,
        person=record.party.person_id,
    )
    return render(
        request,
        "liaison/victim_links.html",
        {"record": record, "label": victim_label(request.user, record), "links": links},
    )
