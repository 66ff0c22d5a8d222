"""What every API response shares: JSON bodies, JSON errors, CORS and the rate limit.

Errors are JSON under /api/v1 whatever raised them, including 404 and 405 from routing, which
Flask never hands to a blueprint's own error handlers (no rule matched, so no blueprint is
known). The application's handlers are therefore wrapped once, when the blueprint is
registered: a request under /api/v1 gets JSON, every other path keeps its HTML error page.
"""

from __future__ import annotations

import logging

from flask import Response, current_app, jsonify, request
from werkzeug.exceptions import HTTPException, InternalServerError

from app.api import PREFIX, bp
from app.extensions import limiter

log = logging.getLogger(__name__)

ERROR_CODES = {
    400: "bad_request",
    404: "not_found",
    405: "method_not_allowed",
    413: "payload_too_large",
    429: "rate_limited",
    500: "internal_error",
    503: "unavailable",
}
MESSAGES = {
    400: "The request could not be understood.",
    404: "There is no such resource.",
    405: "This address answers GET only.",
    413: "The request is too large.",
    429: "Too many requests. Wait for the time given in the Retry-After header and try again.",
    500: "An unexpected error happened on the server.",
    503: "The service is not available at the moment. Try again later.",
}
EXPOSED_HEADERS = ", ".join([
    "Retry-After", "X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset",
])


class InvalidParameter(HTTPException):
    """A query parameter the API cannot use: a 400 that names the parameter."""

    code = 400

    def __init__(self, parameter: str, message: str):
        super().__init__(message)
        self.parameter = parameter


def is_api_request() -> bool:
    path = request.path
    return path == PREFIX or path.startswith(PREFIX + "/")


def json_response(payload, status: int = 200) -> Response:
    response = jsonify(payload)
    response.status_code = status
    return response


def error_response(error: HTTPException) -> Response:
    """`{"error": {"code", "message"}}` with the error's status (and its headers)."""
    status = error.code or 500
    body = {"code": ERROR_CODES.get(status, "error"), "message": _message(error, status)}
    parameter = getattr(error, "parameter", None)
    if parameter:
        body["code"] = "invalid_parameter"
        body["parameter"] = parameter
    response = json_response({"error": body}, status)
    if status == 405 and getattr(error, "valid_methods", None):
        response.headers["Allow"] = ", ".join(error.valid_methods)
    retry_after = getattr(error, "retry_after", None)
    if retry_after:
        response.headers["Retry-After"] = str(retry_after)
    return response


def _message(error: HTTPException, status: int) -> str:
    if isinstance(error, InvalidParameter):
        return str(error.description)
    if status == 400 and any("\x00" in key or "\x00" in value
                             for key, value in request.args.items(multi=True)):
        return "Query parameters must not contain NUL bytes."
    if status == 429 and error.description:
        # Flask-Limiter describes the limit that was exceeded ("120 per 1 minute").
        return f"{MESSAGES[429]} The limit is {error.description}."
    if error.description and error.description != type(error).description and status != 500:
        return str(error.description)  # a message given by the API itself: abort(404, "...")
    return MESSAGES.get(status, MESSAGES[400] if status < 500 else MESSAGES[500])


def _api_first(page_handler):
    """A handler that answers JSON under /api/v1 and leaves other paths to `page_handler`."""

    def handler(error):
        if not is_api_request():
            return page_handler(error) if page_handler is not None else error
        if isinstance(error, HTTPException) and error.code is not None and error.code < 400:
            return error  # redirects and the like pass through
        if not isinstance(error, HTTPException) or isinstance(error, InternalServerError):
            original = getattr(error, "original_exception", None)
            if original is not None:
                log.error("unhandled exception in the API", exc_info=original)
            from app.extensions import db

            db.session.rollback()
            return error_response(InternalServerError())
        return error_response(error)

    return handler


@bp.record_once
def _wrap_error_handlers(state) -> None:
    # The application's own handlers (app.core.errors) are registered before the blueprints.
    app = state.app
    for cls in (HTTPException, InternalServerError):
        page_handler = app.error_handler_spec[None][cls.code].get(cls)
        app.register_error_handler(cls, _api_first(page_handler))


# --- CORS ---------------------------------------------------------------------------------


@bp.before_request
def _preflight():
    """Answer a CORS preflight ourselves (Flask's automatic OPTIONS answer is text/html)."""
    if request.method == "OPTIONS":
        response = current_app.response_class(status=204, mimetype="application/json")
        response.headers["Access-Control-Allow-Methods"] = "GET"
        response.headers["Access-Control-Allow-Headers"] = "Accept, Accept-Language"
        response.headers["Access-Control-Max-Age"] = "86400"
        response.headers["Allow"] = "GET, HEAD, OPTIONS"
        return response
    return None


@bp.after_app_request
def _cors(response: Response) -> Response:
    # after_app_request: also for errors of paths that matched no rule (404, 405).
    if is_api_request():
        # Public data only, never with credentials: any origin may read it.
        response.headers["Access-Control-Allow-Origin"] = "*"
        response.headers["Access-Control-Expose-Headers"] = EXPOSED_HEADERS
        response.headers.pop("Access-Control-Allow-Credentials", None)
    return response


# --- the rate limit -------------------------------------------------------------------------


def _api_limit() -> str:
    """Read at request time, so configuration (and tests) can change it."""
    return current_app.config["RATE_LIMITS"]["api"]


limiter.shared_limit(_api_limit, scope="api", methods=["GET", "HEAD"])(bp)
