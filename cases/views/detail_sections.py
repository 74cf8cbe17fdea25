"""Sections that issue 13 adds to the case page, one function each (context for its
template under templates/cases/detail/); `detail_sections` merges them for case_context.
Each reads only what its section shows, in a fixed number of queries.
"""


def gate_section(user, case) -> dict:
    """What "review complete" still needs, "no failings found", and the four-eyes approval."""
    return {}


def review_record_section(user, case) -> dict:
    """The decision log and the history of offences added or corrected."""
    return {}


SECTIONS = (gate_section, review_record_section)


def detail_sections(user, case) -> dict:
    context = {}
    for section in SECTIONS:
        context.update(section(user, case))
    return context
