"""Money and decimal quantities: safe parsing of what people type, Finnish-style display.

Parsing never uses float() or Decimal() on raw input: the text is checked against a strict
pattern first, so NaN, sNaN, Infinity, exponents (1e400), signs, full-width or other non-ASCII
digits, NUL bytes and absurd lengths are refused with a message instead of an exception.

Accepted: "1234", "1234,56", "1234.56", "1 234,56" (space, no-break space, narrow no-break
space or thin space between groups of three), optionally followed by "€". A single comma or dot
is the decimal separator; "1,234.56" (two kinds of separator) is refused as ambiguous.
"""

from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal

from flask_babel import lazy_gettext as _l

MAX_CENTS = 99_999_999_999  # 999 999 999,99 €
_PLAIN = re.compile(r"[0-9]+(?:[.,][0-9]+)?")
_GROUPED = re.compile(r"[0-9]{1,3}(?: [0-9]{3})+(?:[.,][0-9]+)?")
_SPACES_TO_PLAIN = str.maketrans({"\u00a0": " ", "\u202f": " ", "\u2009": " "})
_MAX_INPUT = 40


class ParseError(ValueError):
    """The text is not an acceptable number; `message` says why (translatable)."""

    def __init__(self, message, code: str = "invalid"):
        super().__init__(str(message))
        self.message = message
        self.code = code


def parse_scaled(text: str | None, places: int = 2, maximum: int | None = None,
                 unit: str = "") -> int | None:
    """The number in `text` as an integer scaled by 10**places ("1 234,5" -> 123450 for
    places=2); None for empty input. Raises ParseError with a message for anything else."""
    if text is None:
        return None
    if not isinstance(text, str):
        raise ParseError(_l("Enter a number, for example 1 234,56."))
    # Every kind of group space counts as a plain space from here on.
    value = text.translate(_SPACES_TO_PLAIN).strip(" \t\r\n")
    if not value:
        return None
    if unit and value.endswith(unit):
        value = value[: -len(unit)].rstrip(" ")
        if not value:
            raise ParseError(_l("Enter a number, for example 1 234,56."))
    if len(value) > _MAX_INPUT:
        raise ParseError(_l("The number is too long."), "too_large")
    if value[0] in "-−‐–":  # hyphen-minus, minus sign, hyphen, en dash
        raise ParseError(_l("The number cannot be negative."), "negative")
    if value[0] == "+":
        value = value[1:]
    if not value.isascii():
        if any(ch.isdigit() for ch in value):
            raise ParseError(_l("Use the digits 0–9 (for example 1 234,56)."))
        raise ParseError(_l("Enter a number, for example 1 234,56."))
    if "," in value and "." in value:
        raise ParseError(_l("Use either a comma or a point as the decimal separator, and "
                            "spaces between thousands (for example 1 234,56)."))
    if not (_PLAIN.fullmatch(value) or _GROUPED.fullmatch(value)):
        raise ParseError(_l("Enter a number, for example 1 234,56."))
    digits = value.replace(" ", "")
    whole, _, fraction = digits.replace(",", ".").partition(".")
    if len(fraction) > places:
        if places == 0:
            raise ParseError(_l("Enter a whole number."))
        raise ParseError(_l("Use at most %(places)s decimals.", places=places))
    if len(whole.lstrip("0")) > 15:
        raise ParseError(_l("The number is too large."), "too_large")
    scaled = int(whole) * 10**places + int(fraction.ljust(places, "0") or "0")
    if maximum is not None and scaled > maximum:
        raise ParseError(_l("The number is too large: at most %(maximum)s.",
                            maximum=format_scaled(maximum, places)), "too_large")
    return scaled


def parse_money(text: str | None, maximum: int = MAX_CENTS) -> int | None:
    """Euros typed by a person, as integer cents; None when empty. Raises ParseError."""
    try:
        return parse_scaled(text, places=2, maximum=maximum, unit="€")
    except ParseError as error:
        if error.code == "too_large":
            raise ParseError(_l("The amount is too large: at most %(maximum)s.",
                                maximum=format_money(maximum)), "too_large") from None
        raise


def half_up_div(numerator: int, denominator: int) -> int:
    """numerator / denominator rounded to the nearest integer, halves away from zero, exactly
    (integer arithmetic: no float, no Decimal context precision)."""
    if denominator <= 0:
        raise ValueError("denominator must be positive")
    if numerator < 0:
        return -half_up_div(-numerator, denominator)
    quotient, remainder = divmod(numerator, denominator)
    return quotient + (1 if 2 * remainder >= denominator else 0)


def cents_to_decimal(cents: int) -> Decimal:
    return Decimal(int(cents)).scaleb(-2)


def round_cents(value: Decimal) -> int:
    """A Decimal amount of cents rounded half up to whole cents."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def _locale() -> str:
    from app.core.codelists import current_language

    return current_language()


def format_money(cents: int | None, with_unit: bool = True) -> str:
    """Cents for display in the interface language: "12 345,67 €" in Finnish and Swedish."""
    if cents is None:
        return ""
    from babel.numbers import format_decimal

    text = format_decimal(cents_to_decimal(cents), format="#,##0.00", locale=_locale())
    return f"{text}\u00a0€" if with_unit else text


def format_scaled(value: int | None, places: int = 2, trim: bool = True) -> str:
    """A scaled integer (650 with places=2) as "6,5" in the interface language."""
    if value is None:
        return ""
    from babel.numbers import format_decimal

    number = Decimal(int(value)).scaleb(-places)
    pattern = "#,##0." + ("#" if trim else "0") * places if places else "#,##0"
    return format_decimal(number, format=pattern, locale=_locale())


def format_percent(value: Decimal | int | None) -> str:
    if value is None:
        return ""
    from babel.numbers import format_decimal

    return format_decimal(Decimal(value), format="#,##0.##", locale=_locale()) + "\u00a0%"


def input_money(cents: int | None) -> str:
    """Cents as a value to put back in a form field ("1234,56", no grouping)."""
    if cents is None:
        return ""
    return f"{cents // 100},{cents % 100:02d}"


def input_scaled(value: int | None, places: int = 2) -> str:
    """A scaled integer as a form value ("6,5"), without trailing zeros."""
    if value is None:
        return ""
    whole, fraction = divmod(int(value), 10**places)
    if not places or not fraction:
        return str(whole)
    return f"{whole},{fraction:0{places}d}".rstrip("0")
