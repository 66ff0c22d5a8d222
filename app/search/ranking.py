"""Ranking: BM25 scores per term from its posting list, summed over a query's concepts as
numpy arrays, and the top hits among the allowed documents.

Whoosh scores by walking its matcher tree in pure Python, a few microseconds per matching
document and clause. In this domain the words people type (työnantaja, osatyökykyinen,
palkkatuki) occur in a large share of all documents, so scoring every match that way costs
tens of milliseconds per query at 20,000 models. Here a term's BM25 scores are computed from
its decoded posting list (document numbers and weights, cached by bitmaps.py) and the field
lengths (one array per field and searcher) with vectorised arithmetic, a concept's terms are
added into one array over all documents, and the best `want` of the allowed documents are
picked with a partial sort: every allowed document is scored exactly, in microseconds.

The arithmetic is IEEE double precision, element by element, in a fixed order (a concept's
terms longest list first, then its groups; then the concepts in the query's order), so a
document's score is the same to the last bit as adding the terms' scores one document at a
time (tests/search/test_speed.py). The result is exact BM25F (the parts' weights are in the
postings, see schema.py); equal scores rank by ascending document number.
"""

from __future__ import annotations

import math

import numpy as np
from whoosh.columns import NumericColumn
from whoosh.util.numeric import byte_to_length

from app.search.bitmaps import Bitmaps, count
from app.search.schema import FACETS

K1 = 1.2
B = 0.75
# A length byte to the length (whole numbers; 0: no such field in the document).
_LENGTHS = np.array([0] + [byte_to_length(i) for i in range(1, 256)], dtype=np.int64)


class ScoreList:
    """The BM25 scores of one term (or a code): `ids` the documents that have it (ascending,
    deleted ones included), `scores` theirs."""

    __slots__ = ("ids", "scores", "size")

    def __init__(self, ids: np.ndarray, scores: np.ndarray, size: int):
        self.ids = ids
        self.scores = scores
        self.size = size

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def dense(self) -> np.ndarray:
        """The score of every document (0.0 without the term)."""
        dense = np.zeros(self.size)
        dense[self.ids] = self.scores
        return dense

    def get(self, docnum: int) -> float:
        return float(self.dense[docnum])

    def add_to(self, total: np.ndarray, weight: float) -> None:
        """total[d] += weight * score(d) for the documents that have the term (for the others
        the term adds 0.0, which changes nothing)."""
        if weight == 1.0:
            total[self.ids] += self.scores
        else:
            total[self.ids] += weight * self.scores

    def totals(self) -> np.ndarray:
        return self.dense


class Ranker:
    """Scores over one searcher's reader (cached for as long as it is current)."""

    def __init__(self, bitmaps: Bitmaps):
        self.bitmaps = bitmaps
        self.size = bitmaps.size
        self._norms: dict[str, tuple[np.ndarray, int]] = {}
        self.empty = ScoreList(np.zeros(0, dtype=np.int32), np.zeros(0), self.size)

    def zeros(self) -> np.ndarray:
        return np.zeros(self.size)

    def _field_norms(self, field: str) -> tuple[np.ndarray, int]:
        """BM25's length normalisation K1 * (1 - B + B * length / average) per document, and
        the number of documents that have the field (the average is over those)."""
        found = self._norms.get(field)
        if found is None:
            parts = [_leaf_lengths(leaf, field) for leaf, _offset in self.bitmaps.leaves]
            lengths = np.concatenate(parts) if parts else np.zeros(0, dtype=np.int64)
            having = int(np.count_nonzero(lengths))
            average = (int(lengths.sum()) / having) if having else 1.0
            base, per_length = K1 * (1.0 - B), K1 * B / (average or 1.0)
            found = self._norms[field] = (base + per_length * lengths, having)
        return found

    def term(self, field: str, text: str) -> ScoreList:
        """BM25 of `text` in `field` for every document that has it."""
        if not self.bitmaps.has(field, text):
            return self.empty
        if field in FACETS:
            return self._code(field, text)
        norms, having = self._field_norms(field)
        ids, weights = self.bitmaps.postings(field, text)
        df = len(ids)
        scale = (K1 + 1.0) * math.log(1.0 + (max(having, df) - df + 0.5) / (df + 0.5))
        # Deleted documents stay in the postings until segments merge; the `allowed` mask
        # of every ranking leaves them out.
        return ScoreList(ids, (scale * weights) / (weights + norms[ids]), self.size)

    def _code(self, field: str, code: str) -> ScoreList:
        """A code (a region, a target group): the same score for every document that has
        it, the BM25 of one occurrence in a document of average length."""
        docs = self.bitmaps.array(self.bitmaps.term(field, code))
        having = count(self.bitmaps.alive)
        df = len(docs)
        score = math.log(1.0 + (max(having, df) - df + 0.5) / (df + 0.5))
        return ScoreList(docs, np.full(df, score), self.size)

    def concept(self, concept) -> ScoreList | ConceptScores:
        """The scores of a query concept (query.Concept): the weighted sum of its terms, plus
        for its groups of terms a flat score in the documents that have all of them (for a
        compound's parts, a fallback that need not be finely ranked), and for a phrase the
        mean of its words' scores as well. A concept of one term is that term's list."""
        parts = [(self.term(field, text), weight) for field, text, weight in concept.leaves]
        parts = [(scores, weight) for scores, weight in parts if len(scores)]
        if len(parts) == 1 and parts[0][1] == 1.0 and not concept.groups:
            return parts[0][0]
        # The order in which the terms' scores are added (the longest lists first).
        parts.sort(key=lambda p: -len(p[0]))
        groups = []
        for field, texts, weight, bits, scored in concept.groups:
            flat = weight * sum(self._idf(field, text) for text in texts)
            phrase = [self.term(field, text) for text in texts] if scored else []
            groups.append((flat, self.bitmaps.array(bits), phrase, len(texts)))
        return ConceptScores(self, parts, groups)

    def _idf(self, field: str, text: str) -> float:
        _norms, having = self._field_norms(field)
        df = count(self.bitmaps.term(field, text))
        return math.log(1.0 + (max(having, df) - df + 0.5) / (df + 0.5))


def _leaf_lengths(leaf, field: str) -> np.ndarray:
    """The field's length of each document of a segment (0 without the field)."""
    count = leaf.doc_count_all()
    try:
        from whoosh.codec.whoosh3 import LENGTHS_COLUMN, _lenfield

        column = leaf._perdoc._cached_reader(_lenfield(field), LENGTHS_COLUMN)
        if column is None:
            return np.zeros(count, dtype=np.int64)
        return _LENGTHS[_length_codes(column, count)]
    except (AttributeError, ImportError):  # another codec: the slow public way
        return np.array([leaf.doc_field_length(d, field) or 0 for d in range(count)],
                        dtype=np.int64)


def _length_codes(column, count: int) -> np.ndarray:
    """The length byte of each document from a lengths column (W3's NumericColumn("B"): a
    byte a document up to the last one with the field, 0 after): read as one slice of the
    segment's file rather than a Python call a document (15 ms at 20,000 models, in the
    first search to rank a field)."""
    if (type(column) is NumericColumn.Reader and column._typecode == "B"
            and column._fixedlen == 1):
        stored = min(column._count, count)
        codes = np.zeros(count, dtype=np.intp)
        if stored:
            codes[:stored] = np.frombuffer(column._dbfile.get(column._basepos, stored),
                                           dtype=np.uint8)
        return codes
    return np.fromiter(column, dtype=np.intp)


class ConceptScores:
    """The scores of a concept of several terms (see Ranker.concept)."""

    __slots__ = ("parts", "groups", "ranker", "_totals")

    def __init__(self, ranker: Ranker, parts: list[tuple[ScoreList, float]], groups: list):
        self.ranker = ranker
        self.parts = parts  # (term scores, weight), in the order they are added
        self.groups = groups  # (flat score, documents, [phrase words' scores], n)
        self._totals = None

    def __len__(self) -> int:
        return sum(len(scores) for scores, _weight in self.parts) + len(self.groups)

    def totals(self) -> np.ndarray:
        """The concept's score of every document: the terms' weighted scores added in the
        order of `parts`, then each group's flat score (and a phrase's mean word score)."""
        if self._totals is None:
            total = self.ranker.zeros()
            for scores, weight in self.parts:
                scores.add_to(total, weight)
            for flat, docs, phrase, n in self.groups:
                total[docs] += flat
                for scores in phrase:
                    total[docs] += scores.dense[docs] / n
            self._totals = total
        return self._totals

    def get(self, docnum: int) -> float:
        return float(self.totals()[docnum])


def top(lists: list, allowed: bytes, want: int) -> list[tuple[int, float]]:
    """The `want` best (docnum, summed score) among documents allowed by the byte mask; equal
    scores by ascending document number. `lists` are a query's concepts (ScoreList or
    ConceptScores), added in their order."""
    lists = [scores for scores in lists if len(scores)]
    if not lists or want <= 0:
        return []
    docs = np.flatnonzero(np.frombuffer(allowed, dtype=np.uint8))
    if not len(docs):
        return []
    values = lists[0].totals()[docs]
    for scores in lists[1:]:
        values = values + scores.totals()[docs]
    if len(docs) > want:
        # The want-th best score; every document scoring at least that is a candidate
        # (ties across the cut are decided by document number below).
        cut = np.partition(values, len(values) - want)[len(values) - want]
        chosen = np.flatnonzero(values >= cut)
        docs, values = docs[chosen], values[chosen]
    order = np.lexsort((docs, -values))[:want]
    return [(int(d), float(v)) for d, v in zip(docs[order].tolist(), values[order].tolist(),
                                                strict=True)]
