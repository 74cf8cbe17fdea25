"""Typed readers for configuration from the environment.

Each helper refuses a malformed value with a message that names the variable, so a
deployment fails at start-up rather than running with a setting it did not intend.
"""

import os
import re

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str | None = None) -> str | None:
    """The variable as text, or ``default`` when it is unset."""
    return os.environ.get(name, default)


def env_bool(name: str, default: bool = False) -> bool:
    """The variable as a boolean; anything but a clear yes or no is refused."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {raw!r}.")


def env_int(name: str, default: int) -> int:
    """The variable as a whole number."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        return int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {raw!r}.") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """The variable as a comma-separated list, blanks dropped."""
    raw = os.environ.get(name)
    if raw is None:
        return list(default or [])
    return [item.strip() for item in raw.split(",") if item.strip()]


_RATE = re.compile(r"^[1-9][0-9]*/(s|sec|second|m|min|minute|h|hour|d|day)$")


def env_rate(name: str, default: str) -> str:
    """The variable as a throttle rate, `N/second`, `N/minute`, `N/hour` or `N/day`."""
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    value = raw.strip()
    if not _RATE.match(value):
        raise ImproperlyConfigured(
            f"{name} must be a rate such as 100/hour (per second, minute, hour or day), "
            f"not {raw!r}."
        )
    return value


# Files kept on a local filesystem are readable by the service's own user only, whatever the
# umask (Django's default leaves them readable by every user of the machine).
_OWNER_ONLY = {"file_permissions_mode": 0o600, "directory_permissions_mode": 0o700}


def env_storage(name: str, default_dir) -> dict:
    """The variable as a Django storage for private files, from a URL.

    `file:///absolute/dir` (or unset: `default_dir`) keeps files on the local filesystem;
    `s3://bucket/prefix?endpoint_url=https://...&region=eu-west-2` keeps them in an
    S3-compatible object store through django-storages. Credentials are never in the URL:
    boto3 reads them from its usual places (AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, an
    instance role). Files are private: no public ACL, no overwriting, encrypted at rest, and
    never given a public URL (they are served only through views that check access).
    """
    from urllib.parse import parse_qs, urlsplit

    raw = (os.environ.get(name) or "").strip()
    if not raw:
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(default_dir), "base_url": None, **_OWNER_ONLY},
        }
    url = urlsplit(raw)
    if url.scheme == "file":
        if not url.path.startswith("/") or url.netloc:
            raise ImproperlyConfigured(f"{name} must be file:///an/absolute/dir, not {raw!r}.")
        return {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": url.path, "base_url": None, **_OWNER_ONLY},
        }
    if url.scheme == "s3":
        if not url.netloc:
            raise ImproperlyConfigured(f"{name} must name a bucket: s3://bucket/prefix.")
        query = {key: values[-1] for key, values in parse_qs(url.query).items()}
        unknown = set(query) - {"endpoint_url", "region"}
        if unknown:
            raise ImproperlyConfigured(
                f"{name} has unknown options {sorted(unknown)}: only endpoint_url and region."
            )
        options = {
            "bucket_name": url.netloc,
            "location": url.path.strip("/"),
            "default_acl": None,
            "file_overwrite": False,
            "querystring_auth": True,
            "object_parameters": {"ServerSideEncryption": "AES256"},
        }
        if query.get("endpoint_url"):
            options["endpoint_url"] = query["endpoint_url"]
        if query.get("region"):
            options["region_name"] = query["region"]
        return {"BACKEND": "storages.backends.s3.S3Storage", "OPTIONS": options}
    raise ImproperlyConfigured(f"{name} must start file:// or s3://, not {raw!r}.")
