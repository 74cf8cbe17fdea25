"""A password "validator" that refuses nothing: its hook revokes API tokens.

Django calls every validator's `password_changed` when a user whose password was set is
saved (the password page, the admin, `set_password` + `save`, `changepassword`), so a new
password always ends the old password's tokens: a token taken with a stolen password dies
with it.
"""

from beaconport.accounts.services import tokens_revoke_all


class RevokeTokensOnPasswordChange:
    """Revoke every API token of a user whose password has just been set."""

    def validate(self, password, user=None):
        return None

    def password_changed(self, password, user=None):
        if user is not None and user.pk is not None:
            tokens_revoke_all(user=user, reason="password changed")

    def get_help_text(self):
        return "Setting a new password revokes all of your API tokens."
