"""Beaconport settings: every value comes from the environment through typed helpers.

Without DEBUG the service refuses to start until SECRET_KEY is set: there is no fallback key.
The README lists every variable.
"""

from datetime import timedelta
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

from beaconport.env import env_bool, env_int, env_list, env_rate, env_storage, env_str

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(env_str("BEACONPORT_VAR_DIR") or BASE_DIR / "var")

DEBUG = env_bool("DEBUG", default=False)

SECRET_KEY = env_str("SECRET_KEY") or ""
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "value (python -c 'import secrets; print(secrets.token_urlsafe(50))'), "
            "or set DEBUG=true for local development only."
        )
    # Development only: a key made fresh for this process, never a constant in the code.
    import secrets

    SECRET_KEY = secrets.token_urlsafe(50)

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "csp",
    "guardian",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "rest_framework",
    "knox",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "beaconport",
    "cases",
    "liaison",
    "beaconport.audit",
    # After axes and django_otp: its admin replaces theirs (no device secrets, read-only logs).
    "beaconport.signin",
    # After knox: its admin replaces knox's, which would list token digests.
    "beaconport.accounts",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # Issue 9: a request may read from the replica only if its user has not written lately.
    "beaconport.db_routers.ReplicaPinMiddleware",
    # Issue 8: nothing answered to a signed-in user is stored by a browser or proxy.
    "beaconport.nostore.NoStoreMiddleware",
    # Refused access (404 for not-yours, wrong role; any 403) is counted after the response.
    "beaconport.security.SecurityEventMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    "beaconport.audit.context.AuditContextMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Sign-in (issue 8): end idle or too-old sessions, then hold a session that still owes
    # its second step to the two-step pages. Both read the session only, never the database.
    "beaconport.signin.middleware.SessionLifetimeMiddleware",
    "beaconport.signin.middleware.SecondStepMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as axes asks; its lockout answer is the sign-in page's own (lockout_response).
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "beaconport.urls"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "beaconport.context_processors.roles",
            ],
        },
    },
]

WSGI_APPLICATION = "beaconport.wsgi.application"
ASGI_APPLICATION = "beaconport.asgi.application"

# Database: SQLite in the project folder unless DATABASE_URL names another. Each process
# keeps its PostgreSQL connection for DB_CONN_MAX_AGE seconds instead of opening one per
# request, and checks it before reuse (CONN_HEALTH_CHECKS), so a database restart costs one
# reconnect rather than one failed request per process.
DB_CONN_MAX_AGE = env_int("DB_CONN_MAX_AGE", 60)
DATABASES = {
    "default": dj_database_url.parse(
        env_str("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=DB_CONN_MAX_AGE,
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Tests on SQLite use a file (not memory) so a real worker process can share it.
    DATABASES["default"]["TEST"] = {"NAME": str(VAR_DIR / "test-db.sqlite3")}
    # WAL and immediate transactions let the web process and the worker share the file
    # without "database is locked" errors on the embedded default.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"init_command": "PRAGMA journal_mode=WAL;", "transaction_mode": "IMMEDIATE", "timeout": 20}
    )
# The audit witness (README, "Audit"): the same database as DATABASE_URL, connecting as the
# one role that may insert witness rows. Unset, the application's own role writes them (a
# weaker witness: that role could then forge them too).
if witness_url := env_str("AUDIT_WITNESS_DATABASE_URL"):
    from beaconport.audit.routers import witness_database_settings

    DATABASES["audit_witness"] = witness_database_settings(witness_url, DATABASES["default"])
# A streaming replica (docs/deploy.md): read-only pages read there, except for a user who
# has just written (beaconport.db_routers). Unset, every read goes to DATABASE_URL.
if replica_url := env_str("DATABASE_REPLICA_URL"):
    from beaconport.db_routers import replica_database_settings

    DATABASES["replica"] = replica_database_settings(replica_url, DATABASES["default"])
# Seconds a user's reads stay on the primary after they wrote: longer than the replica lags.
DATABASE_REPLICA_PIN_SECONDS = env_int("DATABASE_REPLICA_PIN_SECONDS", 30)
# The read-only pages that may read from the replica, by route name ("ns:*" for a namespace).
DATABASE_REPLICA_ROUTES = env_list(
    "DATABASE_REPLICA_ROUTES",
    ["cases:my_cases", "cases:queue", "liaison:my_victims", "liaison:team", "reports:*"],
)
DATABASE_ROUTERS = [
    "beaconport.audit.routers.AuditWitnessRouter",
    "beaconport.db_routers.ReplicaRouter",
]

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: refuses every password while the account or address is locked (django-axes).
    "beaconport.signin.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
    "guardian.backends.ObjectPermissionBackend",
]
ANONYMOUS_USER_NAME = None
GUARDIAN_RAISE_403 = False

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    # Refuses what is easy to guess ("aaaaaaaaaaaa", "Password1234"); no forced rotation.
    {
        "NAME": "beaconport.signin.validators.GuessablePasswordValidator",
        "OPTIONS": {"min_score": 3},
    },
    # Not a rule: its password_changed hook revokes every API token of a user whose password
    # is set, on every path (password page, admin, set_password + save).
    {"NAME": "beaconport.accounts.validators.RevokeTokensOnPasswordChange"},
]

LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Case-file material and uploaded referral files (issue 12): private, outside the web
    # root, served only through views that check access (docs/documents.md).
    "documents": env_storage("STORAGE_URL", VAR_DIR / "documents"),
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
WHITENOISE_USE_FINDERS = DEBUG

# Sessions: short-lived and never readable by scripts. The server ends a session idle for
# SESSION_IDLE_TIMEOUT seconds or signed in SESSION_ABSOLUTE_LIFETIME seconds ago, however
# active (beaconport.signin.middleware); the stored session expires with the idle timeout.
SESSION_IDLE_TIMEOUT = env_int("SESSION_IDLE_TIMEOUT", 15 * 60)
SESSION_ABSOLUTE_LIFETIME = env_int("SESSION_ABSOLUTE_LIFETIME", 12 * 60 * 60)
if not 0 < SESSION_IDLE_TIMEOUT <= SESSION_ABSOLUTE_LIFETIME:
    raise ImproperlyConfigured(
        "SESSION_IDLE_TIMEOUT must be positive and at most SESSION_ABSOLUTE_LIFETIME."
    )
SESSION_COOKIE_AGE = SESSION_IDLE_TIMEOUT
# Not every request: the idle clock (beaconport.signin.sessions) saves the session when it
# moves, at most once a SESSION_ACTIVITY_STEP, which also renews the stored expiry.
SESSION_SAVE_EVERY_REQUEST = False
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Transport security: on by default without DEBUG; a proxy that terminates TLS sets the header.
SECURE = not DEBUG and env_bool("SECURE_COOKIES", default=True)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = not DEBUG and env_bool("SECURE_SSL_REDIRECT", default=True)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_HSTS_SECONDS = 0 if DEBUG else env_int("SECURE_HSTS_SECONDS", 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Email: the console in development, SMTP (or any backend) from the environment.
EMAIL_BACKEND = env_str(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_FILE_PATH = env_str("EMAIL_FILE_PATH") or str(VAR_DIR / "mail")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "beaconport@localhost")
# Seconds an email claimed in the outbox is its sender's; not recorded as sent by then, the
# next sweep sends it again with the same Message-ID (beaconport/outbox.py).
OUTBOX_LEASE_SECONDS = env_int("OUTBOX_LEASE_SECONDS", 120)

# Celery: Redis when REDIS_URL is set, otherwise kombu's filesystem transport in var/.
# No task may run longer than this (seconds): the pool child is killed and, with late acks
# and reject-on-worker-lost, the message goes back to the queue. The longest task is a
# reminder sweep (1,000 reminders at 130/s take under 10 s); 30 minutes is for a hung SMTP.
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 30 * 60)
REDIS_URL = env_str("REDIS_URL") or ""
BROKER_DIR = VAR_DIR / "broker"
if REDIS_URL:
    if REDIS_URL.startswith("rediss://") and "ssl_cert_reqs=none" in REDIS_URL.lower():
        raise ImproperlyConfigured("REDIS_URL must not switch off TLS verification.")
    CELERY_BROKER_URL = REDIS_URL
    # Redis hands an unacknowledged message to another worker after visibility_timeout. With
    # late acks a task still running at that point would run twice at once, so it must be
    # longer than the longest task: CELERY_TASK_TIME_LIMIT above bounds every task, and this
    # is twice that. It is also how long a task whose worker died waits to be redelivered.
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "visibility_timeout": 2 * CELERY_TASK_TIME_LIMIT,
        # Notice a dead Redis (or a dropped connection) in seconds, not at the kernel's leisure.
        "socket_keepalive": True,
        "socket_connect_timeout": 5,
        "health_check_interval": 25,
    }
else:
    # kombu's filesystem transport needs its folders to exist before the first message.
    for folder in ("queue", "processed", "control"):
        (BROKER_DIR / folder).mkdir(parents=True, exist_ok=True)
    CELERY_BROKER_URL = "filesystem://"
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(BROKER_DIR / "queue"),
        "data_folder_out": str(BROKER_DIR / "queue"),
        "processed_folder": str(BROKER_DIR / "processed"),
        "control_folder": str(BROKER_DIR / "control"),
        "store_processed": False,
    }
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
# Redis restarts (issue 9): keep retrying the broker for ever instead of exiting after 100
# tries, at start-up too; the supervisor restarts a worker that exits anyway. Workers run
# --without-gossip --without-mingle --without-heartbeat (Procfile, docs/deploy.md): gossip's
# restart after a lost connection is what raised "'NoneType' object has no attribute
# 'hostname'" (celery/kombu#582) and left workers that no longer consumed (celery#8030,
# #8091); Beaconport uses none of the three.
CELERY_BROKER_CONNECTION_RETRY = True
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_CONNECTION_MAX_RETRIES = None
# A task running when the broker connection drops finishes rather than being killed: every
# task can run twice harmlessly, and killing one mid-send could double a message.
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = False
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
# Exactly one scheduler: a second `celery beat` waits for the first's lock (docs/deploy.md).
CELERY_BEAT_SCHEDULER = "beaconport.scheduler:LockedScheduler"
# How often a waiting scheduler tries the lock, and how often the holder checks it still
# holds it (seconds): together with the database noticing a dead holder, the takeover bound.
SCHEDULER_LOCK_POLL = env_int("SCHEDULER_LOCK_POLL", 2)
CELERY_BEAT_MAX_LOOP_INTERVAL = env_int("SCHEDULER_LOCK_CHECK", 10)
CELERY_TASK_DEFAULT_QUEUE = env_str("CELERY_QUEUE", "beaconport")
# Dashboard snapshots: how often they are rebuilt, and past what age a page builds live.
REPORTS_SNAPSHOT_REFRESH_MINUTES = env_int("REPORTS_SNAPSHOT_REFRESH_MINUTES", 15)
REPORTS_SNAPSHOT_MAX_AGE_MINUTES = env_int("REPORTS_SNAPSHOT_MAX_AGE_MINUTES", 60)
# Task modules outside an app's tasks.py that the worker registers.
CELERY_IMPORTS = ["beaconport.reports.tasks"]
CELERY_BEAT_SCHEDULE: dict = {
    "heartbeat": {"task": "beaconport.heartbeat", "schedule": 60.0},
    # Follow-up reminders: due times live in the database; this sweep sends what is due.
    # Expires before the next run so a backlog of sweeps never piles up behind a stopped worker.
    "liaison-sweep-reminders": {
        "task": "liaison.sweep_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Flag review-by and line-of-inquiry due-date reminders (cases.reminders), the same way.
    "cases-sweep-reminders": {
        "task": "cases.sweep_reminders",
        "schedule": 60.0,
        "options": {"expires": 55},
    },
    # Dashboard snapshots (beaconport.reports.snapshots): the costly dashboards rebuilt for
    # every scope people open; one refresh at a time (advisory lock), so a late one expires.
    "reports-refresh-snapshots": {
        "task": "reports.refresh_snapshots",
        "schedule": REPORTS_SNAPSHOT_REFRESH_MINUTES * 60.0,
        "options": {"expires": REPORTS_SNAPSHOT_REFRESH_MINUTES * 60.0 - 5},
    },
    # The audit witness records the chain head; audit_verify --max-witness-age 15 alerts.
    "audit-witness-head": {
        "task": "audit.witness_head",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Referral files whose import was lost (a dead worker, a lost message) are sent again.
    "cases-resume-referral-batches": {
        "task": "cases.resume_referral_batches",
        "schedule": 300.0,
        "options": {"expires": 290},
    },
    # Answers kept for Idempotency-Key retries (beaconport.idempotency), forgotten when old.
    "idempotency-sweep-records": {
        "task": "beaconport.sweep_idempotency_records",
        "schedule": 3600.0,
        "options": {"expires": 3500},
    },
}
# How long the API keeps a write's answer for a retry with the same Idempotency-Key (hours).
IDEMPOTENCY_KEY_HOURS = env_int("IDEMPOTENCY_KEY_HOURS", 24)
# Liaison reminders: hours after a follow-up goes overdue before the liaison leads are told,
# and how many follow-ups a sweep reads at a time.
LIAISON_ESCALATE_AFTER_HOURS = env_int("LIAISON_ESCALATE_AFTER_HOURS", 0)
LIAISON_SWEEP_BATCH = env_int("LIAISON_SWEEP_BATCH", 500)
# Case reminders (cases.reminders): the hour of the morning after a review-by or due date
# that the owner is reminded, the working days after that the review leads are told, and how
# many flags or lines of inquiry a sweep claims at a time.
CASE_REMINDER_HOUR = env_int("CASE_REMINDER_HOUR", 8)
CASE_ESCALATE_AFTER_WORKING_DAYS = env_int("CASE_ESCALATE_AFTER_WORKING_DAYS", 2)
CASES_SWEEP_BATCH = env_int("CASES_SWEEP_BATCH", 500)
# The largest referral file import_referrals reads: 128 MiB, about 60,000 referrals of the
# synthetic size and well past a force's largest (9,000); a larger file is refused unread.
REFERRAL_FILE_MAX_BYTES = env_int("REFERRAL_FILE_MAX_BYTES", 128 * 2**20)
# The largest document attached to a case or a liaison record (docs/documents.md): 50 MiB,
# above a long scanned statement or an ABE transcript; a larger upload is refused unstored.
DOCUMENT_MAX_BYTES = env_int("DOCUMENT_MAX_BYTES", 50 * 2**20)
# Uploads past 2.5 MiB are streamed to a temporary file (FILE_UPLOAD_TEMP_DIR, default the
# system's) as they arrive, never held in memory; the form fields beside a file stay small.
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
FILE_UPLOAD_TEMP_DIR = env_str("FILE_UPLOAD_TEMP_DIR", "") or None
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440
# Reading a document's text for search (docs/document-search.md): the first pages and
# characters only, so one huge file cannot hold a worker or bloat the index; past the time
# budget the rest is left unread and the document says so.
DOCUMENT_EXTRACT_MAX_PAGES = env_int("DOCUMENT_EXTRACT_MAX_PAGES", 2000)
DOCUMENT_EXTRACT_MAX_CHARS = env_int("DOCUMENT_EXTRACT_MAX_CHARS", 5_000_000)
DOCUMENT_EXTRACT_SECONDS = env_int("DOCUMENT_EXTRACT_SECONDS", 300)
# Celery's Django fix-up closes the database connection after every task unless told to
# reuse it; reuse measured about four times the throughput (790 against 200 tasks/s).
CELERY_DB_REUSE_MAX = env_int("CELERY_DB_REUSE_MAX", 1000)
# Refused access is counted per user (or address), kind, route and minute; past this many
# rows in a clock hour only the hour's overflow row counts (beaconport/security.py).
SECURITY_EVENTS_PER_HOUR = env_int("SECURITY_EVENTS_PER_HOUR", 1000)

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.SessionAuthentication",
        # knox tokens (hashed at rest, expiring), with failed attempts throttled per address.
        "beaconport.accounts.authentication.ThrottledTokenAuthentication",
    ],
    "DEFAULT_THROTTLE_CLASSES": [
        "beaconport.accounts.throttles.UserThrottle",
        "beaconport.accounts.throttles.AddressThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "user": env_rate("API_THROTTLE_USER", "1000/hour"),
        "address": env_rate("API_THROTTLE_ADDRESS", "5000/hour"),
        "token_failure": env_rate("API_THROTTLE_TOKEN_FAILURES", "10/hour"),
    },
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "rest_framework.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": ["django_filters.rest_framework.DjangoFilterBackend"],
    # drf-spectacular, plus the error responses each operation can answer.
    "DEFAULT_SCHEMA_CLASS": "beaconport.api_schema.ErrorDocumentingAutoSchema",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
}
# API tokens (django-rest-knox): only a SHA-512 digest is stored, the secret is shown once,
# and every token expires. A password change revokes all of the user's tokens.
API_TOKEN_TTL_HOURS = env_int("API_TOKEN_TTL_HOURS", 7 * 24)
if API_TOKEN_TTL_HOURS < 1:
    raise ImproperlyConfigured("API_TOKEN_TTL_HOURS must be at least 1: every token expires.")
API_TOKEN_LIMIT_PER_USER = env_int("API_TOKEN_LIMIT_PER_USER", 5)
REST_KNOX = {
    "TOKEN_TTL": timedelta(hours=API_TOKEN_TTL_HOURS),
    "TOKEN_LIMIT_PER_USER": API_TOKEN_LIMIT_PER_USER,
    "AUTH_HEADER_PREFIX": "Token",
    # knox keeps a token's first 15 characters in clear to find its row: with this prefix
    # only 11 of them are secret (the other 53 exist only as SHA-512), and a leaked token
    # is easy for secret scanners to recognise.
    "TOKEN_PREFIX": "bpt_",
    "AUTO_REFRESH": False,
}

# A cache every process shares (API throttles count across web workers and machines):
# Redis when REDIS_URL is set, otherwise files under VAR_DIR.
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "beaconport",
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
            "KEY_PREFIX": "beaconport",
        }
    }

SPECTACULAR_SETTINGS = {
    "TITLE": "Beaconport API",
    "DESCRIPTION": "Read and report API for the Beaconport case review.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.IsAuthenticated"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    # One schema name per vocabulary, however many fields use it.
    "ENUM_NAME_OVERRIDES": {
        "CaseStatusEnum": "cases.vocabulary.CaseStatus",
        "InquiryStatusEnum": "cases.vocabulary.InquiryStatus",
        "EligibilityEnum": "cases.vocabulary.Eligibility",
        "PriorityEnum": "cases.vocabulary.Priority",
        "CriterionResultEnum": "cases.vocabulary.CriterionResult",
        "FollowUpStatusEnum": "liaison.models.FollowUpStatus",
        "LinkStatusEnum": "cases.vocabulary.LinkStatus",
        "ClusterStatusEnum": "cases.api.linkage.CLUSTER_STATUSES",
        "BatchStatusEnum": "cases.vocabulary.BatchStatus",
    },
}

# Brute-force lockout (django-axes, beaconport.signin.lockout): 5 failed passwords lock the
# account, SIGNIN_ADDRESS_FAILURE_LIMIT lock the address, each until 15 minutes pass without
# another failure. Counts live in the database, so every process shares them. A success does
# not wipe the failures (it would also wipe the address's count for other accounts).
AXES_HANDLER = "beaconport.signin.lockout.LockoutHandler"
AXES_FAILURE_LIMIT = 5
SIGNIN_ADDRESS_FAILURE_LIMIT = env_int("SIGNIN_ADDRESS_FAILURE_LIMIT", 50)
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]  # in this order: see LockoutHandler
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_RESET_ON_SUCCESS = False
AXES_LOCKOUT_CALLABLE = "beaconport.signin.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "beaconport.signin.lockout.client_address"
AXES_USERNAME_CALLABLE = "beaconport.signin.lockout.attempted_username"
AXES_ENABLE_ACCESS_FAILURE_LOG = True
AXES_ACCESS_FAILURE_LOG_PER_USER_LIMIT = 200
# No start-up banner on every manage.py command (its log lines still say what it does).
AXES_VERBOSE = False

# Two-step verification (django-otp): the name an authenticator app shows, and no secrets in
# the admin (beaconport.signin.admin removes the device pages' key fields as well).
OTP_TOTP_ISSUER = "Beaconport"
OTP_ADMIN_HIDE_SENSITIVE_DATA = True

# Content-Security-Policy: nothing inline, nothing from elsewhere.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}

# Audit: the header a trusted proxy puts the client address in (unset: REMOTE_ADDR), and how
# long a justification given for a sensitive record holds.
AUDIT_CLIENT_IP_HEADER = env_str("AUDIT_CLIENT_IP_HEADER", "")
AUDIT_JUSTIFICATION_TTL = env_int("AUDIT_JUSTIFICATION_TTL", 30 * 60)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# Person linkage (cases/linkage, docs/linkage.md): where trained models are kept (versioned
# JSON files, outside the repository), which Splink backend computes, DuckDB's limits, and
# the match probabilities that decide what a run links (at or above auto) and what it sends
# to a lead (at or above review). A model keeps the thresholds it was trained with.
LINKAGE_MODEL_DIR = Path(env_str("LINKAGE_MODEL_DIR") or VAR_DIR / "linkage" / "models")
LINKAGE_BACKEND = env_str("LINKAGE_BACKEND", "duckdb")
LINKAGE_DUCKDB_MEMORY = env_str("LINKAGE_DUCKDB_MEMORY", "3GB")
LINKAGE_DUCKDB_THREADS = env_int("LINKAGE_DUCKDB_THREADS", 2)
LINKAGE_DUCKDB_TEMP_DIR = Path(env_str("LINKAGE_DUCKDB_TEMP_DIR") or VAR_DIR / "linkage" / "tmp")
LINKAGE_AUTO_THRESHOLD = float(env_str("LINKAGE_AUTO_THRESHOLD") or 0.95)
LINKAGE_REVIEW_THRESHOLD = float(env_str("LINKAGE_REVIEW_THRESHOLD") or 0.5)
# LINKAGE_BACKEND=spark (cases/linkage/spark.py): the master (local[2] on one machine, or a
# cluster's spark:// or yarn URL), shuffle partitions, the driver's memory, and where Splink
# writes the tables it breaks lineage with (a path every executor reaches on a cluster).
LINKAGE_SPARK_MASTER = env_str("LINKAGE_SPARK_MASTER", "local[2]")
LINKAGE_SPARK_PARTITIONS = env_int("LINKAGE_SPARK_PARTITIONS", 8)
LINKAGE_SPARK_DRIVER_MEMORY = env_str("LINKAGE_SPARK_DRIVER_MEMORY", "2g")
# A URL (hdfs://, s3a://) stays text: a Path would fold its double slash.
LINKAGE_SPARK_CHECKPOINT_DIR = env_str("LINKAGE_SPARK_CHECKPOINT_DIR") or str(
    VAR_DIR / "linkage" / "spark"
)
# Any other Spark setting, as "key=value" items separated by commas.
LINKAGE_SPARK_CONF = env_list("LINKAGE_SPARK_CONF", [])
