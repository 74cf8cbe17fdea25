"""Writes on accounts: API tokens issued and revoked, and administrators' changes to users
and groups. Each is atomic and leaves one audit row.

A token's secret exists only in the value `token_create` returns: the database keeps knox's
SHA-512 digest. The audit log names a token by its fingerprint, the first 16 characters of
that digest, which tells nothing about the secret.
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from knox.models import AuthToken

from beaconport.accounts.selectors import token_fingerprint, tokens_of
from beaconport.audit.models import Operation
from beaconport.audit.services import audit_record

TOKEN_TYPE = "knox.authtoken"  # noqa: S105 - a model label, not a secret
USER_TYPE = "auth.user"
GROUP_TYPE = "auth.group"


@transaction.atomic
def token_create(*, user, by) -> tuple[AuthToken, str]:
    """Issue an API token to a user (by themselves): the token row and the secret, which is
    shown once and never stored. Refused past API_TOKEN_LIMIT_PER_USER live tokens."""
    if by.pk != user.pk:
        raise ValidationError("Only the user themselves can create their API token.")
    limit = settings.API_TOKEN_LIMIT_PER_USER
    if tokens_of(user).count() >= limit:
        raise ValidationError(
            f"You already have {limit} API tokens: revoke one you no longer use first."
        )
    token, secret = AuthToken.objects.create(user=user)  # knox applies REST_KNOX's TTL
    audit_record(
        operation=Operation.COLLECT,
        actor=by,
        object_type=TOKEN_TYPE,
        object_id=token_fingerprint(token),
        changes={"user": (None, user.pk), "expiry": (None, token.expiry)},
    )
    return token, secret


@transaction.atomic
def token_revoke(*, token: AuthToken, by, reason: str) -> None:
    """Revoke one API token: it stops working at once. `reason` says who and why."""
    fingerprint = token_fingerprint(token)
    owner_id = token.user_id
    AuthToken.objects.filter(digest=token.digest).delete()
    audit_record(
        operation=Operation.ERASE,
        actor=by,
        object_type=TOKEN_TYPE,
        object_id=fingerprint,
        justification=reason,
        changes={"user": (owner_id, None)},
    )


@transaction.atomic
def tokens_revoke_all(*, user, reason: str, by=None) -> int:
    """Revoke every API token of a user (a password change): the number revoked.

    Costs one query when the user has none, so it can run on every password set.
    """
    digests = list(AuthToken.objects.filter(user=user).values_list("digest", flat=True))
    if not digests:
        return 0
    AuthToken.objects.filter(digest__in=digests).delete()
    audit_record(
        operation=Operation.ERASE,
        actor=by,
        object_type=TOKEN_TYPE,
        ids=[digest[:16] for digest in digests],
        justification=reason,
        changes={"user": (user.pk, None)},
    )
    return len(digests)


def account_snapshot(user) -> dict:
    """What an administrator can change about a user that decides what they may do."""
    return {
        "username": user.username,
        "is_active": user.is_active,
        "is_staff": user.is_staff,
        "is_superuser": user.is_superuser,
        "groups": sorted(user.groups.values_list("name", flat=True)),
        "user_permissions": sorted(
            f"{app}.{codename}"
            for app, codename in user.user_permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


def group_snapshot(group) -> dict:
    """A group's name and the permissions it gives its members."""
    return {
        "name": group.name,
        "permissions": sorted(
            f"{app}.{codename}"
            for app, codename in group.permissions.values_list(
                "content_type__app_label", "codename"
            )
        ),
    }


def _diff(before: dict | None, after: dict) -> dict:
    before = before or {}
    return {k: (before.get(k), v) for k, v in after.items() if before.get(k) != v}


def user_change_record(*, user, by, before: dict | None, password_set: bool = False) -> dict:
    """Log an administrator's creation of or change to a user (roles, staff, superuser,
    active, permissions, password): the changes logged, {} when nothing changed.

    `before` is `account_snapshot` taken before the change (None for a new user). The
    password is logged by name only.
    """
    changes = _diff(before, account_snapshot(user))
    if password_set:
        changes["password"] = ("", "set")
    if not changes:
        return {}
    audit_record(
        operation=Operation.COLLECT if before is None else Operation.ALTER,
        actor=by,
        object_type=USER_TYPE,
        object_id=user.pk,
        changes=changes,
        sensitive_fields=("password",),
    )
    return changes


def group_change_record(*, group, by, before: dict | None, deleted: bool = False) -> dict:
    """Log an administrator's creation of, change to or deletion of a group (a role)."""
    if deleted:
        changes = {k: (v, None) for k, v in (before or {}).items()}
    else:
        changes = _diff(before, group_snapshot(group))
    if not changes:
        return {}
    operation = Operation.ALTER
    if before is None:
        operation = Operation.COLLECT
    audit_record(
        operation=operation,
        actor=by,
        object_type=GROUP_TYPE,
        object_id=group.pk,
        changes=changes,
    )
    return changes


def object_permissions_change_record(
    *, obj, by, grantee, before: set[str], after: set[str]
) -> dict:
    """Log an administrator's grant or revocation of object permissions (guardian's admin
    pages) on one record to one user or group: the changes logged, {} when none.

    The row is about the record (a case's grants show under that case for auditors) and
    names the grantee in its field: `{"user ivy.investigator": [before, after]}`.
    """
    if set(before) == set(after):
        return {}
    kind = "group" if grantee._meta.label_lower == GROUP_TYPE else "user"
    name = grantee.name if kind == "group" else grantee.get_username()
    changes = {f"{kind} {name}": (sorted(before), sorted(after))}
    audit_record(operation=Operation.ALTER, actor=by, obj=obj, changes=changes)
    return changes
