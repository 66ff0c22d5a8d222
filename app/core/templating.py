"""App-wide template filters and globals: local time, money, Markdown, code-list labels,
navigation, languages."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from babel import dates as babel_dates
from flask import Flask, g, request
from flask_babel import format_date, format_datetime, get_locale, get_translations
from jinja2 import pass_context
from markupsafe import Markup

from app.core import codelists, money
from app.core.db import ensure_aware
from app.core.i18n import FIGURES, current_locale
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


def _language(locale=None) -> str:
    locale = locale or current_locale()
    language = locale.language if locale else "fi"
    return language if language in DATE_PATTERNS else "fi"


@lru_cache(maxsize=4096)
def _date_text(value: date, pattern: str, locale) -> str:
    """What Flask-Babel's format_date(value, pattern) gives for a date in `locale`, kept (a
    page of search hits shows twenty dates; Babel takes 10 µs for each)."""
    return babel_dates.format_date(value, pattern, locale=locale)


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
    locale = current_locale()
    if fmt in STYLES:
        fmt = DATE_PATTERNS[_language(locale)]
    if locale is None or fmt is None or type(value) is not date:
        return format_date(value, fmt)
    return _date_text(value, fmt, locale)


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
    another Locale object, so it gets its own translations."""
    locale = current_locale()
    if locale is None:  # outside an application context
        return get_translations()
    state = g._get_current_object().__dict__
    known = state.get("_kohtaamo_translations")
    if known is None or known[0] is not locale:
        known = state["_kohtaamo_translations"] = (locale, get_translations())
    return known[1]


# A template's translated strings without variables, per translations (one a language) and
# autoescaping: the same Markup every time.
_FIXED: dict[tuple[object, bool], dict[str, str]] = {}


@pass_context
def _gettext(context, string: str, **variables) -> str:
    """Jinja's newstyle gettext (jinja2.ext._make_new_gettext: the translation escaped as
    Markup in an HTML template, always %-formatted with the variables), called directly (not
    through Context.call twice) and, without variables, kept: the layout and the search page
    translate about a hundred strings each, most of them fixed; Jinja's way cost 7.5 µs a
    string more than printing it, this way 4 (measured: the search page renders in 3.5 ms
    instead of 4.1)."""
    translations = _translations()
    autoescape = context.eval_ctx.autoescape
    if not variables:
        fixed = _FIXED.setdefault((translations, autoescape), {})
        found = fixed.get(string)
        if found is None:
            text = translations.ugettext(string)
            found = fixed[string] = _formatted(text, autoescape, variables)
        return found
    return _formatted(translations.ugettext(string), autoescape, variables)


@pass_context
def _ngettext(context, singular: str, plural: str, num: int, **variables) -> str:
    """Jinja's newstyle ngettext (`num` among the variables), called directly."""
    variables.setdefault("num", num)
    text = _translations().ungettext(singular, plural, num)
    return _formatted(text, context.eval_ctx.autoescape, variables)


def _formatted(text: str, autoescape: bool, variables: dict) -> str:
    # As Jinja's newstyle gettext: the translation is the template's own text (the catalogue
    # is ours), the variables are escaped by Markup's %.
    return (Markup(text) if autoescape else text) % variables  # noqa: S704


def init_app(app: Flask) -> None:
    # Flask-Babel's gettext callables for Jinja, over the translations looked up once.
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: _translations().ugettext(s),
        ngettext=lambda s, p, n: _translations().ungettext(s, p, n),
        pgettext=lambda c, s: _translations().upgettext(c, s),
        npgettext=lambda c, s, p, n: _translations().unpgettext(c, s, p, n),
        newstyle=True)
    # The two used everywhere, and `_` (the i18n extension's alias of gettext), made faster.
    app.jinja_env.globals.update(gettext=_gettext, ngettext=_ngettext, _=_gettext)
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
