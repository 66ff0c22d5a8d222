"""Helpers for htmx requests: a view renders the fragment or the whole page."""

from __future__ import annotations

import json

from flask import Response, make_response, render_template, request


def is_htmx() -> bool:
    """True when htmx made this request (and it is not a history restore)."""
    return request.headers.get("HX-Request") == "true" and not request.headers.get(
        "HX-History-Restore-Request"
    )


def render_page_or_fragment(page: str, fragment: str, **context) -> Response:
    """Render `fragment` for htmx, `page` otherwise, and vary the cache on HX-Request."""
    template = fragment if is_htmx() else page
    response = make_response(render_template(template, **context))
    response.vary.add("HX-Request")
    return response


def trigger(response: Response, event: str, detail: dict | None = None) -> Response:
    """Add an `HX-Trigger` event that other panels listen to."""
    response.headers["HX-Trigger"] = json.dumps({event: detail or {}})
    return response


def no_content(event: str | None = None) -> Response:
    """204 for htmx, optionally with an event."""
    response = make_response("", 204)
    if event:
        trigger(response, event)
    return response
