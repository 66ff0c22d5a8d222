"""Authorization-matrix rows for the events blueprint (see
tests/security/test_authorization_matrix.py), and the event the world gets for them.

The world's event is a published, upcoming event of organisation A (verified): anyone reads
it and its calendar file; owner_a (A's owner, a writer) edits and cancels it (an empty form
is refused: 422); A's plain members (member_a, conflicted_reviewer) get 403; everyone else
404, the platform administrator too (no bypass). It is already published: publishing it
again is refused (403 for A's members). Only writers of a verified organisation create
events; /events/manage is for anyone with a membership (the administrator has none: 403)."""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in  # noqa: F401

A_MEMBERS = {"member_a": 403, "conflicted_reviewer": 403}


def writers(code, **overrides):
    """A page or POST for A's writers: `code` for owner_a, 403 for A's members, 404 else."""
    return signed_in(404, owner_a=code, **{**A_MEMBERS, **overrides})


MATRIX: dict = {
    "events.index": {"GET": every(200)},
    "events.feed_ics": {"GET": every(200)},
    "events.detail": {"GET": every(200)},
    "events.event_ics": {"GET": every(200)},
    "events.manage": {"GET": signed_in(200, admin=403)},
    "events.create": {"GET": signed_in(403, owner_a=200), "POST": signed_in(403, owner_a=422)},
    "events.edit": {"GET": writers(200), "POST": writers(422)},
    "events.publish": {"POST": writers(403)},
    "events.cancel": {"GET": writers(200), "POST": writers(422)},
    # registration (helper "registration"): member_b is registered for the world's event; the
    # participants are for A's writers only, hidden (404) from everyone else, A's members too.
    "events.register": {"GET": every(200), "POST": every(302, anonymous=422)},
    "events.registration_confirm": {"GET": every(400), "POST": every(400)},
    "events.registration_status": {"GET": every(400)},
    "events.registration_cancel": {"GET": every(400), "POST": every(400)},
    "events.my_registration_cancel": {"GET": signed_in(404, member_b=200, observer=404),
                                      "POST": signed_in(404, member_b=302, observer=404)},
    "events.participants": {"GET": signed_in(404, owner_a=200)},
    "events.participants_export": {"GET": signed_in(404, owner_a=200)},
    "events.participant_remove": {"GET": signed_in(404, owner_a=200),
                                  "POST": signed_in(404, owner_a=302)},
    "events.participants_capacity": {"POST": signed_in(404, owner_a=302)},
    "events.participants_mail": {"GET": signed_in(404, owner_a=200),
                                 "POST": signed_in(404, owner_a=422)},
}


def event_args(db, organisation_a, args) -> dict:
    """The world's URL arguments plus `event_id`: a published event of A, a week ahead."""
    from datetime import timedelta

    from app.core.db import utcnow
    from app.events.models import Event, EventFormat, EventKind, EventState

    starts = utcnow() + timedelta(days=7)
    event = Event(organisation=organisation_a, kind=EventKind.networking, title="Verkostoilta",
                  starts_at=starts, ends_at=starts + timedelta(hours=2),
                  format=EventFormat.in_person, place="Mikkeli", capacity=10,
                  languages=["fi"], state=EventState.published)
    db.session.add(event)
    db.session.commit()
    return {**args, "event_id": event.id}
