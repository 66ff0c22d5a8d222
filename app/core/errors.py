"""Error pages in the user's language; no stack traces outside development."""

from __future__ import annotations

import logging
from urllib.parse import quote

from flask import Flask, make_response, render_template
from flask_babel import lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException, InternalServerError

from app.core.htmx import is_htmx

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
}


def render_error(code: int, message=None):
    """The error page; for htmx, a short answer that is not swapped into the page (the page's
    script shows the message in place and the typed text stays)."""
    from flask import current_app

    title, default_message = MESSAGES.get(code, MESSAGES[500])
    mb = current_app.config.get("MAX_CONTENT_LENGTH", 0) // (1024 * 1024)
    text = message or default_message
    if code == 413:
        text = str(text) % {"mb": mb}
    if is_htmx():
        return htmx_error(code, text), code
    return render_template("errors/error.html", code=code, title=title, message=text), code


def htmx_error(code: int, message, **headers):
    """An error answer for htmx: the message in a header and the body, never swapped."""
    response = make_response(str(message), code)
    response.headers["HX-Reswap"] = "none"
    response.headers["X-Error-Message"] = quote(str(message))
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
        if original is not None:
            log.error("unhandled exception", exc_info=original)
        db.session.rollback()
        return render_error(500)
