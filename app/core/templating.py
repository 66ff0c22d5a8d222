"""App-wide template filters and globals: local time, money, Markdown, code-list labels,
navigation, languages."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, request
from flask_babel import format_date, format_datetime, get_locale

from app.core import codelists, money
from app.core.db import ensure_aware
from app.core.markdown import render_markdown

HELSINKI = ZoneInfo("Europe/Helsinki")
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


def local_datetime(value: datetime | None, fmt: str = "short") -> str:
    """A UTC time shown in Europe/Helsinki in the interface language."""
    if value is None:
        return ""
    return format_datetime(ensure_aware(value), fmt)


def local_date(value, fmt: str = "medium") -> str:
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = ensure_aware(value).astimezone(HELSINKI).date()
    return format_date(value, fmt)


def url_with(**changes) -> str:
    """The current URL with some query parameters changed (None removes one)."""
    args = request.args.to_dict(flat=False)
    for key, value in changes.items():
        if value is None:
            args.pop(key, None)
        else:
            args[key] = [str(value)]
    query = urlencode(args, doseq=True)
    return request.path + (f"?{query}" if query else "")


def init_app(app: Flask) -> None:
    app.jinja_env.filters["localdt"] = local_datetime
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.filters["money"] = money.format_money
    app.jinja_env.filters["scaled"] = money.format_scaled
    app.jinja_env.filters["percent"] = money.format_percent
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["codelists"] = codelists
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        locale = get_locale()
        return {
            "current_language": locale.language if locale else "fi",
            "language_names": LANGUAGE_NAMES,
        }
