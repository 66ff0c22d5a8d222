"""The Finnish Business ID (Y-tunnus, NNNNNNN-C) and its check digit."""

from __future__ import annotations

import re

_PATTERN = re.compile(r"^(\d{7})-(\d)$")
_WEIGHTS = (7, 9, 10, 5, 8, 4, 2)


def normalise(value: str) -> str:
    """Trim spaces; accept a six-digit body written without its leading zero."""
    value = (value or "").strip().replace(" ", "")
    if re.fullmatch(r"\d{6}-\d", value):
        value = "0" + value
    return value


def check_digit(body: str) -> int | None:
    """The check digit of seven digits, or None when no valid ID has this body."""
    remainder = sum(int(d) * w for d, w in zip(body, _WEIGHTS, strict=True)) % 11
    if remainder == 0:
        return 0
    if remainder == 1:
        return None
    return 11 - remainder


def is_valid(value: str) -> bool:
    """True for a well-formed Business ID whose check digit is right."""
    match = _PATTERN.match(normalise(value))
    if not match or not value.isascii():
        return False
    expected = check_digit(match.group(1))
    return expected is not None and expected == int(match.group(2))
