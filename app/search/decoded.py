"""Decoded posting lists kept beside each segment of the index (issue 13 §5).

A query's first use of a term decoded its posting list from Whoosh's blocks (zlib and pickle
per block of postings, then the delta-coded ids added up): at 20,000 models that was a
third of a cold query and most of the service's p95. The writer has every term's document
numbers and weights in hand when it writes the blocks, so it also writes them, decoded, to
one more file of the segment (`<segment>.kpo`): per term, its document numbers as 32-bit
integers and its weights as 32-bit floats (the same values Whoosh stores: its weights are
32-bit floats), then a directory of the terms, keyed by where the term's blocks begin in the
segment's postings file (which Whoosh's term info gives), and a footer.

Whoosh assembles the file into the segment's compound file with the others and deletes it
with its segment. A reader maps it (the compound file is memory-mapped already, so the arrays
are views into the page cache, shared by every worker, not copied into each) and reads a
term's arrays with one binary search in the directory. A segment without the file (an index
written before it existed), a term missing from it, or a file that does not hold together
falls back to decoding the blocks: the file only ever saves time.

Layout (little-endian): per term, ids `<i4`[n] then weights `<f4`[n]; then the directory
(padded to 8 bytes): postings-file offsets `<i8`[T] (ascending), data offsets `<i8`[T],
counts `<i8`[T]; then the footer: MAGIC, T `<i8`, directory offset `<i8`.
"""

from __future__ import annotations

import logging
import mmap
import struct
import sys
from array import array

import numpy as np

log = logging.getLogger(__name__)

EXT = ".kpo"
MAGIC = b"KPO1"
_FOOTER = struct.Struct("<4sqq")
# The file is written only where the arrays' native layout is the file's (little-endian).
ENABLED = sys.byteorder == "little"


class Writer:
    """Collects the decoded postings of a segment's terms while Whoosh's blocks are written,
    and writes them to the segment's .kpo file."""

    def __init__(self, dbfile):
        self._file = dbfile
        self._pos = 0
        self._offsets = array("q")
        self._data = array("q")
        self._counts = array("q")

    def add(self, postings_offset: int, blocks: list[tuple[array, array]]) -> None:
        """A term whose blocks begin at `postings_offset` in the postings file: `blocks` are
        its (ids, weights) as written, block by block."""
        if self._offsets and postings_offset <= self._offsets[-1]:
            return  # not in file order: leave the term to the blocks
        if any(ids.itemsize != 4 or weights.typecode != "f" or len(ids) != len(weights)
               for ids, weights in blocks):
            return
        self._offsets.append(postings_offset)
        self._data.append(self._pos)
        self._counts.append(sum(len(ids) for ids, _weights in blocks))
        for part in (0, 1):
            for block in blocks:
                data = block[part].tobytes()
                self._file.write(data)
                self._pos += len(data)

    def close(self) -> None:
        padding = -self._pos % 8
        self._file.write(b"\0" * padding)
        directory = self._pos + padding
        for part in (self._offsets, self._data, self._counts):
            self._file.write(part.tobytes())
        self._file.write(_FOOTER.pack(MAGIC, len(self._offsets), directory))
        self._file.close()


class Reader:
    """The decoded postings of one segment (see the module's docstring)."""

    def __init__(self, buffer):
        self._buffer = buffer
        size = len(buffer)
        if size < _FOOTER.size:
            raise ValueError("too short")
        magic, terms, directory = _FOOTER.unpack(bytes(buffer[size - _FOOTER.size:]))
        if magic != MAGIC or terms < 0 or directory < 0 or directory % 8 \
                or directory + 24 * terms + _FOOTER.size != size:
            raise ValueError("not a decoded postings file")
        # Copied, so that they are aligned wherever the compound file put this one: numpy's
        # binary search over an unaligned array copies it first (18 µs instead of 2 per
        # look-up at 65,000 terms).
        self.offsets = np.frombuffer(buffer, "<i8", terms, directory).copy()
        self._data = np.frombuffer(buffer, "<i8", terms, directory + 8 * terms).copy()
        self._counts = np.frombuffer(buffer, "<i8", terms, directory + 16 * terms).copy()
        if terms and (np.any(np.diff(self.offsets) <= 0) or self._data.min() < 0
                      or self._counts.min() < 0
                      or np.any(self._data + 8 * self._counts > directory)):
            raise ValueError("inconsistent directory")

    def get(self, postings_offset: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(ids, weights) of the term whose blocks begin at `postings_offset` (int32, float32;
        read-only views of the file where they are aligned), or None when the file does not
        have that term."""
        offsets = self.offsets
        k = int(np.searchsorted(offsets, postings_offset))
        if k >= len(offsets) or offsets[k] != postings_offset:
            return None
        start, n = int(self._data[k]), int(self._counts[k])
        ids = np.frombuffer(self._buffer, "<i4", n, start)
        if not ids.flags.aligned:
            ids = ids.copy()  # an aligned copy indexes faster
        return ids, np.frombuffer(self._buffer, "<f4", n, start + 4 * n)


def _buffer(leaf):
    """The bytes of a segment reader's .kpo file without copying them (the compound file's
    memory map, or a map of the separate file), or None when the segment has none."""
    from whoosh.filedb.compound import CompoundStorage
    from whoosh.filedb.filestore import FileStorage, OverlayStorage, RamStorage

    from app.search.mapped import compound_view

    segment = getattr(leaf, "_segment", None)
    storage = getattr(leaf, "_storage", None)
    if segment is None or storage is None:
        return None
    name = segment.make_filename(EXT)
    stores = [storage.a, storage.b] if isinstance(storage, OverlayStorage) else [storage]
    for store in stores:
        if not store.file_exists(name):
            continue
        if isinstance(store, CompoundStorage):
            # not memory-mapped (None): decoding the blocks costs less than a copy
            return compound_view(store, name)
        if isinstance(store, RamStorage):
            return memoryview(store.files[name])
        if isinstance(store, FileStorage):
            with open(store._fpath(name), "rb") as f:
                if not f.seek(0, 2):
                    return None
                return memoryview(mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ))
    return None


def open_reader(leaf) -> Reader | None:
    """The decoded postings of a segment reader, or None (decode the blocks instead)."""
    if not ENABLED:
        return None
    try:
        buffer = _buffer(leaf)
        return Reader(buffer) if buffer is not None else None
    except (OSError, ValueError, KeyError, TypeError, NameError) as error:
        log.warning("search: decoded postings of a segment left aside: %s", error)
        return None
