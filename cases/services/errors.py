"""Errors the case services raise: Django ValidationErrors, so forms and the API show them."""

from django.core.exceptions import ValidationError


class TransitionNotAllowed(ValidationError):
    """A workflow move that is not in the table, or not this user's to make."""

    def __init__(self, message: str):
        super().__init__(message, code="transition_not_allowed")


class ActionNotPermitted(ValidationError):
    """The user may not make this change to this case (views answer 404 before it gets here)."""

    def __init__(self, message: str):
        super().__init__(message, code="not_permitted")


class StaleEdit(ValidationError):
    """The record changed since the user loaded it; nothing was written.

    `changes` maps each field someone else changed to {"theirs": the value now stored,
    "yours": the value submitted}; `current` is the fresh record, so a form can show both
    and let the user decide.
    """

    def __init__(self, message: str, *, changes: dict, current):
        super().__init__(message, code="stale")
        self.changes = changes
        self.current = current


def require_permission(user, action: str, case, doing: str) -> None:
    """Refuse the write unless the user may take the action on the case.

    Views fetch through `cases.permissions.case_get_for` first (not-yours answers 404); this
    is the backstop that keeps every write behind the same rules whoever calls it.
    """
    from cases.permissions import user_can

    if user is None or not user_can(user, action, case):
        raise ActionNotPermitted(f"You may not {doing} on {case.reference}.")
