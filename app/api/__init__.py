"""The read-only public JSON API under /api/v1 (and its OpenAPI document).

Stable URLs (ARCHITECTURE.md): others build on these, so they do not move. Every response is
JSON, readable from any origin (CORS `*`, no credentials), and rate limited per client address
by `RATE_LIMITS["api"]`.
"""

from flask import Blueprint

PREFIX = "/api/v1"

bp = Blueprint("api", __name__, url_prefix=PREFIX)

from app.api import responses, views  # noqa: E402,F401
