"""Interface language: chosen explicitly (remembered), the user's preference, or the browser's."""

from __future__ import annotations

from flask import current_app, has_request_context, request, session
from flask_login import current_user

SUPPORTED = ("fi", "sv", "en")


def select_locale() -> str:
    """Flask-Babel's locale selector."""
    if not has_request_context():
        return current_app.config["BABEL_DEFAULT_LOCALE"]
    chosen = session.get("lang")
    if chosen in SUPPORTED:
        return chosen
    if getattr(current_user, "is_authenticated", False) and current_user.language in SUPPORTED:
        return current_user.language
    best = request.accept_languages.best_match(SUPPORTED)
    return best or current_app.config["BABEL_DEFAULT_LOCALE"]
