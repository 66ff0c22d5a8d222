"""Security headers on every response."""

from __future__ import annotations

from flask import Flask, Response, abort, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
DOWNLOAD_CSP = "default-src 'none'; frame-ancestors 'none'; sandbox"


def init_security_headers(app: Flask) -> None:
    """Add the headers SECURITY.md requires to every response, errors included."""

    @app.before_request
    def _reject_undecodable_query():
        # Raw bytes that are not UTF-8 (0xFF 0xFE) in the query string: 400, and an empty
        # query string from here on so that the error page itself can read `request.args`.
        try:
            request.query_string.decode("utf-8")
        except UnicodeDecodeError:
            request.query_string = b""
            request.__dict__.pop("args", None)
            request.__dict__.pop("values", None)
            abort(400)

    @app.before_request
    def _reject_nul_in_query():
        # No query parameter is ever meant to hold a NUL byte, and PostgreSQL refuses them in
        # text: answer 400 here rather than let it become a 500 deeper down.
        if any("\x00" in key or "\x00" in value for key, value in request.args.items(multi=True)):
            abort(400)

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        headers.setdefault("Content-Security-Policy", CSP)
        headers["X-Content-Type-Options"] = "nosniff"
        headers["Referrer-Policy"] = "strict-origin-when-cross-origin"
        headers["X-Frame-Options"] = "DENY"
        headers.setdefault("Permissions-Policy", "camera=(), microphone=(), geolocation=()")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        if app.config.get("HSTS"):
            headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
        if request.endpoint != "static" and "Cache-Control" not in headers:
            # Pages may hold personal data: never let a shared cache keep them.
            headers["Cache-Control"] = "no-store" if _signed_in() else "no-cache"
        return response


def _signed_in() -> bool:
    from flask_login import current_user

    return bool(getattr(current_user, "is_authenticated", False))
