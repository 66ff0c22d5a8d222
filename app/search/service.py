"""The query service: `search_practices` and `search_organisations`.

Work per query is bounded: the matching documents are found as bitmaps (one read of each
query term's posting list, cached) which give the exact total and every facet count without
scoring; only the requested page is scored (Whoosh's top-N collector with block skipping,
filtered by the bitmap) and highlighted. Documents matching every concept come first
(an And query inside the bitmap of full matches), then those matching most of them.

Hits are re-checked against the database, so a model unpublished after the index last caught
up never shows.
"""

from __future__ import annotations

import heapq
import logging
import re
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import lru_cache

from flask import current_app, g, has_request_context, url_for
from markupsafe import Markup
from sqlalchemy import Select, bindparam, select

from app.core.codelists import CodeList, current_language
from app.core.pagination import PagerMixin
from app.extensions import db
from app.search import expansion, indexer, store
from app.search.bitmaps import Bitmaps, at_least, count
from app.search.budget import Budget
from app.search.highlight import Matcher, excerpt, highlight_title
from app.search.query import Builder, Concept, ParsedQuery, Word, parse_query
from app.search.ranking import Ranker, top
from app.search.schema import FACETS

log = logging.getLogger(__name__)

SORTS = ("relevance", "newest", "adopted")
MAX_PER_PAGE = 100
MAX_PAGE = 1000
GAP_RECHECK_SECONDS = 5.0

VALIDATED = CodeList("validated", {
    "yes": ("Validoitu", "Validerad", "Validated"),
    "no": ("Ei validoitu", "Inte validerad", "Not validated"),
})


def facet_codes(name: str) -> CodeList:
    codes, _multi = FACETS[name]
    return codes or VALIDATED


@dataclass
class FacetValue:
    code: str
    label: str
    count: int
    selected: bool


@dataclass
class Hit:
    kind: str
    id: int
    title: str
    title_html: Markup
    excerpt: Markup
    url: str
    organisation: str = ""
    organisation_id: int | None = None
    language: str = ""
    target_groups: list[str] = field(default_factory=list)
    work_forms: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    stage: str = ""
    evidence: str = ""
    org_type: str = ""
    validated: bool = False
    adoption_count: int = 0
    published_at: datetime | None = None
    tags: list[str] = field(default_factory=list)
    score: float | None = None
    # Found only through the thesaurus term(s) of another language, in the hit's language.
    found_through: list[str] = field(default_factory=list)


@dataclass
class SearchResult(PagerMixin):
    query: str
    hits: list[Hit]
    total: int
    page: int
    per_page: int
    sort: str = "relevance"
    facets: dict[str, list[FacetValue]] = field(default_factory=dict)
    selected: dict[str, list[str]] = field(default_factory=dict)
    suggestion: str | None = None
    suggestion_count: int = 0  # results of the suggestion (with the same filters)
    available: bool = True
    truncated: bool = False  # the time budget ran out: the best results found so far

    @property
    def first(self) -> int:
        return (self.page - 1) * self.per_page + 1 if self.hits else 0

    @property
    def last(self) -> int:
        return self.first + len(self.hits) - 1 if self.hits else 0


# --- keeping up with the database -----------------------------------------------------------


def _state(handle: store.Handle) -> indexer.IndexState:
    state = handle.cache.get("state")
    if state is None:
        state = handle.cache["state"] = indexer.IndexState.read(handle.searcher)
    return state


def fresh_handle() -> store.Handle | None:
    """The shared searcher, after applying pending changes if there are any and nobody else
    is applying them: within bounds (SEARCH_CATCH_UP_DOCUMENTS documents, SEARCH_CATCH_UP_MS),
    the rest by a background thread. One cheap query when the index is current. Never raises:
    None when there is no usable index; the last good searcher when the index cannot be
    written (the error is recorded for `flask search status` and the admin page).

    A request looks (and catches up) once: the page searches models, organisations and calls,
    and the bounds are the request's, not each search's; its later searches use the searcher
    the first one got (one view of the index per page, without checking the directory again)."""
    root = store.index_root()
    config = current_app.config
    if has_request_context():
        known = g.get("_search_handle")
        if known is not None and known[0] == root:
            return known[1]
    handle = _fresh_handle(root, config)
    if has_request_context() and handle is not None:
        g._search_handle = (root, handle)
    return handle


def _fresh_handle(root, config) -> store.Handle | None:
    try:
        handle = store.get_handle(root)
    except store.IndexProblem as problem:
        store.record_error(root, "search", problem)
        return None
    except Exception as error:  # noqa: BLE001 - a broken index must not break the page
        store.record_error(root, "search", error)
        return None
    if not config.get("SEARCH_CATCH_UP_ON_REQUEST", True):
        return handle
    if has_request_context():
        if g.get("_search_looked"):
            return handle
        g._search_looked = True
    try:
        behind = handle is None
        if handle is not None:
            with handle.lock:
                state = _state(handle)
            # Awaited ids (PostgreSQL) are looked for every few seconds, by a query: the
            # writer is opened only when there is something to write.
            recheck = config.get("SEARCH_GAP_RECHECK_SECONDS", GAP_RECHECK_SECONDS)
            look = bool(state.gaps) and time.time() - handle.checked_at > recheck
            if look:
                handle.checked_at = time.time()
            behind = indexer.has_news(state, look_at_gaps=look)
        if behind and not indexer.background_running():
            result = indexer.catch_up(
                root, limit=config.get("SEARCH_CATCH_UP_DOCUMENTS", indexer.REQUEST_DOCUMENTS),
                max_documents=config.get("SEARCH_CATCH_UP_DOCUMENTS", indexer.REQUEST_DOCUMENTS),
                budget=config.get("SEARCH_CATCH_UP_MS", indexer.REQUEST_BUDGET * 1000) / 1000,
                timeout=0.0)
            if result.more and config.get("SEARCH_BACKGROUND_CATCH_UP", True):
                indexer.start_background(current_app._get_current_object(), root)
            handle = store.get_handle(root)
        return handle
    except Exception as error:  # noqa: BLE001 - serve what there is
        if not isinstance(error, store.IndexProblem | OSError):  # those the indexer recorded
            log.exception("search: could not bring the index up to date")
        try:
            return store.get_handle(root) or handle
        except Exception:  # noqa: BLE001
            return handle


def _bitmaps(handle: store.Handle) -> Bitmaps:
    bitmaps = handle.cache.get("bitmaps")
    if bitmaps is None or bitmaps.searcher is not handle.searcher:
        bitmaps = handle.cache["bitmaps"] = Bitmaps(handle.searcher)
    return bitmaps


def _column(handle: store.Handle, name: str) -> list[int]:
    """A sortable field's value for every document number (0 when it has none)."""
    key = ("column", name)
    values = handle.cache.get(key)
    if values is None:
        values = []
        # Per segment: a segment without the column would shift the multi-reader's numbering.
        for leaf, _offset in handle.searcher.reader().leaf_readers():
            count = leaf.doc_count_all()
            if leaf.has_column(name):
                values.extend(int(v) if v and v < 2**63 else 0 for v in leaf.column_reader(name))
            else:
                values.extend([0] * count)
        handle.cache[key] = values
    return values


# --- the query ------------------------------------------------------------------------------


@dataclass
class _Matched:
    concepts: list[Concept]  # those that match something
    all_concepts: list[Concept]
    bits: int  # matching the words, not yet the facets


def _concepts(builder: Builder, parsed: ParsedQuery) -> tuple[list[Concept], list[int]]:
    """The query's concepts (expanded across languages) and the sets of its excluded words.
    The search page looks for the same words among models, organisations and calls: within
    a request they are built once per reader (they do not depend on the kind of document)."""
    key = repr(parsed)
    if has_request_context():
        known = g.get("_search_concepts")
        if known is not None and known[0] is builder.bitmaps and known[1] == key:
            return known[2]
    all_concepts = []
    for group in parsed.groups:
        if all_concepts and builder.budget.skip():
            break  # out of time: the first concepts asked for (see budget.py)
        all_concepts.append(builder.concept(group))
    builder.expand_across_languages(parsed.groups[:len(all_concepts)], all_concepts)
    excluded = [builder.concept([item], strict=True).bits for item in parsed.excluded]
    if has_request_context():
        g._search_concepts = (builder.bitmaps, key, (all_concepts, excluded))
    return all_concepts, excluded


def _match(builder: Builder, parsed: ParsedQuery, kind_bits: int) -> _Matched:
    all_concepts, excluded = _concepts(builder, parsed)
    concepts = [c for c in all_concepts if c.matches]
    if parsed.groups:
        sets = [c.bits for c in concepts]
        n = len(all_concepts)
        # People type more words than a document shares: most of them must match.
        need = 1 if n <= 2 else (n + 1) // 2
        bits = at_least(sets, need) if len(sets) >= need else 0
        if not bits & kind_bits and need > 1:
            bits = at_least(sets, 1) if sets else 0
    else:
        bits = kind_bits
    for bits_excluded in excluded:
        bits &= ~bits_excluded
    return _Matched(concepts, all_concepts, bits & kind_bits)


def _ranker(handle, bitmaps: Bitmaps) -> Ranker:
    ranker = handle.cache.get("ranker")
    if ranker is None or ranker.bitmaps is not bitmaps:
        ranker = handle.cache["ranker"] = Ranker(bitmaps)
    return ranker


def _ranked(ranker: Ranker, bitmaps: Bitmaps, concepts: list[Concept], allowed: int,
            offset: int, limit: int) -> list[tuple[int, float]]:
    """(docnum, score) of hits offset..offset+limit by relevance: the documents matching
    every concept first, then the others, each by BM25; within each, a thesaurus term in
    the query's own language before one in another language (expansion.tiers)."""
    want = offset + limit
    lists = [ranker.concept(concept) for concept in concepts]
    found = []
    start = 0  # the rank of the tier's first document
    for bits in expansion.tiers(concepts, allowed):
        if start >= want:
            break
        n = count(bits)
        if n and start + n > offset:
            taken = top(lists, bitmaps.mask(bits), min(want, start + n) - start)
            found += taken[max(0, offset - start):]
        start += n
    return found


def _sorted(handle, bitmaps: Bitmaps, allowed: int, sort: str, offset: int,
            limit: int) -> list[tuple[int, float | None]]:
    published = _column(handle, "published_at")
    if sort == "adopted":
        adopted = _column(handle, "adoption_count")

        def key(d):
            return (adopted[d], published[d], -d)
    else:

        def key(d):
            return (published[d], -d)

    docnums = bitmaps.docnums(allowed)
    top = heapq.nlargest(offset + limit, docnums, key=key)
    return [(d, None) for d in top[offset:]]


def _clean_facets(facets: dict | None) -> dict[str, list[str]]:
    selected = {}
    for name, values in (facets or {}).items():
        if name not in FACETS or not values:
            continue
        if isinstance(values, str):
            values = [values]
        codes = facet_codes(name).clean(str(v) for v in values)
        if codes:
            selected[name] = codes
    return selected


def _facet_counts(bitmaps: Bitmaps, matched: int, facet_bits: dict[str, int],
                  selected: dict[str, list[str]], language: str) -> dict[str, list[FacetValue]]:
    counts = {}
    for name in FACETS:
        base = matched
        for other, bits in facet_bits.items():
            if other != name:
                base &= bits
        codes = facet_codes(name)
        chosen = set(selected.get(name, ()))
        counts[name] = [
            FacetValue(code, codes.label(code, language), count(base & bitmaps.term(name, code)),
                       code in chosen)
            for code in codes.codes
        ]
    return counts


def _url(endpoint: str, fallback: str, **values) -> str:
    if has_request_context():
        try:
            return url_for(endpoint, **values)
        except Exception:  # noqa: BLE001 - the endpoint is not registered (yet)
            log.debug("search: no URL for %s", endpoint)
    return fallback


_SLUG = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*\Z")
_ID_MARK = "987654321"


def _practice_url(object_id: int, slug: str) -> str:
    """url_for("practices.detail", ...) for a slug of slugify()'s letters, from one url_for
    per request (it costs tens of microseconds, 20 times a page)."""
    fallback = f"/practices/{object_id}-{slug}"
    if not has_request_context() or not _SLUG.match(slug):
        return _url("practices.detail", fallback, practice_id=object_id, slug=slug)
    template = g.get("_search_practice_url")
    if template is None:
        template = _url("practices.detail", "", practice_id=int(_ID_MARK), slug="slugmark")
        if template.count(_ID_MARK) != 1 or template.count("slugmark") != 1:
            template = ""
        g._search_practice_url = template
    if not template:
        return _url("practices.detail", fallback, practice_id=object_id, slug=slug)
    return template.replace(_ID_MARK, str(object_id)).replace("slugmark", slug)


STORED_CACHE = 4096  # documents' stored fields kept per searcher (a few KB each)


def _stored(handle: store.Handle, docnum: int) -> dict:
    """A document's stored fields (not to be changed), the most recently shown kept."""
    cache = handle.cache.get("stored")
    if cache is None or cache[0] is not handle.searcher:
        cache = handle.cache["stored"] = (handle.searcher, OrderedDict())
    found = cache[1].get(docnum)
    if found is None:
        found = cache[1][docnum] = _read_stored(handle.searcher, docnum)
        if len(cache[1]) > STORED_CACHE:
            cache[1].popitem(last=False)
    else:
        cache[1].move_to_end(docnum)
    return found


def _read_stored(searcher, docnum: int) -> dict:
    """searcher.stored_fields(docnum), read from a one-segment index's column directly: Whoosh's
    reader also checks each field against the schema (for fields removed since the document
    was written, which our index never has: a schema change means a rebuild), a quarter of
    the time (40 -> 30 µs a document, 25 documents a page)."""
    reader = searcher.reader()
    perdoc = getattr(reader, "_perdoc", None) if reader.is_atomic() else None
    if perdoc is None:
        return searcher.stored_fields(docnum)
    return perdoc.stored_fields(docnum)


def _split(value: str | None) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _hit(stored: dict, score, matcher: Matcher) -> Hit:
    lang = stored.get("language") or "fi"
    kind = stored.get("kind", "practice")
    object_id = int(stored.get("object_id") or 0)
    title = stored.get("title", "")
    slug = stored.get("slug") or "malli"
    if kind == "practice":
        url = _practice_url(object_id, slug)
    elif kind == "call":
        url = _url("calls.detail", f"/calls/{object_id}", call_id=object_id)
    else:
        url = _url("organisations.detail", f"/organisations/{object_id}",
                   organisation_id=object_id)
    published = stored.get("published_at")
    return Hit(
        kind=kind,
        id=object_id,
        title=title,
        title_html=highlight_title(matcher, title, lang),
        excerpt=excerpt(matcher, stored.get("summary", ""), stored.get("excerpt", ""), lang),
        url=url,
        organisation=stored.get("org_name", ""),
        organisation_id=stored.get("org_id"),
        language=lang,
        target_groups=_split(stored.get("target_groups")),
        work_forms=_split(stored.get("work_forms")),
        regions=_split(stored.get("regions")),
        stage=stored.get("stage", ""),
        evidence=stored.get("evidence", ""),
        org_type=stored.get("org_type", ""),
        validated=stored.get("validated") == "yes",
        adoption_count=int(stored.get("adoption_count") or 0),
        published_at=datetime.fromtimestamp(published, UTC) if published else None,
        tags=list(stored.get("tags") or []),
        score=score,
    )


def _matcher(concepts: list[Concept]) -> Matcher:
    terms: dict[str, set[str]] = {}
    parts: dict[str, set[str]] = {}
    raw: set[str] = set()
    folds: set[str] = set()
    for concept in concepts:
        for lang, found in concept.terms.items():
            terms.setdefault(lang, set()).update(found)
        for lang, found in concept.parts.items():
            parts.setdefault(lang, set()).update(found)
        raw |= concept.raw
        raw |= set(concept.corrections.values())
        folds |= concept.folds
    return Matcher(terms, raw, parts, folds)


def _suggestion(builder: Builder, q: str, concepts: list[Concept], total: int,
                scope: int) -> tuple[str | None, int]:
    """(the query with typed words replaced by words as people write them, its number of
    results within `scope`), or (None, 0). Words found only through folding get their
    written spelling; when fewer than three results were found, unknown words also get the
    nearest written words (never a lemma or a stem). Each word is corrected on its own, to a
    word that finds something; the whole suggestion must find something too."""
    wanted: dict[str, list[str]] = {}
    for concept in concepts:
        for typed in concept.folded:
            wanted[typed] = builder.restorations(typed)
        if total >= 3:
            continue
        for typed in (concept.unknown | set(concept.corrections)) - set(wanted):
            if len(typed) < 4:
                continue
            found = builder.restorations(typed)
            found += builder.corrections(typed, maxdist=2 if len(typed) >= 6 else 1,
                                         fields=("raw",))
            wanted[typed] = found
    fixes: dict[str, str] = {}
    for typed, candidates in wanted.items():
        for candidate in candidates[:5]:
            if builder.concept([Word(candidate)], fuzzy=False).bits & scope:
                fixes[typed] = candidate
                break
    if not fixes:
        return None, 0
    suggestion = q
    for typed, fixed in fixes.items():
        suggestion = re.sub(rf"(?<!\w){re.escape(typed)}(?!\w)", fixed, suggestion,
                            flags=re.IGNORECASE)
    suggestion = " ".join(suggestion.split())
    if suggestion.lower() == " ".join(q.split()).lower():
        return None, 0
    found = count(_match(builder, parse_query(suggestion), scope).bits)
    return (suggestion, found) if found else (None, 0)


def _visible_practices(ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(_visible_statement("practice"), {"ids": ids}))


def _visible_organisations(ids: list[int]) -> set[int]:
    if not ids:
        return set()
    return set(db.session.scalars(_visible_statement("organisation"), {"ids": ids}))


@lru_cache(maxsize=2)
def _visible_statement(kind: str) -> Select:
    """Which of some ids (bound as `ids`) are of a published model or a verified
    organisation: built once (building it cost as much as running it, on every page)."""
    from app.organisations.models import Organisation, OrganisationStatus
    from app.practices.models import Practice, PracticeState

    ids = bindparam("ids", expanding=True)
    if kind == "practice":
        return select(Practice.id).where(Practice.id.in_(ids),
                                         Practice.state == PracticeState.published)
    return select(Organisation.id).where(Organisation.id.in_(ids),
                                         Organisation.status == OrganisationStatus.verified)


def _page_args(page, per_page) -> tuple[int, int]:
    try:
        page = min(MAX_PAGE, max(1, int(page)))
    except (TypeError, ValueError):
        page = 1
    try:
        per_page = min(MAX_PER_PAGE, max(1, int(per_page)))
    except (TypeError, ValueError):
        per_page = 20
    return page, per_page


def search_practices(q: str | None = "", facets: dict[str, list[str]] | None = None,
                     sort: str = "relevance", page: int = 1, per_page: int = 20,
                     language: str | None = None, budget: Budget | None = None,
                     recheck: bool = True) -> SearchResult:
    """Published service models matching `q` and the chosen facet values, one page of them.
    `language` is the interface language of the facet labels (default: the current one);
    `budget` the time allowed (default: SEARCH_TIME_BUDGET_MS from now). `recheck=False`
    leaves the hits unchecked against the database: for a caller that reads the hits' rows
    itself with the same condition (the API's practice_extras), one query fewer."""
    budget = budget or Budget.from_config()
    q = q or ""
    page, per_page = _page_args(page, per_page)
    sort = sort if sort in SORTS else "relevance"
    language = language or current_language()
    selected = _clean_facets(facets)
    parsed = parse_query(q)
    result = SearchResult(query=q, hits=[], total=0, page=page, per_page=per_page, sort=sort,
                          selected=selected)
    handle = fresh_handle()
    if handle is None:
        result.available = False
        result.facets = {name: [FacetValue(code, facet_codes(name).label(code, language), 0,
                                           code in selected.get(name, ()))
                                for code in facet_codes(name).codes] for name in FACETS}
        return result
    offset = (page - 1) * per_page
    with handle.lock:
        bitmaps = _bitmaps(handle)
        builder = Builder(bitmaps, budget)
        kind_bits = bitmaps.term("kind", "practice")
        matched = _match(builder, parsed, kind_bits)
        facet_bits = {}
        for name, codes in selected.items():
            bits = 0
            for code in codes:
                bits |= bitmaps.term(name, code)
            facet_bits[name] = bits
        allowed = matched.bits
        for bits in facet_bits.values():
            allowed &= bits
        result.total = count(allowed)
        result.facets = _facet_counts(bitmaps, matched.bits, facet_bits, selected, language)
        if offset < result.total:
            if sort == "relevance" and matched.concepts:
                page_docs = _ranked(_ranker(handle, bitmaps), bitmaps, matched.concepts,
                                    allowed, offset, per_page)
            else:
                page_docs = _sorted(handle, bitmaps, allowed, sort, offset, per_page)
            matcher = _matcher(matched.concepts)
            result.hits = [_hit(_stored(handle, d), s, matcher) for d, s in page_docs]
            expansion.mark_hits(result.hits, [d for d, _s in page_docs], matched.concepts)
        if parsed.groups and not budget.skip():
            scope = kind_bits
            for bits in facet_bits.values():
                scope &= bits
            result.suggestion, result.suggestion_count = _suggestion(
                builder, q, matched.all_concepts, result.total, scope)
    result.truncated = budget.truncated
    if recheck:
        visible = _visible_practices([hit.id for hit in result.hits])
        result.hits = [hit for hit in result.hits if hit.id in visible]
    return result


def search_organisations(q: str | None, page: int = 1, per_page: int = 10,
                         budget: Budget | None = None) -> SearchResult:
    """Verified organisations whose name, profile, expertise or regions match `q`."""
    budget = budget or Budget.from_config()
    q = q or ""
    page, per_page = _page_args(page, per_page)
    parsed = parse_query(q)
    result = SearchResult(query=q, hits=[], total=0, page=page, per_page=per_page)
    if not parsed.groups:
        return result
    handle = fresh_handle()
    if handle is None:
        result.available = False
        return result
    offset = (page - 1) * per_page
    with handle.lock:
        bitmaps = _bitmaps(handle)
        builder = Builder(bitmaps, budget)
        matched = _match(builder, parsed, bitmaps.term("kind", "organisation"))
        result.total = count(matched.bits)
        if offset < result.total:
            page_docs = _ranked(_ranker(handle, bitmaps), bitmaps, matched.concepts,
                                matched.bits, offset, per_page)
            matcher = _matcher(matched.concepts)
            result.hits = [_hit(_stored(handle, d), s, matcher) for d, s in page_docs]
    result.truncated = budget.truncated
    visible = _visible_organisations([hit.id for hit in result.hits])
    result.hits = [hit for hit in result.hits if hit.id in visible]
    return result


CALLS_RANKED = 200  # open and upcoming calls are few; closed ones are dropped after ranking


@dataclass
class CallHit:
    call: object  # app.calls.models.Call
    hit: Hit


def search_calls(q: str | None, limit: int = 5,
                 budget: Budget | None = None) -> tuple[list[CallHit], int]:
    """Open and upcoming calls matching `q`, best first, at most `limit`, and how many
    matched in all. Whether a call is still open is decided by the clock now, not by the
    index."""
    from app.calls.models import Call, CallState
    from app.core import clock

    parsed = parse_query(q or "")
    if not parsed.groups:
        return [], 0
    handle = fresh_handle()
    if handle is None:
        return [], 0
    with handle.lock:
        bitmaps = _bitmaps(handle)
        matched = _match(Builder(bitmaps, budget or Budget.from_config()), parsed,
                         bitmaps.term("kind", "call"))
        if not matched.bits:
            return [], 0
        page_docs = _ranked(_ranker(handle, bitmaps), bitmaps, matched.concepts, matched.bits,
                            0, CALLS_RANKED)
        matcher = _matcher(matched.concepts)
        hits = [_hit(_stored(handle, d), s, matcher) for d, s in page_docs]
    if not hits:
        return [], 0
    calls = {call.id: call for call in db.session.scalars(
        select(Call).where(Call.id.in_([hit.id for hit in hits]),
                           Call.state == CallState.published,
                           Call.closes_at > clock.now()))}
    found = [CallHit(calls[hit.id], hit) for hit in hits if hit.id in calls]
    return found[:limit], len(found)
