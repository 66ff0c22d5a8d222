"""Registration for events: places, the waiting list and the organiser's participants.

Every change of an event's registrations (register, confirm, cancel, remove, capacity) runs
in one unit of work that first locks the event: `SELECT ... FOR UPDATE` of its row on
PostgreSQL, and on SQLite the write transaction that `perform` opens with BEGIN IMMEDIATE. So
the count of confirmed places read under the lock is the count at the commit: no overbooking,
and the waiting list is promoted strictly in `queued_at` order (nobody skipped).

A registration's link token (confirm, cancel) is random and stored only as its SHA-256 hash.
Since the token itself is not kept, a mail that carries a link after the one that created it
(moved up from the waiting list, a repeated registration) carries a new token: the earlier
link stops working and the mail says so. Unconfirmed registrations (name and e-mail, link not
yet followed) hold no place and expire after EVENT_REGISTRATION_CONFIRM_HOURS (48 h).
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import and_, case, func, or_, select

from app.core import audit
from app.core.clock import now as clock_now
from app.core.codelists import current_language
from app.core.domain import DomainError, NotAllowed
from app.core.email import site_base_url
from app.core.outbox import queue_mail
from app.events.models import Event, EventRegistration, EventState, RegistrationState
from app.extensions import db
from app.organisations.permissions import can_write_content

S = RegistrationState
ACTIVE = (S.confirmed, S.waiting)


class TokenProblem(Exception):
    """A confirm or cancel link that is unknown, expired or no longer of use."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "invalid" or "expired"


# --- predicates ---------------------------------------------------------------------------------


def can_manage_registrations(user, event: Event) -> bool:
    """The organisation's writers (editors, owners) see and manage the participants."""
    return can_write_content(user, event.organisation)


def registration_closes_at(event: Event) -> datetime:
    """The registration deadline, or the start when there is none."""
    return event.registration_deadline or event.starts_at


def is_registration_open(event: Event, now: datetime | None = None) -> bool:
    """Published, not cancelled, and before the deadline (or the start)."""
    now = now or clock_now()
    return event.state == EventState.published and now < registration_closes_at(event)


def confirm_hours() -> int:
    return int(current_app.config.get("EVENT_REGISTRATION_CONFIRM_HOURS", 48))


def is_expired(registration: EventRegistration, now: datetime | None = None) -> bool:
    """An unconfirmed registration whose link has lapsed: it holds nothing."""
    now = now or clock_now()
    return (registration.state == S.unconfirmed
            and registration.created_at + timedelta(hours=confirm_hours()) <= now)


# --- reading ------------------------------------------------------------------------------------


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def from_token(token: str | None) -> EventRegistration:
    """The registration of a link's token, or TokenProblem."""
    if not token or len(token) > 200:
        raise TokenProblem("invalid")
    registration = db.session.scalar(
        select(EventRegistration).where(EventRegistration.token_hash == hash_token(token)))
    if registration is None:
        raise TokenProblem("invalid")
    if is_expired(registration):
        raise TokenProblem("expired")
    return registration


def registration_of(user, event: Event) -> EventRegistration | None:
    """The signed-in person's registration for `event` (by account, else by e-mail)."""
    if not getattr(user, "is_authenticated", False):
        return None
    return db.session.scalar(
        select(EventRegistration).where(
            EventRegistration.event_id == event.id,
            or_(EventRegistration.user_id == user.id,
                EventRegistration.email == user.email.lower()))
        .order_by(EventRegistration.user_id.is_(None)).limit(1))


def waiting_position(registration: EventRegistration) -> int | None:
    """1 for the first on the waiting list; None when not waiting."""
    if registration.state != S.waiting:
        return None
    ahead = db.session.scalar(
        select(func.count()).select_from(EventRegistration).where(
            EventRegistration.event_id == registration.event_id,
            EventRegistration.state == S.waiting,
            or_(EventRegistration.queued_at < registration.queued_at,
                and_(EventRegistration.queued_at == registration.queued_at,
                     EventRegistration.id < registration.id))))
    return ahead + 1


def counts_for(event_ids) -> dict[int, tuple[int, int]]:
    """{event id: (confirmed, waiting)} for the given events, in one query."""
    ids = list(dict.fromkeys(event_ids))
    counts = {event_id: (0, 0) for event_id in ids}
    if not ids:
        return counts
    rows = db.session.execute(
        select(EventRegistration.event_id,
               func.sum(case((EventRegistration.state == S.confirmed, 1), else_=0)),
               func.sum(case((EventRegistration.state == S.waiting, 1), else_=0)))
        .where(EventRegistration.event_id.in_(ids),
               EventRegistration.state.in_(ACTIVE))
        .group_by(EventRegistration.event_id))
    for event_id, confirmed, waiting in rows:
        counts[event_id] = (int(confirmed or 0), int(waiting or 0))
    return counts


def _confirmed_count(event: Event) -> int:
    return db.session.scalar(
        select(func.count()).select_from(EventRegistration).where(
            EventRegistration.event_id == event.id, EventRegistration.state == S.confirmed))


def waiting_list(event: Event, limit: int | None = None) -> list[EventRegistration]:
    """The waiting list in queue order."""
    query = (select(EventRegistration)
             .where(EventRegistration.event_id == event.id, EventRegistration.state == S.waiting)
             .order_by(EventRegistration.queued_at, EventRegistration.id))
    if limit is not None:
        query = query.limit(limit)
    return list(db.session.scalars(query))


# --- the lock and the queue ---------------------------------------------------------------------


def lock_event(event_id: int) -> Event:
    """The event, locked for this transaction (FOR UPDATE on PostgreSQL; SQLite's write
    transaction, begun IMMEDIATE by the unit of work, already serialises)."""
    event = db.session.scalar(
        select(Event).where(Event.id == event_id).with_for_update()
        .execution_options(populate_existing=True))
    if event is None:
        raise DomainError(_l("This event no longer exists."))
    return event


def _new_token(registration: EventRegistration) -> str:
    token = secrets.token_urlsafe(32)
    registration.token_hash = hash_token(token)
    return token


def _place(event: Event, registration: EventRegistration, now: datetime) -> None:
    """Give a confirmed place when one is free and nobody waits, else queue."""
    registration.queued_at = now
    registration.cancelled_at = None
    registration.promoted_at = None
    free = event.capacity is None or _confirmed_count(event) < event.capacity
    if free and not waiting_list(event, limit=1):
        registration.state = S.confirmed
        registration.confirmed_at = now
    else:
        registration.state = S.waiting
        registration.confirmed_at = None
    db.session.flush()


def fill_free_places(event: Event, now: datetime | None = None) -> list[EventRegistration]:
    """Promote the first waiting persons, in queue order, into the free places, and tell them.
    Call with the event locked (`lock_event`), e.g. after raising the capacity."""
    now = now or clock_now()
    db.session.flush()
    if event.state != EventState.published or now >= event.starts_at:
        return []  # nobody is given a place in a cancelled or begun event
    if event.capacity is None:
        promoted = waiting_list(event)
    else:
        free = event.capacity - _confirmed_count(event)
        promoted = waiting_list(event, limit=free) if free > 0 else []
    for registration in promoted:
        registration.state = S.confirmed
        registration.confirmed_at = now
        registration.promoted_at = now
        token = _new_token(registration)
        if registration.user is None:
            _mail(registration, "event_registration_promoted", token=token)
            continue
        from app.notifications.models import NotificationKind
        from app.notifications.services import notify

        # A signed-in person: the notice, and the mail unless they turned it off (the event
        # page shows them their place and a cancel button anyway).
        notify([registration.user], NotificationKind.event_place_confirmed,
               url=f"/events/{event.id}", subject=event, params={"title": event.title},
               mail_template="event_registration_promoted",
               **_mail_context(registration, token=token, position=None))
    db.session.flush()
    return promoted


# --- mail ---------------------------------------------------------------------------------------


def event_url(event: Event) -> str:
    return f"{site_base_url()}/events/{event.id}"


def ics_url(event: Event) -> str:
    return f"{site_base_url()}/events/{event.id}.ics"


def _mail_context(registration: EventRegistration, **context) -> dict:
    event = registration.event
    if "position" not in context:
        context["position"] = waiting_position(registration)
    return {"registration": registration, "event": event, "event_url": event_url(event),
            "ics_url": ics_url(event), "confirm_hours": confirm_hours(), **context}


def _mail(registration: EventRegistration, template: str, **context) -> None:
    queue_mail(registration.email, template, registration.language,
               **_mail_context(registration, **context))


def _state_mail(registration: EventRegistration, token: str) -> None:
    template = ("event_registration_confirmed" if registration.state == S.confirmed
                else "event_registration_waiting")
    _mail(registration, template, token=token)


# --- services -----------------------------------------------------------------------------------


@dataclass
class Registered:
    """What a registration attempt came to (for the answer page)."""

    registration: EventRegistration | None
    already: bool = False  # a signed-in person who was registered before
    mailed: bool = False  # an anonymous attempt: "check your e-mail"


def _clean(text: str | None, limit: int) -> str:
    return (text or "").strip()[:limit]


def _check_open(event: Event, now: datetime) -> None:
    if event.state == EventState.cancelled:
        raise DomainError(_l("This event has been cancelled."))
    if not is_registration_open(event, now):
        raise DomainError(_l("Registration for this event has closed."))


def register(user, event_id: int, *, name: str = "", email: str = "",
             organisation_name: str = "", needs: str = "", language: str | None = None,
             now: datetime | None = None) -> Registered:
    """Register `user` (signed in: a place or the waiting list at once) or anyone with a name
    and an e-mail address (a confirmation link is mailed; no place until it is followed)."""
    now = now or clock_now()
    event = lock_event(event_id)
    _check_open(event, now)
    signed_in = bool(getattr(user, "is_authenticated", False))
    if signed_in:
        if not user.is_verified:
            raise DomainError(_l("Verify your e-mail address first: open the link we sent "
                                 "you, then register."))
        name, email, language = user.name, user.email, user.language
    email = _clean(email, 254).lower()
    name = _clean(name, 200)
    if not name:
        raise DomainError(_l("Enter your name."), field="name")
    if "@" not in email:
        raise DomainError(_l("Enter a valid e-mail address, like name@example.fi."),
                          field="email")
    registration = db.session.scalar(select(EventRegistration).where(
        EventRegistration.event_id == event.id, EventRegistration.email == email))
    if registration is not None and (
            registration.state in ACTIVE
            or (registration.state == S.unconfirmed and not signed_in
                and not is_expired(registration, now))):
        return _again(user if signed_in else None, registration)
    if registration is None:
        # event_id, not event=: appending to event.registrations would load them all
        registration = EventRegistration(event_id=event.id, email=email, token_hash="",
                                         state=S.unconfirmed, name=name)
        db.session.add(registration)
    registration.name = name
    registration.user_id = user.id if signed_in else None
    registration.organisation_name = _clean(organisation_name, 200)
    registration.needs = _clean(needs, 1000)
    registration.language = (language or current_language())[:5]
    registration.created_at = now
    registration.confirmed_at = registration.promoted_at = registration.cancelled_at = None
    token = _new_token(registration)
    if not signed_in:
        registration.state = S.unconfirmed
        registration.queued_at = None
        db.session.flush()
        _mail(registration, "event_registration_confirm", token=token)
        return Registered(None, mailed=True)
    _place(event, registration, now)
    _state_mail(registration, token)
    return Registered(registration)


def _again(user, registration: EventRegistration) -> Registered:
    """A second attempt with the same address: a signed-in person is told; anyone else gets
    the same answer as a first attempt, and the address gets a fresh link."""
    if user is not None:
        if registration.user_id is None:
            registration.user_id = user.id
        return Registered(registration, already=True)
    token = _new_token(registration)
    if registration.state == S.unconfirmed:
        _mail(registration, "event_registration_confirm", token=token)
    else:
        _mail(registration, "event_registration_exists", token=token)
    return Registered(None, mailed=True)


def confirm(token: str, now: datetime | None = None) -> EventRegistration:
    """Follow the mailed link: the registration takes a place or joins the waiting list."""
    now = now or clock_now()
    registration = from_token(token)
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.state != S.unconfirmed:
        return registration  # followed twice: nothing changes
    if event.state == EventState.cancelled:
        raise DomainError(_l("This event has been cancelled."))
    if now >= event.starts_at:
        raise DomainError(_l("Registration for this event has closed."))
    _place(event, registration, now)
    _state_mail(registration, token)
    return registration


def cancel(registration: EventRegistration, *, actor=None, token: str | None = None,
           now: datetime | None = None) -> list[EventRegistration]:
    """The person cancels (with the mailed link's token, or signed in as themself); a freed
    place goes to the first on the waiting list. Returns those promoted."""
    now = now or clock_now()
    if token is not None:
        if hash_token(token) != registration.token_hash:
            raise TokenProblem("invalid")
    elif not (getattr(actor, "is_authenticated", False)
              and (registration.user_id == actor.id
                   or registration.email == actor.email.lower())):
        raise NotAllowed()
    event = lock_event(registration.event_id)
    db.session.refresh(registration)
    if registration.state == S.cancelled:
        return []
    was_confirmed = registration.state == S.confirmed
    registration.state = S.cancelled
    registration.cancelled_at = now
    db.session.flush()
    if registration.queued_at is not None:
        _mail(registration, "event_registration_cancelled", position=None)
    return fill_free_places(event, now) if was_confirmed else []


def remove_participant(user, registration: EventRegistration,
                       now: datetime | None = None) -> list[EventRegistration]:
    """The organiser removes someone; the freed place goes to the waiting list."""
    now = now or clock_now()
    event = lock_event(registration.event_id)
    if not can_manage_registrations(user, event):
        raise NotAllowed()
    db.session.refresh(registration)
    if registration.state == S.cancelled:
        raise DomainError(_l("This registration has already been cancelled."))
    was_confirmed = registration.state == S.confirmed
    registration.state = S.cancelled
    registration.cancelled_at = now
    db.session.flush()
    _mail(registration, "event_registration_removed", position=None)
    audit.record("event.participant_removed", actor=user, obj=registration,
                 organisation=event.organisation, event_id=event.id)
    return fill_free_places(event, now) if was_confirmed else []


def set_capacity(user, event_id: int, capacity: int | None,
                 now: datetime | None = None) -> list[EventRegistration]:
    """Change the number of places (None: no limit); raising it promotes the waiting list.
    Lowering it below the confirmed count keeps everyone who has a place."""
    event = lock_event(event_id)
    if not can_manage_registrations(user, event):
        raise NotAllowed()
    if capacity is not None and capacity < 1:
        raise DomainError(_l("Give at least one place, or leave the field empty."),
                          field="capacity")
    event.capacity = capacity
    audit.record("event.capacity_changed", actor=user, obj=event,
                 organisation=event.organisation, capacity=capacity)
    return fill_free_places(event, now)


def _audience_states(audience: str) -> tuple:
    return {"confirmed": (S.confirmed,), "waiting": (S.waiting,)}.get(audience, ACTIVE)


def mail_recipients(event: Event, audience: str) -> list[EventRegistration]:
    return list(db.session.scalars(
        select(EventRegistration).where(EventRegistration.event_id == event.id,
                                        EventRegistration.state.in_(_audience_states(audience)))
        .order_by(EventRegistration.id)))


def mail_participants(user, event_id: int, audience: str, subject: str, body: str) -> int:
    """Queue the organiser's message to each recipient (one mail each); returns the count."""
    event = lock_event(event_id)
    if not can_manage_registrations(user, event):
        raise NotAllowed()
    recipients = mail_recipients(event, audience)
    if not recipients:
        raise DomainError(_l("Nobody would receive this message."), field="audience")
    for registration in recipients:
        queue_mail(registration.email, "event_participants_message", registration.language,
                   registration=registration, event=event, event_url=event_url(event),
                   subject=subject, body=body, organisation=event.organisation.name)
    audit.record("event.participants_mailed", actor=user, obj=event,
                 organisation=event.organisation, audience=audience, count=len(recipients),
                 subject=subject[:150])
    return len(recipients)


def notify_cancelled(event: Event) -> int:
    """Mail everyone confirmed or waiting that the event is cancelled (call it in the unit of
    work that cancels the event). Returns the number of mails."""
    recipients = list(db.session.scalars(
        select(EventRegistration).where(EventRegistration.event_id == event.id,
                                        EventRegistration.state.in_(ACTIVE))
        .order_by(EventRegistration.id)))
    for registration in recipients:
        queue_mail(registration.email, "event_cancelled", registration.language,
                   registration=registration, event=event, event_url=event_url(event))
    return len(recipients)


# --- personal data ------------------------------------------------------------------------------


def _of_person(user):
    return or_(EventRegistration.user_id == user.id,
               EventRegistration.email == (user.email or "").lower())


def export_registrations(user) -> dict:
    """The person's registrations (by account or by their e-mail address)."""
    rows = db.session.execute(
        select(EventRegistration, Event.title).join(Event, Event.id == EventRegistration.event_id)
        .where(_of_person(user)).order_by(EventRegistration.id))
    return {"event_registrations": [
        {"event_id": r.event_id, "event": title, "state": str(r.state), "name": r.name,
         "email": r.email, "organisation_name": r.organisation_name, "needs": r.needs,
         "language": r.language, "created_at": r.created_at, "queued_at": r.queued_at,
         "confirmed_at": r.confirmed_at, "promoted_at": r.promoted_at,
         "cancelled_at": r.cancelled_at} for r, title in rows]}


def erase_registrations(user) -> None:
    """Cancel and anonymise the person's registrations; a place they held goes to the
    waiting list of an event still to come."""
    now = clock_now()
    registrations = list(db.session.scalars(
        select(EventRegistration).where(_of_person(user)).order_by(EventRegistration.id)))
    freed = set()
    for registration in registrations:
        if registration.state == S.confirmed:
            freed.add(registration.event_id)
        if registration.state != S.cancelled:
            registration.state = S.cancelled
            registration.cancelled_at = now
        registration.user_id = None
        registration.name = str(_l("Removed user"))
        registration.email = f"removed-{registration.id}@invalid"
        registration.organisation_name = registration.needs = ""
        registration.token_hash = hash_token(secrets.token_urlsafe(32))
    db.session.flush()
    for event_id in sorted(freed):
        fill_free_places(lock_event(event_id), now)


from app.core import personal_data  # noqa: E402

personal_data.register("event_registrations", exporter=export_registrations,
                       eraser=erase_registrations)
