"""Creating, editing, publishing and cancelling events (issue 14 §3).

Services take model objects and values, check their actor with the predicates of
permissions.py, flush, and raise DomainError (tied to the form field) when a rule is broken.
Registration, the waiting list and the participants' mails are app/events/registration.py's.
"""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l
from sqlalchemy import exists, or_, select

from app.calls.models import Call, CallState, FundingModel
from app.core import audit, clock
from app.core.codelists import SERVICE_LANGUAGES
from app.core.domain import Conflict, DomainError, NotAllowed
from app.events import permissions
from app.events.models import Event, EventFormat, EventKind, EventState
from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.partnership import PartnerState
from app.practices.models import Adoption, Practice, PracticePartner, PracticeState

# What the event form edits.
EVENT_FIELDS = (
    "kind", "title", "description", "starts_at", "ends_at", "format", "place", "online_url",
    "capacity", "languages", "accessibility", "registration_deadline", "call_id", "practice_id",
)
TITLE_MAX, PLACE_MAX, URL_MAX, REASON_MAX = 200, 300, 500, 500
CAPACITY_MAX = 100_000


def _check_actor(allowed: bool) -> None:
    if not allowed:
        raise NotAllowed()


def linkable_calls() -> list[Call]:
    """Calls an event may be linked to: every published call, newest first."""
    return list(db.session.scalars(
        select(Call).where(Call.state == CallState.published).order_by(Call.opens_at.desc())))


def _practice_links(organisation: Organisation):
    """The condition for the models `organisation` may link its events to: its own published
    models and the published models it is an accepted partner of or has adopted."""
    return (Practice.state == PracticeState.published) & or_(
        Practice.organisation_id == organisation.id,
        exists().where(PracticePartner.practice_id == Practice.id,
                       PracticePartner.organisation_id == organisation.id,
                       PracticePartner.state == PartnerState.accepted),
        exists().where(Adoption.practice_id == Practice.id,
                       Adoption.organisation_id == organisation.id),
    )


def linkable_practices(organisation: Organisation) -> list[Practice]:
    return list(db.session.scalars(
        select(Practice).where(_practice_links(organisation)).order_by(Practice.title)))


def _https_url(value: str) -> bool:
    try:
        parts = urlsplit(value)
    except ValueError:
        return False
    return parts.scheme == "https" and bool(parts.hostname) and " " not in value


def _clean(data: dict) -> dict:
    data = {name: data.get(name) for name in EVENT_FIELDS}
    for name in ("title", "description", "place", "online_url", "accessibility"):
        data[name] = (data[name] or "").strip()
    data["languages"] = list(dict.fromkeys(data["languages"] or []))
    return data


def _validate(organisation: Organisation, data: dict, now: datetime,
              event: Event | None = None) -> None:
    """Raise DomainError, tied to its field, for the first broken rule."""
    try:
        kind = EventKind(data["kind"])
    except ValueError:
        raise DomainError(_l("Choose the kind of event."), field="kind") from None
    try:
        event_format = EventFormat(data["format"])
    except ValueError:
        raise DomainError(_l("Choose how the event is held."), field="format") from None
    if not data["title"]:
        raise DomainError(_l("Give the event a title."), field="title")
    if len(data["title"]) > TITLE_MAX:
        raise DomainError(_l("The title is too long."), field="title")
    starts_at, ends_at = data["starts_at"], data["ends_at"]
    if starts_at is None:
        raise DomainError(_l("Give the start time."), field="starts_at")
    if ends_at is None:
        raise DomainError(_l("Give the end time."), field="ends_at")
    start_changed = event is None or event.starts_at != starts_at
    if start_changed and starts_at <= now:
        raise DomainError(_l("The event must start in the future."), field="starts_at")
    if ends_at <= starts_at:
        raise DomainError(_l("The event must end after it starts."), field="ends_at")
    if event_format in (EventFormat.in_person, EventFormat.hybrid) and not data["place"]:
        raise DomainError(_l("Give the place (address) of an event held in person."),
                          field="place")
    if event_format in (EventFormat.online, EventFormat.hybrid) and not data["online_url"]:
        raise DomainError(_l("Give the link of an online event."), field="online_url")
    if data["online_url"] and (len(data["online_url"]) > URL_MAX
                               or not _https_url(data["online_url"])):
        raise DomainError(_l("Give the link as an https:// address."), field="online_url")
    if len(data["place"]) > PLACE_MAX:
        raise DomainError(_l("The place is too long."), field="place")
    capacity = data["capacity"]
    if capacity is not None and not 1 <= capacity <= CAPACITY_MAX:
        raise DomainError(_l("The number of places must be at least 1, or leave it empty for "
                             "no limit."), field="capacity")
    unknown = [code for code in data["languages"] if code not in SERVICE_LANGUAGES.codes]
    if unknown:
        raise DomainError(_l("Choose the languages from the list."), field="languages")
    deadline = data["registration_deadline"]
    if deadline is not None and deadline >= starts_at:
        raise DomainError(_l("The registration deadline must be before the event starts."),
                          field="registration_deadline")
    if data["call_id"] is not None:
        call = db.session.get(Call, data["call_id"])
        if call is None or call.state != CallState.published:
            raise DomainError(_l("Choose a published funding call."), field="call_id")
        if (kind == EventKind.info_session and call.organisation_id != organisation.id
                and call.funding_model != FundingModel.service_voucher):
            raise DomainError(_l("Only the call's funding authority holds the information "
                                 "session of a call (in a voucher pilot, the providers too). "
                                 "Choose another kind of event or leave the call out."),
                              field="call_id")
    if data["practice_id"] is not None:
        found = db.session.scalar(select(Practice.id).where(
            Practice.id == data["practice_id"], _practice_links(organisation)))
        if found is None:
            raise DomainError(_l("Choose one of your organisation's published service models, "
                                 "or one it is a partner of or has adopted."),
                              field="practice_id")
    data["kind"], data["format"] = kind, event_format


def create_event(actor, organisation: Organisation, data: dict,
                 now: datetime | None = None) -> Event:
    """A draft event of `organisation`; writers of a verified organisation only."""
    _check_actor(permissions.can_create_event(actor, organisation))
    data = _clean(data)
    _validate(organisation, data, clock.resolve(now))
    event = Event(organisation=organisation, created_by_id=actor.id, state=EventState.draft,
                  **data)
    db.session.add(event)
    db.session.flush()
    return event


def update_event(actor, event: Event, data: dict, lock_version: int | None,
                 now: datetime | None = None) -> Event:
    """Save the form over the event, unless someone saved a newer version since the writer
    loaded it (`lock_version`): then Conflict, and nothing is saved."""
    _check_actor(permissions.can_edit_event(actor, event))
    from app.events.registration import fill_free_places, lock_event

    # Locked like a registration, so that a raised capacity and a concurrent registration
    # cannot both take the last place.
    event = lock_event(event.id)
    if lock_version is None or lock_version != event.lock_version:
        raise Conflict(_l("Someone else saved this event after you opened it. Your changes "
                          "were not saved: the form shows the current version."))
    data = _clean(data)
    _validate(event.organisation, data, clock.resolve(now), event=event)
    old_capacity = event.capacity
    for name, value in data.items():
        setattr(event, name, value)
    db.session.flush()
    if event.capacity != old_capacity:
        audit.record("event.capacity_changed", actor=actor, obj=event,
                     organisation=event.organisation, capacity=event.capacity)
        fill_free_places(event, now)  # more places: the waiting list moves up
    return event


def publish_event(actor, event: Event, now: datetime | None = None) -> Event:
    """Make a draft public; an event that has already started cannot be published."""
    _check_actor(permissions.can_publish_event(actor, event))
    if event.starts_at <= clock.resolve(now):
        raise DomainError(_l("The event has already started: change its time before "
                             "publishing it."))
    event.state = EventState.published
    event.published_at = event.published_at or clock.resolve(now)
    db.session.flush()
    return event


def cancel_event(actor, event: Event, reason: str, now: datetime | None = None) -> Event:
    """Cancel a published event with a reason; the people registered are told (by the
    registration module, in the same transaction)."""
    _check_actor(permissions.can_cancel_event(actor, event))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Say why the event is cancelled: the people registered are "
                             "told."), field="reason")
    if len(reason) > REASON_MAX:
        raise DomainError(_l("The reason is too long."), field="reason")
    event.state = EventState.cancelled
    event.cancelled_at = clock.resolve(now)
    event.cancel_reason = reason
    db.session.flush()
    audit.record("event.cancelled", actor=actor, obj=event, organisation=event.organisation)
    from app.events.registration import notify_cancelled

    notify_cancelled(event)
    return event
