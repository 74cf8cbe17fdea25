"""How the case list API pages: by cursor, in reference order, never counting the scope.

A page-number page counts every case the caller may see on every request: 2,000 for a
heavy investigator, 100,000 for a national lead. A cursor page reads only its own rows
(`id > the last one seen`, from the primary key), so it costs the same at any size, and a
case added meanwhile neither repeats nor skips a row on the next page.
"""

from rest_framework.exceptions import NotFound
from rest_framework.pagination import CursorPagination

# The longest position a case id can have (a bigint has at most 19 digits).
_MAX_DIGITS = 18


class CaseCursorPagination(CursorPagination):
    """Pages of cases in reference order: `next` and `previous` are links with a cursor."""

    ordering = "pk"

    def decode_cursor(self, request):
        cursor = super().decode_cursor(request)
        # The cursor comes from the caller: its position must be an id, or it is not ours.
        position = cursor.position if cursor is not None else None
        if position is not None and not (position.isdigit() and len(position) <= _MAX_DIGITS):
            raise NotFound(self.invalid_cursor_message)
        return cursor
