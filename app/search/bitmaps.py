"""Sets of documents as bitmaps, for counting and filtering without scoring.

A set of document numbers is a Python int with one *bit* per document (bit d for document d),
so `&`, `|` and `& ~` combine sets at C speed and `int.bit_count()` counts them (issue 13 §5:
a byte per document made every operation and count eight times the work). Facet values,
document kinds and query words become such sets by reading the term's posting list once;
the sets of facet values are cached for as long as the searcher is current.

A term's posting list is read once into two numpy arrays, document numbers and weights, kept
in a cache bounded in bytes (`POSTINGS_CACHE_BYTES`) for as long as the searcher is current:
the term's set and its BM25 scores (ranking.py) are made from them with vectorised
operations. The arrays come from the segment's decoded postings file (decoded.py: views into
the memory-mapped index, no decoding); a segment without one has its Whoosh blocks decoded
(zlib and pickle per block).
"""

from __future__ import annotations

import re
from array import array
from collections import OrderedDict
from itertools import accumulate

import numpy as np
from whoosh.idsets import DocIdSet
from whoosh.matching.wrappers import FilterMatcher
from whoosh.reading import TermNotFound

from app.search import decoded

_ONE = re.compile(b"\x01")
_TERM_CACHE = 512
_TERM_CACHE_BYTES = 16 * 1024 * 1024  # a set takes one bit per document
# Decoded posting lists (12 bytes a posting): at 20,000 models the terms of a few thousand
# queries. Both caches live as long as the searcher (one per worker, until the index changes).
POSTINGS_CACHE_BYTES = 64 * 1024 * 1024


def _unwrap(matcher):
    """The posting list under Whoosh's filter of deleted documents (callers intersect with
    `Bitmaps.alive` instead)."""
    while isinstance(matcher, FilterMatcher):
        matcher = matcher.child
    return matcher


def _every_posting(leaf, field: str, text: str):
    """A segment's posting list of a term, deleted documents included: a reader's
    postings() filters the deleted ones out, and the filter may already have stepped past
    the first of them, which would make a term's list (and its document frequency) depend
    on what was deleted where (the searches mask deleted documents with `alive`)."""
    try:
        return leaf._terms.matcher(field, leaf._text_to_bytes(field, text),
                                   leaf.schema[field].format)
    except AttributeError:  # not Whoosh's segment reader
        return leaf.postings(field, text)


def _postings(matcher) -> tuple[list[int], list[float]]:
    """(ids, weights) of a posting list, block by block (deleted documents included).
    Whoosh's generic all_ids() steps one posting at a time through Python calls, and even
    its block reader undoes the ids' delta coding in a Python generator: here each block's
    data is read (zlib and pickle, in C) and its ids summed up by itertools.accumulate."""
    matcher = _unwrap(matcher)
    ids: list[int] = []
    weights: list[float] = []
    if type(matcher).__name__ != "W3LeafMatcher":
        while matcher.is_active():
            ids.append(matcher.id())
            weights.append(matcher.weight())
            matcher.next()
        return ids, weights
    while matcher.is_active():
        start = matcher._i
        if matcher._ids is None and start == 0 and not matcher._byteids:
            if matcher._data is None:
                matcher._read_data()
            data = matcher._data
            ids.extend(accumulate(data[0]))
            block_weights = data[1]
            if block_weights is None or isinstance(block_weights, float):
                # as Whoosh's _read_weights: one weight for the block, as a 32-bit float
                one = 1.0 if block_weights is None else block_weights
                block_weights = array("f", [one]) * matcher._blocklength
            weights.extend(block_weights)
        else:
            if matcher._ids is None:
                matcher._read_ids()
            if matcher._weights is None:
                matcher._read_weights()
            ids.extend(matcher._ids[start:])
            weights.extend(matcher._weights[start:])
        if matcher._lastblock:
            break
        matcher._next_block()
    return ids, weights


class Bitmaps:
    """Document sets over one searcher's reader."""

    def __init__(self, searcher):
        self.searcher = searcher
        self.reader = searcher.reader()
        self.size = self.reader.doc_count_all()
        self.leaves = list(self.reader.leaf_readers())
        # The sets of the terms queried lately: at 20,000 documents about 6,500 of them
        self.term_cache = max(_TERM_CACHE, _TERM_CACHE_BYTES // max(1, self.size // 8))
        self._terms: OrderedDict[tuple[str, str], int] = OrderedDict()
        self._exists: dict[tuple[str, str], bool] = {}
        self._postings: OrderedDict[tuple[str, str], tuple[np.ndarray, np.ndarray]] = \
            OrderedDict()
        self._postings_bytes = 0
        self._decoded: dict[int, decoded.Reader | None] = {}
        self._initials: dict[tuple[str, str], list[str]] = {}
        self.nbytes = (self.size + 7) // 8
        alive = np.ones(self.size, dtype=np.uint8)
        for leaf, offset in self.leaves:
            for docnum in leaf.deleted_docs_set if hasattr(leaf, "deleted_docs_set") else ():
                alive[offset + docnum] = 0
        self.alive = self._bits(alive)

    @staticmethod
    def _bits(flags: np.ndarray) -> int:
        """The set of the documents whose flag (one uint8 per document) is 1."""
        return int.from_bytes(np.packbits(flags, bitorder="little").tobytes(), "little")

    def flags(self, bits: int) -> np.ndarray:
        """The set as one uint8 per document (1 = in the set)."""
        return np.unpackbits(np.frombuffer(bits.to_bytes(self.nbytes, "little"), np.uint8),
                             count=self.size, bitorder="little")

    def has(self, field: str, text: str) -> bool:
        """Whether any document has `text` in `field` (term lookups are slow in Whoosh:
        the answers are remembered for as long as this reader is current)."""
        key = (field, text)
        found = self._exists.get(key)
        if found is None:
            if len(self._exists) > 100_000:
                self._exists.clear()
            found = self._exists[key] = key in self.reader
        return found

    def words_starting(self, field: str, initial: str) -> list[str]:
        """The terms of `field` that begin with the character `initial`, in term order: the
        candidates of a typo's correction (query.py), read from the term dictionary once per
        field and initial for as long as this reader is current."""
        key = (field, initial)
        found = self._initials.get(key)
        if found is None:
            try:
                found = [t.decode("utf-8") if isinstance(t, bytes) else t
                         for t in self.reader.expand_prefix(field, initial)]
            except (TermNotFound, KeyError, ValueError, TypeError):  # no such field
                found = []
            self._initials[key] = found
        return found

    def term(self, field: str, text: str) -> int:
        """The documents containing `text` in `field`."""
        key = (field, text)
        found = self._terms.get(key)
        if found is not None:
            self._terms.move_to_end(key)
            return found
        found = 0
        if self.has(field, text):
            flags = np.zeros(self.size, dtype=np.uint8)
            flags[self.postings(field, text)[0]] = 1
            found = self._bits(flags) & self.alive
        self._terms[key] = found
        if len(self._terms) > self.term_cache:
            self._terms.popitem(last=False)
        return found

    def postings(self, field: str, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(document numbers, weights) of a term as arrays (int32 ascending, float64), deleted
        documents included. Kept within POSTINGS_CACHE_BYTES, the least recently used
        dropped first: building a term's set and scoring it read the same list."""
        key = (field, text)
        found = self._postings.get(key)
        if found is not None:
            self._postings.move_to_end(key)
            return found
        ids: list[np.ndarray] = []
        weights: list[np.ndarray] = []
        if self.has(field, text):
            for n, (leaf, offset) in enumerate(self.leaves):
                if len(self.leaves) > 1 and (field, text) not in leaf:
                    continue
                found = self._decoded_postings(n, field, text)
                if found is None:
                    leaf_ids, leaf_weights = _postings(_every_posting(leaf, field, text))
                    found = (np.array(leaf_ids, dtype=np.int32),
                             np.array(leaf_weights, dtype=np.float64))
                ids.append(found[0] + np.int32(offset) if offset else found[0])
                weights.append(found[1])
        if not ids:
            found = (np.zeros(0, dtype=np.int32), np.zeros(0))
        else:  # one segment's arrays as they are (views of its file), several concatenated
            found = (ids[0] if len(ids) == 1 else np.concatenate(ids),
                     (weights[0] if len(weights) == 1 else np.concatenate(weights))
                     .astype(np.float64, copy=False))
        self._postings[key] = found
        self._postings_bytes += 12 * len(found[0]) + 200
        while self._postings_bytes > POSTINGS_CACHE_BYTES and len(self._postings) > 1:
            _key, (old, _weights) = self._postings.popitem(last=False)
            self._postings_bytes -= 12 * len(old) + 200
        return found

    def _decoded_postings(self, n: int, field: str, text: str):
        """(ids, weights) of a term in the n-th segment from its decoded postings file
        (decoded.py), or None: the segment has no such file or it lacks the term."""
        reader = self._decoded.get(n, False)
        if reader is False:
            reader = self._decoded[n] = decoded.open_reader(self.leaves[n][0])
        if reader is None:
            return None
        try:
            info = self.leaves[n][0].term_info(field, text)
        except (TermNotFound, KeyError):
            return None
        if info.is_inlined():
            return None
        return reader.get(info.extent()[0])

    def query(self, query) -> int:
        """The documents matching a Whoosh query (used for phrases)."""
        flags = np.zeros(self.size, dtype=np.uint8)
        for docnum in self.searcher.docs_for_query(query):
            flags[docnum] = 1
        return self._bits(flags) & self.alive

    def docnums(self, bits: int) -> list[int]:
        """The document numbers in a set, ascending."""
        return self.array(bits).tolist()

    def array(self, bits: int) -> np.ndarray:
        """The document numbers in a set, ascending, as an array."""
        return np.flatnonzero(self.flags(bits))

    def mask(self, bits: int) -> bytes:
        """The set as one byte per document (1 = in the set), for fast membership tests."""
        return self.flags(bits).tobytes()

    def as_filter(self, bits: int) -> BitsFilter:
        return BitsFilter(self.mask(bits), bits.bit_count())


class BitsFilter(DocIdSet):
    """A document set Whoosh's collectors accept as `filter=` (membership test only)."""

    def __init__(self, data: bytes, count: int):
        self.data = data
        self.count = count

    def __contains__(self, docnum) -> bool:
        return 0 <= docnum < len(self.data) and self.data[docnum] == 1

    def __len__(self) -> int:
        return self.count

    def __bool__(self) -> bool:
        return self.count > 0

    def __iter__(self):
        return (match.start() for match in _ONE.finditer(self.data))


def count(bits: int) -> int:
    return bits.bit_count()


def at_least(sets: list[int], k: int) -> int:
    """The documents in at least `k` of `sets`."""
    if k <= 0:
        raise ValueError("k must be positive")
    levels = [0] * (k + 1)  # levels[j]: documents seen in at least j sets so far
    for bits in sets:
        for j in range(k, 1, -1):
            levels[j] |= levels[j - 1] & bits
        levels[1] |= bits
    return levels[k]
