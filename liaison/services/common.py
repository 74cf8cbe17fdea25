"""What every liaison service shares: the permission backstop."""

from cases.services.errors import ActionNotPermitted
from liaison.permissions import record_user_can


def require(user, action: str, record, doing: str) -> None:
    """Refuse the write unless the user may take the action on the record.

    Views fetch through `liaison.permissions.record_get_for` first (not-yours answers 404);
    this keeps every write behind the same rules whoever calls the service.
    """
    if user is None or not record_user_can(user, action, record):
        raise ActionNotPermitted(f"You may not {doing} on this liaison record.")
