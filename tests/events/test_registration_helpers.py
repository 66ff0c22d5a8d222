"""Helpers of the registration tests (no tests here): events made as rows, links from mails."""

from __future__ import annotations

import re
from datetime import timedelta

from app.core.db import utcnow
from app.events.models import Event, EventFormat, EventKind, EventRegistration, EventState
from app.extensions import db


def make_event(organisation, *, capacity=2, state=EventState.published, starts_in=timedelta(
        days=10), deadline_in=None, **fields) -> Event:
    """A published in-person information session of `organisation` (committed)."""
    start = utcnow() + starts_in
    event = Event(organisation_id=organisation.id, kind=EventKind.info_session,
                  title=fields.pop("title", "Infotilaisuus"), description="Tervetuloa.",
                  starts_at=start, ends_at=start + timedelta(hours=2),
                  format=fields.pop("format", EventFormat.in_person),
                  place=fields.pop("place", "Hämeenkatu 1, Tampere"), capacity=capacity,
                  languages=["fi"], state=state,
                  registration_deadline=(utcnow() + deadline_in) if deadline_in else None,
                  **fields)
    db.session.add(event)
    db.session.commit()
    return event


def registrations(event) -> list[EventRegistration]:
    db.session.expire_all()
    return list(db.session.scalars(db.select(EventRegistration).where(
        EventRegistration.event_id == event.id).order_by(EventRegistration.id)))


def by_state(event) -> dict[str, list[str]]:
    """{state: [e-mail addresses]}; the waiting list in queue order."""
    found: dict[str, list[str]] = {}
    rows = sorted(registrations(event), key=lambda r: (r.queued_at is None, r.queued_at, r.id))
    for r in rows:
        found.setdefault(str(r.state), []).append(r.email)
    return found


def token_of(mailbox, message, path: str) -> str:
    """The `t` token of the link in `message` whose path is `path`."""
    link = mailbox.link(message, path)
    match = re.search(r"[?&]t=([^&]+)", link)
    assert match, link
    return match.group(1)


def register_anonymous(client, event, name, email, **extra):
    data = {"name": name, "email": email, **extra}
    return client.post(f"/events/{event.id}/register", data=data)


def registration_args(people, args: dict) -> dict:
    """The events rows' arguments plus `registration_id` (member_b registered for the world's
    event) and `fmt` (the participants export)."""
    from app.events import registration as reg

    registered = reg.register(people["member_b"], args["event_id"])
    db.session.commit()
    return {**args, "registration_id": registered.registration.id, "fmt": "csv"}
