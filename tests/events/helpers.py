"""Small helpers of the event tests (tests/events/test_events*.py)."""

from __future__ import annotations

from datetime import timedelta
from itertools import count

from app.core.db import utcnow
from app.events.models import Event, EventFormat, EventKind, EventState
from app.extensions import db

_n = count(1)


def add_event(organisation, state=EventState.published, days=7, hours=2, **fields) -> Event:
    """An event row of `organisation` starting `days` from now (negative: in the past)."""
    starts = fields.pop("starts_at", utcnow().replace(microsecond=0) + timedelta(days=days))
    values = {"kind": EventKind.networking, "title": f"Tapahtuma {next(_n)}",
              "format": EventFormat.in_person, "place": "Mikkeli", "languages": ["fi"],
              "description": "Kuvaus.", **fields}
    event = Event(organisation=organisation, starts_at=starts,
                  ends_at=starts + timedelta(hours=hours), state=state, **values)
    db.session.add(event)
    db.session.commit()
    return event


def local(days: int, at: str = "10:00") -> str:
    """The datetime-local input `days` from today in Helsinki at `at`."""
    from app.core.clock import local_date

    return f"{(local_date() + timedelta(days=days)).isoformat()}T{at}"


def form_data(**overrides) -> dict:
    """A valid event form (in person, a week ahead)."""
    data = {"kind": "networking", "title": "Verkostotapaaminen", "description": "Tervetuloa!",
            "starts_at": local(7, "10:00"), "ends_at": local(7, "12:00"),
            "format": "in_person", "place": "Mikkeli, Maaherrankatu 16", "online_url": "",
            "capacity": "20", "languages": ["fi", "sv"], "accessibility": "Esteetön.",
            "registration_deadline": local(5, "16:00"), "call_id": "", "practice_id": ""}
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}
