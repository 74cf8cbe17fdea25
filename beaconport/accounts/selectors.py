"""Reads of API tokens: a user's live tokens, and how a token is named without its secret."""

from django.db.models import Q
from django.utils import timezone
from knox.models import AuthToken


def token_fingerprint(token: AuthToken) -> str:
    """How the audit log and the pages name a token: a prefix of its digest, never its secret."""
    return token.digest[:16]


def tokens_of(user):
    """A user's live tokens, newest first (expired ones are refused and no longer listed).

    At most API_TOKEN_LIMIT_PER_USER of them, so a page shows them all.
    """
    return (
        AuthToken.objects.filter(user=user)
        .filter(Q(expiry__isnull=True) | Q(expiry__gt=timezone.now()))
        .order_by("-created")
    )
