"""Reading a document's text for search (issue 12): run by `cases.tasks.extract_document_text`.

To be filled: pypdf for PDFs (a page each), python-docx for DOCX, plain text as is, images
have none. A failure is kept on the document and shown, never dropped.
"""


def document_text_extract(*, document_id: int) -> None:
    """Read the document's text into its pages and its search vectors (idempotent)."""
