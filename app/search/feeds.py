"""Atom feeds of service models: /feeds/practices.atom (new and updated models) and
/feeds/search.atom (any search, with the query string of the /search page).

Both build their entries from the database (the current published version), in one query
for the whole feed; the search feed takes only the ids and their order from the index.
"""

from __future__ import annotations

from datetime import UTC, datetime, time

from flask import request, url_for
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import aliased

from app.core import atom
from app.core.codelists import TARGET_GROUPS, current_language
from app.core.db import ensure_aware, utcnow
from app.core.markdown import plain_text
from app.extensions import db
from app.organisations.models import Organisation
from app.practices.models import Practice, PracticeState, PracticeVersion
from app.search.analysis import MAX_QUERY_CHARS
from app.search.schema import FACETS
from app.search.service import SORTS, facet_codes, search_practices
from app.search.views import bp, search_rate_limit

FEED_SIZE = 50
SUMMARY_CHARS = 600


# --- the query string ------------------------------------------------------------------------


def feed_query(args) -> tuple[str, dict[str, list[str]], str]:
    """(q, facets, sort) from the query string of /search, junk dropped. Without a valid
    sort, a search by words is by relevance and a search without them newest first."""
    q = " ".join(atom.xml_safe(args.get("q", "")[:MAX_QUERY_CHARS]).split())
    facets = {}
    for name in FACETS:
        codes = facet_codes(name).clean(args.getlist(name))
        if codes:
            facets[name] = codes
    sort = args.get("sort", "")
    if sort not in SORTS:
        sort = "relevance" if q else "newest"
    return q, facets, sort


def _query_args(q: str, facets: dict[str, list[str]], sort: str) -> dict:
    """The canonical query string: the same search always has the same feed URL (and id)."""
    values: dict = {"q": q} if q else {}
    values.update(facets)
    values["sort"] = sort
    return values


@bp.app_template_global()
def search_feed_url() -> str:
    """The feed of the search on the current page (for the page's links)."""
    return url_for("search.search_feed", **_query_args(*feed_query(request.args)))


# --- entries -------------------------------------------------------------------------------


def _rows_query() -> Select:
    """(practice, current version, time of its first version, organisation name) of
    published models."""
    first = aliased(PracticeVersion)
    first_version_at = (
        select(func.min(first.created_at)).where(first.practice_id == Practice.id)
        .correlate(Practice).scalar_subquery()
    )
    # The organisation's name only: loading the organisation would also load its
    # eager relationships (regions, target groups) in further queries.
    return (
        select(Practice, PracticeVersion, first_version_at, Organisation.name)
        .join(PracticeVersion, PracticeVersion.id == Practice.current_version_id)
        .join(Organisation, Organisation.id == Practice.organisation_id)
        .where(Practice.state == PracticeState.published)
    )


def _first_publication(practice: Practice, first_version_at: datetime | None,
                       updated: datetime) -> datetime:
    """When the model was first published: its first version, or the earlier day an imported
    model says it was first published elsewhere (a date: midnight UTC)."""
    first = ensure_aware(first_version_at) or ensure_aware(updated)
    day = practice.first_published_on
    if day is not None and day < first.date():
        first = datetime.combine(day, time(0), tzinfo=UTC)
    return min(first, ensure_aware(updated))


def _add_entry(feed, practice: Practice, version: PracticeVersion,
               first_version_at: datetime | None, organisation: str, language: str) -> None:
    content = version.content or {}
    summary = content.get("summary") or content.get("problem") or ""
    atom.add_entry(
        feed,
        # The permalink without the slug: it stays the same when the title changes.
        entry_id=url_for("practices.detail", practice_id=practice.id, _external=True),
        title=content.get("title") or practice.title,
        url=url_for("practices.detail", practice_id=practice.id,
                    slug=practice.slug or "malli", _external=True),
        updated=version.created_at,
        published=_first_publication(practice, first_version_at, version.created_at),
        author=organisation,
        summary=plain_text(summary, limit=SUMMARY_CHARS),
        categories=[(code, TARGET_GROUPS.label(code, language))
                    for code in TARGET_GROUPS.clean(content.get("target_groups") or [])],
        language=content.get("language") or practice.language,
    )


def _build(rows, *, feed_id: str, title: str, self_url: str, alternate_url: str):
    language = current_language()
    updated = max((row[1].created_at for row in rows), default=None)
    feed = atom.new_feed(feed_id=feed_id, title=title, self_url=self_url,
                         alternate_url=alternate_url, updated=updated or utcnow(),
                         language=language)
    for practice, version, first_version_at, organisation in rows:
        _add_entry(feed, practice, version, first_version_at, organisation, language)
    return feed


# --- the feeds -----------------------------------------------------------------------------


@bp.get("/feeds/practices.atom")
def practices_feed():
    # Practice.published_at is the time of the current version (publishing sets both); it
    # is indexed, so the newest 50 are read without sorting every published model.
    rows = db.session.execute(
        _rows_query()
        .order_by(Practice.published_at.desc(), Practice.id.desc())
        .limit(FEED_SIZE)
    ).all()
    self_url = url_for("search.practices_feed", _external=True)
    feed = _build(rows, feed_id=self_url,
                  title=_("Kohtaamo – new and updated service models"), self_url=self_url,
                  alternate_url=url_for("practices.index", _external=True))
    return atom.atom_response(feed)


def _search_title(q: str, facets: dict[str, list[str]]) -> str:
    language = current_language()
    labels = [facet_codes(name).label(code, language)
              for name, codes in facets.items() for code in codes]
    title = _("Search: %(q)s", q=q) if q else _("Search")
    if labels:
        title = f"{title} ({', '.join(labels)})"
    return f"Kohtaamo – {title}"


@bp.get("/feeds/search.atom")
@search_rate_limit
def search_feed():
    q, facets, sort = feed_query(request.args)
    result = search_practices(q, facets, sort, page=1, per_page=FEED_SIZE)
    ids = [hit.id for hit in result.hits]
    rows = []
    if ids:
        found = {row[0].id: row for row in
                 db.session.execute(_rows_query().where(Practice.id.in_(ids))).all()}
        rows = [found[i] for i in ids if i in found]
    args = _query_args(q, facets, sort)
    self_url = url_for("search.search_feed", _external=True, **args)
    feed = _build(rows, feed_id=self_url, title=_search_title(q, result.selected),
                  self_url=self_url,
                  alternate_url=url_for("search.index", _external=True, **args))
    return atom.atom_response(feed)
