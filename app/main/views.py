"""Site-wide pages."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import make_response, redirect, render_template, request, session, url_for
from flask_login import current_user
from sqlalchemy import text

from app.core.i18n import SUPPORTED
from app.core.unit_of_work import perform
from app.extensions import db
from app.main import bp


def safe_next(target: str | None, default: str = "/") -> str:
    """A same-site path to go back to; anything else becomes `default`."""
    if not target or len(target) > 2000:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return default
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return default
    return target


@bp.get("/")
def home():
    return render_template("main/home.html")


@bp.post("/language")
def set_language():
    """Remember the chosen interface language (and make it the user's preference)."""
    language = request.form.get("lang", "")
    if language in SUPPORTED:
        session["lang"] = language
        if current_user.is_authenticated and current_user.language != language:
            user = current_user._get_current_object()

            def remember():
                user.language = language

            perform(remember).flash()  # a refusal (e.g. a conflict) is said; the session keeps it
    return redirect(safe_next(request.form.get("next"), url_for("main.home")))


@bp.get("/health")
def health():
    db.session.execute(text("SELECT 1"))
    return {"status": "ok"}


@bp.get("/csrf-token")
def csrf_token():
    """A fresh CSRF token for this browser's session. The page's script asks for it when a save
    was refused because the session changed (signed out and in again in another tab), so that
    pressing Save again works and nothing typed is lost."""
    from flask_wtf.csrf import generate_csrf

    response = make_response({"token": generate_csrf()})
    response.headers["Cache-Control"] = "no-store"
    return response
