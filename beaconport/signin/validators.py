"""Passwords that are easy to guess are refused, however long (no forced rotation: NCSC)."""

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

# zxcvbn refuses more than 72 characters (its cost grows with length); what follows them
# only adds strength, so the first 72 are judged.
SCORED_LENGTH = 72


class GuessablePasswordValidator:
    """Refuses a password zxcvbn scores below `min_score` (0 to 4; 3 is "safely
    unguessable", about 10^8 guesses), taking the user's own names and email into account."""

    def __init__(self, min_score: int = 3):
        self.min_score = min_score

    def validate(self, password, user=None):
        hints = []
        if user is not None:
            hints = [
                str(value)
                for value in (
                    getattr(user, "username", ""),
                    getattr(user, "first_name", ""),
                    getattr(user, "last_name", ""),
                    getattr(user, "email", ""),
                )
                if value
            ]
        result = zxcvbn(password[:SCORED_LENGTH], user_inputs=hints)
        if result["score"] < self.min_score:
            advice = result["feedback"].get("warning") or ""
            raise ValidationError(
                "This password is too easy to guess. Use a few unrelated words or a longer "
                "phrase.%(advice)s",
                code="password_too_guessable",
                params={"advice": f" ({advice.rstrip('.')}.)" if advice else ""},
            )

    def get_help_text(self):
        return "Your password must not be easy to guess: a few unrelated words work well."
