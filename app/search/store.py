"""Where the index lives, and the one shared searcher per process.

`SEARCH_INDEX_DIR` holds index *generations* (sub-directories) and a `CURRENT` file naming the
one in use. A rebuild writes a new generation and replaces `CURRENT` atomically (write a
temporary file, then rename), so readers switch from one complete index to the next and never
see a half-built one. The previous generation is kept for processes still reading it.

Whoosh's write lock is an `fcntl.flock` on a file in the generation: the kernel releases it
when the holding process dies, so a killed indexer never leaves a lock that blocks the next.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections import OrderedDict
from dataclasses import dataclass, field
from pathlib import Path

from flask import current_app
from whoosh import index as whoosh_index
from whoosh.filedb.filestore import FileStorage

from app.search.schema import build_schema

CURRENT = "CURRENT"
GENERATION_PREFIX = "gen-"
INDEX_NAME = "MAIN"


def index_root() -> Path:
    return Path(current_app.config["SEARCH_INDEX_DIR"])


def current_generation(root: Path) -> str | None:
    """The name of the generation in use, or None when there is no index yet."""
    try:
        name = (root / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    if not name.startswith(GENERATION_PREFIX) or "/" in name:
        return None
    if not whoosh_index.exists_in(str(root / name), indexname=INDEX_NAME):
        return None
    return name


def open_generation(root: Path, name: str):
    return whoosh_index.open_dir(str(root / name), indexname=INDEX_NAME)


def new_generation(root: Path):
    """Create an empty index in a fresh generation directory; (name, index)."""
    root.mkdir(parents=True, exist_ok=True)
    name = f"{GENERATION_PREFIX}{time.time_ns():x}-{os.getpid()}"
    path = root / name
    path.mkdir()
    ix = whoosh_index.create_in(str(path), build_schema(), indexname=INDEX_NAME)
    return name, ix


def publish_generation(root: Path, name: str) -> None:
    """Make `name` the generation in use, atomically."""
    tmp = root / f"{CURRENT}.{os.getpid()}.{threading.get_ident()}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(name + "\n")
        handle.flush()
        os.fsync(handle.fileno())
    os.replace(tmp, root / CURRENT)
    try:
        fd = os.open(root, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError:  # pragma: no cover - directories cannot be fsynced everywhere
        pass


def prune_generations(root: Path, keep: set[str]) -> list[str]:
    """Remove generations other than `keep` (and abandoned temporary files)."""
    removed = []
    for path in root.glob(f"{GENERATION_PREFIX}*"):
        if path.name not in keep and path.is_dir():
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    for path in root.glob(f"{CURRENT}.*.tmp"):
        if time.time() - path.stat().st_mtime > 3600:
            path.unlink(missing_ok=True)
    return removed


def rebuild_lock(root: Path):
    """A lock that allows one rebuild at a time (also an fcntl lock)."""
    root.mkdir(parents=True, exist_ok=True)
    return FileStorage(str(root)).lock("REBUILD")


def directory_size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


# --- the shared searcher ----------------------------------------------------------------------


@dataclass
class Handle:
    """One open generation in this process: its index and a searcher kept up to date.

    Whoosh readers are not safe for concurrent use from several threads, so a thread takes
    `lock` for the whole of a search. `cache` holds data derived from the current reader
    (facet bitmaps, column arrays); it is emptied whenever the searcher is refreshed.
    """

    root: Path
    generation: str
    index: object
    searcher: object
    lock: threading.RLock = field(default_factory=threading.RLock)
    cache: dict = field(default_factory=dict)
    checked_at: float = field(default_factory=time.time)  # skipped ids last looked for

    def refresh(self) -> None:
        # A new searcher rather than Searcher.refresh(), which whoosh-reloaded 2.7.5 gets
        # wrong (it fails on an empty index and can mix in merged-away segments).
        if not self.searcher.up_to_date():
            old, self.searcher = self.searcher, self.index.searcher()
            self.cache = {}
            old.close()

    def close(self) -> None:
        with self.lock:
            self.searcher.close()


_handles: OrderedDict[str, Handle] = OrderedDict()
_handles_lock = threading.Lock()
_MAX_HANDLES = 4


def get_handle(root: Path | None = None, refresh: bool = True) -> Handle | None:
    """The shared handle of the index at `root` (default: the app's), up to date, or None
    when there is no index. Keyed by directory, so tests with their own index never mix."""
    root = Path(root or index_root()).resolve()
    key = str(root)
    generation = current_generation(root)
    if generation is None:
        return None
    with _handles_lock:
        handle = _handles.get(key)
        if handle is None or handle.generation != generation:
            ix = open_generation(root, generation)
            old = _handles.get(key)
            handle = Handle(root=root, generation=generation, index=ix, searcher=ix.searcher())
            _handles[key] = handle
            if old is not None:
                old.close()
        _handles.move_to_end(key)
        while len(_handles) > _MAX_HANDLES:
            _handles.popitem(last=False)[1].close()
    if refresh:
        with handle.lock:
            handle.refresh()
    return handle


def forget_handles() -> None:
    """Drop every open searcher (tests, and after a process forks)."""
    with _handles_lock:
        while _handles:
            _handles.popitem()[1].close()
