"""Interface language: chosen explicitly (remembered), the user's preference, or the browser's."""

from __future__ import annotations

from flask import current_app, g, has_request_context, request, session
from flask_babel import get_locale
from flask_login import current_user

SUPPORTED = ("fi", "sv", "en")


def current_locale():
    """get_locale(), read where Flask-Babel keeps the locale it worked out (its namespace in
    `g`, also under force_locale) with one look-up of `g`: templates ask for it for every
    code-list label and date they show (about eighty times on the search page), and
    get_locale()'s proxies cost three times as much. None outside an application context."""
    state = g._get_current_object().__dict__ if g else None
    if state is None:
        return None
    locale = getattr(state.get("_flask_babel"), "babel_locale", None)
    return locale if locale is not None else get_locale()


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


class LocalNumber:
    """A figure quoted in a text, read from the constant the arithmetic uses each time the text
    is rendered and formatted in the interface language then (1 720 in Finnish, 1,720 in
    English). Pass it as a parameter of `_()` or `_l()`: `%(hours)s` formats it when the
    (lazy) text is rendered."""

    def __init__(self, read, pattern: str | None = None):
        self._read = read
        self._pattern = pattern

    def value(self):
        return self._read()

    def __str__(self) -> str:
        from flask_babel import format_decimal

        return format_decimal(self._read(), self._pattern)

    __html__ = __str__  # safe in a template: digits and separators only


def _budget():
    from app.calls import budget

    return budget


def _flat_rate_factor():
    from decimal import Decimal

    return Decimal(100 + _budget().FLAT_RATE_PERCENT) / 100


def _max_advance():
    from app.calls import models

    return models.MAX_ADVANCE_PERCENT


def _report_due_days():
    from app.projects import schedule

    return schedule.REPORT_DUE_DAYS


class Figures:
    """The rules' figures that texts quote (templates: `rule_figures.hours_per_year`)."""

    hours_per_year = LocalNumber(lambda: _budget().HOURS_PER_YEAR)
    flat_rate_percent = LocalNumber(lambda: _budget().FLAT_RATE_PERCENT)
    flat_rate_factor = LocalNumber(_flat_rate_factor, "0.00")  # 1,40 = staff costs + 40 %
    max_advance_percent = LocalNumber(_max_advance)
    report_due_days = LocalNumber(_report_due_days)


FIGURES = Figures()
