"""The server's clock for calls and applications, in one replaceable place.

Whether a call is open is decided here and nowhere else, so tests move time by monkeypatching
`app.core.clock.now` (services also take an explicit `now=`).
"""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from app.core.db import utcnow

HELSINKI = ZoneInfo("Europe/Helsinki")


def now() -> datetime:
    """The current time in UTC, timezone-aware."""
    return utcnow()


def resolve(value: datetime | None) -> datetime:
    """`value` when given, otherwise the clock's current time."""
    return value if value is not None else now()


def local_date(value: datetime | None = None):
    """The date in Finland (Europe/Helsinki) at `value` (default: now): due dates and
    reporting periods are Finnish calendar days."""
    return resolve(value).astimezone(HELSINKI).date()
