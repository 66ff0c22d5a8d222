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
