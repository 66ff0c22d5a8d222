"""The indexer: applies the search change log to the index, and rebuilds it from scratch.

The index records the id of the last change it applied in a document of its own
(`meta:state`), written in the same commit as the changes, so the two never disagree. Any
process may catch up: it takes Whoosh's write lock (an fcntl lock, released by the kernel if
the process dies) and a process that cannot get it leaves the work to the one that has it.

On PostgreSQL a change with a smaller id can commit after one with a larger id (sequences
are not transactional). The indexer remembers the ids it skipped over ("gaps") for a few
minutes and applies them if they turn up.

A search request catches up within bounds (`max_documents` documents and `budget` seconds,
`SEARCH_CATCH_UP_DOCUMENTS` / `SEARCH_CATCH_UP_MS`) and commits what it did; one change can
stand for many documents (an organisation's change re-indexes all its models), so the cost of
each change is counted before it is applied. What is left goes to one background thread per
process (`start_background`) or to `flask search update`. Nothing here runs at start-up.
"""

from __future__ import annotations

import gc
import json
import logging
import shutil
import threading
import time
import warnings
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
from app.search import analysis, store
from app.search.schema import (
    META_ID,
    SCHEMA_VERSION,
    call_document,
    organisation_document,
    practice_document,
)
from app.search.writing import open_writer

log = logging.getLogger(__name__)

BATCH = 500
GAP_TTL = 300.0  # seconds a skipped change id is waited for
MAX_GAPS = 1000
REQUEST_LIMIT = 500  # changes a search request reads at most; `flask search update` has none
REQUEST_DOCUMENTS = 200  # documents a search request writes at most (SEARCH_CATCH_UP_DOCUMENTS)
REQUEST_BUDGET = 0.25  # seconds of catching up in a search request (SEARCH_CATCH_UP_MS)
CHUNK = 25  # changes between two looks at the bounds
BACKGROUND_CHUNK = 2000  # changes per commit of the background thread and `flask search update`

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
    schema: int = SCHEMA_VERSION

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
            schema=int(data.get("schema", 1)),
        )

    def document(self) -> dict:
        data = {
            "last_change": self.last_change,
            "gaps": {str(k): v for k, v in (self.gaps or {}).items()},
            "built_at": self.built_at,
            "updated_at": time.time(),
            "schema": self.schema,
        }
        return {"id": META_ID, "kind": "meta", "meta": json.dumps(data)}


def max_change_id() -> int:
    return db.session.scalar(select(func.max(SearchChange.id))) or 0


def has_news(state: IndexState, look_at_gaps: bool = False) -> bool:
    """Whether the change log holds something the index has not applied: the cheap "is there
    news" check of a search request, which only reads (one query; a second one when
    `look_at_gaps`, for the awaited ids still within GAP_TTL)."""
    if max_change_id() > state.last_change:
        return True
    if look_at_gaps and state.gaps:
        now = time.time()
        awaited = [k for k, v in state.gaps.items() if now - v < GAP_TTL]
        if awaited:
            return db.session.scalar(select(SearchChange.id)
                                     .where(SearchChange.id.in_(awaited)).limit(1)) is not None
    return False


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


def apply_changes(writer, rows: Iterable, written: set[str] | None = None) -> int:
    """Write the documents that `rows` (search changes) call for; the number of objects.

    `written` holds the ids of documents this writer has written already (and gets the new
    ones): they are not written again. Each was loaded after every change being applied had
    committed, so it already shows them."""
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
        if written is not None:
            if doc_id in written:
                continue
            written.add(doc_id)
        writer.delete_by_term("id", doc_id)
        if doc is not None:
            writer.add_document(**doc)
    return len(latest)


def change_costs(rows: list) -> list[int]:
    """Documents each change writes at most: one, or for an organisation one and each of its
    published models (one query for all the organisations among `rows`)."""
    from app.practices.models import Practice, PracticeState

    org_ids = {row.object_id for row in rows
               if row.kind == "organisation" and row.operation != "delete"}
    models: dict[int, int] = {}
    if org_ids:
        models = dict(db.session.execute(
            select(Practice.organisation_id, func.count(Practice.id))
            .where(Practice.organisation_id.in_(org_ids),
                   Practice.state == PracticeState.published)
            .group_by(Practice.organisation_id)).all())
    return [1 + (models.get(row.object_id, 0)
                 if row.kind == "organisation" and row.operation != "delete" else 0)
            for row in rows]


def _bounded(writer, rows: list, max_documents: int | None, budget: float | None) -> list:
    """Apply the longest run of `rows` (from the first) within the bounds; the rows applied."""
    started = time.perf_counter()
    written: set[str] = set()
    done: list = []
    for start in range(0, len(rows), CHUNK):
        chunk = rows[start:start + CHUNK]
        take = chunk
        if max_documents is not None:
            take = []
            planned = len(written)
            for row, cost in zip(chunk, change_costs(chunk), strict=True):
                if planned + cost > max_documents:
                    break
                planned += cost
                take.append(row)
        if take:
            apply_changes(writer, take, written)
            done.extend(take)
        if len(take) < len(chunk):
            break
        if budget is not None and time.perf_counter() - started >= budget:
            break
    return done


@dataclass
class CatchUp:
    applied: int = 0  # search changes read
    last_change: int = 0
    busy: bool = False  # another process holds the lock
    created: bool = False  # there was no index
    more: bool = False  # stopped by a bound: changes are left to apply
    cleaned: int = 0  # files a killed writer left, removed


def ensure_index(root: Path) -> bool:
    """Create an empty index (that will catch up from the first change) when there is none.
    True when one was created here. Raises IndexProblem when there is an unusable one."""
    if store.inspect(root) is not None:
        return False
    lock = store.rebuild_lock(root)
    if not lock.acquire(blocking=False):
        return False
    try:
        if store.inspect(root) is not None:
            return False
        name, ix = store.new_generation(root)
        writer = open_writer(ix)
        writer.add_document(**IndexState(built_at=time.time()).document())
        writer.commit()
        store.publish_generation(root, name)
        return True
    finally:
        lock.release()


def catch_up(root: Path | None = None, *, limit: int | None = None, timeout: float = 0.0,
             max_documents: int | None = None, budget: float | None = None) -> CatchUp:
    """Apply the changes the index has not seen yet (at most `limit` changes, `max_documents`
    documents and about `budget` seconds; `more` says whether some are left) and commit them.
    Waits up to `timeout` seconds for the write lock, then leaves the work to whoever holds
    it. Raises IndexProblem for an unusable index and OSError when it cannot be written (both
    recorded as the index's last error)."""
    root = Path(root or store.index_root())
    with warnings.catch_warnings():
        # A writer that failed (disk full) leaves its files to the garbage collector: they
        # go here, quietly, with the traceback that holds them.
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return _catch_up(root, limit, timeout, max_documents, budget)
        except (store.IndexProblem, OSError) as error:
            store.record_error(root, "catch-up", error)
            failure = _bare(error)
        gc.collect()
    raise failure


def cancel_failed(writer, error: BaseException) -> None:
    """Cancel `writer` after `error` without hiding it. A writer whose temporary files went
    from under it (FileNotFoundError on MAIN.tmp/*.ctmp) fails to cancel as well ("This file
    is already closed"): that second error is logged, the write lock released and the
    temporary files removed all the same, and the caller raises the first error."""
    try:
        writer.cancel()
    except Exception as second:  # noqa: BLE001 - `error` is the one that matters
        log.warning("search: cancelling a failed writer failed too (%s) after: %s",
                    store._reason(second), store._reason(error))
        for finish in (getattr(getattr(writer, "_tempstorage", None), "destroy", None),
                       getattr(getattr(writer, "writelock", None), "release", None)):
            if finish is not None:
                try:
                    finish()
                except Exception:  # noqa: BLE001, S110 - already gone or released
                    pass
        writer.is_closed = True


def _bare(error: BaseException) -> BaseException:
    """`error` without its traceback and chained exceptions (which hold open files)."""
    error.__context__ = error.__cause__ = None
    return error.with_traceback(None)


def _catch_up(root: Path, limit, timeout, max_documents, budget) -> CatchUp:
    result = CatchUp(created=ensure_index(root))
    name = store.inspect(root)
    if name is None:
        result.busy = True  # someone else is creating it
        return result
    ix = store.open_checked(root, name)
    existing = store.existing_files(ix)
    try:
        writer = open_writer(ix, timeout=timeout, delay=0.05)
    except LockError:
        result.busy = True
        return result
    try:
        result.cleaned = store.clean_abandoned(ix, existing)
        with ix.searcher() as searcher:
            state = IndexState.read(searcher)
        rows, gaps = _pending(state, limit)
        result.last_change = state.last_change
        if not rows and gaps == (state.gaps or {}):
            writer.cancel()
            return result
        if max_documents is None and budget is None:
            apply_changes(writer, rows)
            done = rows
        else:
            done = _bounded(writer, rows, max_documents, budget)
        if not done and rows:
            writer.cancel()
            result.more = True
            return result
        if done:
            state.last_change = max(state.last_change, max(row.id for row in done))
        if len(done) < len(rows):
            result.more = True
            now = time.time()
            # Ids above the last applied are looked at again next time; changes read but not
            # applied below it (awaited ids that turned up) are still awaited.
            gaps = {k: v for k, v in gaps.items() if k < state.last_change}
            for row in rows[len(done):]:
                if row.id < state.last_change:
                    gaps[row.id] = now
        elif limit and len(rows) >= limit:
            result.more = True
        state.gaps = gaps
        writer.update_document(**state.document())
        writer.commit()
        result.applied = len(done)
        result.last_change = state.last_change
    except BaseException as error:
        cancel_failed(writer, error)
        raise
    store.record_ok(root)
    return result


# --- the background thread ------------------------------------------------------------------

_background: threading.Thread | None = None
_background_lock = threading.Lock()


def start_background(app, root: Path) -> bool:
    """Apply the rest of the backlog in a thread of this process (one at a time), unless one
    is running. True when one was started."""
    global _background
    with _background_lock:
        if _background is not None and _background.is_alive():
            return False
        _background = threading.Thread(target=_work_off, args=(app, Path(root)),
                                       name="search-catch-up", daemon=True)
        _background.start()
        return True


def background_running() -> bool:
    thread = _background
    return thread is not None and thread.is_alive()


def _work_off(app, root: Path) -> None:
    with app.app_context():
        try:
            while True:
                result = catch_up(root, limit=BACKGROUND_CHUNK)
                db.session.rollback()
                if result.busy or not result.more:
                    return
        except Exception:  # noqa: BLE001 - recorded as the index's last error; logged
            log.exception("search: the background catch-up stopped")
        finally:
            db.session.remove()


# --- rebuild --------------------------------------------------------------------------------


class RebuildRunning(RuntimeError):
    """Another process is rebuilding the index."""


@dataclass
class Rebuild:
    generation: str
    documents: int
    seconds: float
    caught_up: int


def indexable_counts() -> dict[str, int]:
    """What the index should hold, per kind: published models, verified organisations and
    published (not draft) calls."""
    from app.calls.models import Call, CallState
    from app.organisations.models import Organisation, OrganisationStatus
    from app.practices.models import Practice, PracticeState

    practices = db.session.scalar(
        select(func.count(Practice.id))
        .join(Organisation, Organisation.id == Practice.organisation_id)
        .where(Practice.state == PracticeState.published,
               Practice.current_version_id.is_not(None)))
    organisations = db.session.scalar(
        select(func.count(Organisation.id)).where(
            Organisation.status == OrganisationStatus.verified))
    calls = db.session.scalar(select(func.count(Call.id)).where(Call.state != CallState.draft))
    return {"practice": practices or 0, "organisation": organisations or 0, "call": calls or 0}


def count_indexable() -> int:
    return sum(indexable_counts().values())


def _usable(root: Path, name: str | None) -> bool:
    if name is None:
        return False
    try:
        store.open_checked(root, name)
    except store.IndexProblem:
        return False
    return True


# The rebuild's pool holds ~25 bytes a posting (writing.py): 20,000 models (~15 million
# postings) stay in memory, which is faster than writing and merging runs (a rebuild process
# peaks at ~1.3 GB with the fast dictionary); larger indexes spill runs past this.
REBUILD_LIMIT_MB = 768


def rebuild(root: Path | None = None, progress: Callable[[int], None] | None = None, *,
            procs: int = 1, limitmb: int = REBUILD_LIMIT_MB) -> Rebuild:
    """Build a new generation from the database and switch to it atomically, whatever the
    state of the old one. An OSError (disk full, read-only) is recorded as the last error."""
    root = Path(root or store.index_root())
    try:
        return _rebuild(root, progress, procs, limitmb)
    except OSError as error:
        store.record_error(root, "rebuild", error)
        raise


def _rebuild(root: Path, progress, procs: int, limitmb: int) -> Rebuild:
    from app.organisations.models import Organisation
    from app.practices.models import Practice

    lock = store.rebuild_lock(root)
    if not lock.acquire(blocking=False):
        raise RebuildRunning("Another process is rebuilding the search index.")
    started = time.perf_counter()
    name = None
    try:
        # What killed rebuilds left behind first: it may be what filled the disk.
        try:
            current = store.inspect(root)
        except store.IndexProblem:
            current = None
        store.prune_generations(root, keep={current} - {None})
        # Changes up to here are in what we read below; later ones are applied afterwards.
        state = IndexState(last_change=max_change_id(), built_at=time.time())
        name, ix = store.new_generation(root)
        writer = open_writer(ix, procs=procs, limitmb=limitmb)
        documents = 0
        try:
            # The words' analyses, for the searching processes (analysis.ANALYSES_FILE).
            with analysis.recording_analyses(root / name / analysis.ANALYSES_FILE) as analysed:
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
        except BaseException as error:
            cancel_failed(writer, error)
            raise
        analysis.keep_analyses(analysed)  # optional: after the index, on the room it leaves
        store.publish_generation(root, name)
        caught = catch_up(root, timeout=30.0)
        # The previous generation stays for processes still reading it, if it was usable.
        keep = {name, current} if _usable(root, current) else {name}
        store.prune_generations(root, keep={k for k in keep if k})
        store.record_ok(root)
        return Rebuild(name, documents, time.perf_counter() - started, caught.applied)
    except BaseException:
        if name is not None and store.current_generation(root) != name:
            shutil.rmtree(root / name, ignore_errors=True)  # a failed build's files
        raise
    finally:
        lock.release()


# --- status ---------------------------------------------------------------------------------


def lag(root: Path | None = None) -> tuple[int, int]:
    """(last applied change, pending changes) of the index at `root`, read without the write
    lock; IndexProblem when it cannot be used, (0, all) when there is none."""
    root = Path(root or store.index_root())
    name = store.inspect(root)
    last = 0
    if name is not None:
        ix, searcher = store.open_searcher(root, name)
        try:
            last = IndexState.read(searcher).last_change
        finally:
            searcher.close()
    pending = db.session.scalar(select(func.count(SearchChange.id))
                                .where(SearchChange.id > last)) or 0
    return last, pending



def status(root: Path | None = None) -> dict:
    """What `flask search status`, /readyz and the admin page show. `problem` is a one-line
    reason when the index cannot be used; `missing` the documents the database has and the
    index lacks (or holds too many) beyond what the pending changes explain."""
    root = Path(root or store.index_root())
    db_last = max_change_id()
    expected = indexable_counts()
    info = {"directory": str(root), "generation": None, "exists": False, "problem": None,
            "database_last_change": db_last, "expected": expected, "documents": {},
            "last_change": 0, "lag": 0, "gaps": 0, "size": 0, "missing": 0,
            "out_of_step": False, "last_error": store.read_status(root),
            "background": background_running()}
    try:
        name = store.inspect(root)
        ix = store.open_checked(root, name) if name else None
    except store.IndexProblem as problem:
        info["problem"] = str(problem)
        return info
    if ix is None:
        info.update(lag=db.session.scalar(select(func.count(SearchChange.id))) or 0,
                    missing=sum(expected.values()))
        info["out_of_step"] = info["missing"] > info["lag"]
        return info
    try:
        with ix.searcher() as searcher:
            state = IndexState.read(searcher)
            documents = {kind: sum(1 for _ in searcher.docs_for_query(Term("kind", kind)))
                         for kind in ("practice", "organisation", "call")}
    except Exception as error:  # noqa: BLE001 - a segment that opens but cannot be read
        info["problem"] = f"{name} in {root} cannot be read ({type(error).__name__})."
        return info
    lag = db.session.scalar(select(func.count(SearchChange.id))
                            .where(SearchChange.id > state.last_change)) or 0
    missing = sum(abs(expected[kind] - documents.get(kind, 0)) for kind in expected)
    info.update(
        generation=name,
        exists=True,
        documents=documents,
        last_change=state.last_change,
        lag=lag,
        gaps=len(state.gaps or {}),
        built_at=state.built_at,
        updated_at=state.updated_at,
        size=store.directory_size(root / name),
        missing=missing,
        # Pending changes may explain a difference; more than that, they cannot.
        out_of_step=missing > lag,
    )
    return info
