"""Server-side sessions behind Flask-Login.

The cookie holds a random session token; the database holds its hash. Logging out deletes
the row, so a cookie copied before logout is dead afterwards (measured: with the cookie
session alone, a copied cookie still got 200 after logout).

A session also ends on the server, whatever the cookie says: unused for longer than
PERMANENT_SESSION_LIFETIME (idle) or older than SESSION_ABSOLUTE_LIFETIME (however used).
`last_seen_at` is refreshed at most every TOUCH_INTERVAL, so most requests write nothing;
expired rows are deleted at sign-in (that user's) and by `flask users prune-sessions`.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from flask import current_app, g, request, session
from flask_login import LoginManager, login_url, login_user, logout_user
from sqlalchemy import delete, or_, select, update
from sqlalchemy.orm import joinedload

from app.auth.models import User, UserSession
from app.core.db import utcnow, write_intent
from app.extensions import db

TOUCH_INTERVAL = timedelta(minutes=10)


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def init_login_manager(manager: LoginManager) -> None:
    @manager.unauthorized_handler
    def _unauthorized():
        # htmx would follow the redirect and swap the login page into the form: answer 401
        # instead, so that the page keeps what was typed and says how to go on.
        from flask import flash, redirect
        from flask_babel import lazy_gettext as _l

        from app.core.errors import htmx_error
        from app.core.htmx import is_htmx

        if is_htmx():
            return htmx_error(401, _l("You have been signed out – sign in in a new tab and press "
                                      "Save again. Your text is still here."))
        if manager.login_message:
            flash(manager.login_message, manager.login_message_category)
        return redirect(login_url(manager.login_view, next_url=request.url))

    @manager.user_loader
    def _load(token: str) -> User | None:
        if not token or len(token) > 100:
            return None
        row = db.session.scalar(
            select(UserSession)
            .options(joinedload(UserSession.user))
            .where(UserSession.token_hash == _hash(token))
        )
        if row is None or not row.user.is_active:
            return None
        now = utcnow()
        if _expired(row, now):
            return None
        if now - row.last_seen_at > TOUCH_INTERVAL:
            if request.method in ("POST", "PUT", "PATCH", "DELETE"):
                row.last_seen_at = now  # committed with the request's own write
            else:
                g._touch_session_id = row.id  # one UPDATE after the answer (see below)
        row.user._session_token = token
        return row.user


def _expired(row: UserSession, now) -> bool:
    config = current_app.config
    return (now - row.last_seen_at > config["PERMANENT_SESSION_LIFETIME"]
            or now - row.created_at > config["SESSION_ABSOLUTE_LIFETIME"])


def expired_condition(now):
    """SQL for the sessions that have ended by time (idle or absolute)."""
    config = current_app.config
    return or_(UserSession.last_seen_at < now - config["PERMANENT_SESSION_LIFETIME"],
               UserSession.created_at < now - config["SESSION_ABSOLUTE_LIFETIME"])


def touch_after_read(response):
    """After a read-only request whose session was last seen over TOUCH_INTERVAL ago: one
    small UPDATE in its own commit (nothing else is pending on a GET). At most once per
    session every ten minutes, so query counts of pages do not change; never fails a page."""
    session_id = g.pop("_touch_session_id", None)
    if session_id is None or response.status_code >= 500 or response.is_streamed:
        return response
    try:
        db.session.rollback()  # a read-only request has nothing to keep
        with write_intent():
            db.session.execute(update(UserSession).where(UserSession.id == session_id)
                               .values(last_seen_at=utcnow()))
            db.session.commit()
    except Exception:  # e.g. the database is busy: the next request tries again
        db.session.rollback()
        current_app.logger.warning("could not refresh a session's last use", exc_info=True)
    return response


def prune_sessions(user_id: int | None = None) -> int:
    """Delete the sessions that have ended by time (of one user, or all); returns how many."""
    stmt = delete(UserSession).where(expired_condition(utcnow()))
    if user_id is not None:
        stmt = stmt.where(UserSession.user_id == user_id)
    return db.session.execute(stmt).rowcount or 0


def start_session(user: User) -> None:
    """Sign `user` in with a fresh session (no fixation); keeps only the language choice."""
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language
    if user.id is not None:
        prune_sessions(user.id)  # bounded: only this user's ended sessions
    token = secrets.token_urlsafe(32)
    db.session.add(
        UserSession(
            user=user,
            token_hash=_hash(token),
            ip=request.remote_addr,
            user_agent=(request.user_agent.string or "")[:255],
        )
    )
    user._session_token = token
    login_user(user)
    session.permanent = True


def end_session(user: User) -> None:
    """Sign out this browser: its server-side session is deleted."""
    if user._session_token:
        db.session.execute(
            delete(UserSession).where(UserSession.token_hash == _hash(user._session_token))
        )
    logout_user()
    language = session.get("lang")
    session.clear()
    if language:
        session["lang"] = language


def end_all_sessions(user: User, keep_current: bool = False) -> int:
    """Sign `user` out everywhere (optionally keeping this browser). Returns how many ended."""
    stmt = delete(UserSession).where(UserSession.user_id == user.id)
    if keep_current and user._session_token:
        stmt = stmt.where(UserSession.token_hash != _hash(user._session_token))
    result = db.session.execute(stmt)
    return result.rowcount or 0
