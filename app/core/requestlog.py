"""One log line per request, and a request id that ties the line, the answer and the page.

The id comes from a sane incoming `X-Request-ID` (a proxy's, 8 to 64 characters of
`[A-Za-z0-9-]`) or is made here; it is sent back in the `X-Request-ID` header and shown on every
error page ("Error reference: ..."), so a user's report finds its log line.

The line is written by a WSGI middleware around the whole application, so that every answer is
logged with its final status, also those that never reach a view (an untrusted host, a broken
query string, an error page that failed). It goes to the logger `kohtaamo.request` as JSON:

    {"request_id": "...", "method": "GET", "path": "/practices", "status": 200,
     "duration_ms": 12.3, "user_id": 42}

The query string is left out (it may hold tokens or personal search words); `user_id` is null
for anonymous requests.
"""

from __future__ import annotations

import json
import logging
import re
import time
import uuid
from collections.abc import Iterable

from flask import g, has_request_context, request

log = logging.getLogger("kohtaamo.request")

ENVIRON_ID = "kohtaamo.request_id"
ENVIRON_USER = "kohtaamo.user_id"
_SANE_ID = re.compile(r"[A-Za-z0-9-]{8,64}")


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id() -> str:
    """The id of the current request ("" outside a request)."""
    if not has_request_context():
        return ""
    return request.environ.get(ENVIRON_ID) or ""


def _incoming_id(environ) -> str:
    value = environ.get("HTTP_X_REQUEST_ID", "")
    return value if _SANE_ID.fullmatch(value) else new_request_id()


class RequestLogMiddleware:
    """Give each request an id, answer it in `X-Request-ID`, log one line when it ends."""

    def __init__(self, wsgi_app):
        self.wsgi_app = wsgi_app

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        rid = _incoming_id(environ)
        environ[ENVIRON_ID] = rid
        seen: dict = {}

        def _start_response(status, headers, exc_info=None):
            seen["status"] = status
            headers = [(k, v) for k, v in headers if k.lower() != "x-request-id"]
            headers.append(("X-Request-ID", rid))
            return start_response(status, headers, exc_info)

        try:
            body = self.wsgi_app(environ, _start_response)
        except BaseException:
            seen.setdefault("status", "500")
            _log_line(environ, rid, seen, started)
            raise
        return _LoggedBody(body, lambda: _log_line(environ, rid, seen, started))


class _LoggedBody:
    """The answer's body; the line is logged when the server closes it (after sending)."""

    def __init__(self, body: Iterable[bytes], on_close):
        self._body = body
        self._on_close = on_close

    def __iter__(self):
        return iter(self._body)

    def close(self):
        try:
            close = getattr(self._body, "close", None)
            if close is not None:
                close()
        finally:
            self._on_close()


def _log_line(environ, rid: str, seen: dict, started: float) -> None:
    try:
        status = int(str(seen.get("status", "0")).split(" ", 1)[0])
    except ValueError:
        status = 0
    path = environ.get("PATH_INFO", "")
    if isinstance(path, str):
        # WSGI gives latin-1 decoded bytes; show them as UTF-8 where they are, escaped if not
        path = path.encode("latin-1", "replace").decode("utf-8", "backslashreplace")
    line = {
        "request_id": rid,
        "method": environ.get("REQUEST_METHOD", ""),
        "path": (environ.get("SCRIPT_NAME", "") + path)[:500],
        "status": status,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1),
        "user_id": environ.get(ENVIRON_USER),
    }
    log.info(json.dumps(line, ensure_ascii=False), extra={"request": line})


def remember_user(response):
    """`after_request`: note the signed-in user's id for the log line (without loading it)."""
    user = g.get("_login_user")
    if user is not None and getattr(user, "is_authenticated", False):
        from sqlalchemy import inspect

        # The identity, not `user.id`: after a rollback that would load the row again.
        state = inspect(user, raiseerr=False)
        identity = state.identity if state is not None else None
        if identity:
            request.environ[ENVIRON_USER] = identity[0]
    return response
