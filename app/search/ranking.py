"""Ranking: BM25 scores per term, cached, and the top hits by the threshold algorithm.

Whoosh scores by walking its matcher tree in pure Python, a few microseconds per matching
document and clause. In this domain the words people type (työnantaja, osatyökykyinen,
palkkatuki) occur in a large share of all documents, so scoring every match costs tens of
milliseconds per query at 20,000 models. Instead each term's BM25 scores are computed once
per index version from its posting list (ids, weights) and the field lengths, and kept
sorted best first. A query's top hits then come from the heads of those lists (Fagin's
threshold algorithm): only as many documents are looked at as it takes to be sure of the
top k. The result is exact BM25F (the parts' weights are in the postings, see schema.py).
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections import OrderedDict

from whoosh.util.numeric import byte_to_length

from app.search.bitmaps import Bitmaps, count
from app.search.schema import FACETS

K1 = 1.2
B = 0.75
_LENGTHS = [byte_to_length(i) for i in range(256)]
_CACHE_ENTRIES = 2_000_000  # postings kept scored, in all lists together


class ScoreList:
    """Scores of the documents that have a term (or match a concept): `dense[docnum]` is the
    score of any document (0.0 without the term), `docs` the documents best first."""

    __slots__ = ("docs", "dense")

    def __init__(self, dense: array, docs: list[int]):
        # Sorted by score with a C-level key; equal scores keep ascending document numbers.
        docs.sort(key=dense.__getitem__, reverse=True)
        self.docs = array("l", docs)
        self.dense = dense

    def __len__(self) -> int:
        return len(self.docs)

    def get(self, docnum: int) -> float:
        return self.dense[docnum]


class Ranker:
    """Scores over one searcher's reader (cached for as long as it is current)."""

    def __init__(self, bitmaps: Bitmaps):
        self.bitmaps = bitmaps
        self.size = bitmaps.size
        self._norms: dict[str, tuple[array, int]] = {}
        self._cache: OrderedDict[object, ScoreList] = OrderedDict()
        self._entries = 0
        self.empty = ScoreList(self.zeros(), [])

    def zeros(self) -> array:
        return array("d", bytes(8 * self.size))

    def _field_norms(self, field: str) -> tuple[array, int]:
        """BM25's length normalisation K1 * (1 - B + B * length / average) per document, and
        the number of documents that have the field (the average is over those)."""
        found = self._norms.get(field)
        if found is None:
            lengths: list[int] = []
            for leaf, _offset in self.bitmaps.leaves:
                lengths.extend(_leaf_lengths(leaf, field))
            having = sum(1 for n in lengths if n)
            average = (sum(lengths) / having) if having else 1.0
            base, per_length = K1 * (1.0 - B), K1 * B / (average or 1.0)
            found = self._norms[field] = (array("d", [base + per_length * n for n in lengths]),
                                          having)
        return found

    def _remember(self, key, scores: ScoreList) -> ScoreList:
        self._cache[key] = scores
        self._entries += len(scores) + self.size // 8  # the dense array counts too
        while self._entries > _CACHE_ENTRIES and len(self._cache) > 1:
            _key, old = self._cache.popitem(last=False)
            self._entries -= len(old) + self.size // 8
        return scores

    def _cached(self, key) -> ScoreList | None:
        found = self._cache.get(key)
        if found is not None:
            self._cache.move_to_end(key)
        return found

    def term(self, field: str, text: str) -> ScoreList:
        """BM25 of `text` in `field` for every document that has it."""
        key = (field, text)
        found = self._cached(key)
        if found is not None:
            return found
        if not self.bitmaps.has(field, text):
            return self.empty
        if field in FACETS:
            return self._remember(key, self._code(field, text))
        norms, having = self._field_norms(field)
        ids, weights = self.bitmaps.postings(field, text)
        df = len(ids)
        scale = (K1 + 1.0) * math.log(1.0 + (max(having, df) - df + 0.5) / (df + 0.5))
        dense = self.zeros()
        for docnum, weight in zip(ids, weights, strict=True):
            dense[docnum] = scale * weight / (weight + norms[docnum])
        docs = list(ids)
        # Deleted documents stay in the postings until segments merge; the `allowed` mask
        # of every ranking leaves them out.
        return self._remember(key, ScoreList(dense, docs))

    def _code(self, field: str, code: str) -> ScoreList:
        """A code (a region, a target group): the same score for every document that has
        it, the BM25 of one occurrence in a document of average length."""
        docs = self.bitmaps.docnums(self.bitmaps.term(field, code))
        having = count(self.bitmaps.alive)
        df = len(docs)
        score = math.log(1.0 + (max(having, df) - df + 0.5) / (df + 0.5))
        dense = self.zeros()
        for docnum in docs:
            dense[docnum] = score
        return ScoreList(dense, docs)

    def concept(self, concept) -> ScoreList:
        """The scores of a query concept (query.Concept): the weighted sum of its terms, plus
        for its groups of terms a flat score in the documents that have all of them (for a
        compound's parts, a fallback that need not be finely ranked), and for a phrase the
        mean of its words' scores as well."""
        key = concept.key()
        found = self._cached(key)
        if found is not None:
            return found
        parts = [(self.term(field, text), weight) for field, text, weight in concept.leaves]
        parts = [(scores, weight) for scores, weight in parts if len(scores)]
        if len(parts) == 1 and parts[0][1] == 1.0 and not concept.groups:
            return parts[0][0]
        dense = None
        for scores, weight in sorted(parts, key=lambda p: -len(p[0])):
            if dense is None and weight == 1.0:
                dense = array("d", scores.dense)  # a copy at C speed
                continue
            if dense is None:
                dense = self.zeros()
            source = scores.dense
            for docnum in scores.docs:
                dense[docnum] += weight * source[docnum]
        if dense is None:
            dense = self.zeros()
        for field, texts, weight, bits, scored in concept.groups:
            flat = weight * sum(self._idf(field, text) for text in texts)
            docnums = self.bitmaps.docnums(bits)
            for docnum in docnums:
                dense[docnum] += flat
            if scored:  # a phrase: how often and where its words occur counts too
                for scores in (self.term(field, text) for text in texts):
                    source = scores.dense
                    for docnum in docnums:
                        dense[docnum] += source[docnum] / len(texts)
        return self._remember(key, ScoreList(dense, self.bitmaps.docnums(concept.bits)))

    def _idf(self, field: str, text: str) -> float:
        _norms, having = self._field_norms(field)
        df = count(self.bitmaps.term(field, text))
        return math.log(1.0 + (max(having, df) - df + 0.5) / (df + 0.5))


def _leaf_lengths(leaf, field: str) -> list[int]:
    count = leaf.doc_count_all()
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:
            return [0] * count
        table = _LENGTHS
        return [table[b] if b else 0 for b in column]
    except (AttributeError, ImportError):  # another codec: the slow public way
        return [leaf.doc_field_length(d, field) or 0 for d in range(count)]


def top(lists: list[ScoreList], allowed: bytes, want: int) -> list[tuple[int, float]]:
    """The `want` best (docnum, summed score) among documents allowed by the byte mask."""
    lists = [scores for scores in lists if len(scores)]
    if not lists or want <= 0:
        return []
    if len(lists) == 1:
        found = []
        dense = lists[0].dense
        for docnum in lists[0].docs:
            if allowed[docnum]:
                found.append((docnum, dense[docnum]))
                if len(found) == want:
                    break
        return found
    depth = max(2 * want, 32)
    while True:
        candidates: set[int] = set()
        bound = 0.0
        exhausted = True
        for scores in lists:
            taken = 0
            last = 0.0
            for docnum in scores.docs:
                if allowed[docnum]:
                    candidates.add(docnum)
                    taken += 1
                    if taken == depth:
                        last = scores.dense[docnum]
                        exhausted = False
                        break
            bound += last  # 0.0 when every allowed document of the list is a candidate
        denses = [scores.dense for scores in lists]
        best = heapq.nlargest(
            want, ((sum(dense[d] for dense in denses), -d) for d in candidates))
        if exhausted or (len(best) == want and best[-1][0] >= bound):
            return [(-negated, score) for score, negated in best]
        depth *= 4
