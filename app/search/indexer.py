"""The indexer: applies the search change log to the index, and rebuilds it from scratch.

The index records the id of the last change it applied in a document of its own
(`meta:state`), written in the same commit as the changes, so the two never disagree. Any
process may catch up: it takes Whoosh's write lock (an fcntl lock, released by the kernel if
the process dies) and a process that cannot get it leaves the work to the one that has it.

On PostgreSQL a change with a smaller id can commit after one with a larger id (sequences
are not transactional). The indexer remembers the ids it skipped over ("gaps") for a few
minutes and applies them if they turn up.
"""

from __future__ import annotations

import json
import logging
import time
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload
from whoosh.index import LockError
from whoosh.query import Term

from app.core.changes import SearchChange
from app.extensions import db
from app.search import store
from app.search.schema import (
    META_ID,
    call_document,
    organisation_document,
    practice_document,
)
from app.search.writing import open_writer

log = logging.getLogger(__name__)

BATCH = 500
GAP_TTL = 300.0  # seconds a skipped change id is waited for
MAX_GAPS = 1000
REQUEST_LIMIT = 500  # changes a search request applies at most; `flask search update` has none

Loader = Callable[[list[int]], dict[str, dict | None]]
LOADERS: dict[str, Loader] = {}


def register_kind(kind: str, loader: Loader) -> None:
    """Make `kind` indexable: `loader(ids)` returns {doc id: document, or None to delete}."""
    LOADERS[kind] = loader


# --- state ----------------------------------------------------------------------------------


@dataclass
class IndexState:
    last_change: int = 0
    gaps: dict[int, float] | None = None
    built_at: float = 0.0
    updated_at: float = 0.0

    @classmethod
    def read(cls, searcher) -> IndexState:
        stored = searcher.document(id=META_ID)
        if not stored:
            return cls()
        data = json.loads(stored.get("meta") or "{}")
        return cls(
            last_change=int(data.get("last_change", 0)),
            gaps={int(k): float(v) for k, v in (data.get("gaps") or {}).items()},
            built_at=float(data.get("built_at", 0.0)),
            updated_at=float(data.get("updated_at", 0.0)),
        )

    def document(self) -> dict:
        data = {
            "last_change": self.last_change,
            "gaps": {str(k): v for k, v in (self.gaps or {}).items()},
            "built_at": self.built_at,
            "updated_at": time.time(),
        }
        return {"id": META_ID, "kind": "meta", "meta": json.dumps(data)}


def max_change_id() -> int:
    return db.session.scalar(select(func.max(SearchChange.id))) or 0


# --- loaders --------------------------------------------------------------------------------


def _practice_rows(where, limit: int | None = None):
    from app.organisations.models import Organisation
    from app.practices.models import Practice, PracticeState, PracticeVersion

    stmt = (
        select(
            Practice.id, Practice.slug, Practice.language, Practice.published_at,
            Practice.first_published_on,
            Practice.adoption_count, Practice.validated_at, Practice.validated_version,
            Practice.version_count, Practice.state,
            Organisation.id.label("org_id"), Organisation.name.label("org_name"),
            Organisation.type.label("org_type"), PracticeVersion.content,
        )
        .join(Organisation, Organisation.id == Practice.organisation_id)
        .join(PracticeVersion, PracticeVersion.id == Practice.current_version_id)
        .where(Practice.state == PracticeState.published, *where)
        .order_by(Practice.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return db.session.execute(stmt).all()


def load_practices(ids: list[int]) -> dict[str, dict | None]:
    """Documents of the published ones among `ids`; None (delete) for the others."""
    from app.practices.models import Practice

    docs: dict[str, dict | None] = {f"practice:{i}": None for i in ids}
    for row in _practice_rows([Practice.id.in_(ids)]):
        docs[f"practice:{row.id}"] = practice_document(row, row.content)
    return docs


def _organisations(where, limit: int | None = None):
    from app.organisations.models import Organisation, OrganisationStatus

    stmt = (
        select(Organisation)
        .options(selectinload(Organisation.region_rows),
                 selectinload(Organisation.target_group_rows))
        .where(Organisation.status == OrganisationStatus.verified, *where)
        .order_by(Organisation.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def load_organisations(ids: list[int]) -> dict[str, dict | None]:
    """Verified profiles among `ids`, and their published models again (they show the
    organisation's name and type)."""
    from app.organisations.models import Organisation
    from app.practices.models import Practice

    docs: dict[str, dict | None] = {f"organisation:{i}": None for i in ids}
    for organisation in _organisations([Organisation.id.in_(ids)]):
        docs[f"organisation:{organisation.id}"] = organisation_document(organisation)
    for row in _practice_rows([Practice.organisation_id.in_(ids)]):
        docs[f"practice:{row.id}"] = practice_document(row, row.content)
    return docs


def _calls(where, limit: int | None = None):
    from app.calls.models import Call, CallState

    stmt = (
        select(Call)
        .options(selectinload(Call.organisation))
        .where(Call.state != CallState.draft, *where)
        .order_by(Call.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    return db.session.scalars(stmt).all()


def load_calls(ids: list[int]) -> dict[str, dict | None]:
    """Published calls among `ids` (closed ones too: the page shows only those still open
    or upcoming, by the clock at query time)."""
    from app.calls.models import Call

    docs: dict[str, dict | None] = {f"call:{i}": None for i in ids}
    for call in _calls([Call.id.in_(ids)]):
        docs[f"call:{call.id}"] = call_document(call)
    return docs


register_kind("practice", load_practices)
register_kind("organisation", load_organisations)
register_kind("call", load_calls)


# --- applying changes -----------------------------------------------------------------------


def _pending(state: IndexState, limit: int | None):
    stmt = (
        select(SearchChange.id, SearchChange.kind, SearchChange.object_id, SearchChange.operation)
        .where(SearchChange.id > state.last_change)
        .order_by(SearchChange.id)
    )
    if limit:
        stmt = stmt.limit(limit)
    rows = list(db.session.execute(stmt).all())
    gaps = dict(state.gaps or {})
    if gaps:
        found = db.session.execute(
            select(SearchChange.id, SearchChange.kind, SearchChange.object_id,
                   SearchChange.operation).where(SearchChange.id.in_(list(gaps)))
        ).all()
        for row in found:
            gaps.pop(row.id, None)
        rows = sorted([*found, *rows], key=lambda r: r.id)
    now = time.time()
    if rows:
        seen = {row.id for row in rows}
        top = max(row.id for row in rows)
        if top - state.last_change <= MAX_GAPS * 4:
            for missing in range(state.last_change + 1, top):
                if missing not in seen:
                    gaps.setdefault(missing, now)
    gaps = {k: v for k, v in gaps.items() if now - v < GAP_TTL}
    if len(gaps) > MAX_GAPS:
        gaps = dict(sorted(gaps.items())[-MAX_GAPS:])
    return rows, gaps


def apply_changes(writer, rows: Iterable) -> int:
    """Write the documents that `rows` (search changes) call for; the number of objects."""
    latest: dict[tuple[str, int], str] = {}
    for row in rows:
        key = (row.kind, row.object_id)
        latest.pop(key, None)  # keep the order of the last change of each object
        latest[key] = row.operation
    # Whoosh's update_document() does not see documents added earlier in the same writer,
    # so each document is decided once here and written once below.
    docs: dict[str, dict | None] = {}
    by_kind: dict[str, list[int]] = defaultdict(list)
    for (kind, object_id), operation in latest.items():
        if operation == "delete":
            docs[f"{kind}:{object_id}"] = None
        else:
            by_kind[kind].append(object_id)
    for kind, ids in by_kind.items():
        loader = LOADERS.get(kind)
        if loader is None:
            log.warning("search: no loader for %r changes; ignored", kind)
            continue
        for start in range(0, len(ids), BATCH):
            docs.update(loader(ids[start:start + BATCH]))
    for doc_id, doc in docs.items():
        writer.delete_by_term("id", doc_id)
        if doc is not None:
            writer.add_document(**doc)
    return len(latest)


@dataclass
class CatchUp:
    applied: int = 0  # search changes read
    last_change: int = 0
    busy: bool = False  # another process holds the lock
    created: bool = False  # there was no index


def ensure_index(root: Path) -> bool:
    """Create an empty index (that will catch up from the first change) when there is none.
    True when one was created here."""
    if store.current_generation(root) is not None:
        return False
    lock = store.rebuild_lock(root)
    if not lock.acquire(blocking=False):
        return False
    try:
        if store.current_generation(root) is not None:
            return False
        name, ix = store.new_generation(root)
        writer = open_writer(ix)
        writer.add_document(**IndexState(built_at=time.time()).document())
        writer.commit()
        store.publish_generation(root, name)
        return True
    finally:
        lock.release()


def catch_up(root: Path | None = None, *, limit: int | None = None,
             timeout: float = 0.0) -> CatchUp:
    """Apply the changes the index has not seen yet (at most `limit`). Waits up to `timeout`
    seconds for the write lock, then leaves the work to whoever holds it."""
    root = Path(root or store.index_root())
    result = CatchUp(created=ensure_index(root))
    name = store.current_generation(root)
    if name is None:
        result.busy = True  # someone else is creating it
        return result
    ix = store.open_generation(root, name)
    try:
        writer = open_writer(ix, timeout=timeout, delay=0.05)
    except LockError:
        result.busy = True
        return result
    try:
        with ix.searcher() as searcher:
            state = IndexState.read(searcher)
        rows, gaps = _pending(state, limit)
        result.last_change = state.last_change
        if not rows and gaps == (state.gaps or {}):
            writer.cancel()
            return result
        apply_changes(writer, rows)
        if rows:
            state.last_change = max(state.last_change, max(row.id for row in rows))
        state.gaps = gaps
        writer.update_document(**state.document())
        writer.commit()
        result.applied = len(rows)
        result.last_change = state.last_change
        return result
    except BaseException:
        writer.cancel()
        raise


# --- rebuild --------------------------------------------------------------------------------


class RebuildRunning(RuntimeError):
    """Another process is rebuilding the index."""


@dataclass
class Rebuild:
    generation: str
    documents: int
    seconds: float
    caught_up: int


def count_indexable() -> int:
    from app.organisations.models import Organisation, OrganisationStatus
    from app.practices.models import Practice, PracticeState

    practices = db.session.scalar(
        select(func.count(Practice.id)).where(Practice.state == PracticeState.published,
                                              Practice.current_version_id.is_not(None)))
    organisations = db.session.scalar(
        select(func.count(Organisation.id)).where(
            Organisation.status == OrganisationStatus.verified))
    from app.calls.models import Call, CallState

    calls = db.session.scalar(select(func.count(Call.id)).where(Call.state != CallState.draft))
    return (practices or 0) + (organisations or 0) + (calls or 0)


def rebuild(root: Path | None = None, progress: Callable[[int], None] | None = None, *,
            procs: int = 1, limitmb: int = 256) -> Rebuild:
    """Build a new generation from the database and switch to it atomically."""
    from app.organisations.models import Organisation
    from app.practices.models import Practice

    root = Path(root or store.index_root())
    lock = store.rebuild_lock(root)
    if not lock.acquire(blocking=False):
        raise RebuildRunning("Another process is rebuilding the search index.")
    started = time.perf_counter()
    try:
        # Changes up to here are in what we read below; later ones are applied afterwards.
        state = IndexState(last_change=max_change_id(), built_at=time.time())
        name, ix = store.new_generation(root)
        writer = open_writer(ix, procs=procs, limitmb=limitmb)
        documents = 0
        try:
            after = 0
            while rows := _practice_rows([Practice.id > after], limit=BATCH):
                for row in rows:
                    writer.add_document(**practice_document(row, row.content))
                after = rows[-1].id
                documents += len(rows)
                if progress:
                    progress(len(rows))
            after = 0
            while organisations := _organisations([Organisation.id > after], limit=BATCH):
                for organisation in organisations:
                    writer.add_document(**organisation_document(organisation))
                after = organisations[-1].id
                documents += len(organisations)
                if progress:
                    progress(len(organisations))
            from app.calls.models import Call

            after = 0
            while calls := _calls([Call.id > after], limit=BATCH):
                for call in calls:
                    writer.add_document(**call_document(call))
                after = calls[-1].id
                documents += len(calls)
                if progress:
                    progress(len(calls))
            writer.add_document(**state.document())
            writer.commit()
        except BaseException:
            writer.cancel()
            raise
        previous = store.current_generation(root)
        store.publish_generation(root, name)
        caught = catch_up(root, timeout=30.0)
        store.prune_generations(root, keep={name, previous} - {None})
        return Rebuild(name, documents, time.perf_counter() - started, caught.applied)
    finally:
        lock.release()


# --- status ---------------------------------------------------------------------------------


def status(root: Path | None = None) -> dict:
    """What `flask search status` prints."""
    root = Path(root or store.index_root())
    name = store.current_generation(root)
    db_last = max_change_id()
    info = {"directory": str(root), "generation": name, "exists": name is not None,
            "database_last_change": db_last}
    if name is None:
        info.update(documents={}, last_change=0, lag=db_last and db.session.scalar(
            select(func.count(SearchChange.id))), size=0)
        return info
    ix = store.open_generation(root, name)
    with ix.searcher() as searcher:
        state = IndexState.read(searcher)
        documents = {kind: sum(1 for _ in searcher.docs_for_query(Term("kind", kind)))
                     for kind in ("practice", "organisation", "call")}
    lag = db.session.scalar(select(func.count(SearchChange.id))
                            .where(SearchChange.id > state.last_change)) or 0
    info.update(
        documents=documents,
        last_change=state.last_change,
        lag=lag,
        gaps=len(state.gaps or {}),
        built_at=state.built_at,
        updated_at=state.updated_at,
        size=store.directory_size(root / name),
    )
    return info
