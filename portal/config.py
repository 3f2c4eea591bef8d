"""Configuration. Every setting can be overridden from the environment as PORTAL_<NAME>."""
import os
import secrets
from pathlib import Path


def _env(name, default=None):
    return os.environ.get(f"PORTAL_{name}", default)


def _env_bool(name, default=False):
    value = _env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name, default):
    value = _env(name)
    return int(value) if value not in (None, "") else default


def instance_secret(instance_path):
    """Return the secret key: from the environment, or generated once and kept in instance/.

    A generated key survives restarts (sessions and invitation links stay valid) without ever
    being committed anywhere.
    """
    given = _env("SECRET_KEY")
    if given:
        return given
    path = Path(instance_path) / "secret_key"
    if path.exists():
        return path.read_text().strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_urlsafe(48)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w") as fh:
        fh.write(key)
    return key


class Config:
    """Defaults for a developer's machine; production overrides through PORTAL_* variables."""

    LANGUAGES = ("en", "fa", "vi", "th")
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "UTC"

    def __init__(self, instance_path):
        self.SQLALCHEMY_DATABASE_URI = _env(
            "DATABASE_URL", f"sqlite:///{Path(instance_path) / 'portal.sqlite'}"
        )
        # a pooled connection is checked before use only after this long unused
        # (portal/core/pool.py): a restart meanwhile costs one failed check, not a 500
        self.SQLALCHEMY_ENGINE_OPTIONS = {}
        self.DB_PING_AFTER_IDLE_SECONDS = float(_env("DB_PING_AFTER_IDLE_SECONDS", "2"))
        self.SECRET_KEY = instance_secret(instance_path)
        https = _env_bool("HTTPS", False)
        self.PREFERRED_URL_SCHEME = "https" if https else "http"
        self.PORTAL_HTTPS = https
        self.SESSION_COOKIE_HTTPONLY = True
        self.SESSION_COOKIE_SAMESITE = "Lax"
        self.SESSION_COOKIE_SECURE = https
        self.REMEMBER_COOKIE_SECURE = https
        self.REMEMBER_COOKIE_HTTPONLY = True
        # absolute limit: signed in at most this long; idle limit: signed out after inactivity
        self.PERMANENT_SESSION_LIFETIME = _env_int("SESSION_HOURS", 12) * 3600
        self.SESSION_IDLE_MINUTES = _env_int("SESSION_IDLE_MINUTES", 60)
        # the cookie is sent again when the session changes (at least every SEEN_EVERY seconds
        # of use, core/sessions.py), not on every response
        self.SESSION_REFRESH_EACH_REQUEST = False
        self.MAX_CONTENT_LENGTH = _env_int("MAX_UPLOAD_MB", 10) * 1024 * 1024
        self.WTF_CSRF_TIME_LIMIT = None  # tied to the session; a long form is not lost to it
        self.RATELIMIT_STORAGE_URI = _env("REDIS_URL", "memory://")
        self.RATELIMIT_HEADERS_ENABLED = True
        # counted over the last minute, not per clock minute: a burst across the turn of a
        # minute (five tries at :59, five at :00) is refused too
        self.RATELIMIT_STRATEGY = "moving-window"
        # what the portal keeps in Redis (data versions) is named under this prefix: two
        # portals sharing one Redis need two prefixes
        self.REDIS_PREFIX = _env("REDIS_PREFIX", "portal:")
        # per-table data versions shared by every worker and host, under which each process
        # keeps answers asked for on every page (portal/core/versions.py); empty: keep none
        self.DATA_VERSIONS_URL = _env("DATA_VERSIONS_URL", _env("REDIS_URL", ""))
        # rendered pages kept per reader in that same Redis, each until a table it read is
        # written, at most this long (portal/core/kept_pages.py); 0: render every page
        self.KEPT_PAGE_SECONDS = _env_int("KEPT_PAGE_SECONDS", 600)
        self.RATELIMIT_LOGIN_ACCOUNT = _env("LOGIN_LIMIT_ACCOUNT", "5 per minute")
        self.RATELIMIT_LOGIN_ADDRESS = _env("LOGIN_LIMIT_ADDRESS", "30 per minute")
        # When Redis is down, fall back to per-process memory limits instead of failing pages.
        self.RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
        self.INVITATION_DAYS = _env_int("INVITATION_DAYS", 7)
        self.PASSWORD_MIN_LENGTH = _env_int("PASSWORD_MIN_LENGTH", 12)
        # sign-in (portal/accounts/signin.py): roles that must use a second factor; how long a
        # password or code counts as "just now" before a sensitive change; failures that cost
        # nothing before each further attempt waits 2^n seconds (capped), per account and per
        # address; how long an e-mailed sign-in link works; how long a device is remembered
        self.TWO_FACTOR_REQUIRED_ROLES = tuple(r.strip() for r in _env(
            "TWO_FACTOR_REQUIRED_ROLES",
            "administrator,relationship_manager,branch_staff,ministry_official").split(",")
            if r.strip())
        self.REAUTH_MINUTES = _env_int("REAUTH_MINUTES", 15)
        self.LOGIN_FREE_FAILURES_ACCOUNT = _env_int("LOGIN_FREE_FAILURES_ACCOUNT", 5)
        self.LOGIN_FREE_FAILURES_ADDRESS = _env_int("LOGIN_FREE_FAILURES_ADDRESS", 20)
        self.LOGIN_DELAY_CAP_SECONDS = _env_int("LOGIN_DELAY_CAP_SECONDS", 900)
        self.SIGNIN_LINK_MINUTES = _env_int("SIGNIN_LINK_MINUTES", 15)
        self.DEVICE_COOKIE_DAYS = _env_int("DEVICE_COOKIE_DAYS", 365)
        # more organisations to choose from than this: a search box instead of a select
        self.ORG_PICKER_FROM = _env_int("ORG_PICKER_FROM", 300)
        self.MAIL_SERVER = _env("MAIL_SERVER", "127.0.0.1")
        self.MAIL_PORT = _env_int("MAIL_PORT", 25)
        self.MAIL_USERNAME = _env("MAIL_USERNAME")
        self.MAIL_PASSWORD = _env("MAIL_PASSWORD")
        self.MAIL_USE_TLS = _env_bool("MAIL_USE_TLS", False)
        self.MAIL_SENDER = _env("MAIL_SENDER", "portal@cooperative-bank.example")
        self.MAIL_TIMEOUT = _env_int("MAIL_TIMEOUT", 10)
        self.OUTBOX_MAX_ATTEMPTS = _env_int("OUTBOX_MAX_ATTEMPTS", 8)
        self.OUTBOX_BACKOFF_SECONDS = _env_int("OUTBOX_BACKOFF_SECONDS", 30)
        self.PROXY_COUNT = _env_int("PROXY_COUNT", 0)
        self.PUBLIC_URL = _env("PUBLIC_URL", "http://127.0.0.1:5000")
        # passkeys (WebAuthn): the relying party id (a host name) and the origin browsers sign
        # for; both default from PUBLIC_URL, set them when the portal is reached another way
        self.WEBAUTHN_RP_ID = _env("WEBAUTHN_RP_ID")
        self.WEBAUTHN_ORIGIN = _env("WEBAUTHN_ORIGIN")
        self.PAGE_SIZE = _env_int("PAGE_SIZE", 25)
        # static URLs carry a content hash (asset_url), so browsers may keep them for a year
        self.SEND_FILE_MAX_AGE_DEFAULT = 365 * 24 * 3600
        self.COMPRESS_MIMETYPES = ["text/html", "text/css", "text/csv", "application/json",
                                   "application/javascript", "text/javascript",
                                   "image/svg+xml", "text/calendar"]
        self.COMPRESS_ALGORITHM = ["gzip"]
        self.COMPRESS_MIN_SIZE = 500
        # working days to acknowledge and to answer, per kind of feedback
        self.FEEDBACK_SLA = {
            "critique": (_env_int("SLA_CRITIQUE_ACK", 2), _env_int("SLA_CRITIQUE_ANSWER", 15)),
            "proposal": (_env_int("SLA_PROPOSAL_ACK", 2), _env_int("SLA_PROPOSAL_ANSWER", 20)),
            "product_request": (_env_int("SLA_REQUEST_ACK", 2),
                                _env_int("SLA_REQUEST_ANSWER", 30)),
        }
        # working days late at which an item reaches escalation level 1, 2 and 3
        self.ESCALATION_STEPS = tuple(int(x) for x in _env("ESCALATION_STEPS", "0,5,10")
                                      .split(","))
        # Public holidays that stop the response clock come from the `holidays` package for each
        # country and year (Nowruz, Tết, Songkran ...); these "country:date" lists adjust it:
        # HOLIDAYS adds days (a closure declared at short notice), HOLIDAYS_REMOVED takes
        # published days away (e.g. "IR:2026-04-02" where the bank works on Nature's Day).
        self.HOLIDAYS = [h for h in _env("HOLIDAYS", "").split(",") if h.strip()]
        self.HOLIDAYS_REMOVED = [h for h in _env("HOLIDAYS_REMOVED", "").split(",") if h.strip()]
        self.UPLOAD_DIR = _env("UPLOAD_DIR", str(Path(instance_path) / "uploads"))
        self.ATTACHMENT_MAX_MB = _env_int("ATTACHMENT_MAX_MB", 5)
        # files kept on one item (a feedback item, its response); more are refused
        self.ATTACHMENTS_PER_ITEM = _env_int("ATTACHMENTS_PER_ITEM", 10)
        # what an uploaded XLSX may unpack to (portal/core/tabular.py says why): larger
        # imports are sent as CSV, which is streamed
        self.XLSX_MAX_MB = _env_int("XLSX_MAX_MB", 32)
        self.XLSX_MAX_PART_MB = _env_int("XLSX_MAX_PART_MB", 16)
        self.XLSX_MAX_ROWS = _env_int("XLSX_MAX_ROWS", 50_000)
        self.XLSX_MAX_COLUMNS = _env_int("XLSX_MAX_COLUMNS", 100)
        self.XLSX_MAX_CELLS = _env_int("XLSX_MAX_CELLS", 200_000)
        # reads that cost more than a page (exports, searches, the API's pages), per person or
        # address, and the API per token: generous, so only a runaway script meets them
        self.RATELIMIT_READS = _env("READ_LIMIT", "120 per minute")
        self.RATELIMIT_API_TOKEN = _env("API_LIMIT_TOKEN", "120 per minute")
        # reads that cost little but are asked for often get limits of their own, sized by
        # what they cost, instead of sharing the costly reads' budget (or none at all): the
        # organisation lookup answers each keystroke of a search box (a few ms, one indexed
        # statement); a calendar feed is polled by calendar programs every 15-60 minutes, per
        # feed address
        self.RATELIMIT_LOOKUP = _env("LOOKUP_LIMIT", "300 per minute")
        self.RATELIMIT_FEED = _env("FEED_LIMIT", "60 per hour")
