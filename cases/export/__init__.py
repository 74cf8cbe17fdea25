"""A case exported as a PDF bundle for disclosure (issue 12).

`material` reads what the bundle holds in a fixed number of queries, `redaction` takes the
case's people's names and identifiers out of free text, `pdf` draws the pages. The write
that logs the disclosure is `cases.services.export.case_export`.
"""
