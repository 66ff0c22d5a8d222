"""Listing queries of events: the public list and its filters, the organisation's own list,
the events shown on call, model and organisation pages, the calendar feed and the search.

Each is one SQL query whatever the number of events (the organisation is joined in; its
region and target-group rows, which the lists do not show, are not loaded)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from sqlalchemy import Select, bindparam, exists, or_, select
from sqlalchemy.orm import contains_eager, joinedload, lazyload

from app.core import clock
from app.core.codelists import REGIONS, SERVICE_LANGUAGES
from app.core.db import contains_folded, folded_pattern
from app.core.fields import parse_int
from app.events.models import Event, EventFormat, EventKind, EventState
from app.extensions import db
from app.organisations.models import Organisation, OrganisationRegion

EMBED_LIMIT = 5
FEED_LIMIT = 500
FEED_PAST_DAYS = 90
SEARCH_LIMIT = 5
MAX_WORDS = 8  # words of a search looked for
SEARCH_SCAN = 200  # events matched by SQL before the words are checked one by one


def _organisation_options():
    """Join the organisation in without its region and target-group rows."""
    return contains_eager(Event.organisation).options(
        lazyload(Organisation.region_rows), lazyload(Organisation.target_group_rows))


def _public(now: datetime, past: bool = False) -> Select:
    """Published and cancelled events still to end (or, `past`, those that ended), with their
    organisations."""
    stmt = (select(Event).join(Event.organisation).options(_organisation_options())
            .where(Event.state.in_((EventState.published, EventState.cancelled))))
    if past:
        return stmt.where(Event.ends_at < now).order_by(Event.starts_at.desc(), Event.id.desc())
    # A cancelled event stays listed (marked) until it would have ended.
    return stmt.where(Event.ends_at >= now).order_by(Event.starts_at, Event.id)


@dataclass
class EventFilters:
    """The filters of /events, read from the query string; junk is ignored."""

    q: str = ""
    kind: str = ""
    format: str = ""
    language: str = ""
    region: str = ""
    organisation_id: int | None = None
    call_id: int | None = None
    past: bool = False

    @classmethod
    def from_args(cls, args) -> EventFilters:
        def pick(name, allowed):
            value = args.get(name, "")
            return value if value in allowed else ""

        return cls(
            q=" ".join(args.get("q", "")[:200].split()),
            kind=pick("kind", {k.value for k in EventKind}),
            format=pick("format", {f.value for f in EventFormat}),
            language=pick("language", set(SERVICE_LANGUAGES.codes)),
            region=pick("region", set(REGIONS.codes)),
            organisation_id=parse_int(args.get("organisation")),
            call_id=parse_int(args.get("call")),
            past=args.get("when") == "past",
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.kind or self.format or self.language or self.region
                    or self.organisation_id or self.call_id)


def _words_condition(words):
    """Every word (a text of words, or bound parameters of folded_pattern()) in the title,
    description, place or the organisation's name (any case, with or without diacritics)."""
    words = words.split()[:MAX_WORDS] if isinstance(words, str) else words
    return [or_(*(contains_folded(column, word) for column in (
        Event.title, Event.description, Event.place, Organisation.name)))
        for word in words]


def public_events(filters: EventFilters, now: datetime | None = None) -> Select:
    """The public list: upcoming events (or past ones), filtered, sorted by start."""
    stmt = _public(clock.resolve(now), past=filters.past)
    if filters.kind:
        stmt = stmt.where(Event.kind == EventKind(filters.kind))
    if filters.format:
        stmt = stmt.where(Event.format == EventFormat(filters.format))
    if filters.organisation_id is not None:
        stmt = stmt.where(Event.organisation_id == filters.organisation_id)
    if filters.call_id is not None:
        stmt = stmt.where(Event.call_id == filters.call_id)
    if filters.region:
        stmt = stmt.where(exists().where(
            OrganisationRegion.organisation_id == Event.organisation_id,
            OrganisationRegion.code == filters.region))
    if filters.q:
        stmt = stmt.where(*_words_condition(filters.q))
    if filters.language:
        # Languages are a JSON list: match the quoted code in its text (codes are plain
        # letters, so '"fi"' cannot be part of another code).
        from sqlalchemy import String, cast

        stmt = stmt.where(cast(Event.languages, String).like(f'%"{filters.language}"%'))
    return stmt


def managed_events(organisation_ids: list[int]) -> Select:
    """The organisations' own events, drafts too, the latest start first."""
    return (select(Event).join(Event.organisation).options(_organisation_options())
            .where(Event.organisation_id.in_(organisation_ids))
            .order_by(Event.starts_at.desc(), Event.id.desc()))


def upcoming_for(*, call_id: int | None = None, practice_id: int | None = None,
                 organisation_id: int | None = None, limit: int = EMBED_LIMIT,
                 now: datetime | None = None) -> list[Event]:
    """Published events still to end that are linked to a call or a model, or organised by
    an organisation (one query), the soonest first."""
    stmt = (select(Event).join(Event.organisation).options(_organisation_options())
            .where(Event.state == EventState.published, Event.ends_at >= clock.resolve(now))
            .order_by(Event.starts_at, Event.id).limit(limit))
    if call_id is not None:
        stmt = stmt.where(Event.call_id == call_id)
    if practice_id is not None:
        stmt = stmt.where(Event.practice_id == practice_id)
    if organisation_id is not None:
        stmt = stmt.where(Event.organisation_id == organisation_id)
    return list(db.session.scalars(stmt))


def feed_events(now: datetime | None = None) -> list[Event]:
    """The calendar feed: published and cancelled events from FEED_PAST_DAYS ago onwards,
    at most FEED_LIMIT (the soonest upcoming kept when there are more)."""
    since = clock.resolve(now) - timedelta(days=FEED_PAST_DAYS)
    stmt = (select(Event).join(Event.organisation).options(_organisation_options())
            .where(Event.state.in_((EventState.published, EventState.cancelled)),
                   Event.ends_at >= since)
            .order_by(Event.starts_at, Event.id).limit(FEED_LIMIT))
    return list(db.session.scalars(stmt))


def search_events(q: str, limit: int = SEARCH_LIMIT,
                  now: datetime | None = None) -> tuple[list[Event], int]:
    """Published upcoming events whose texts contain every word of `q` (the site search's
    events section), the soonest first, at most `limit`, and how many matched in all."""
    words = [w for w in q.split() if w.strip('"-')]
    words = [w.strip('"') for w in words if not w.startswith("-") and w.upper() != "OR"]
    words = " ".join(words).split()[:MAX_WORDS]
    if not words:
        return [], 0
    params = {f"word{i}": folded_pattern(word) for i, word in enumerate(words)}
    found = list(db.session.scalars(_search_statement(len(words)),
                                    {**params, "now": clock.resolve(now)}))
    return found[:limit], len(found)


@lru_cache(maxsize=MAX_WORDS)
def _search_statement(n: int) -> Select:
    """search_events()'s statement for `n` words, with the words and the time as bound
    parameters: built once per number of words (building it cost more than running it, on
    every search page)."""
    return (select(Event).join(Event.organisation).options(_organisation_options())
            .where(Event.state == EventState.published,
                   Event.ends_at >= bindparam("now", type_=Event.ends_at.type),
                   *_words_condition([bindparam(f"word{i}") for i in range(n)]))
            .order_by(Event.starts_at, Event.id).limit(SEARCH_SCAN))


def event_with_links(event_id: int) -> Event | None:
    """One event with its organisation, call and model (for its page and its .ics)."""
    return db.session.scalar(
        select(Event).where(Event.id == event_id)
        .options(joinedload(Event.organisation).options(
            lazyload(Organisation.region_rows), lazyload(Organisation.target_group_rows))))


def registration_counts(event_ids: list[int]) -> dict[int, tuple[int, int]]:
    """{event id: (confirmed, waiting)}, counted by the registration module (one query)."""
    from app.events.registration import counts_for

    return counts_for(event_ids)
