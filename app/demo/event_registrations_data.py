"""Demo registrations: the demo information session (app/demo/events_data.py) full, with two
people on its waiting list, so that a visitor who registers is queued third and sees the list
move when places free up (someone cancels, or the organiser raises the number of places on
/events/<id>/participants).

Rows are made directly (no mail is sent); each has a random token of which only the hash is
kept, so nobody can follow a demo person's link: the demo people cancel by signing in.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.demo import data
from app.demo.events_data import INFO_SESSION_TITLE
from app.events.models import Event, EventKind, EventRegistration, RegistrationState

WAITING = 2
NEEDS = {0: "Gluteeniton ruokavalio", 3: "Pyörätuoli: esteetön paikka lähellä ovea",
         5: "Osallistun etänä"}


def _info_session(session: Session) -> Event | None:
    event = session.scalar(select(Event).where(Event.title == INFO_SESSION_TITLE))
    if event is None:  # renamed: any information session with a limit
        event = session.scalar(select(Event).where(Event.kind == EventKind.info_session,
                                                   Event.capacity.is_not(None))
                               .order_by(Event.id).limit(1))
    return event


def _people(event: Event, ctx) -> list[tuple]:
    """Demo people (with their organisation) who are not of the organiser, in data order."""
    organisers, organisation_of = set(), {}
    for spec in data.ORGANISATIONS:
        for member in spec.get("members", ()):
            if spec["key"] in ctx.organisations and (
                    ctx.organisations[spec["key"]].id == event.organisation_id):
                organisers.add(member[0])
            organisation_of.setdefault(member[0], spec["name"])
    people = []
    for spec in data.USERS:
        user = ctx.users.get(spec["email"])
        if user is None or spec.get("admin") or spec["email"] in organisers:
            continue
        people.append((user, organisation_of.get(spec["email"], "")))
    return people


def seed_event_registrations(session: Session, ctx) -> int:
    """Fill the information session and two waiting places; 0 when it has registrations."""
    event = _info_session(session)
    if event is None or not event.capacity:
        return 0
    existing = session.scalar(select(func.count()).select_from(EventRegistration).where(
        EventRegistration.event_id == event.id))
    if existing:
        return 0
    people = _people(event, ctx)[:event.capacity + WAITING]
    start = ctx.now - timedelta(days=2)
    for n, (user, organisation) in enumerate(people):
        at = start + timedelta(minutes=17 * n)
        confirmed = n < event.capacity
        session.add(EventRegistration(
            event_id=event.id, user_id=user.id, name=user.name, email=user.email.lower(),
            organisation_name=organisation, needs=NEEDS.get(n, ""), language=user.language,
            state=RegistrationState.confirmed if confirmed else RegistrationState.waiting,
            token_hash=hashlib.sha256(secrets.token_bytes(32)).hexdigest(),
            created_at=at, queued_at=at, confirmed_at=at if confirmed else None))
    session.flush()
    return len(people)
