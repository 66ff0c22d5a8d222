"""App-wide template filters and globals: local time, money, Markdown, code-list labels,
navigation, languages."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from flask import Flask, g, request
from flask_babel import format_date, format_datetime, get_locale, get_translations

from app.core import codelists, money
from app.core.db import ensure_aware
from app.core.i18n import FIGURES
from app.core.markdown import render_markdown

HELSINKI = ZoneInfo("Europe/Helsinki")
LANGUAGE_NAMES = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


# Dates as they are written in Finland in each interface language: "3.12.2026 klo 16.00",
# "3.12.2026 kl. 16.00" and, in English, the European "3 December 2026, 16.00" (Babel's "en" is
# American: "Dec 3, 2026, 4:00 PM"). The named styles ("short", "medium", ...) map to these;
# any other pattern is passed to Babel as it is.
STYLES = ("short", "medium", "long", "full")
DATE_PATTERNS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "d MMMM yyyy"}
DATETIME_PATTERNS = {"fi": "d.M.yyyy 'klo' H.mm", "sv": "d.M.yyyy 'kl.' H.mm",
                     "en": "d MMMM yyyy, H.mm"}
TIME_PATTERN = "H.mm"  # 16.00 in all three languages


def _language() -> str:
    locale = get_locale()
    language = locale.language if locale else "fi"
    return language if language in DATE_PATTERNS else "fi"


def local_datetime(value: datetime | None, fmt: str = "short") -> str:
    """A UTC time shown in Europe/Helsinki in the interface language."""
    if value is None:
        return ""
    if fmt in STYLES:
        fmt = DATETIME_PATTERNS[_language()]
    return format_datetime(ensure_aware(value), fmt)


def local_date(value, fmt: str = "medium") -> str:
    """A date (or the Finnish date of a UTC time) in the interface language."""
    if value is None:
        return ""
    if isinstance(value, datetime):
        value = ensure_aware(value).astimezone(HELSINKI).date()
    if fmt in STYLES:
        fmt = DATE_PATTERNS[_language()]
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


def _translations():
    """Flask-Babel's translations for the current locale, looked up once per request and
    locale. Jinja asks for them for every string a template translates (about 90 on the
    search page), and Flask-Babel's own lookup (its request context three times over and the
    locale's name, each time) was a fifth of the search page's rendering in a profile. A
    locale forced within the request (force_locale: a mail in its recipient's language) is
    another Locale object, so it gets its own translations. The locale is read where
    get_locale() keeps it (Flask-Babel's namespace in `g`) with one look-up of `g`: the
    proxies behind get_locale() were still a twentieth of the search page."""
    state = g._get_current_object().__dict__ if g else None
    if state is not None:
        babel = state.get("_flask_babel")
        locale = getattr(babel, "babel_locale", None)
        known = state.get("_kohtaamo_translations")
        if locale is not None and known is not None and known[0] is locale:
            return known[1]
    locale = get_locale()  # works the locale out and keeps it in `g`
    if locale is None or state is None:  # outside a request
        return get_translations()
    known = state["_kohtaamo_translations"] = (locale, get_translations())
    return known[1]


def init_app(app: Flask) -> None:
    # Flask-Babel's gettext callables for Jinja, over the translations looked up once.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    app.jinja_env.filters["localdt"] = local_datetime
    app.jinja_env.filters["localdate"] = local_date
    app.jinja_env.filters["money"] = money.format_money
    app.jinja_env.filters["scaled"] = money.format_scaled
    app.jinja_env.filters["percent"] = money.format_percent
    app.jinja_env.filters["markdown"] = render_markdown
    app.jinja_env.globals["codelists"] = codelists
    app.jinja_env.globals["url_with"] = url_with
    app.jinja_env.globals["rule_figures"] = FIGURES
    # flask_babel.format_time(value, "short") (the "saved at" notes) as 16.00 in every language
    app.extensions["babel"].instance.date_formats["time.short"] = TIME_PATTERN
    app.jinja_env.trim_blocks = True
    app.jinja_env.lstrip_blocks = True

    @app.context_processor
    def _globals():
        locale = get_locale()
        return {
            "current_language": locale.language if locale else "fi",
            "language_names": LANGUAGE_NAMES,
        }
