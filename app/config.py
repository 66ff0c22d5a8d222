"""Configuration read from the environment (a `.env` file is read in development)."""

from __future__ import annotations

import os
from datetime import timedelta
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent
INSTANCE_DIR = Path(os.environ.get("KOHTAAMO_INSTANCE_DIR", BASE_DIR / "instance"))


class ConfigError(RuntimeError):
    """The environment does not describe a runnable configuration."""


def _env_bool(name: str, default: bool = False) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _env_int(name: str) -> int:
    try:
        value = int(os.environ[name])
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {os.environ[name]!r}.") from None
    if value < 0:
        raise ConfigError(f"{name} must not be negative.")
    return value


class Config:
    """Settings shared by every environment; values come from environment variables."""

    ENV_NAME = "production"
    TESTING = False
    SECRET_KEY: str | None = None

    INSTANCE_DIR = INSTANCE_DIR
    SQLALCHEMY_DATABASE_URI = f"sqlite:///{INSTANCE_DIR / 'kohtaamo.db'}"
    SQLALCHEMY_ENGINE_OPTIONS: dict = {}
    SEARCH_INDEX_DIR = str(INSTANCE_DIR / "search-index")
    UPLOAD_DIR = str(INSTANCE_DIR / "uploads")
    MAIL_DIR = str(INSTANCE_DIR / "mail")
    MAX_CONTENT_LENGTH = 10 * 1024 * 1024

    MAIL_SERVER: str | None = None
    MAIL_PORT = 587
    MAIL_USERNAME: str | None = None
    MAIL_PASSWORD: str | None = None
    MAIL_USE_TLS = True
    MAIL_DEFAULT_SENDER = "Kohtaamo <noreply@kohtaamo.fi>"

    BABEL_DEFAULT_LOCALE = "fi"
    BABEL_DEFAULT_TIMEZONE = "Europe/Helsinki"
    BABEL_TRANSLATION_DIRECTORIES = str(BASE_DIR / "app" / "translations")
    LANGUAGES = ("fi", "sv", "en")

    SESSION_COOKIE_NAME = "__Host-session"
    SESSION_COOKIE_SECURE = True
    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    PERMANENT_SESSION_LIFETIME = timedelta(days=14)
    REMEMBER_COOKIE_DURATION = timedelta(days=14)
    WTF_CSRF_TIME_LIMIT = None  # the token lives as long as the session
    PREFERRED_URL_SCHEME = "https"
    SERVER_BASE_URL: str | None = None  # every link in a mail; required in production
    # The request edge (helper "edge"): hosts answered (None: any; production defaults to
    # SERVER_BASE_URL's host), proxies trusted for X-Forwarded-For/Proto, SQLite's lock wait.
    TRUSTED_HOSTS: list[str] | None = None
    PROXY_FIX_HOPS = 0
    SQLITE_BUSY_TIMEOUT_MS = 15000
    PG_LOCK_TIMEOUT_MS = 5000  # PostgreSQL: a statement's wait for a lock, then 503 busy
    BUSY_RETRY_AFTER_SECONDS = 5

    RATELIMIT_ENABLED = True
    RATELIMIT_STORAGE_URI = "memory://"
    RATELIMIT_HEADERS_ENABLED = True
    # A shared storage (Redis) that is down: count in each worker's memory meanwhile, not 500.
    RATELIMIT_IN_MEMORY_FALLBACK_ENABLED = True
    RATE_LIMITS = {
        "login": "20 per minute;200 per hour",
        "register": "10 per hour",
        "mail_link": "5 per 15 minutes",
        "api": "120 per minute",
        # Invitations per organisation and per inviting user (counted in the database).
        "invite_unverified": "5 per day",
        "invite_verified": "50 per day",
        "unlock": "5 per 15 minutes",
        # /search and /feeds/search.atom per client: new searches (the same query string again
        # within a few seconds counts once, see app/search/views.py), and every request.
        "search": "60 per minute",
        "search_all": "300 per minute",
        # Anonymous registrations for events per client (each mails a confirmation link).
        "event_register": "10 per hour",
    }
    # One search's time (app/search/budget.py): past it, the best results found so far.
    SEARCH_TIME_BUDGET_MS: int | None = 300
    # An event registration made with a name and an e-mail address holds no place until its
    # link is followed; after this many hours the link lapses (helper "registration").
    EVENT_REGISTRATION_CONFIRM_HOURS = 48
    # Sign-in throttling (helper "accounts"): failures per account and source (address, or a
    # known device) pause that source for that account; failures per account from all sources
    # pause the account for unknown devices (known devices and mailed unlock links still work).
    ACCOUNT_SOURCE_FAILURE_LIMIT = 10
    ACCOUNT_FAILURE_LIMIT = 50
    ACCOUNT_FAILURE_WINDOW = timedelta(minutes=15)
    ACCOUNT_FAILURE_DELAY = timedelta(minutes=15)
    KNOWN_DEVICE_LIFETIME = timedelta(days=180)
    TOKEN_MAX_AGE_UNLOCK = 3600
    # A session ends after PERMANENT_SESSION_LIFETIME unused, and after this however used.
    SESSION_ABSOLUTE_LIFETIME = timedelta(days=30)

    TOKEN_MAX_AGE_VERIFY = 3 * 24 * 3600
    TOKEN_MAX_AGE_RESET = 3600
    INVITATION_MAX_AGE = 14 * 24 * 3600
    HSTS = True
    # Catching up the search index inside a search request (helper "selfheal"): at most this
    # many documents and milliseconds; the rest by one background thread per worker.
    SEARCH_CATCH_UP_DOCUMENTS = 200
    SEARCH_CATCH_UP_MS = 250
    SEARCH_BACKGROUND_CATCH_UP = True
    # How often a process checks whether the search thesaurus changed (one small query);
    # its own edits it sees at once (helper "thesaurus", app/search/thesaurus.py).
    SEARCH_THESAURUS_RECHECK_SECONDS = 5
    # Announcements (helper "announce"): shown on the home page this many days after publishing.
    ANNOUNCEMENT_NEW_DAYS = 14

    @classmethod
    def from_environment(cls) -> dict:
        """Values that the environment overrides."""
        env = os.environ
        values: dict = {}
        if env.get("SECRET_KEY"):
            values["SECRET_KEY"] = env["SECRET_KEY"]
        if env.get("DATABASE_URL"):
            values["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(env["DATABASE_URL"])
        for name in ("SEARCH_INDEX_DIR", "UPLOAD_DIR", "MAIL_DIR", "SERVER_BASE_URL"):
            if env.get(name):
                values[name] = env[name]
        if env.get("MAIL_SERVER"):
            values["MAIL_SERVER"] = env["MAIL_SERVER"]
            values["MAIL_PORT"] = int(env.get("MAIL_PORT", "587"))
            values["MAIL_USERNAME"] = env.get("MAIL_USERNAME")
            values["MAIL_PASSWORD"] = env.get("MAIL_PASSWORD")
            values["MAIL_USE_TLS"] = _env_bool("MAIL_USE_TLS", True)
        if env.get("MAIL_DEFAULT_SENDER"):
            values["MAIL_DEFAULT_SENDER"] = env["MAIL_DEFAULT_SENDER"]
        if env.get("MAX_CONTENT_LENGTH"):
            values["MAX_CONTENT_LENGTH"] = int(env["MAX_CONTENT_LENGTH"])
        if env.get("RATELIMIT_STORAGE_URI"):
            values["RATELIMIT_STORAGE_URI"] = env["RATELIMIT_STORAGE_URI"]
        # Each rate limit K of RATE_LIMITS from RATELIMIT_<K>, e.g. RATELIMIT_LOGIN="5 per minute"
        limits = {key: env[f"RATELIMIT_{key.upper()}"] for key in cls.RATE_LIMITS
                  if env.get(f"RATELIMIT_{key.upper()}", "").strip()}
        if limits:
            values["RATE_LIMITS"] = {**cls.RATE_LIMITS, **limits}
        if env.get("TRUSTED_HOSTS", "").strip():
            values["TRUSTED_HOSTS"] = [host.strip() for host in env["TRUSTED_HOSTS"].split(",")
                                       if host.strip()]
        for name in ("PROXY_FIX_HOPS", "SQLITE_BUSY_TIMEOUT_MS", "PG_LOCK_TIMEOUT_MS",
                     "SEARCH_TIME_BUDGET_MS"):
            if env.get(name, "").strip():
                values[name] = _env_int(name)
        for name in ("SEARCH_CATCH_UP_DOCUMENTS", "SEARCH_CATCH_UP_MS"):
            if env.get(name, "").strip():
                values[name] = _env_int(name)
        if env.get("SEARCH_BACKGROUND_CATCH_UP", "").strip():
            values["SEARCH_BACKGROUND_CATCH_UP"] = _env_bool("SEARCH_BACKGROUND_CATCH_UP", True)
        if env.get("SEARCH_THESAURUS_RECHECK_SECONDS", "").strip():
            values["SEARCH_THESAURUS_RECHECK_SECONDS"] = _env_int(
                "SEARCH_THESAURUS_RECHECK_SECONDS")
        if env.get("ANNOUNCEMENT_NEW_DAYS", "").strip():
            values["ANNOUNCEMENT_NEW_DAYS"] = _env_int("ANNOUNCEMENT_NEW_DAYS")
        if env.get("EVENT_REGISTRATION_CONFIRM_HOURS", "").strip():
            values["EVENT_REGISTRATION_CONFIRM_HOURS"] = _env_int(
                "EVENT_REGISTRATION_CONFIRM_HOURS")
        for name in ("ACCOUNT_SOURCE_FAILURE_LIMIT", "ACCOUNT_FAILURE_LIMIT",
                     "TOKEN_MAX_AGE_UNLOCK"):
            if env.get(name, "").strip():
                values[name] = _env_int(name)
        for name, key, unit in (
            ("ACCOUNT_FAILURE_WINDOW_MINUTES", "ACCOUNT_FAILURE_WINDOW", "minutes"),
            ("ACCOUNT_FAILURE_DELAY_MINUTES", "ACCOUNT_FAILURE_DELAY", "minutes"),
            ("KNOWN_DEVICE_DAYS", "KNOWN_DEVICE_LIFETIME", "days"),
            ("SESSION_IDLE_LIFETIME_DAYS", "PERMANENT_SESSION_LIFETIME", "days"),
            ("SESSION_ABSOLUTE_LIFETIME_DAYS", "SESSION_ABSOLUTE_LIFETIME", "days"),
        ):
            if env.get(name, "").strip():
                values[key] = timedelta(**{unit: _env_int(name)})
        return values


class DevelopmentConfig(Config):
    """Local development: plain cookies over http, a fixed key unless one is given."""

    ENV_NAME = "development"
    SECRET_KEY = "development-only-not-secret"  # noqa: S105 - never used outside development
    SESSION_COOKIE_NAME = "kohtaamo_session"
    SESSION_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    SERVER_BASE_URL = "http://127.0.0.1:5000"
    TRUSTED_HOSTS = ["127.0.0.1", "localhost"]
    HSTS = False


class ProductionConfig(Config):
    """Production: `SECRET_KEY` must come from the environment."""

    ENV_NAME = "production"


class TestConfig(Config):
    """The test suite: a throw-away database given by the fixtures."""

    ENV_NAME = "test"
    TESTING = True
    SECRET_KEY = "test-secret-key"  # noqa: S105
    SESSION_COOKIE_NAME = "kohtaamo_session"
    SESSION_COOKIE_SECURE = False
    PREFERRED_URL_SCHEME = "http"
    SERVER_BASE_URL = "http://localhost"
    TRUSTED_HOSTS = ["localhost", "127.0.0.1"]
    HSTS = False
    # On PostgreSQL every test leaves gaps in the change ids (rolled back); re-checking them
    # every few seconds would make query counts depend on timing. Tests of gaps call the
    # indexer directly.
    SEARCH_GAP_RECHECK_SECONDS = 3600.0
    # Likewise the thesaurus's version check (a test's own edits are seen at once; the test
    # of other processes' edits sets it).
    SEARCH_THESAURUS_RECHECK_SECONDS = 3600
    # A thread of its own would not see a test's rolled-back transaction and would take the
    # index's write lock from the test (tests/search/test_catch_up_bounds.py turns it on).
    SEARCH_BACKGROUND_CATCH_UP = False
    # No time budget: a loaded CI machine must not cut searches short (tests of the budget
    # set it).
    SEARCH_TIME_BUDGET_MS = None


CONFIGS = {
    "development": DevelopmentConfig,
    "production": ProductionConfig,
    "test": TestConfig,
}


def normalise_database_url(url: str) -> str:
    """Use psycopg 3 for PostgreSQL URLs written the usual way."""
    if url.startswith("postgres://"):
        url = "postgresql://" + url[len("postgres://") :]
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return url


def load_config(name: str | None = None, overrides: dict | None = None) -> dict:
    """Build the configuration mapping for `create_app`."""
    name = name or os.environ.get("KOHTAAMO_ENV", "production")
    if name not in CONFIGS:
        raise ConfigError(f"KOHTAAMO_ENV must be one of {', '.join(CONFIGS)}, not {name!r}.")
    cls = CONFIGS[name]
    values = {key: getattr(cls, key) for key in dir(cls) if key.isupper()}
    values.update(cls.from_environment())
    if overrides:
        values.update(overrides)
    if not values.get("SECRET_KEY"):
        raise ConfigError(
            "SECRET_KEY is not set. Set the SECRET_KEY environment variable to a long random "
            "value (for example: python -c 'import secrets; print(secrets.token_hex(32))'), "
            "or set KOHTAAMO_ENV=development for local use."
        )
    _check_site_address(name, values)
    return values


def _check_site_address(name: str, values: dict) -> None:
    """Links in mail come from SERVER_BASE_URL, never from a request's Host header; production
    needs it, and answers only its host unless TRUSTED_HOSTS says otherwise."""
    from urllib.parse import urlsplit

    base = (values.get("SERVER_BASE_URL") or "").strip().rstrip("/")
    if not base:
        if name == "production":
            raise ConfigError(
                "SERVER_BASE_URL is not set. Set it to the site's public address, for example "
                "SERVER_BASE_URL=https://kohtaamo.example.fi: links in mail are built from it."
            )
        return
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.hostname or parts.path:
        raise ConfigError(
            f"SERVER_BASE_URL must be an address such as https://kohtaamo.example.fi, not {base!r}."
        )
    values["SERVER_BASE_URL"] = base
    if values.get("TRUSTED_HOSTS") is None and name == "production":
        values["TRUSTED_HOSTS"] = [parts.hostname]
