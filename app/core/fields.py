"""Form fields for money, decimal quantities, counts and local times that never raise.

WTForms' DecimalField passes the text to Decimal(), which accepts NaN, sNaN, Infinity and
exponents (and sNaN made it raise). These fields parse with app.core.money instead and turn
every refusal into a validation message.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime

from flask_babel import lazy_gettext as _l
from wtforms import Field
from wtforms.validators import StopValidation
from wtforms.widgets import TextInput

from app.core import money
from app.core.clock import HELSINKI
from app.core.db import ensure_aware


class _ParsedField(Field):
    """A text input whose value is parsed by `parse`; errors become messages."""

    widget = TextInput()
    input_mode = "decimal"

    def __init__(self, label=None, validators=None, required: bool = False,
                 required_message=None, **kwargs):
        render_kw = dict(kwargs.pop("render_kw", None) or {})
        if self.input_mode:
            render_kw.setdefault("inputmode", self.input_mode)
        render_kw.setdefault("autocomplete", "off")
        super().__init__(label, validators, render_kw=render_kw, **kwargs)
        self.required = required
        self.required_message = required_message or _l("This field is required.")
        if required:
            self.flags.required = True

    def parse(self, text: str):  # pragma: no cover - overridden
        raise NotImplementedError

    def show(self, value) -> str:  # pragma: no cover - overridden
        raise NotImplementedError

    def process_formdata(self, valuelist):
        self.data = None
        if not valuelist:
            return
        try:
            self.data = self.parse(valuelist[0])
        except money.ParseError as error:
            raise ValueError(error.message) from None

    def pre_validate(self, form):
        if self.required and self.data is None and not self.process_errors:
            raise StopValidation(self.required_message)

    def _value(self) -> str:
        if self.raw_data:
            return self.raw_data[0] if isinstance(self.raw_data[0], str) else ""
        return self.show(self.data) if self.data is not None else ""


class MoneyField(_ParsedField):
    """Euros in, integer cents out ("1 234,56" -> 123456)."""

    def __init__(self, label=None, validators=None, maximum: int = money.MAX_CENTS, **kwargs):
        self.maximum = maximum
        super().__init__(label, validators, **kwargs)

    def parse(self, text):
        return money.parse_money(text, self.maximum)

    def show(self, value) -> str:
        return money.input_money(value)


class ScaledField(_ParsedField):
    """A decimal quantity with at most `places` decimals, as an integer scaled by 10**places."""

    def __init__(self, label=None, validators=None, places: int = 2, maximum: int | None = None,
                 minimum: int | None = None, **kwargs):
        self.places, self.maximum, self.minimum = places, maximum, minimum
        super().__init__(label, validators, **kwargs)

    def parse(self, text):
        value = money.parse_scaled(text, self.places, self.maximum)
        if value is not None and self.minimum is not None and value < self.minimum:
            raise money.ParseError(_l("The number must be at least %(minimum)s.",
                                      minimum=money.format_scaled(self.minimum, self.places)))
        return value

    def show(self, value) -> str:
        return money.input_scaled(value, self.places)


class CountField(ScaledField):
    """A non-negative whole number (indicator targets, months, percentages)."""

    input_mode = "numeric"

    def __init__(self, label=None, validators=None, maximum: int = 10_000_000, **kwargs):
        super().__init__(label, validators, places=0, maximum=maximum, **kwargs)


_ISO = re.compile(r"([0-9]{4})-([0-9]{2})-([0-9]{2})[T ]([0-9]{2}):([0-9]{2})(?::[0-9]{2})?")
_FINNISH = re.compile(
    r"([0-9]{1,2})\.([0-9]{1,2})\.([0-9]{4})(?:\s+(?:klo\s+)?([0-9]{1,2})[.:]([0-9]{2}))?"
)


def parse_local_datetime(text: str | None) -> datetime | None:
    """A Europe/Helsinki wall-clock time ("2026-03-01T12:00" or "1.3.2026 klo 12.00") as an
    aware UTC datetime. Raises money.ParseError. A time that does not exist in Helsinki (the
    hour skipped in spring) is read with the offset before the change; an ambiguous one
    (autumn) as its first occurrence."""
    value = (text or "").strip()
    if not value:
        return None
    if len(value) > 40 or not value.isascii():
        raise money.ParseError(_l("Enter a date and time, for example 2026-03-01 12:00."))
    match = _ISO.fullmatch(value)
    if match:
        year, month, day, hour, minute = (int(part) for part in match.groups())
    else:
        match = _FINNISH.fullmatch(value)
        if not match:
            raise money.ParseError(_l("Enter a date and time, for example 2026-03-01 12:00."))
        day, month, year = int(match[1]), int(match[2]), int(match[3])
        hour, minute = int(match[4] or 0), int(match[5] or 0)
    if not 2000 <= year <= 2100:
        raise money.ParseError(_l("Enter a year between 2000 and 2100."))
    try:
        local = datetime(year, month, day, hour, minute, tzinfo=HELSINKI)
    except ValueError:
        raise money.ParseError(_l("This date or time does not exist.")) from None
    return local.astimezone(UTC)


class LocalDateTimeField(_ParsedField):
    """A time entered in Europe/Helsinki local time, stored in UTC."""

    input_mode = None

    def __init__(self, label=None, validators=None, **kwargs):
        render_kw = dict(kwargs.pop("render_kw", None) or {})
        render_kw.setdefault("type", "datetime-local")
        super().__init__(label, validators, render_kw=render_kw, **kwargs)

    def parse(self, text):
        return parse_local_datetime(text)

    def show(self, value) -> str:
        return ensure_aware(value).astimezone(HELSINKI).strftime("%Y-%m-%dT%H:%M")


def parse_int(raw: str | None, max_digits: int = 9) -> int | None:
    """A non-negative whole number typed in ASCII digits (a page number, an id, a version),
    or None for anything else: no exception, no full-width digits, no huge numbers."""
    raw = (raw or "").strip()
    if raw.isascii() and raw.isdigit() and len(raw) <= max_digits:
        return int(raw)
    return None
