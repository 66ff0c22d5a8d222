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
        rest = bytes(self._buf[self._pos:])
        cut = rest.find(b"\n") + 1 or len(rest)
        if size is not None and size >= 0:
            cut = min(cut, size)
        self._pos += cut
        return rest[:cut]

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


def _open_file(self, name, *args, **kwargs):
    if self.is_closed:
        raise StorageError("Storage was closed")
    source = getattr(self, "_source", None)
    if not source:
        return _ORIGINAL_OPEN_FILE(self, name, *args, **kwargs)
    offset, length = self.range(name)
    return MappedFile(memoryview(source)[offset:offset + length], name=name)


def install() -> None:
    CompoundStorage.open_file = _open_file
