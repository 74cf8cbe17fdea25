"""What any input may hold, checked in one place for forms, the API and the importer alike.

Dates must fall in a plausible range and every free text has one cap, so no input can make
a computation loop for years or a page hold a novel. Names and references lose the
invisible characters that can disguise them (bidirectional overrides, zero-width spaces).
"""

import datetime

# People in historic cases were born in the twentieth century; nothing the review records
# happens after the end of this century. Narrower ranges for particular fields live beside
# those fields and must fall within this one.
EARLIEST_DATE = datetime.date(1900, 1, 1)
LATEST_DATE = datetime.date(2100, 12, 31)

# One cap for free text (notes, rationales, summaries), the same in forms and the API.
TEXT_MAX_LENGTH = 5000


def date_problem(value: datetime.date | None) -> str | None:
    """Why a date is implausible, or None when it is fine (or absent)."""
    if value is None:
        return None
    if value < EARLIEST_DATE or value > LATEST_DATE:
        return f"Enter a date between {EARLIEST_DATE:%d %B %Y} and {LATEST_DATE:%d %B %Y}."
    return None
