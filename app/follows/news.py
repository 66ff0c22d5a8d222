"""A person's news: what was published in a time window that matches what they follow.

Four kinds of item, one bounded query each whatever the number of follows:

- service models published (by a followed organisation, or classified with a followed target
  group or region), dated by `published_at`;
- open partner calls (by the organisation, or wanting the region or target group), dated by
  their creation;
- published events (by the organisation, or organised by an organisation working in a followed
  region), dated by their creation (the model has no publication time yet);
- funding calls that opened (run by the followed authority, covering a followed region — a
  national call covers every region — or, for voucher calls, for a followed target group),
  dated by `opens_at`.

Drafts, archived models, closed partner calls and draft or cancelled events never appear.
No HTTP here: the What's new page, the header's count and the weekly digest read it.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime

from flask import current_app, has_request_context, url_for
from flask_babel import lazy_gettext as _l
from sqlalchemy import Text, cast, exists, func, literal, or_, select, union_all

from app.calls.models import Call, CallState
from app.core import clock
from app.core.codelists import REGIONS, TARGET_GROUPS, current_language
from app.events.models import Event, EventState
from app.extensions import db
from app.follows.models import Follow, FollowKind
from app.organisations.models import Organisation, OrganisationRegion
from app.partners.models import PartnerCall, PartnerCallState
from app.practices.models import Practice, PracticeState

NEWS_LIMIT = 200  # items per query and in all: the page and the digest show the newest
COUNT_CAP = 99  # the header shows "99+" beyond

PRACTICE = "practice"
PARTNER_CALL = "partner_call"
EVENT = "event"
CALL = "call"
KINDS = (PRACTICE, PARTNER_CALL, EVENT, CALL)
KIND_LABELS = {
    PRACTICE: _l("Service model"),
    PARTNER_CALL: _l("Partner call"),
    EVENT: _l("Event"),
    CALL: _l("Funding call"),
}
NOTES = {
    "new_version": _l("A new version"),
    "national": _l("A national call"),
}


@dataclass(frozen=True)
class Interests:
    """What a person follows: organisation ids, target-group and region codes."""

    organisations: tuple[int, ...] = ()
    target_groups: tuple[str, ...] = ()
    regions: tuple[str, ...] = ()

    def __bool__(self) -> bool:
        return bool(self.organisations or self.target_groups or self.regions)


@dataclass(frozen=True)
class NewsItem:
    kind: str  # one of KINDS
    id: int
    title: str
    url: str  # a path of this site
    date: datetime
    organisation: str
    reasons: tuple[str, ...]  # "Because you follow: ..." (names and labels)
    note: str = ""  # a key of NOTES
    is_new: bool = False

    @property
    def kind_label(self):
        return KIND_LABELS[self.kind]

    @property
    def note_label(self):
        return NOTES.get(self.note, "")


def interests_of(user) -> Interests:
    """What `user` follows (one query)."""
    organisations, groups, regions = [], [], []
    for kind, target in db.session.execute(
            select(Follow.kind, Follow.target).where(Follow.user_id == user.id)
            .order_by(Follow.id)):
        if kind == FollowKind.organisation:
            if target.isdigit():
                organisations.append(int(target))
        elif kind == FollowKind.target_group:
            groups.append(target)
        else:
            regions.append(target)
    return Interests(tuple(organisations), tuple(groups), tuple(regions))


# --- the queries -----------------------------------------------------------------------------


def _has_any(column, codes) -> list:
    """Conditions: the JSON list `column` holds one of `codes`. The list is stored as JSON text
    (["MK01", "MK10"]) on SQLite and PostgreSQL alike, and a code with its quotes cannot be
    part of another code."""
    text = cast(column, Text)
    return [text.contains(f'"{code}"', autoescape=True) for code in codes]


def _practices(i: Interests, since, until):
    conditions = [*_has_any(Practice.target_groups, i.target_groups),
                  *_has_any(Practice.regions, i.regions)]
    if i.organisations:
        conditions.append(Practice.organisation_id.in_(i.organisations))
    return (select(Practice, Organisation.name)
            .join(Organisation, Organisation.id == Practice.organisation_id)
            .where(Practice.state == PracticeState.published, Practice.published_at >= since,
                   Practice.published_at < until, or_(*conditions))
            .order_by(Practice.published_at.desc(), Practice.id.desc()))


def _partner_calls(i: Interests, since, until):
    conditions = [*_has_any(PartnerCall.target_groups, i.target_groups),
                  *_has_any(PartnerCall.regions, i.regions)]
    if i.organisations:
        conditions.append(PartnerCall.organisation_id.in_(i.organisations))
    return (select(PartnerCall, Organisation.name)
            .join(Organisation, Organisation.id == PartnerCall.organisation_id)
            .where(PartnerCall.state == PartnerCallState.open, PartnerCall.created_at >= since,
                   PartnerCall.created_at < until, or_(*conditions))
            .order_by(PartnerCall.created_at.desc(), PartnerCall.id.desc()))


def _events(i: Interests, since, until):
    conditions = []
    if i.organisations:
        conditions.append(Event.organisation_id.in_(i.organisations))
    if i.regions:
        conditions.append(exists(select(OrganisationRegion.code).where(
            OrganisationRegion.organisation_id == Event.organisation_id,
            OrganisationRegion.code.in_(i.regions))))
    if not conditions:
        return None
    published = func.coalesce(Event.published_at, Event.created_at)
    return (select(Event, Organisation.name)
            .join(Organisation, Organisation.id == Event.organisation_id)
            .where(Event.state == EventState.published, published >= since,
                   published < until, or_(*conditions))
            .order_by(published.desc(), Event.id.desc()))


def _national(column):
    return or_(column.is_(None), cast(column, Text).in_(("[]", "null")))


def _calls(i: Interests, since, until, now):
    conditions = [*_has_any(Call.voucher_target_groups, i.target_groups),
                  *_has_any(Call.regions, i.regions)]
    if i.regions:
        conditions.append(_national(Call.regions))
    if i.organisations:
        conditions.append(Call.organisation_id.in_(i.organisations))
    return (select(Call, Organisation.name)
            .join(Organisation, Organisation.id == Call.organisation_id)
            .where(Call.state == CallState.published, Call.opens_at >= since,
                   Call.opens_at < min(until, now), or_(*conditions))
            .order_by(Call.opens_at.desc(), Call.id.desc()))


def _statements(i: Interests, since, until, now, kinds) -> dict:
    made = {
        PRACTICE: lambda: _practices(i, since, until),
        PARTNER_CALL: lambda: _partner_calls(i, since, until),
        EVENT: lambda: _events(i, since, until),
        CALL: lambda: _calls(i, since, until, now),
    }
    statements = {}
    for kind in kinds:
        statement = made[kind]()
        if statement is not None:
            statements[kind] = statement
    return statements


# --- news ------------------------------------------------------------------------------------


def news_for(user, since: datetime, until: datetime | None = None, *,
             interests: Interests | None = None, language: str | None = None,
             kinds=KINDS, limit: int = NEWS_LIMIT, seen_at: datetime | None = None
             ) -> list[NewsItem]:
    """The items published in [since, until) that match what `user` follows, newest first, at
    most `limit`; those after `seen_at` are marked new (all are, without it). One query for
    the follows (unless given), one per kind, and one for organisation names."""
    interests = interests_of(user) if interests is None else interests
    if not interests:
        return []
    now = clock.now()
    until = until or now
    language = language or current_language()
    statements = _statements(interests, since, until, now, kinds)
    names = _followed_names(interests)
    items: list[NewsItem] = []
    with _urls():
        for kind, statement in statements.items():
            rows = db.session.execute(statement.limit(limit)).all()
            if kind == EVENT:
                organiser_regions = _organiser_regions(
                    {row[0].organisation_id for row in rows}, interests.regions)
            for obj, organisation in rows:
                if kind == PRACTICE:
                    items.append(_practice_item(obj, organisation, interests, names, language,
                                                since))
                elif kind == PARTNER_CALL:
                    items.append(_partner_call_item(obj, organisation, interests, names,
                                                    language))
                elif kind == EVENT:
                    items.append(_event_item(obj, organisation, interests, names, language,
                                             organiser_regions))
                else:
                    items.append(_call_item(obj, organisation, interests, names, language))
    items.sort(key=lambda item: (item.date, item.kind, item.id), reverse=True)
    items = items[:limit]
    return [replace(item, is_new=seen_at is None or item.date > seen_at) for item in items]


def count_news(user, since: datetime, *, interests: Interests | None = None,
               cap: int = COUNT_CAP + 1) -> int:
    """How many items since `since` (at most `cap`): one query for the follows (unless given)
    and one for the count, whatever the number of follows."""
    interests = interests_of(user) if interests is None else interests
    if not interests:
        return 0
    now = clock.now()
    parts = []
    for statement in _statements(interests, since, now, now, KINDS).values():
        first = statement.column_descriptions[0]["entity"]
        limited = statement.with_only_columns(first.id).limit(cap).subquery()
        parts.append(select(literal(1).label("one")).select_from(limited))
    if not parts:
        return 0
    every = union_all(*parts).subquery()
    return min(cap, db.session.scalar(select(func.count()).select_from(every)) or 0)


def _followed_names(i: Interests) -> dict[int, str]:
    from app.follows.services import organisation_names

    return organisation_names(i.organisations)


def _organiser_regions(org_ids, regions) -> dict[int, set[str]]:
    if not org_ids or not regions:
        return {}
    found: dict[int, set[str]] = {}
    for org_id, code in db.session.execute(
            select(OrganisationRegion.organisation_id, OrganisationRegion.code).where(
                OrganisationRegion.organisation_id.in_(org_ids),
                OrganisationRegion.code.in_(regions))):
        found.setdefault(org_id, set()).add(code)
    return found


def _reasons(i: Interests, names, language, org_id=None, groups=(), regions=()) -> tuple:
    reasons = []
    if org_id in i.organisations:
        reasons.append(names.get(org_id, ""))
    reasons += [TARGET_GROUPS.label(code, language) for code in i.target_groups
                if code in set(groups or ())]
    reasons += [REGIONS.label(code, language) for code in i.regions
                if code in set(regions or ())]
    return tuple(r for r in reasons if r)


def _practice_item(practice, organisation, i, names, language, since) -> NewsItem:
    first = practice.first_published_on
    return NewsItem(
        PRACTICE, practice.id, practice.title,
        url_for("practices.detail", practice_id=practice.id, slug=practice.slug or None),
        practice.published_at, organisation,
        _reasons(i, names, language, practice.organisation_id, practice.target_groups,
                 practice.regions),
        note="" if first is None or first >= since.date() else "new_version")


def _partner_call_item(call, organisation, i, names, language) -> NewsItem:
    return NewsItem(
        PARTNER_CALL, call.id, call.title, _path("/partner-calls/", call.id),
        call.created_at, organisation,
        _reasons(i, names, language, call.organisation_id, call.target_groups, call.regions))


def _event_item(event, organisation, i, names, language, organiser_regions) -> NewsItem:
    return NewsItem(
        EVENT, event.id, event.title, _path("/events/", event.id),
        event.published_at or event.created_at,
        organisation,
        _reasons(i, names, language, event.organisation_id,
                 regions=organiser_regions.get(event.organisation_id, ())))


def _call_item(call, organisation, i, names, language) -> NewsItem:
    national = not call.regions
    return NewsItem(
        CALL, call.id, call.title(language), url_for("calls.detail", call_id=call.id),
        call.opens_at, call.authority_name or organisation,
        _reasons(i, names, language, call.organisation_id, call.voucher_target_groups,
                 i.regions if national else call.regions),
        note="national" if national else "")


# --- addresses -------------------------------------------------------------------------------


_ID_RULE = re.compile(r"^<int:(\w+)>$")


def _path(prefix: str, object_id: int) -> str:
    """The page of a partner call or an event (stable URLs: /partner-calls/<id>, /events/<id>),
    built with url_for when the blueprint has the rule, so that a script root is kept."""
    endpoints = current_app.extensions.setdefault("follows_detail_rules", {})
    if prefix not in endpoints:
        endpoints[prefix] = None
        for rule in current_app.url_map.iter_rules():
            if rule.rule.startswith(prefix) and "GET" in (rule.methods or ()):
                match = _ID_RULE.match(rule.rule[len(prefix):])
                if match:
                    endpoints[prefix] = (rule.endpoint, match.group(1))
                    break
    found = endpoints[prefix]
    if found is None:
        return f"{prefix}{object_id}"
    return url_for(found[0], **{found[1]: object_id})


class _urls:
    """url_for works inside: the request's own context, or one on the site's address (a CLI
    run such as the weekly digest)."""

    def __enter__(self):
        self._context = None
        if not has_request_context():
            self._context = current_app.test_request_context(
                base_url=current_app.config.get("SERVER_BASE_URL") or None)
            self._context.push()
        return self

    def __exit__(self, *exc):
        if self._context is not None:
            self._context.pop()
        return False

