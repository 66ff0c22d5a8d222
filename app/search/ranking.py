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
from collections import OrderedDict, deque
from itertools import repeat
from operator import add, mul, truediv

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
        # dense[docnum] = scale * weight / (weight + norms[docnum]), looped in C
        values = map(truediv, map(mul, repeat(scale), weights),
                     map(add, weights, map(norms.__getitem__, ids)))
        deque(map(dense.__setitem__, ids, values), 0)
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

    def concept(self, concept) -> ScoreList | ConceptScores:
        """The scores of a query concept (query.Concept): the weighted sum of its terms, plus
        for its groups of terms a flat score in the documents that have all of them (for a
        compound's parts, a fallback that need not be finely ranked), and for a phrase the
        mean of its words' scores as well.

        A concept of one term is that term's list. Otherwise nothing is summed here: the
        concept keeps its terms' cached lists, and `top` looks only at their heads and sums
        the scores of the few documents it considers (in the same order as summing whole
        arrays would, so the scores are the same to the last bit)."""
        parts = [(self.term(field, text), weight) for field, text, weight in concept.leaves]
        parts = [(scores, weight) for scores, weight in parts if len(scores)]
        if len(parts) == 1 and parts[0][1] == 1.0 and not concept.groups:
            return parts[0][0]
        # The order in which the terms' scores are added (the longest lists first).
        parts.sort(key=lambda p: -len(p[0]))
        groups = []
        for field, texts, weight, bits, scored in concept.groups:
            flat = weight * sum(self._idf(field, text) for text in texts)
            phrase = [self.term(field, text).dense for text in texts] if scored else []
            groups.append((flat, bits.to_bytes(self.size, "little"), phrase, len(texts), bits))
        return ConceptScores(self, parts, groups)

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


class ConceptScores:
    """The scores of a concept of several terms, unsummed (see Ranker.concept)."""

    __slots__ = ("parts", "groups", "ranker", "_heads")

    def __init__(self, ranker: Ranker, parts: list[tuple[ScoreList, float]], groups: list):
        self.ranker = ranker
        self.parts = parts  # (term scores, weight), in the order they are added
        self.groups = groups  # (flat score, byte mask, [phrase words' dense scores], n, bits)
        self._heads = None

    def __len__(self) -> int:
        return sum(len(scores) for scores, _weight in self.parts) + len(self.groups)

    def get(self, docnum: int) -> float:
        """The concept's score of a document: the terms' weighted scores added in the order
        of `parts`, then each group's (as Ranker.concept once summed whole arrays)."""
        total = 0.0
        for scores, weight in self.parts:
            total += weight * scores.dense[docnum]
        for flat, mask, phrase, n, _bits in self.groups:
            if mask[docnum]:
                total += flat
                for dense in phrase:
                    total += dense[docnum] / n
        return total

    def heads(self) -> list[tuple[array, object, float]]:
        """(documents best first, their scores, weight) of each part: the lists whose heads
        the threshold algorithm reads. A group is a list of its documents with the highest
        score any of them can have from the group."""
        if self._heads is None:
            heads = [(scores.docs, scores.dense, weight) for scores, weight in self.parts]
            for flat, _mask, phrase, n, bits in self.groups:
                docs = self.ranker.bitmaps.docnums(bits)
                if phrase:  # few documents have the phrase: score them
                    scored = self.ranker.zeros()
                    for docnum in docs:
                        scored[docnum] = flat + sum(dense[docnum] for dense in phrase) / n
                    group = ScoreList(scored, docs)
                    heads.append((group.docs, group.dense, 1.0))
                else:
                    heads.append((array("l", docs), _Flat(flat), 1.0))
            self._heads = heads
        return self._heads


class _Flat:
    """The same score for every document of a group (only read at documents of the group)."""

    __slots__ = ("value",)

    def __init__(self, value: float):
        self.value = value

    def __getitem__(self, _docnum: int) -> float:
        return self.value


def top(lists: list, allowed: bytes, want: int) -> list[tuple[int, float]]:
    """The `want` best (docnum, summed score) among documents allowed by the byte mask; equal
    scores by ascending document number. `lists` are a query's concepts (ScoreList or
    ConceptScores).

    Fagin's threshold algorithm over the terms' lists: take the best allowed documents of
    each list down to a depth, score them exactly, and stop when the last of the best has a
    higher score than any document not yet seen could have (the sum of the lists' scores at
    that depth); otherwise look deeper."""
    lists = [scores for scores in lists if len(scores)]
    if not lists or want <= 0:
        return []
    if len(lists) == 1 and isinstance(lists[0], ScoreList):
        found = []
        dense = lists[0].dense
        for docnum in lists[0].docs:
            if allowed[docnum]:
                found.append((docnum, dense[docnum]))
                if len(found) == want:
                    break
        return found
    heads = []
    getters = []
    for scores in lists:
        if isinstance(scores, ScoreList):
            heads.append((scores.docs, scores.dense, 1.0))
            getters.append(scores.dense.__getitem__)
        else:
            heads.extend(scores.heads())
            getters.append(scores.get)
    if len(getters) == 1:
        get = getters[0]
    else:

        def get(docnum):
            return sum(g(docnum) for g in getters)

    depth = max(2 * want, 32)
    scored: dict[int, float] = {}
    while True:
        bound = 0.0
        exhausted = True
        for docs, dense, weight in heads:
            taken = 0
            for docnum in docs:
                if allowed[docnum]:
                    if docnum not in scored:
                        scored[docnum] = get(docnum)
                    taken += 1
                    if taken == depth:
                        bound += weight * dense[docnum]
                        exhausted = False
                        break
        best = heapq.nlargest(want, ((score, -d) for d, score in scored.items()))
        # A margin for rounding: the bound is summed in another order than the scores.
        if exhausted or (len(best) == want and best[-1][0] > bound * (1 + 1e-9)):
            return [(-negated, score) for score, negated in best]
        depth *= 4
