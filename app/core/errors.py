"""Error pages in the user's language; no stack traces outside development."""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Flask, make_response, render_template, request
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from markupsafe import escape
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.db import set_write_intent
from app.core.htmx import is_htmx
from app.core.requestlog import request_id

log = logging.getLogger(__name__)

MESSAGES = {
    400: (
        _l("Bad request"),
        _l("The request could not be understood. Please check what you sent and try again."),
    ),
    403: (_l("Access denied"), _l("You do not have permission to do this.")),
    404: (
        _l("Page not found"),
        _l("The page you are looking for does not exist or has been removed."),
    ),
    405: (_l("Not allowed"), _l("This address does not accept that kind of request.")),
    413: (
        _l("File too large"),
        _l("The file or form you sent is larger than the limit of %(mb)s MB. Please send a "
           "smaller file."),
    ),
    429: (
        _l("Too many requests"),
        _l("You have made too many requests in a short time. Please wait a moment and try again."),
    ),
    500: (
        _l("Something went wrong"),
        _l("An unexpected error happened on our side. Nothing you entered was saved in a "
           "half-finished state. Please try again later."),
    ),
    503: (
        _l("Service unavailable"),
        _l("The service is unavailable for a moment. Nothing you entered was saved. Please try "
           "again in a few minutes."),
    ),
}

BUSY_TITLE = _l("Busy, try again")
BUSY_MESSAGE = _l("The service is busy right now and nothing was saved. Please save again in a "
                  "moment; your text is still here.")
BUSY_PAGE_MESSAGE = _l("The service was busy and nothing was saved. Go back to the previous "
                       "page and save again in a moment.")
UNAVAILABLE_MESSAGE = _l("The service cannot reach its database right now. Nothing you entered "
                         "was saved. Please try again in a few minutes.")

# Driver messages of a write that waited too long for a lock (SQLite, PostgreSQL).
_BUSY_MARKERS = ("database is locked", "database table is locked", "lock timeout",
                 "canceling statement due to lock timeout", "could not serialize access",
                 "deadlock detected")
_BUSY_SQLSTATES = frozenset({"55P03", "40001", "40P01"})


def render_error(code: int, message=None, title=None, headers: dict | None = None):
    """The error page; for htmx, a short answer that is not swapped into the page (the page's
    script shows the message in place and the typed text stays). Never fails: when the page
    cannot be rendered (no database, no URL adapter), a plain page says the same."""
    from flask import current_app

    default_title, default_message = MESSAGES.get(code, MESSAGES[500])
    mb = current_app.config.get("MAX_CONTENT_LENGTH", 0) // (1024 * 1024)
    text = message or default_message
    if code == 413:
        text = str(text) % {"mb": mb}
    headers = headers or {}
    _user_or_anonymous()
    if _is_htmx():
        return htmx_error(code, text, **headers), code
    _ensure_url_adapter()
    try:
        body = render_template("errors/error.html", code=code, title=title or default_title,
                               message=text, request_id=request_id())
    except Exception:  # noqa: BLE001 - the page of an error must not fail in its turn
        log.exception("rendering the error page failed")
        body = _plain_page(code, title or default_title, text)
    response = make_response(body, code)
    response.headers.update(headers)
    return response, code


def _is_htmx() -> bool:
    try:
        return is_htmx()
    except Exception:  # noqa: BLE001 - undecodable headers
        return False


def _ensure_url_adapter() -> None:
    """A request for an untrusted host has no URL adapter: build links on SERVER_BASE_URL."""
    from urllib.parse import urlsplit

    from flask import current_app
    from flask.globals import _cv_request

    ctx = _cv_request.get(None)
    if ctx is None or ctx.url_adapter is not None:
        return
    parts = urlsplit(current_app.config.get("SERVER_BASE_URL") or "http://localhost")
    ctx.url_adapter = current_app.url_map.bind(parts.netloc, script_name="/",
                                               url_scheme=parts.scheme)


def _plain_page(code: int, title, message) -> str:
    try:
        reference = escape(str(_l("Error reference: %(reference)s", reference=request_id())))
        reference = f"<p>{reference}</p>"
        return (f"<!doctype html><title>{escape(str(title))}</title><h1>{escape(str(title))}"
                f"</h1><p>{escape(str(message))}</p>{reference}<p>{code}</p>")
    except Exception:  # noqa: BLE001 - even translations failed
        return f"<!doctype html><title>Error {code}</title><h1>Error {code}</h1>"


def _user_or_anonymous() -> None:
    """Load the signed-in user now (the page and the language need it); when the database
    cannot give it, the error is answered as for an anonymous visitor."""
    from flask import g, has_request_context
    from flask_login import current_user

    from app.extensions import db, login_manager

    if not has_request_context():
        return
    try:
        bool(current_user.is_authenticated)
    except Exception:  # noqa: BLE001 - no database: the error page must still be shown
        _rollback(db)
        g._login_user = login_manager.anonymous_user()


def htmx_error(code: int, message, **headers):
    """An error answer for htmx: the message in a header and the body, never swapped."""
    _user_or_anonymous()
    response = make_response(str(message), code)
    response.headers["HX-Reswap"] = "none"
    response.headers["X-Error-Message"] = quote(str(message))
    response.headers["Cache-Control"] = "no-store"
    response.headers.update(headers)
    response.vary.add("HX-Request")
    return response


def init_error_handlers(app: Flask) -> None:
    @app.errorhandler(CSRFError)
    def _csrf(error: CSRFError):
        message = _l("The form had expired or was sent from elsewhere. Please reload the page and "
                     "try again.")
        if is_htmx():
            # The session changed (signed out and in again in another tab): the script fetches
            # a fresh token and sends the same request again, so nothing typed is lost.
            return htmx_error(400, message, **{"X-CSRF-Expired": "1"})
        return render_error(400, message)

    @app.errorhandler(HTTPException)
    def _http(error: HTTPException):
        if error.code is None or error.code < 400:
            return error
        if error.code == 500:
            return _server_error(error)
        response = render_error(error.code if error.code in MESSAGES else 400)
        if error.code == 405 and hasattr(error, "valid_methods") and error.valid_methods:
            return response[0], 405, {"Allow": ", ".join(error.valid_methods)}
        return response

    @app.errorhandler(InternalServerError)
    def _server_error(error):
        from app.extensions import db

        original = getattr(error, "original_exception", None)
        if isinstance(original, DBAPIError):
            return _database_error(original)
        if original is not None:
            log.error("unhandled exception", exc_info=original)
        _rollback(db)
        return render_error(500)

    @app.errorhandler(DBAPIError)
    def _database(error: DBAPIError):
        return _database_error(error)


def _database_error(error: DBAPIError):
    """A lock waited for too long: 503 "busy, try again"; the database cannot be reached: 503
    "unavailable"; anything else: 500. The page is rendered without the database."""
    from flask import current_app, g

    from app.extensions import db, login_manager

    _rollback(db)
    retry = str(current_app.config.get("BUSY_RETRY_AFTER_SECONDS", 5))
    if is_busy(error):
        # The page reads (the signed-in user, expired by the rollback) in a read transaction:
        # on SQLite a write transaction would wait for the same lock again and fail in turn.
        set_write_intent(False)
        log.warning("busy: %s %s waited too long for a lock: %s", request.method, request.path,
                    _first_line(error))
        full_page_post = request.method not in ("GET", "HEAD") and not _is_htmx()
        return render_error(503, BUSY_PAGE_MESSAGE if full_page_post else BUSY_MESSAGE,
                            title=BUSY_TITLE, headers={"Retry-After": retry})
    if is_unreachable(error):
        log.error("database unavailable: %s", _first_line(error))
        # The page must not load the signed-in user (or anything else) from the database.
        g._login_user = login_manager.anonymous_user()
        return render_error(503, UNAVAILABLE_MESSAGE, headers={"Retry-After": retry})
    log.error("unhandled database error", exc_info=error)
    return render_error(500)


def _rollback(db) -> None:
    try:
        db.session.rollback()
    except Exception:  # noqa: BLE001 - the connection is gone; the session is discarded anyway
        log.warning("rollback after an error failed", exc_info=True)


def _first_line(error: BaseException) -> str:
    return str(getattr(error, "orig", error)).strip().splitlines()[0][:300] if str(error) else ""


def is_busy(error: BaseException) -> bool:
    """True for a write that gave up waiting for a lock (retrying later may succeed)."""
    orig = getattr(error, "orig", error)
    sqlstate = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    if sqlstate in _BUSY_SQLSTATES:
        return True
    text = str(orig).lower()
    return any(marker in text for marker in _BUSY_MARKERS)


def is_unreachable(error: BaseException) -> bool:
    """True when the database cannot be reached or opened at all."""
    if getattr(error, "connection_invalidated", False):
        return True
    if not isinstance(error, (OperationalError, InterfaceError)):
        return False
    orig = getattr(error, "orig", error)
    sqlstate = getattr(orig, "sqlstate", None) or ""
    if sqlstate.startswith("08") or sqlstate in ("57P01", "57P02", "57P03"):
        return True
    text = str(orig).lower()
    return any(marker in text for marker in (
        "unable to open database", "connection refused", "could not connect",
        "connection failed", "server closed the connection", "disk i/o error",
        "no such table", "timeout expired", "the database system is"))
