"""Reading the index's segment files in place, from the memory map, instead of copying them.

Whoosh memory-maps a segment's compound file but hands each file in it (the postings, the
terms, the stored fields, ...) to its readers as a `BufferFile`, which wraps the mapped bytes
in an `io.BytesIO`: a copy. Opening a searcher therefore copied most of the index into every
worker's private memory: 125 MB per worker at 20,000 generated models (about 500 MB at
100,000), again after every change to the index (a new searcher opens its segments afresh),
and with the time that copying takes. `MappedFile` is the same `BufferFile` over a read-only
view of the map: Whoosh's positional reads (`get`, `get_int`, ...) already slice the map, and
its sequential reads (`read`, `seek`, `tell`) slice it too instead of a copy. The operating
system's page cache holds the index once for all workers.

`install()` (called when app.search.store is imported) makes Whoosh's CompoundStorage open
its files this way; a compound file that could not be memory-mapped is read as before.
"""

from __future__ import annotations

from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import StorageError
from whoosh.filedb.structfile import BufferFile

_ORIGINAL_OPEN_FILE = CompoundStorage.open_file


class _View:
    """A read-only, seekable file over a memoryview (io.BytesIO copies what it is given)."""

    __slots__ = ("_buf", "_pos")

    def __init__(self, buf: memoryview):
        self._buf = buf
        self._pos = 0

    def read(self, size: int | None = -1) -> bytes:
        start = self._pos
        end = len(self._buf) if size is None or size < 0 else min(len(self._buf), start + size)
        self._pos = max(start, end)
        return bytes(self._buf[start:end])

    def readline(self, size: int | None = -1) -> bytes:
        limit = len(self._buf) if size is None or size < 0 else min(len(self._buf),
                                                                   self._pos + size)
        end = self._pos
        while end < limit:  # looked for a page at a time, not by copying the rest
            chunk = bytes(self._buf[end:min(limit, end + 4096)])
            found = chunk.find(b"\n")
            if found >= 0:
                end += found + 1
                break
            end += len(chunk)
        line = bytes(self._buf[self._pos:end])
        self._pos = max(self._pos, end)
        return line

    def __iter__(self):
        while True:
            line = self.readline()
            if not line:
                return
            yield line

    def seek(self, offset: int, whence: int = 0) -> int:
        if whence == 1:
            offset += self._pos
        elif whence == 2:
            offset += len(self._buf)
        if offset < 0:
            raise ValueError("negative seek position")
        self._pos = offset
        return offset

    def tell(self) -> int:
        return self._pos

    def close(self) -> None:
        self._buf = memoryview(b"")


class MappedFile(BufferFile):
    """Whoosh's BufferFile without the copy (see the module's docstring)."""

    def __init__(self, buf: memoryview, name=None, onclose=None):
        self._buf = buf
        self._name = name
        self.file = _View(buf)
        self.onclose = onclose
        self.is_real = False
        self.is_closed = False

    def subset(self, position, length, name=None):
        return MappedFile(self._buf[position:position + length], name=name or self._name)


def compound_view(storage: CompoundStorage, name: str) -> memoryview | None:
    """The bytes of file `name` of a compound segment as a view of its memory map, or None
    when the compound file is not memory-mapped."""
    source = getattr(storage, "_source", None)
    if not source:
        return None
    offset, length = storage.range(name)
    return memoryview(source)[offset:offset + length]


def _open_file(self, name, *args, **kwargs):
    if self.is_closed:
        raise StorageError("Storage was closed")
    view = compound_view(self, name)
    if view is None:
        return _ORIGINAL_OPEN_FILE(self, name, *args, **kwargs)
    return MappedFile(view, name=name)


def install() -> None:
    CompoundStorage.open_file = _open_file
