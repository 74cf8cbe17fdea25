"""Stopping an oversize upload as it arrives, before Django writes it all to a temporary file.

    @csrf_exempt                      # the handler must be in place before the body is read,
    def add(request, ...):            # which CSRF's check would do first
        cap_document_uploads(request)
        return protected_add(request, ...)   # wrapped in csrf_protect

Past `settings.DOCUMENT_MAX_BYTES` the rest of the file is read and thrown away (the
connection stays usable, the answer can say why), the part already received is deleted with
its temporary file, and `upload_too_large(request)` is true so the view can refuse with the
size limit. Fields sent after the file are lost with it: forms put the file last.
"""

from django.core.files.uploadhandler import FileUploadHandler, StopUpload

from beaconport.documents.store import max_bytes

_FLAG = "_document_upload_too_large"


class DocumentSizeCap(FileUploadHandler):
    """Counts the request's uploaded bytes and stops the upload past the document size cap.

    The count runs over every file of the request, not each alone: the forms it guards take
    one document, and a request carrying a hundred files just under the cap (Django's
    DATA_UPLOAD_MAX_NUMBER_FILES) would otherwise fill the temporary directory with 5 GiB.
    """

    def __init__(self, request=None, limit: int | None = None):
        super().__init__(request)
        self.limit = max_bytes() if limit is None else limit
        self.received = 0

    def receive_data_chunk(self, raw_data, start):
        self.received += len(raw_data)
        if self.received > self.limit:
            setattr(self.request, _FLAG, True)
            raise StopUpload(connection_reset=False)
        return raw_data

    def file_complete(self, file_size):
        return None  # the next handler (memory or temporary file) makes the file


def cap_document_uploads(request, *, limit: int | None = None) -> None:
    """Put the size cap (DOCUMENT_MAX_BYTES, or `limit` for another kind of file, such as a
    referral file) in front of the request's upload handlers, before the body is read."""
    request.upload_handlers.insert(0, DocumentSizeCap(request, limit))


def upload_too_large(request) -> bool:
    return bool(getattr(request, _FLAG, False))
