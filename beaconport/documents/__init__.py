"""Files kept as case-file material, shared by `cases` and `liaison` (issue 12).

Four small modules, each usable on its own:

- `sniff`: what a file is, judged from its bytes (never its name), or why it is refused;
- `store`: take an upload once (size cap, SHA-256, sniff) and save it to the private
  "documents" storage under a name of our own, removed again if the transaction rolls back;
- `stamp`: the copy a person takes away, marked with who took it and when (the stored
  bytes never change, so their SHA-256 stays true);
- `serve`: hand a stored (or stamped) file to the browser with headers that keep it inert.

An app that keeps files (liaison correspondence, say) calls, inside its own service:

    with stored_upload(file=upload, prefix=f"liaison/{record.pk}") as kept:
        Letter.objects.create(storage_name=kept.name, sha256=kept.sha256, size=kept.size,
                              content_type=kept.content_type, filename=kept.filename, ...)

and, in its view, after its own permission check and audit row:

    return stored_file_response(storage_name=..., content_type=..., filename=...,
                                stamp_for=request.user, disposition="attachment")

Refusals are `Refused` (a ValueError) with a reason a person can act on; a service turns
it into `ValidationError({"file": reason})`.
"""

from beaconport.documents.serve import stored_file_response
from beaconport.documents.sniff import Refused, Sniffed, sniff
from beaconport.documents.store import StoredFile, stored_upload

__all__ = [
    "Refused",
    "Sniffed",
    "StoredFile",
    "sniff",
    "stored_file_response",
    "stored_upload",
]
