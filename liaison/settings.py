"""Liaison settings, read from environment variables (see .env.example)."""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url
from csp.constants import NONCE
from django.core.exceptions import ImproperlyConfigured

from liaison.lib.environment import env_bool, env_int, env_list, env_str
from liaison.lib.secrets import secret_from_env

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", False)
# With DEBUG off, a missing, short or placeholder secret stops start-up (liaison/lib/secrets.py).
# With DEBUG on, a fixed development value stands in; the student-key secret never falls back to
# SECRET_KEY, so SECRET_KEY can be rotated (SECRET_KEY_FALLBACKS) without re-keying any student.
_DEVELOPMENT_SECRET = "insecure-development-key-only-for-debug"
SECRET_KEY = secret_from_env("SECRET_KEY", debug=DEBUG, development_value=_DEVELOPMENT_SECRET)
SECRET_KEY_FALLBACKS = env_list("SECRET_KEY_FALLBACKS", [])

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "ninja",
    "django_htmx",
    "csp",
    "django_tasks",
    "django_tasks_db",
    "liaison.accounts",
    "liaison.directory",
    "liaison.interactions",
    "liaison.agreements",
    "liaison.programs",
    "liaison.surveys",
    "liaison.insights",
    "liaison.operations",
    "liaison.ratelimits",
    "liaison.notifications",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "liaison.workflows",
    "liaison.demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "liaison.lib.control_characters.ControlCharacterMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "liaison.lib.replica.ReplicaPinMiddleware",  # reads after a write stay on the primary
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "liaison.accounts.export_audit.ExportAuditMiddleware",  # every CSV download is one audit entry
    "liaison.accounts.middleware.SecondFactorMiddleware",
    "liaison.accounts.middleware.SessionLimitsMiddleware",
    "liaison.directory.time_zones.ProgramTimeZoneMiddleware",  # times in the program's zone, with its name
]

ROOT_URLCONF = "liaison.urls"
WSGI_APPLICATION = "liaison.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "liaison" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
                "liaison.accounts.context_processors.roles",
            ],
        },
    },
]

# --- Database: SQLite (embedded default) or PostgreSQL via DATABASE_URL ----
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "var")))
DATABASE_URL = env_str("DATABASE_URL")


def _database_from_url(url: str) -> dict:
    if not url.startswith(("postgres://", "postgresql://")):
        raise ImproperlyConfigured(f"DATABASE_URL: only postgres:// or postgresql:// URLs are supported, got {url!r}")
    config = dj_database_url.parse(url, conn_max_age=env_int("DB_CONN_MAX_AGE", 60, minimum=0))
    config["CONN_HEALTH_CHECKS"] = True
    if env_bool("DB_PREPARED_STATEMENTS", True):
        # Server-side binding lets psycopg prepare a statement on its second use on a connection:
        # the API's create then costs PostgreSQL less than half the CPU (docs/benchmarks.md).
        # Turn off behind a pooler in transaction mode that cannot keep prepared statements.
        config["OPTIONS"] = {"server_side_binding": True, "prepare_threshold": 2}
    return dict(config)


# Files Liaison creates (the SQLite database, uploads, backups) are the service user's alone.
os.umask(0o077)


def _sqlite_database() -> dict:
    DATA_DIR.mkdir(parents=True, exist_ok=True, mode=0o700)
    return {
        "ENGINE": "django.db.backends.sqlite3",
        "NAME": DATA_DIR / "liaison.sqlite3",
        # Closing the last connection checkpoints the WAL with an fsync: per request, that cost
        # a bare insert about 40 ms here. Kept open, a worker's connection is reused.
        "CONN_MAX_AGE": env_int("DB_CONN_MAX_AGE", 60, minimum=0),
        "OPTIONS": {
            # WAL lets readers proceed during a write; IMMEDIATE takes the write
            # lock at BEGIN so concurrent writers queue instead of deadlocking.
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
            "init_command": (
                "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-64000;"
            ),
        },
    }


DATABASES = {"default": _database_from_url(DATABASE_URL) if DATABASE_URL else _sqlite_database()}
# PostgreSQL: the owner role's URL (same database). migrate and flush connect as it and grant
# DATABASE_URL's role only rows, and on the audit log only SELECT and INSERT (docs/audit.md).
DATABASE_MIGRATE_URL = env_str("DATABASE_MIGRATE_URL")
if DATABASE_MIGRATE_URL and not DATABASE_MIGRATE_URL.startswith(("postgres://", "postgresql://")):
    raise ImproperlyConfigured("DATABASE_MIGRATE_URL: only postgres:// or postgresql:// URLs are supported")
# PostgreSQL streaming replica for reports, dashboards and exports (liaison/lib/replica.py,
# docs/operations.md): only views marked as such read there; writes, and reads after a write, stay
# on the primary; a replica more than REPLICA_MAX_LAG_SECONDS behind (or down) is not used.
DATABASE_REPLICA_URL = env_str("DATABASE_REPLICA_URL")
if DATABASE_REPLICA_URL:
    if not DATABASE_URL:
        raise ImproperlyConfigured("DATABASE_REPLICA_URL needs DATABASE_URL (the primary) to be set too")
    DATABASES["replica"] = _database_from_url(DATABASE_REPLICA_URL)
    # An unreachable replica must cost a request seconds, not minutes, before the primary takes over.
    DATABASES["replica"].setdefault("OPTIONS", {})["connect_timeout"] = 3
    # Tests: the replica serves the primary's test database (streaming replication copies it).
    DATABASES["replica"]["TEST"] = {"MIRROR": "default"}
DATABASE_ROUTERS = ["liaison.lib.replica.ReplicaRouter"]
REPLICA_MAX_LAG_SECONDS = env_int("REPLICA_MAX_LAG_SECONDS", 5, minimum=0)
REPLICA_PIN_SECONDS = env_int("REPLICA_PIN_SECONDS", 30, minimum=0)
REPLICA_LAG_CHECK_SECONDS = 1
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Accounts, sessions, login throttling -----------------------------------
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "accounts:login"
AUTHENTICATION_BACKENDS = [
    "liaison.accounts.lockout.LockoutBackend",
    "django.contrib.auth.backends.ModelBackend",
]
PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator", "OPTIONS": {"min_length": 10}},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
SESSION_COOKIE_AGE = env_int("SESSION_HOURS", 8, minimum=1) * 3600
# Minutes without a request after which a session locks (liaison/accounts/sessions.py).
SESSION_IDLE_MINUTES = env_int("SESSION_IDLE_MINUTES", 30, minimum=1)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Lockout (liaison/accounts/lockout.py): browsers that signed in to an account before are never
# locked out by failures from elsewhere; unknown browsers are, with growing delays.
LOGIN_FAILURE_LIMIT = env_int("LOGIN_FAILURE_LIMIT", 5, minimum=1)
LOGIN_LOCKOUT_MINUTES = env_int("LOGIN_LOCKOUT_MINUTES", 15, minimum=1)
LOGIN_LOCKOUT_MAX_HOURS = env_int("LOGIN_LOCKOUT_MAX_HOURS", 24, minimum=1)
# Failed sign-ins an hour from one address, from unknown browsers, across all accounts.
LOGIN_ADDRESS_FAILURE_LIMIT = env_int("LOGIN_ADDRESS_FAILURE_LIMIT", 30, minimum=1)
DEVICE_TRUST_DAYS = env_int("DEVICE_TRUST_DAYS", 180, minimum=1)

# --- HTTPS and browser security (on whenever DEBUG is off) -----------------
HTTPS = env_bool("HTTPS", not DEBUG)
SESSION_COOKIE_SECURE = HTTPS
CSRF_COOKIE_SECURE = HTTPS
SECURE_SSL_REDIRECT = HTTPS
SECURE_HSTS_SECONDS = 31536000 if HTTPS else 0
SECURE_HSTS_INCLUDE_SUBDOMAINS = HTTPS
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if env_bool("BEHIND_PROXY", False) else None
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^metrics$"]

CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        # NONCE, not the string "'nonce'": django-csp replaces only the constant with 'nonce-<value>'.
        "script-src": ["'self'", NONCE],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'none'"],
    }
}

# --- Static files -------------------------------------------------------------
STATIC_URL = "/static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS: list[Path | tuple[str, Path]] = [BASE_DIR / "liaison" / "static"]
_HTMX_DIST = BASE_DIR / "node_modules" / "htmx.org" / "dist"
if _HTMX_DIST.exists():
    STATICFILES_DIRS.append(("vendor/htmx", _HTMX_DIST))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "liaison.lib.staticfiles.ForgivingManifestStaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = DEBUG
MEDIA_ROOT = DATA_DIR / "uploads"

# --- Background tasks (database backend: no broker needed) ------------------
TASKS = {
    "default": {
        "BACKEND": env_str("TASKS_BACKEND", "django_tasks_db.DatabaseBackend"),
    }
}

# --- E-mail (invitations, password resets, the daily MOU reminders) ---------
# With EMAIL_HOST set, mail goes out over SMTP. Without it: with DEBUG on, mail is printed on the
# console (where `make run` shows the demo's invitations); with DEBUG off, nothing is sent and the
# log says so without the message, whose links are as good as passwords (liaison/lib/mail.py).
EMAIL_HOST = env_str("EMAIL_HOST")
if EMAIL_HOST:
    EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
elif DEBUG:
    EMAIL_BACKEND = "django.core.mail.backends.console.EmailBackend"
else:
    EMAIL_BACKEND = "liaison.lib.mail.UnconfiguredEmailBackend"
# Implicit TLS (port 465) with EMAIL_USE_SSL; STARTTLS (port 587) otherwise.
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", False)
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", not EMAIL_USE_SSL)
if EMAIL_USE_SSL and EMAIL_USE_TLS:
    raise ImproperlyConfigured("EMAIL_USE_SSL: implicit TLS and EMAIL_USE_TLS (STARTTLS) cannot both be on")
EMAIL_PORT = env_int("EMAIL_PORT", 465 if EMAIL_USE_SSL else 587, minimum=1)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD")
EMAIL_TIMEOUT = 30
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Liaison <liaison@localhost>")
# The address people open Liaison at: the links in notification e-mails, sent from the worker
# where there is no request to take the host from.
SITE_URL = env_str("SITE_URL", "http://localhost:8000")

# --- Internationalisation -----------------------------------------------------
LANGUAGE_CODE = "en-us"
LANGUAGES = [("en", "English"), ("es", "Español")]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

# --- Liaison ------------------------------------------------------------------
# The server-side secret behind pseudonymous student keys. Set it once and never change it:
# changing it changes every key, so the same student would no longer be recognised.
STUDENT_KEY_SECRET = secret_from_env("STUDENT_KEY_SECRET", debug=DEBUG, development_value=_DEVELOPMENT_SECRET)
EDIT_WINDOW_HOURS = env_int("EDIT_WINDOW_HOURS", 72, minimum=0)
API_PAGE_SIZE = env_int("API_PAGE_SIZE", 50, minimum=1)
# Routes liaison/benchmarking.py's unauthenticated bare-insert endpoint. Benchmarks only; never in production.
BENCHMARK_ENDPOINTS = env_bool("LIAISON_BENCHMARK_ENDPOINTS", False)
# Every line has its time and level (one JSON object per line with LOG_FORMAT=json); invitation,
# password-reset and survey links and tokens are taken out of every message (liaison/lib/logs.py).
LOG_FORMAT = env_str("LOG_FORMAT", "text")
if LOG_FORMAT not in {"text", "json"}:
    raise ImproperlyConfigured(f"LOG_FORMAT: expected text or json, got {LOG_FORMAT!r}")
# Counts from 1 to DISCLOSURE_THRESHOLD − 1 are hidden from restricted audiences (docs/disclosure.md).
# Never lower than 10: the setting refuses a lower value at start.
DISCLOSURE_THRESHOLD = env_int("DISCLOSURE_THRESHOLD", 10, minimum=10)
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact": {"()": "liaison.lib.logs.RedactingFilter"}},
    "formatters": {
        "text": {"format": "%(asctime)s %(levelname)s %(name)s: %(message)s"},
        "json": {"()": "liaison.lib.logs.JsonFormatter"},
    },
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["redact"]}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# --- Backups (manage.py backup / restore; docs/operations.md) ---------------
# Encrypted with BACKUP_KEY, which must be kept apart from the backups (and from DATA_DIR's disk).
BACKUP_DIR = Path(env_str("BACKUP_DIR", str(DATA_DIR / "backups")))
BACKUP_KEY = env_str("BACKUP_KEY")
# The worker backs up every BACKUP_HOURS (0: never) when BACKUP_KEY is set, keeping BACKUP_KEEP files.
BACKUP_HOURS = env_int("BACKUP_HOURS", 24, minimum=0)
BACKUP_KEEP = env_int("BACKUP_KEEP", 14, minimum=1)
# --- Audit log: hash chain and its anchor outside the database (docs/audit.md) ----
# Where audit_anchor writes the chain's head, count and last id: a file (append-only to the
# application, e.g. `chattr +a`, or owned by another user and fed by syslog) and/or syslog
# ("/dev/log", or "host:port" for a remote collector over UDP). Empty: that sink is off.
AUDIT_ANCHOR_FILE = env_str("AUDIT_ANCHOR_FILE")
AUDIT_ANCHOR_SYSLOG = env_str("AUDIT_ANCHOR_SYSLOG")
# An entry must be sealed within this long of its time stamp: the longest transaction that writes
# audit entries. An older entry that appears later is reported as back-dated.
AUDIT_SEAL_GRACE_SECONDS = env_int("AUDIT_SEAL_GRACE_SECONDS", 900, minimum=1)
# --- Client address and rate limits (liaison/ratelimits) ---------------------
# Reverse proxies in front of Liaison whose X-Forwarded-For entries are believed (0: the header is
# ignored and the connecting address is the client's). BEHIND_PROXY alone means one.
TRUSTED_PROXIES = env_int("TRUSTED_PROXIES", 1 if env_bool("BEHIND_PROXY", False) else 0, minimum=0)
# Rate-limit counters live in the database unless a Redis URL is given (redis://host:6379/0).
RATE_LIMIT_REDIS_URL = env_str("RATE_LIMIT_REDIS_URL")

# --- API tokens and sensitive actions (liaison/accounts/tokens.py, reauth.py) --
# Days a new API token lasts unless its maker chooses otherwise (at most 365).
API_TOKEN_DAYS = env_int("API_TOKEN_DAYS", 90, minimum=1)
if API_TOKEN_DAYS > 365:
    raise ImproperlyConfigured(f"API_TOKEN_DAYS: must be at most 365, got {API_TOKEN_DAYS}")
# Minutes after a sign-in (or a confirmed password) during which sensitive actions are allowed.
REAUTH_MINUTES = env_int("REAUTH_MINUTES", 15, minimum=1)

# --- Second factor (liaison/accounts/mfa.py) ----------------------------------
# Roles that must set up a second factor: those that read student-level records (evaluators see
# only suppressed aggregates). "platform_admin" means superusers. Empty: nobody is required to.
MFA_REQUIRED_ROLES = env_list(
    "MFA_REQUIRED_ROLES",
    ["platform_admin", "agency_admin", "supervisor", "officer", "district_admin", "school_admin"],
)
# Days from a person's first sign-in that needs a second factor until they must have set one up.
MFA_GRACE_DAYS = env_int("MFA_GRACE_DAYS", 7, minimum=0)
# The name authenticator apps show next to the account.
OTP_TOTP_ISSUER = env_str("MFA_ISSUER", "Liaison")
# The WebAuthn relying-party id passkeys are bound to: the site's host name (never changed once
# people have passkeys). Default: the host each request was made to.
WEBAUTHN_RP_ID = env_str("WEBAUTHN_RP_ID")

# --- Single sign-on (liaison/accounts/sso.py) -----------------------------------
# The key that encrypts identity providers' client secrets in the database. Default: one derived
# from SECRET_KEY (then changing SECRET_KEY means entering the secrets again).
SSO_SECRET_KEY = env_str("SSO_SECRET_KEY")
# Seconds to wait for an identity provider's discovery, keys and token endpoints.
SSO_HTTP_TIMEOUT = env_int("SSO_HTTP_TIMEOUT", 10, minimum=1)

# --- Metrics (Prometheus) -----------------------------------------------------
# /metrics answers only with `Authorization: Bearer METRICS_TOKEN`; unset, it does not exist.
METRICS_TOKEN = env_str("METRICS_TOKEN")
# --- hostile input (liaison/lib/control_characters.py, liaison/lib/paging.py) ---
NINJA_PAGINATION_CLASS = "liaison.lib.paging.BoundedLimitOffsetPagination"
NINJA_PAGINATION_MAX_LIMIT = 100
# A running import with no progress for this long lost its worker: it is marked failed and its file deleted.
IMPORT_HEARTBEAT_TIMEOUT_MINUTES = env_int("IMPORT_HEARTBEAT_TIMEOUT_MINUTES", 15, minimum=1)
