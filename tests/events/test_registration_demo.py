"""The demo information session: full, two people waiting, and seeding again adds nothing."""

from __future__ import annotations

from app.demo import seed
from app.demo.event_registrations_data import seed_event_registrations
from app.demo.events_data import INFO_SESSION_TITLE, seed_events
from app.events import registration as reg
from app.events.models import Event


def test_the_demo_information_session_is_full_with_a_waiting_list(db, make_user):
    ctx = seed.SeedContext(db.session)
    for step in (seed.seed_users, seed.seed_organisations, seed.seed_memberships, seed_events):
        step(db.session, ctx)
    assert seed_event_registrations(db.session, ctx) == 14
    db.session.commit()
    event = db.session.scalar(db.select(Event).where(Event.title == INFO_SESSION_TITLE))
    assert reg.counts_for([event.id]) == {event.id: (event.capacity, 2)}
    organisers = {m.user_id for m in event.organisation.memberships}
    assert organisers and not organisers & {r.user_id for r in event.registrations}
    assert seed_event_registrations(db.session, ctx) == 0  # idempotent

    # A visitor is queued third; when three places free up, they have one.
    visitor = make_user(email="vierailija@example.fi")
    reg.register(visitor, event.id)
    db.session.commit()
    mine = reg.registration_of(visitor, event)
    assert reg.waiting_position(mine) == 3
    owner = next(m.user for m in event.organisation.memberships if m.role == "owner")
    reg.set_capacity(owner, event.id, event.capacity + 3)  # the organiser adds three places
    db.session.commit()
    db.session.refresh(mine)
    assert mine.state == "confirmed" and mine.promoted_at is not None
