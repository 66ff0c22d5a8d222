"""Queries of the announcement pages: the public list with its filters, the theme pages, the
call page's and the home page's short lists, the feed and the management list.

Public means published, not withdrawn, and on a published call or on none. Every list loads its
page in a fixed number of queries whatever the number of rows.

Themes match case-insensitively and whatever the spacing: the distinct themes are few (one per
call, and the ones announcements name), so they are folded in Python (SQLite's lower() leaves
ä, ö and å as they are) and the query asks for the stored spellings that match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, false, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload

from app.announcements.models import Announcement, AnnouncementKind
from app.calls.models import LANGS, Call, CallState
from app.core.fields import parse_int
from app.core.pagination import SortOption
from app.extensions import db
from app.organisations.models import Organisation

PER_PAGE = 20
CALL_PAGE_LIMIT = 10  # announcements shown on a call's page (the rest through the list)
HOME_LIMIT = 5
FEED_SIZE = 50
DEFAULT_NEW_DAYS = 14

SORTS = {
    "newest": SortOption("newest", _l("Newest first"),
                         (Announcement.published_at.desc(), Announcement.id.desc())),
    "oldest": SortOption("oldest", _l("Oldest first"),
                         (Announcement.published_at, Announcement.id)),
    "title": SortOption("title", _l("Title"),
                        (func.lower(Announcement.title), Announcement.id)),
}
MANAGE_SORTS = {
    "updated": SortOption("updated", _l("Last changed first"),
                          (Announcement.updated_at.desc(), Announcement.id.desc())),
    "published": SortOption("published", _l("Newest published first"),
                            (Announcement.published_at.desc().nulls_last(),
                             Announcement.id.desc())),
    "title": SortOption("title", _l("Title"),
                        (func.lower(Announcement.title), Announcement.id)),
}
MANAGE_STATES = ("draft", "published", "withdrawn")


def normalise_theme(value: str | None) -> str:
    """A theme as stored: trimmed, inner spaces collapsed."""
    return " ".join((value or "").split())[:200]


def theme_key(value: str | None) -> str:
    """The form two spellings of one theme share (case and spacing folded)."""
    return normalise_theme(value).casefold()


def _public_clause():
    return and_(Announcement.published_at.is_not(None), Announcement.withdrawn_at.is_(None),
                or_(Announcement.call_id.is_(None), Call.state == CallState.published))


def public_announcements() -> Select:
    """Every public announcement with its authority and call loaded (two joins, one query)."""
    return (select(Announcement)
            .join(Announcement.organisation)
            .outerjoin(Announcement.call)
            .options(contains_eager(Announcement.organisation),
                     contains_eager(Announcement.call))
            .where(_public_clause()))


# --- themes ----------------------------------------------------------------------------------


def theme_calls(spellings: list[str]) -> list[Call]:
    """The published calls of a theme (its stored spellings), newest first."""
    if not spellings:
        return []
    return list(db.session.scalars(
        select(Call).options(joinedload(Call.organisation))
        .where(Call.state == CallState.published, Call.theme.in_(spellings))
        .order_by(Call.opens_at.desc(), Call.id.desc())))


def call_themes() -> list[str]:
    """The distinct themes of published calls (suggestions for the form)."""
    return list(db.session.scalars(
        select(Call.theme).where(Call.state == CallState.published, Call.theme != "")
        .distinct().order_by(Call.theme)))


def theme_spellings(theme: str) -> tuple[list[str], list[str]]:
    """The stored spellings of `theme` among public announcements' themes and among
    published calls' themes (two small queries)."""
    key = theme_key(theme)
    if not key:
        return [], []
    own = db.session.scalars(select(Announcement.theme).outerjoin(Announcement.call)
                             .where(Announcement.theme != "", _public_clause()).distinct())
    calls = db.session.scalars(select(Call.theme).where(
        Call.state == CallState.published, Call.theme != "").distinct())
    return ([t for t in own if theme_key(t) == key], [t for t in calls if theme_key(t) == key])


def canonical_theme(value: str) -> str:
    """The spelling a theme is stored with: that of a published call's theme it matches
    (whatever the case and spacing), otherwise the trimmed value."""
    value = normalise_theme(value)
    key = theme_key(value)
    if not key:
        return ""
    for theme in db.session.scalars(select(Call.theme).where(
            Call.state == CallState.published, Call.theme != "").distinct().order_by(Call.theme)):
        if theme_key(theme) == key:
            return theme
    return value


def with_theme(stmt: Select, theme: str, spellings=None) -> tuple[Select, bool]:
    """`stmt` narrowed to announcements of `theme` or on calls of that theme; the flag says
    whether the theme is known at all (named by a public announcement or a published call).
    `spellings` are theme_spellings(theme) when the caller has them already."""
    own, calls = spellings if spellings is not None else theme_spellings(theme)
    clauses = []
    if own:
        clauses.append(Announcement.theme.in_(own))
    if calls:
        clauses.append(Announcement.call_id.in_(
            select(Call.id).where(Call.theme.in_(calls), Call.state == CallState.published)))
    if not clauses:
        return stmt.where(false()), False
    return stmt.where(or_(*clauses)), True


@dataclass(frozen=True)
class ThemeRow:
    theme: str
    count: int


def theme_list() -> list[ThemeRow]:
    """Every theme of a published call or a public announcement, spellings merged, with the
    number of public announcements about it (its own and its calls'). Two queries."""
    names: dict[str, str] = {}
    counts: dict[str, int] = {}
    for theme in call_themes():
        names.setdefault(theme_key(theme), theme)
        counts.setdefault(theme_key(theme), 0)
    rows = db.session.execute(
        select(Announcement.theme, Call.theme, func.count(Announcement.id))
        .select_from(Announcement).outerjoin(Announcement.call)
        .where(_public_clause()).group_by(Announcement.theme, Call.theme))
    for own, of_call, count in rows:
        keys = {theme_key(t) for t in (own, of_call) if t and theme_key(t)}
        for key in keys:
            names.setdefault(key, normalise_theme(own if theme_key(own) == key else of_call))
            counts[key] = counts.get(key, 0) + count
    return sorted((ThemeRow(names[key], counts[key]) for key in names),
                  key=lambda row: row.theme.casefold())


# --- the public list -----------------------------------------------------------------------


@dataclass(frozen=True)
class AnnouncementFilter:
    """The public list's filters, read safely from the query string."""

    organisation_id: int | None = None
    call_id: int | None = None
    theme: str = ""
    kind: AnnouncementKind | None = None
    language: str | None = None
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> AnnouncementFilter:
        kind = args.get("kind") or None
        language = args.get("language") or None
        sort = args.get("sort") or "newest"
        return cls(
            organisation_id=parse_int(args.get("authority"), max_digits=9),
            call_id=parse_int(args.get("call"), max_digits=9),
            theme=normalise_theme(args.get("theme")),
            kind=AnnouncementKind(kind) if kind in AnnouncementKind.__members__ else None,
            language=language if language in LANGS else None,
            sort=sort if sort in SORTS else "newest",
        )

    @property
    def active(self) -> bool:
        return bool(self.organisation_id or self.call_id or self.theme or self.kind
                    or self.language)


def filtered(flt: AnnouncementFilter) -> Select:
    stmt = public_announcements()
    if flt.organisation_id:
        stmt = stmt.where(Announcement.organisation_id == flt.organisation_id)
    if flt.call_id:
        stmt = stmt.where(Announcement.call_id == flt.call_id)
    if flt.kind:
        stmt = stmt.where(Announcement.kind == flt.kind)
    if flt.language:
        stmt = stmt.where(Announcement.language == flt.language)
    if flt.theme:
        stmt, _known = with_theme(stmt, flt.theme)
    return stmt.order_by(*SORTS[flt.sort].columns)


def filter_choices() -> tuple[list[Organisation], list[Call]]:
    """The authorities and calls that have public announcements (two queries)."""
    public_ids = select(Announcement.id).outerjoin(Announcement.call).where(_public_clause())
    authorities = list(db.session.scalars(
        select(Organisation).where(Organisation.id.in_(
            select(Announcement.organisation_id).where(Announcement.id.in_(public_ids))))
        .order_by(Organisation.name)))
    calls = list(db.session.scalars(
        select(Call).where(Call.id.in_(
            select(Announcement.call_id).where(Announcement.id.in_(public_ids))))
        .order_by(Call.opens_at.desc(), Call.id.desc())))
    return authorities, calls


# --- short lists on other pages ----------------------------------------------------------------


def call_announcements(call_id: int) -> list[Announcement]:
    """The public announcements of one call, newest first (one query)."""
    return list(db.session.scalars(
        public_announcements().where(Announcement.call_id == call_id)
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        .limit(CALL_PAGE_LIMIT + 1)))


def new_days() -> int:
    return int(current_app.config.get("ANNOUNCEMENT_NEW_DAYS", DEFAULT_NEW_DAYS))


def new_announcements(now: datetime) -> list[Announcement]:
    """The newest public announcements published within ANNOUNCEMENT_NEW_DAYS (one query)."""
    since = now - timedelta(days=new_days())
    return list(db.session.scalars(
        public_announcements().where(Announcement.published_at >= since,
                                     Announcement.published_at <= now)
        .order_by(Announcement.published_at.desc(), Announcement.id.desc())
        .limit(HOME_LIMIT)))


def feed_announcements(call_id: int | None = None, theme: str = "") -> list[Announcement]:
    stmt = public_announcements()
    if call_id:
        stmt = stmt.where(Announcement.call_id == call_id)
    if theme:
        stmt, _known = with_theme(stmt, theme)
    return list(db.session.scalars(
        stmt.order_by(Announcement.published_at.desc(), Announcement.id.desc())
        .limit(FEED_SIZE)))


# --- management ------------------------------------------------------------------------------


def managed(organisations: list[Organisation], state: str | None, sort: str) -> Select:
    """Every announcement of these authorities (every state), with the call loaded."""
    stmt = (select(Announcement)
            .where(Announcement.organisation_id.in_([o.id for o in organisations]))
            .options(joinedload(Announcement.call), joinedload(Announcement.organisation)))
    if state == "draft":
        stmt = stmt.where(Announcement.published_at.is_(None),
                          Announcement.withdrawn_at.is_(None))
    elif state == "published":
        stmt = stmt.where(Announcement.published_at.is_not(None),
                          Announcement.withdrawn_at.is_(None))
    elif state == "withdrawn":
        stmt = stmt.where(Announcement.withdrawn_at.is_not(None))
    return stmt.order_by(*MANAGE_SORTS[sort].columns)


def linkable_calls(organisations: list[Organisation]) -> list[Call]:
    """The calls an announcement of these authorities may link to (newest first)."""
    if not organisations:
        return []
    return list(db.session.scalars(
        select(Call).where(Call.organisation_id.in_([o.id for o in organisations]))
        .order_by(Call.created_at.desc(), Call.id.desc())))
