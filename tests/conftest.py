"""Test harness: one migrated database per run, a rolled-back transaction per test.

The database is a SQLite file, or PostgreSQL when TEST_DATABASE_URL is set. Each test runs
inside an outer transaction; the application's commits become savepoints, and everything is
rolled back afterwards.
"""

from __future__ import annotations

import email
import os
import secrets
from contextlib import contextmanager
from pathlib import Path

import flask
import pytest
from flask.testing import FlaskClient
from sqlalchemy import create_engine, event, text

from app import create_app
from app.auth.models import UserSession
from app.auth.sessions import _hash
from app.core.db import write_intent
from app.extensions import db as _db
from app.extensions import limiter

pytest_plugins = [
    "tests.fixtures.auth", "tests.fixtures.organisations", "tests.fixtures.practices",
    "tests.fixtures.calls", "tests.fixtures.projects",
]


def _worker_schema() -> str:
    """The PostgreSQL schema of this test process: `public`, or one per pytest-xdist worker
    (`make test` runs the PostgreSQL half in two processes, each in a schema of its own)."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "")
    return f"test_{worker}" if worker.isalnum() else "public"


def _database_url(tmp_root: Path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        from app.config import normalise_database_url

        url = normalise_database_url(url)
        schema = _worker_schema()
        if schema != "public":
            separator = "&" if "?" in url else "?"
            url = f"{url}{separator}options=-csearch_path%3D{schema}"
        return url
    return f"sqlite:///{tmp_root / 'test.db'}"


def _reset_postgres(url: str) -> None:
    schema = _worker_schema()
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()


def _compile_translations() -> None:
    """The catalogs are compiled at install (`make`); do it here too for a bare `pytest`."""
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1] / "app" / "translations"
    subprocess.run([sys.executable, "-m", "babel.messages.frontend", "-q", "compile", "--use-fuzzy",
                    "-d", str(root)], check=True)


@pytest.fixture(scope="session")
def app(tmp_path_factory):
    _compile_translations()
    root = tmp_path_factory.mktemp("kohtaamo")
    url = _database_url(root)
    if url.startswith("postgresql"):
        _reset_postgres(url)
    application = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "INSTANCE_DIR": root,
            "MAIL_DIR": str(root / "mail"),
            "UPLOAD_DIR": str(root / "uploads"),
            "SEARCH_INDEX_DIR": str(root / "search-index"),
        },
    )
    with application.app_context():
        from flask_migrate import upgrade

        upgrade(revision="heads")
    application.test_client_class = IsolatedClient
    yield application
    with application.app_context():
        _db.engine.dispose()


class IsolatedClient(FlaskClient):
    """Each request runs in its own application context, as in production.

    Flask would otherwise reuse the test's application context, sharing `g`, the logged-in
    user and the database session between the test and every request.
    """

    def open(self, *args, csrf: bool = True, **kwargs):
        # Tests read the English message ids; tests of other languages ask for them.
        headers = kwargs.setdefault("headers", {})
        if isinstance(headers, dict) and "Accept-Language" not in headers:
            headers["Accept-Language"] = "en"
        data = kwargs.get("data")
        if csrf and kwargs.get("method") == "POST" and isinstance(data, dict):
            if "csrf_token" not in data:
                data["csrf_token"] = self.csrf_token()
        # A streamed body is read here, inside the request's own context, as a server does:
        # read later, its generator would end that context on top of the test's.
        kwargs.setdefault("buffered", True)
        token = flask.globals._cv_app.set(None)
        try:
            response = super().open(*args, **kwargs)
        finally:
            flask.globals._cv_app.reset(token)
        if flask.has_app_context():
            _db.session.expire_all()  # see what the request committed
        return response

    def csrf_token(self) -> str:
        """A valid CSRF token for this client's session (read from a page, as a browser does)."""
        import re

        html = self.get("/").get_data(as_text=True)
        match = re.search(r'name="csrf-token" content="([^"]+)"', html)
        assert match, "no CSRF token on the front page"
        return match.group(1)


@pytest.fixture(autouse=True)
def db(app):
    """The database for one test; everything it or the app commits is rolled back."""
    with app.app_context():
        engines = _db.engines
        engine = engines[None]
        connection = engine.connect()
        # The test's one connection writes (as a request's unit of work does): an IMMEDIATE
        # transaction on SQLite, whatever a previous test left the write intent at.
        with write_intent():
            outer = connection.begin()
        engines[None] = connection
        _db.session.remove()
        _db.session.configure(join_transaction_mode="create_savepoint")
        # An app made by an earlier test in this process re-initialised the one limiter (an
        # editor worker's app turns its limits off): back to the session app's setting.
        limiter.enabled = app.config["RATELIMIT_ENABLED"]
        limiter.reset()
        try:
            yield _db
        finally:
            _db.session.remove()
            outer.rollback()
            connection.close()
            engines[None] = engine
        flask.g.pop("_memberships_by_org", None)


@pytest.fixture(autouse=True)
def english_outside_requests(db):
    """Service messages outside a request follow the default language (Finnish); tests read
    them in English, as the requests' Accept-Language asks. Requests keep their own choice."""
    from flask_babel import force_locale

    with force_locale("en"):
        yield


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(client, db):
    """Sign `user` in on the test client without spending an argon2 verification."""

    def _login(user, c: FlaskClient | None = None):
        target = c or client
        token = secrets.token_urlsafe(32)
        db.session.add(UserSession(user_id=user.id, token_hash=_hash(token)))
        db.session.commit()
        with target.session_transaction() as session:
            session["_user_id"] = token
            session["_fresh"] = True
        return user

    return _login


@pytest.fixture
def mailbox(app):
    """The mails the app wrote to its mail folder during this test."""
    folder = Path(app.config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    for old in folder.glob("*.eml"):
        old.unlink()

    class Mailbox:
        def messages(self, to: str | None = None):
            found = []
            for path in sorted(folder.glob("*.eml")):
                message = email.message_from_bytes(path.read_bytes(), policy=email.policy.default)
                if to is None or message["To"] == to:
                    found.append(message)
            return found

        def last(self, to: str | None = None):
            messages = self.messages(to)
            assert messages, f"no mail to {to or 'anyone'}"
            return messages[-1]

        @staticmethod
        def body(message) -> str:
            return message.get_content()

        def link(self, message, path_part: str) -> str:
            """The first URL in the mail whose path contains `path_part`, as a local path."""
            import re
            from urllib.parse import urlsplit

            for url in re.findall(r"https?://\S+", self.body(message)):
                parts = urlsplit(url)
                if path_part in parts.path:
                    return parts.path + ("?" + parts.query if parts.query else "")
            raise AssertionError(f"no link containing {path_part!r} in the mail")

    return Mailbox()


@pytest.fixture
def count_queries(db):
    """`with count_queries() as counter:` ... `counter.count` SQL statements were run."""

    @contextmanager
    def _count():
        class Counter:
            count = 0
            statements: list[str] = []

        counter = Counter()
        counter.statements = []

        def _before(conn, cursor, statement, parameters, context, executemany):
            if statement.strip().upper().startswith(("SAVEPOINT", "RELEASE", "ROLLBACK TO")):
                return
            counter.count += 1
            counter.statements.append(statement)

        engine = db.engines[None].engine
        event.listen(engine, "before_cursor_execute", _before)
        try:
            yield counter
        finally:
            event.remove(engine, "before_cursor_execute", _before)

    return _count

