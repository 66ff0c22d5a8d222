"""A write that waits too long for a lock answers 503 "busy, try again", never a 500 and never
a hung worker (issue 12, §2). Each database tests its own lock path, on an instance of its own
(the shared test database is held by the test's own transaction): SQLite, a real write lock
(another connection holds BEGIN IMMEDIATE on the file, SQLITE_BUSY_TIMEOUT_MS); PostgreSQL when
TEST_DATABASE_URL is set, a real row or table lock held by another connection
(PG_LOCK_TIMEOUT_MS, the session's lock_timeout)."""

from __future__ import annotations

import os
import re
import secrets
import sqlite3
import time
from contextlib import contextmanager
from urllib.parse import unquote

import pytest
from sqlalchemy import select, text

from app.auth.models import User
from app.search import store

DATABASE = "postgresql" if os.environ.get("TEST_DATABASE_URL") else "sqlite"
LOCK_WAIT_MS = 300


@pytest.fixture(scope="module")
def busy_app(tmp_path_factory):
    from app import create_app
    from app.extensions import db

    root = tmp_path_factory.mktemp("busy")
    url, schema = _own_database(root)
    application = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": root,
        "MAIL_DIR": str(root / "mail"), "SEARCH_INDEX_DIR": str(root / "index"),
        "SQLITE_BUSY_TIMEOUT_MS": LOCK_WAIT_MS, "PG_LOCK_TIMEOUT_MS": LOCK_WAIT_MS})
    with application.app_context():
        db.create_all()
    application.config["LOCK_TARGET"] = str(root / "busy.db") if schema is None else schema
    yield application
    with application.app_context():
        db.engine.dispose()
    store.forget_handles()
    if schema is not None:
        _drop_schema(schema)


def _own_database(root) -> tuple[str, str | None]:
    if DATABASE == "sqlite":
        return f"sqlite:///{root / 'busy.db'}", None
    from sqlalchemy import create_engine

    from app.config import normalise_database_url

    schema = f"busy_{os.environ.get('PYTEST_XDIST_WORKER', 'main')}_{secrets.token_hex(3)}"
    base = normalise_database_url(os.environ["TEST_DATABASE_URL"])
    engine = create_engine(base)
    with engine.begin() as conn:
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    engine.dispose()
    separator = "&" if "?" in base else "?"
    return f"{base}{separator}options=-csearch_path%3D{schema}", schema


def _drop_schema(schema: str) -> None:
    from sqlalchemy import create_engine

    from app.config import normalise_database_url

    engine = create_engine(normalise_database_url(os.environ["TEST_DATABASE_URL"]))
    with engine.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    engine.dispose()


@contextmanager
def _lock_held(app, statement: str, **params):
    """Another connection holds a lock for the block: on SQLite the write lock of the file; on
    PostgreSQL what `statement` takes (a table lock, or a row lock with FOR UPDATE)."""
    target = app.config["LOCK_TARGET"]
    if DATABASE == "sqlite":
        holder = sqlite3.connect(target, isolation_level=None)
        holder.execute("BEGIN IMMEDIATE")
        try:
            yield
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        return
    import psycopg

    url = os.environ["TEST_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as holder:
        holder.execute(f"SET search_path TO {target}")
        # Bounded even if the app waited for ever: the server ends the holder after 15 s.
        holder.execute("SET idle_in_transaction_session_timeout = 15000")
        holder.commit()
        holder.execute(statement, params)  # psycopg opened a transaction: the lock is held
        try:
            yield
        finally:
            try:
                holder.rollback()
            except psycopg.OperationalError:
                pass  # ended by the server: the assertions say how long the request waited


def _token(client, path="/register") -> str:
    page = client.get(path, headers={"Accept-Language": "en"}).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def _register(client, email: str, htmx: bool):
    headers = {"Accept-Language": "en"}
    if htmx:
        headers["HX-Request"] = "true"
    return client.post("/register", headers=headers, data={
        "csrf_token": _token(client), "name": "Busy Person", "email": email,
        "password": "pitkä salasana tässä 42", "password_again": "pitkä salasana tässä 42",
        "language": "en", "accept_terms": "y", "privacy": "y"})


def _users(app, email: str) -> int:
    from app.extensions import db

    with app.app_context():
        return len(db.session.scalars(select(User).where(User.email == email)).all())


def _assert_busy(response, htmx: bool, started: float) -> None:
    waited = time.monotonic() - started
    assert response.status_code == 503, response.get_data(as_text=True)[:500]
    assert response.headers["Retry-After"]
    assert waited < 10, f"the request waited {waited:.1f} s for the lock"
    if htmx:
        assert response.headers["HX-Reswap"] == "none"
        message = unquote(response.headers["X-Error-Message"])
        assert "busy" in message and "nothing was saved" in message
    else:
        page = response.get_data(as_text=True)
        assert "Busy, try again" in page and "save again" in page
        assert "Error reference:" in page and "Traceback" not in page


@pytest.mark.parametrize("htmx", [True, False])
def test_a_held_write_lock_answers_busy_and_saves_nothing(busy_app, htmx):
    from app.extensions import limiter

    with busy_app.app_context():
        limiter.reset()
    client = busy_app.test_client()
    email = f"busy-{int(htmx)}@example.fi"
    token = _token(client)
    started = time.monotonic()
    with _lock_held(busy_app, "LOCK TABLE user_account IN SHARE ROW EXCLUSIVE MODE"):
        response = client.post("/register", headers={
            "Accept-Language": "en", **({"HX-Request": "true"} if htmx else {})}, data={
            "csrf_token": token, "name": "Busy Person", "email": email,
            "password": "pitkä salasana tässä 42", "password_again": "pitkä salasana tässä 42",
            "language": "en", "accept_terms": "y", "privacy": "y"})
    _assert_busy(response, htmx, started)
    assert _users(busy_app, email) == 0
    # the lock is gone: the same save works
    again = _register(client, email, htmx)
    assert again.status_code in (200, 302), again.get_data(as_text=True)[:500]
    assert _users(busy_app, email) == 1


def test_a_held_row_lock_answers_busy_and_changes_nothing(busy_app):
    from app.auth.models import UserSession
    from app.auth.sessions import _hash
    from app.core.db import utcnow
    from app.extensions import db

    token = secrets.token_urlsafe(32)
    with busy_app.app_context():
        user = User(email="rowlock@example.fi", name="Vanha Nimi", password_hash="x",
                    language="en", email_verified_at=utcnow())
        db.session.add(user)
        db.session.flush()
        db.session.add(UserSession(user_id=user.id, token_hash=_hash(token)))
        db.session.commit()
        user_id = user.id
    client = busy_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = token
        session["_fresh"] = True
    csrf = _token(client, "/account")

    def save(name):
        return client.post("/account/profile", headers={"Accept-Language": "en"},
                           data={"csrf_token": csrf, "name": name, "language": "en"})

    started = time.monotonic()
    with _lock_held(busy_app, "SELECT id FROM user_account WHERE id = %(id)s FOR UPDATE",
                    id=user_id):
        response = save("Uusi Nimi")
    _assert_busy(response, False, started)
    with busy_app.app_context():
        assert db.session.get(User, user_id).name == "Vanha Nimi"
    assert save("Uusi Nimi").status_code == 302
    with busy_app.app_context():
        assert db.session.get(User, user_id).name == "Uusi Nimi"
