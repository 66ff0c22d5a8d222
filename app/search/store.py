"""Where the index lives, and the one shared searcher per process.

`SEARCH_INDEX_DIR` holds index *generations* (sub-directories) and a `CURRENT` file naming the
one in use. A rebuild writes a new generation and replaces `CURRENT` atomically (write a
temporary file, then rename), so readers switch from one complete index to the next and never
see a half-built one. The previous generation is kept for processes still reading it.

Whoosh's write lock is an `fcntl.flock` on a file in the generation: the kernel releases it
when the holding process dies, so a killed indexer never leaves a lock that blocks the next.
What a killed writer had written (segment files the TOC never named, the pool's temporary
runs) is removed by the next writer while it holds the lock (`clean_abandoned`); a generation
that a killed rebuild left half-built carries a `BUILDING` marker and is removed by the next
rebuild or update.

An index that cannot be used (a garbage or missing TOC, a truncated segment, `CURRENT` naming
a missing generation, a generation built with another schema) raises `IndexProblem` with a
one-line reason: the site then says search is unavailable, `/readyz` reports it, and
`flask search rebuild` builds a new index from the database whatever the old one's state.

The last indexing error (time, operation, message) is kept in `<index dir>.status.json`
beside the index directory (so it can be written when the index directory is read-only),
where every process sees it. The file is written in place at a fixed size, so recording an
error on a full disk does not need a new block.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import shutil
import threading
import time
import warnings
import weakref
from collections import OrderedDict
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from app.search import analysis, mapped
from app.search.schema import META_ID, SCHEMA_VERSION, build_schema

mapped.install()  # segments read in place from the memory map, not copied

log = logging.getLogger(__name__)

CURRENT = "CURRENT"
GENERATION_PREFIX = "gen-"
INDEX_NAME = "MAIN"
BUILDING = "BUILDING"  # marker of a generation still being built
STATUS_SIZE = 4096  # bytes of the status file, written in place


class IndexProblem(RuntimeError):
    """The index cannot be used as it is; `flask search rebuild` replaces it."""


def index_root() -> Path:
    return Path(current_app.config["SEARCH_INDEX_DIR"])


def generations(root: Path) -> list[str]:
    try:
        return sorted(p.name for p in root.iterdir()
                      if p.name.startswith(GENERATION_PREFIX) and p.is_dir())
    except (FileNotFoundError, NotADirectoryError):
        return []


def current_generation(root: Path) -> str | None:
    """The name of the generation in use, or None when there is no usable one."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError, UnicodeDecodeError):
        return None
    if not name.startswith(GENERATION_PREFIX) or "/" in name:
        return None
    try:
        if not whoosh_index.exists_in(str(root / name), indexname=INDEX_NAME):
            return None
    except Exception:  # noqa: BLE001 - an unreadable TOC is no usable generation
        return None
    return name


def inspect(root: Path) -> str | None:
    """The generation in use; None when there is no index at all (nothing was ever built or
    the directory was deleted: the site creates an empty one). Raises IndexProblem when
    there is an index that cannot be used."""
    try:
        text = (root / CURRENT).read_text(encoding="utf-8").strip()
    except (FileNotFoundError, NotADirectoryError):
        found = generations(root)
        if found:
            raise IndexProblem(f"{CURRENT} is missing from {root} (generations there: "
                               f"{', '.join(found[-3:])}).") from None
        return None
    except (OSError, UnicodeDecodeError) as error:
        raise IndexProblem(f"{CURRENT} in {root} cannot be read ({_reason(error)}).") from None
    if not text.startswith(GENERATION_PREFIX) or "/" in text or "\n" in text:
        raise IndexProblem(f"{CURRENT} in {root} names no generation ({text[:40]!r}).")
    if not (root / text).is_dir():
        raise IndexProblem(f"{CURRENT} names {text}, which is missing from {root}.")
    return text


def _reason(error: BaseException) -> str:
    text = getattr(error, "strerror", None) or str(error) or type(error).__name__
    return f"{type(error).__name__}: {text}"[:300].replace("\n", " ")


@cache
def _field_types() -> tuple:
    return tuple(sorted((name, type(spec).__name__) for name, spec in build_schema().items()))


def check_generation(root: Path, name: str, ix, searcher) -> None:
    """Raise IndexProblem unless `ix` is a readable index of this version's schema."""
    try:
        stored = searcher.document(id=META_ID)
        meta = json.loads((stored or {}).get("meta") or "{}")
        fields = tuple(sorted((n, type(spec).__name__) for n, spec in ix.schema.items()))
    except Exception as error:  # noqa: BLE001 - whatever a damaged file raises
        raise IndexProblem(f"{name} in {root} cannot be read ({_reason(error)}).") from None
    version = int(meta.get("schema", 1))
    if version != SCHEMA_VERSION or fields != _field_types():
        raise IndexProblem(f"{name} in {root} was built with schema version {version}; this "
                           f"version of the site needs {SCHEMA_VERSION}.")


def open_generation(root: Path, name: str):
    """The index of generation `name`; IndexProblem when it cannot be opened."""
    reason = None
    # Whoosh leaves the files of a failed open to the garbage collector: they go (quietly)
    # with the exception, before IndexProblem is raised outside the handler.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        try:
            return whoosh_index.open_dir(str(root / name), indexname=INDEX_NAME)
        except Exception as error:  # noqa: BLE001 - a garbage, truncated or missing TOC
            reason = _reason(error)
    raise IndexProblem(f"{name} in {root} cannot be opened ({reason}).")


def _toc_generation(path: Path) -> int:
    """The number of the newest TOC in a generation directory (-1 when there is none)."""
    try:
        return whoosh_index.TOC._latest_generation(FileStorage(str(path)), INDEX_NAME)
    except OSError:
        return -1


OPEN_ATTEMPTS = 5


def open_searcher(root: Path, name: str):
    """(index, searcher) of generation `name`, checked (readable, this schema).

    A writer that commits while the index is being opened removes the previous TOC and the
    segments it merged away, so the open fails on a file that is gone: when a newer TOC
    has appeared meanwhile the open is tried again on it (Whoosh's reader() does the same
    for its own opens); otherwise the index is not usable."""
    for attempt in range(OPEN_ATTEMPTS):
        before = _toc_generation(root / name)
        try:
            return _open_searcher(root, name)
        except IndexProblem:
            if attempt + 1 < OPEN_ATTEMPTS and _toc_generation(root / name) != before:
                continue  # a writer committed meanwhile: open what it committed
            raise
    raise AssertionError("unreachable")  # pragma: no cover


def _open_searcher(root: Path, name: str):
    ix = open_generation(root, name)
    reason = None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        searcher = None
        try:
            searcher = ix.searcher()
            check_generation(root, name, ix, searcher)
            return ix, searcher
        except IndexProblem as problem:
            reason = str(problem)
        except Exception as error:  # noqa: BLE001 - whatever a damaged file raises
            reason = f"{name} in {root} cannot be read ({_reason(error)})."
        if searcher is not None:
            _close_searchers([searcher])
    raise IndexProblem(reason)


def open_checked(root: Path, name: str):
    """open_generation, and the index checked (readable, this schema)."""
    ix, searcher = open_searcher(root, name)
    searcher.close()
    return ix


def new_generation(root: Path):
    """Create an empty index in a fresh generation directory, marked as being built;
    (name, index). `finish_generation` removes the marker."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{GENERATION_PREFIX}{time.time_ns():x}-{os.getpid()}"
    path = root / name
    path.mkdir()
    (path / BUILDING).write_text(str(os.getpid()), encoding="utf-8")
    ix = whoosh_index.create_in(str(path), build_schema(), indexname=INDEX_NAME)
    return name, ix


def finish_generation(root: Path, name: str) -> None:
    (root / name / BUILDING).unlink(missing_ok=True)


def publish_generation(root: Path, name: str) -> None:
    """Make `name` the generation in use, atomically."""
    finish_generation(root, name)
    tmp = root / f"{CURRENT}.{os.getpid()}.{threading.get_ident()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as handle:
            handle.write(name + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, root / CURRENT)
    finally:
        tmp.unlink(missing_ok=True)
    try:
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # pragma: no cover - directories cannot be fsynced everywhere
        pass


def prune_generations(root: Path, keep: set[str]) -> list[str]:
    """Remove generations other than `keep` (and abandoned temporary files). Call it holding
    the rebuild lock: a generation being built is never in `keep`."""
    removed = []
    for name in generations(root):
        if name not in keep:
            shutil.rmtree(root / name, ignore_errors=True)
            removed.append(name)
    for path in root.glob(f"{CURRENT}.*.tmp"):
        try:
            if time.time() - path.stat().st_mtime > 3600:
                path.unlink(missing_ok=True)
        except OSError:
            pass
    return removed


def prune_abandoned(root: Path) -> list[str]:
    """Remove the generations a killed rebuild left half-built, unless a rebuild is running
    (it holds the rebuild lock); the one in use and finished ones stay."""
    if not any((root / name / BUILDING).exists() for name in generations(root)):
        return []
    lock = rebuild_lock(root)
    if not lock.acquire(blocking=False):
        return []
    try:
        current = current_generation(root)
        removed = []
        for name in generations(root):
            if name != current and (root / name / BUILDING).exists():
                shutil.rmtree(root / name, ignore_errors=True)
                removed.append(name)
        return removed
    finally:
        lock.release()


def existing_files(ix) -> set[Path]:
    """The files in the generation of `ix` now (take it before asking for the write lock)."""
    folder = Path(ix.storage.folder)
    found = set()
    for place in (folder, folder / f"{ix.indexname}.tmp"):
        try:
            found.update(path for path in place.iterdir() if path.is_file())
        except OSError:
            pass
    return found


def clean_abandoned(ix, existing: set[Path]) -> int:
    """Remove what a killed or failed writer left in the generation of `ix`: segment files
    the TOC does not name, old TOCs and the pool's temporary files, among `existing` (files
    there before the caller asked for the write lock: those of the writer it got are newer).
    Call it holding the write lock. The number of files removed."""
    toc = ix._read_toc()
    keep = {segment.segment_id() for segment in toc.segments}
    toc_pattern = whoosh_index.TOC._pattern(ix.indexname)
    segment_pattern = whoosh_index.TOC._segment_pattern(ix.indexname)
    temp = f"{ix.indexname}.tmp"
    removed = 0
    for path in existing:
        toc_match = toc_pattern.match(path.name)
        segment_match = segment_pattern.match(path.name)
        if path.parent.name == temp:
            abandoned = True
        elif toc_match:
            abandoned = int(toc_match.group(1)) < toc.generation
        else:
            abandoned = bool(segment_match) and segment_match.group(1) not in keep
        if abandoned:
            try:
                path.unlink()
                removed += 1
            except OSError:  # gone meanwhile
                pass
    return removed


def rebuild_lock(root: Path):
    """A lock that allows one rebuild at a time (also an fcntl lock)."""
    root.mkdir(parents=True, exist_ok=True)
    return FileStorage(str(root)).lock("REBUILD")


def directory_size(path: Path) -> int:
    total = 0
    for p in path.rglob("*"):
        try:
            if p.is_file():
                total += p.stat().st_size
        except OSError:  # removed meanwhile
            pass
    return total


# --- the last error, for every process ----------------------------------------------------


def status_path(root: Path) -> Path:
    root = Path(root)
    return root.parent / f"{root.name}.status.json"


_memory: dict[str, dict] = {}  # this process's view, when the file cannot be written
_noted: dict[str, tuple[str, float]] = {}  # (message, time) last written, per root
NOTE_EVERY = 60.0  # seconds between writes of the same error


def read_status(root: Path) -> dict:
    """{"error": {"at", "operation", "message", "pid"} | None, "ok_at": float}; `current`
    is true when the error came after the last success."""
    data: dict = {}
    try:
        text = status_path(root).read_bytes().decode("utf-8", "replace").strip(" \n\0")
        data = json.loads(text) if text else {}
    except (OSError, ValueError):
        data = {}
    mine = _memory.get(str(Path(root).resolve()))
    if mine and (mine.get("error") or {}).get("at", 0) > ((data.get("error") or {}).get("at", 0)):
        data = {**data, "error": mine["error"]}
    error = data.get("error")
    ok_at = float(data.get("ok_at") or 0.0)
    return {"error": error, "ok_at": ok_at,
            "current": bool(error and float(error.get("at", 0)) > ok_at)}


def _write_status(root: Path, data: dict) -> None:
    payload = json.dumps(data, ensure_ascii=False).encode("utf-8")
    if len(payload) > STATUS_SIZE - 1:
        raise ValueError("status too long")
    payload = payload.ljust(STATUS_SIZE - 1) + b"\n"
    path = status_path(root)
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        os.pwrite(fd, payload, 0)  # in place: the blocks are already there
    finally:
        os.close(fd)


def record_error(root: Path, operation: str, error: BaseException | str) -> None:
    """Keep `error` as the index's last error (throttled: the same message at most once a
    minute per process). Never raises."""
    root = Path(root).resolve()
    message = error if isinstance(error, str) else _reason(error)
    message = message[:1000]
    now = time.time()
    key = str(root)
    last = _noted.get(key)
    if last and last[0] == message and now - last[1] < NOTE_EVERY:
        return
    _noted[key] = (message, now)
    entry = {"at": now, "operation": operation, "message": message, "pid": os.getpid()}
    _memory[key] = {"error": entry}
    log.error("search index %s: %s failed: %s", root, operation, message)
    try:
        current = read_status(root)
        _write_status(root, {"error": entry, "ok_at": current["ok_at"]})
    except (OSError, ValueError) as write_error:
        log.warning("search: cannot record the error in %s: %s", status_path(root),
                    _reason(write_error))


def record_ok(root: Path) -> None:
    """Note that the index was written successfully: a recorded error is then past. Writes
    only when there is a current error (or no status file yet). Never raises."""
    root = Path(root).resolve()
    key = str(root)
    _noted.pop(key, None)
    try:
        path_exists = status_path(root).exists()
        current = read_status(root)
        if path_exists and not current["current"]:
            return
        _memory.pop(key, None)
        _write_status(root, {"error": current["error"], "ok_at": time.time()})
    except (OSError, ValueError) as write_error:
        log.warning("search: cannot write %s: %s", status_path(root), _reason(write_error))


# --- the shared searcher ----------------------------------------------------------------------


@dataclass
class Handle:
    """One open generation in this process: its index and a searcher kept up to date.

    Whoosh readers are not safe for concurrent use from several threads, so a thread takes
    `lock` for the whole of a search. `cache` holds data derived from the current reader
    (facet bitmaps, column arrays); it is emptied whenever the searcher is refreshed.

    A handle replaced by a newer generation is not closed while a thread may still use it:
    its searcher is closed when the last reference to the handle goes (CPython's reference
    count; `weakref.finalize`), i.e. when the searches that had it are done.
    """

    root: Path
    generation: str
    index: object
    searcher: object
    lock: threading.RLock = field(default_factory=threading.RLock)
    cache: dict = field(default_factory=dict)
    checked_at: float = field(default_factory=time.time)  # skipped ids last looked for

    def __post_init__(self):
        self._open = [self.searcher]  # closed when the handle goes (no reference to it)
        self._closer = weakref.finalize(self, _close_searchers, self._open)

    def refresh(self) -> None:
        # A new searcher rather than Searcher.refresh(), which whoosh-reloaded 2.7.5 gets
        # wrong (it fails on an empty index and can mix in merged-away segments). Callers
        # hold `lock`, so no search uses the old one.
        if not self.searcher.up_to_date():
            old, self.searcher = self.searcher, self.index.searcher()
            self.cache = {}
            self._open[:] = [self.searcher]
            old.close()

    def close(self) -> None:
        with self.lock:
            self._closer()


def _close_searchers(searchers: list) -> None:
    for searcher in searchers:
        try:
            searcher.close()
        except Exception:  # noqa: BLE001, S110 - closing what may already be gone
            pass


_handles: OrderedDict[str, Handle] = OrderedDict()
_handles_lock = threading.Lock()
_MAX_HANDLES = 4


def get_handle(root: Path | None = None, refresh: bool = True) -> Handle | None:
    """The shared handle of the index at `root` (default: the app's), up to date, or None
    when there is no index. Raises IndexProblem for an index that cannot be used. Keyed by
    directory, so tests with their own index never mix."""
    root = Path(root or index_root()).resolve()
    key = str(root)
    generation = inspect(root)
    if generation is None:
        return None
    with _handles_lock:
        handle = _handles.get(key)
        if handle is None or handle.generation != generation:
            ix, searcher = open_searcher(root, generation)
            # The analyses its rebuild made, for the words of the queries and the hits
            analysis.use_kept_analyses(root / generation / analysis.ANALYSES_FILE)
            # The old handle (if any) is dropped, not closed: a thread may be searching it.
            handle = Handle(root=root, generation=generation, index=ix, searcher=searcher)
            _handles[key] = handle
        _handles.move_to_end(key)
        while len(_handles) > _MAX_HANDLES:
            _handles.popitem(last=False)
    if refresh:
        with handle.lock:
            try:
                handle.refresh()
            except Exception as error:  # noqa: BLE001 - a segment damaged after opening
                raise IndexProblem(f"{generation} in {root} cannot be read "
                                   f"({_reason(error)}).") from None
    return handle


def forget_handles() -> None:
    """Drop every open searcher (tests, and after a process forks)."""
    with _handles_lock:
        while _handles:
            _handles.popitem()[1].close()
