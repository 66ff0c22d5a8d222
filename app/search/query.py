"""Reading what people type, and turning it into Whoosh queries and document sets.

Syntax: words; "quoted phrases"; -word, -"phrase" or NOT word to exclude; `a OR b` (also
TAI, ELLER) for either. It forgives: nothing typed can make this raise or turn words that
match into no results. An unclosed quote is plain words, punctuation and stray operators
(+ * : ~ ^ ( ) [ ] & | ..., an operator at the start, the end or doubled) are ignored, `AND`
(JA, OCH) is a no-op, input is cut to `MAX_QUERY_CHARS`, control characters are dropped.

A word is looked for in every language at once: each content language's analyzer turns it
into that language's terms, which are looked up in that language's fields (so "työllistämisen"
finds Finnish text, "anställningar" Swedish text). It is also looked up as written (the
`raw` field), in organisation names, region names and code-list labels. A word of six letters
or more that the index does not know is corrected to the nearest indexed words (one edit).
Folding: a word typed without diacritics looks up its folded form and stem in `fold_<lang>`
(the written words with ä, ö, å, ...), and a word typed with them also looks up the word
written without them, both at a lower weight so that the exact spelling ranks first.
A Finnish word's other readings (Voikko, see analysis.py) are looked up at a lower weight.

The result of building is a `Concept` per thing asked for: the set of documents it matches
(a bitmap) and the weighted terms that score it (see ranking.py).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from itertools import product

from whoosh import query as wq

try:  # typo corrections: edit distances in C++ (see Builder._within)
    from rapidfuzz.distance.Levenshtein import distance as _levenshtein
    from rapidfuzz.process import extract as _extract
except ImportError:  # pragma: no cover - rapidfuzz is a dependency (pyproject.toml)
    _levenshtein = _extract = None

from app.search.analysis import (
    ALL_STOPWORDS,
    LANGUAGES,
    MAX_QUERY_CHARS,
    MAX_WORD_CHARS,
    STOPWORDS,
    analyse_word,
    clean_text,
    fold,
    fold_terms,
    neutral_terms,
    readings,
    words,
)
from app.search.bitmaps import Bitmaps
from app.search.budget import Budget
from app.search.schema import FACETS, fold_field, phrase_field, text_field


@lru_cache(maxsize=1)
def label_index() -> dict[str, tuple[tuple[str, str], ...]]:
    """Word of a code-list label (in any language, as written or as a lemma) -> the
    (facet, code) pairs whose labels have it."""
    found: dict[str, set[tuple[str, str]]] = {}
    for facet in LABEL_FACETS:
        codes = FACETS[facet][0]
        for code in codes.codes:
            for label in codes.all_labels(code).values():
                for word in words(label):
                    if word in ALL_STOPWORDS or word.isdigit() or len(word) < 3:
                        continue
                    for term in neutral_terms(word):
                        found.setdefault(term, set()).add((facet, code))
    return {term: tuple(sorted(pairs)) for term, pairs in found.items()}

MAX_GROUPS = 10
MAX_ALTERNATIVES = 5
MAX_EXCLUDED = 5
MAX_PHRASE_WORDS = 8
FUZZY_MIN_LENGTH = 6
FUZZY_CANDIDATES = 3
# The work one query can ask for (issue 13 §3; see also analysis.MAX_WORD_CHARS and the time
# budget in budget.py): words looked up in all (the words of every group, alternative, phrase
# and exclusion), typo corrections (one automaton walk over the word lists each, the page's
# and "did you mean"'s together), and terms a thesaurus expansion may add to one concept.
MAX_QUERY_WORDS = 20
MAX_CORRECTIONS = 8
MAX_PHRASES = 3  # a phrase is looked up in the positions of every document having its words
MAX_EXPANSIONS = 6

# Where a word may match, and how much a match there weighs (the parts of a document's own
# text are weighted inside its text field, see schema.py).
ORG_BOOST = 2.5
LABEL_BOOSTS = {"regions": 2.0}  # a word of a code's label: a place name weighs more
LABEL_BOOST = 0.8
LABEL_FACETS = ("regions", "target_groups", "work_forms", "stage", "evidence", "org_type")
RAW_BOOST = 0.3
PARTS_BOOST = 0.5  # all parts of a compound, but not the compound itself
FUZZY_FACTOR = 0.6
PHRASE_BOOST = 2.0
FOLD_BOOST = 0.4  # matched only with the diacritics folded: below the exact spelling
READING_BOOST = 0.5  # another reading of the word (tuen: tukea besides tuki)
# Operators that only join (a no-op) and those that make the next word an alternative or an
# exclusion; upper-case only, so that the words themselves can still be searched for.
# Letters a word typed without diacritics may stand for (Finnish and Swedish, and é).
_RESTORE = {"a": "aäå", "o": "oö", "e": "eé", "u": "uü"}
RESTORE_TRIES = 256
NOOP_WORDS = frozenset({"AND", "JA", "OCH", "&&", "&"})
OR_WORDS = frozenset({"OR", "TAI", "ELLER", "||", "|"})
NOT_WORDS = frozenset({"NOT"})
CORRECTION_FIELDS = ("raw", *(text_field(lang) for lang in LANGUAGES))

_BOOST_SUFFIX = re.compile(r"(?<=\w)[~^][\d.]*(?=\W*$)")
_TOKEN = re.compile(r'(-?)"([^"]*)"?|(\S+)')



@dataclass(frozen=True)
class Word:
    text: str


@dataclass(frozen=True)
class Phrase:
    words: tuple[str, ...]


@dataclass
class ParsedQuery:
    groups: list[list[Word | Phrase]] = field(default_factory=list)  # each: alternatives
    excluded: list[Word | Phrase] = field(default_factory=list)

    @property
    def is_empty(self) -> bool:
        return not self.groups and not self.excluded

    def words(self) -> list[str]:
        found = []
        for group in self.groups:
            for item in group:
                found.extend([item.text] if isinstance(item, Word) else item.words)
        return found


def parse_query(text: str | None) -> ParsedQuery:
    """The parsed query; never raises."""
    text = clean_text(text)[:MAX_QUERY_CHARS]
    parsed = ParsedQuery()
    join_next = False
    exclude_next = False
    for match in _TOKEN.finditer(text):
        minus, phrase, bare = match.groups()
        if bare is not None:
            if bare in OR_WORDS:
                join_next = bool(parsed.groups)
                continue
            if bare in NOOP_WORDS:
                continue
            if bare in NOT_WORDS:
                exclude_next = True  # only if a word follows
                continue
            # A minus right before a word excludes it ("-word", "--word"); a lone minus,
            # or one before punctuation only, is nothing.
            bare = _BOOST_SUFFIX.sub("", bare)  # word^2, word~1: Lucene's, not words
            stripped = bare.lstrip("-")
            minus = "-" if stripped != bare and stripped[:1].isalnum() else ""
            items = [Word(w) for w in words(bare)]
        else:
            phrase_words = words(phrase)[:MAX_PHRASE_WORDS]
            closed = match.group(0).endswith('"') and len(match.group(0)) > len(minus) + 1
            if len(phrase_words) > 1 and closed:
                items = [Phrase(tuple(phrase_words))]
            else:  # an unclosed quote: the words alone
                items = [Word(w) for w in phrase_words]
        if not items:
            continue
        if exclude_next:
            minus, exclude_next = "-", False
        for item in items:
            if minus:
                if len(parsed.excluded) < MAX_EXCLUDED:
                    parsed.excluded.append(item)
            elif join_next and parsed.groups:
                if len(parsed.groups[-1]) < MAX_ALTERNATIVES:
                    parsed.groups[-1].append(item)
                join_next = False
            elif len(parsed.groups) < MAX_GROUPS:
                parsed.groups.append([item])
        join_next = False
    return _capped(_without_stopwords(parsed))


def _without_stopwords(parsed: ParsedQuery) -> ParsedQuery:
    def keep(item):
        return not (isinstance(item, Word) and item.text in ALL_STOPWORDS)

    groups = [[item for item in group if keep(item)] for group in parsed.groups]
    groups = [group for group in groups if group]
    if groups or not parsed.groups:
        parsed.groups = groups
    parsed.excluded = [item for item in parsed.excluded if keep(item)]
    return parsed


def _capped(parsed: ParsedQuery) -> ParsedQuery:
    """At most MAX_QUERY_WORDS words in all and MAX_PHRASES phrases, the first ones typed:
    groups, then exclusions (helper "abuse", issue 13 §3: keep this call at the end of
    parse_query)."""
    left, phrases = MAX_QUERY_WORDS, MAX_PHRASES

    def take(item):
        nonlocal left, phrases
        if isinstance(item, Phrase):
            if not phrases:
                return None
            phrases -= 1
        size = 1 if isinstance(item, Word) else len(item.words)
        if size > left:
            item = Phrase(item.words[:left]) if left > 1 else None
            size = left if item else 0
        left -= size
        return item

    groups = [[x for x in (take(item) for item in group) if x] for group in parsed.groups]
    parsed.groups = [group for group in groups if group]
    parsed.excluded = [x for x in (take(item) for item in parsed.excluded) if x]
    return parsed


# --- building -------------------------------------------------------------------------------


@dataclass
class Concept:
    """One thing the person asked for (a word, a phrase, or alternatives joined by OR):
    where it matches and how those matches score."""

    bits: int = 0  # the documents matching it
    leaves: list[tuple[str, str, float]] = field(default_factory=list)  # (field, term, weight)
    # All of several terms (a compound's parts, a phrase's words) in documents `bits`;
    # `scored`: add the terms' own scores (phrases), or only a flat bonus (parts).
    groups: list[tuple[str, tuple[str, ...], float, int, bool]] = field(default_factory=list)
    # For highlighting: the main terms per language, the parts of compounds typed, the words
    # as written.
    terms: dict[str, set[str]] = field(default_factory=lambda: {lang: set() for lang in LANGUAGES})
    parts: dict[str, set[str]] = field(default_factory=lambda: {lang: set() for lang in LANGUAGES})
    raw: set[str] = field(default_factory=set)  # words as written, for highlighting
    folds: set[str] = field(default_factory=set)  # folded terms that matched (highlighting)
    folded: set[str] = field(default_factory=set)  # typed words found only through folding
    corrections: dict[str, str] = field(default_factory=dict)  # typed -> indexed word
    unknown: set[str] = field(default_factory=set)  # typed words found nowhere
    thesaurus: object | None = None  # what the domain thesaurus added (expansion.Expanded)

    @property
    def matches(self) -> bool:
        return bool(self.leaves or self.groups)

    def key(self) -> tuple:
        return (tuple(sorted(self.leaves)),
                tuple(sorted((f, t, w, scored) for f, t, w, _bits, scored in self.groups)))


class Builder:
    """Builds concepts against one reader (it checks which terms exist)."""

    def __init__(self, bitmaps: Bitmaps, budget: Budget | None = None):
        self.bitmaps = bitmaps
        self.reader = bitmaps.reader
        self.budget = budget or Budget(None)
        self.words_looked_up = 0  # words analysed and looked up, corrections included
        self.corrections_made = 0  # walks of the word lists for typos (MAX_CORRECTIONS)

    def has(self, fieldname: str, term: str) -> bool:
        return self.bitmaps.has(fieldname, term)

    def expand_across_languages(self, groups: list[list[Word | Phrase]],
                                concepts: list[Concept]) -> None:
        """Add the domain thesaurus's other terms (synonyms, and the same concept in the
        other languages, at most MAX_EXPANSIONS per set) to the concepts built from
        `groups`, one concept per group; see expansion.py."""
        from app.search import expansion

        expansion.expand(self, groups, concepts)

    def concept(self, items: list[Word | Phrase], fuzzy: bool = True,
                strict: bool = False) -> Concept:
        """`strict` (for exclusions): the words themselves only, not the parts of compounds
        and not corrections of typos."""
        concept = Concept()
        for item in items:
            if isinstance(item, Word):
                self._word(item.text, concept, fuzzy=fuzzy and not strict, parts=not strict)
            else:
                self._phrase(item.words, concept)
        return concept

    def _leaf(self, concept: Concept, fieldname: str, term: str, weight: float) -> bool:
        if not self.has(fieldname, term):
            return False
        concept.bits |= self.bitmaps.term(fieldname, term)
        concept.leaves.append((fieldname, term, weight))
        return True

    def _word(self, word: str, concept: Concept, fuzzy: bool, factor: float = 1.0,
              parts: bool = True) -> None:
        self.words_looked_up += 1
        known = False
        for lang in LANGUAGES:
            main, extras = analyse_word(word, lang)
            concept.terms[lang].add(main)
            text = text_field(lang)
            if main and self._leaf(concept, text, main, factor):
                known = True
            pieces = tuple(x for x in extras if x not in STOPWORDS[lang]) if parts else ()
            if len(pieces) > 1 and all(self.has(text, x) for x in pieces):
                concept.parts[lang].update(pieces)
                both = self.bitmaps.term(text, pieces[0])
                for x in pieces[1:]:
                    both &= self.bitmaps.term(text, x)
                if both:
                    concept.bits |= both
                    concept.groups.append((text, pieces, PARTS_BOOST * factor, both, False))
            for reading in readings(word, lang):
                if reading not in STOPWORDS[lang] and self._leaf(
                        concept, text, reading, READING_BOOST * factor):
                    concept.terms[lang].add(reading)
                    known = True
        concept.raw.add(word)
        known = self._leaf(concept, "raw", word, RAW_BOOST * factor) or known
        if self._folded(word, concept, factor) and not known:
            known = True
            concept.folded.add(word)
        labels = label_index()
        for term in neutral_terms(word):
            known = self._leaf(concept, "org", term, ORG_BOOST * factor) or known
            for facet, code in labels.get(term, ()):
                boost = LABEL_BOOSTS.get(facet, LABEL_BOOST)
                known = self._leaf(concept, facet, code, boost * factor) or known
        if not known:
            concept.unknown.add(word)
            if fuzzy and len(word) >= FUZZY_MIN_LENGTH:
                for candidate in self.corrections(word, maxdist=1)[:FUZZY_CANDIDATES]:
                    concept.corrections.setdefault(word, candidate)
                    concept.raw.add(candidate)
                    self._word(candidate, concept, fuzzy=False, factor=FUZZY_FACTOR)

    def _folded(self, word: str, concept: Concept, factor: float) -> bool:
        """Look the word up with its diacritics folded; whether anything matched."""
        found = False
        folded = fold(word)
        if folded != word:  # typed with diacritics: the word as written without them
            concept.raw.add(folded)
            weight = FOLD_BOOST * factor
            found = self._leaf(concept, "raw", folded, RAW_BOOST * weight)
            for lang in LANGUAGES:
                main = analyse_word(folded, lang)[0]
                if main and self._leaf(concept, text_field(lang), main, weight):
                    concept.terms[lang].add(main)
                    found = True
            return found
        if not word.isalpha():
            return False
        for lang in LANGUAGES:
            for term in fold_terms(word, lang):
                if self._leaf(concept, fold_field(lang), term, FOLD_BOOST * factor):
                    concept.folds.add(term)
                    found = True
        return found

    def _phrase(self, phrase_words: tuple[str, ...], concept: Concept) -> None:
        self.words_looked_up += len(phrase_words)
        for lang in LANGUAGES:
            mains = [analyse_word(w, lang)[0] for w in phrase_words if w not in STOPWORDS[lang]]
            mains = tuple(m for m in mains if m)
            concept.terms[lang].update(mains)
            text = text_field(lang)
            if len(mains) < 2 or not all(self.has(text, m) for m in mains):
                continue
            every = self.bitmaps.term(text, mains[0])
            for main in mains[1:]:
                every &= self.bitmaps.term(text, main)
            if not every:
                continue
            found = self.bitmaps.query(wq.Phrase(phrase_field(lang), list(mains), slop=1))
            if found:
                concept.bits |= found
                concept.groups.append((text, mains, PHRASE_BOOST, found, True))
        concept.raw.update(phrase_words)

    def restorations(self, word: str) -> list[str]:
        """Words as written (the `raw` field) that are `word` with its diacritics restored
        (osatyokykyiset -> osatyökykyiset), most frequent first; at most RESTORE_TRIES
        spellings are tried."""
        if not word.isalpha() or len(word) > 40 or fold(word) != word:
            return []
        choices = [_RESTORE.get(c, c) for c in word]
        found: dict[str, int] = {}
        for tried, letters in enumerate(product(*choices)):
            if tried >= RESTORE_TRIES:
                break
            candidate = "".join(letters)
            if candidate != word and self.has("raw", candidate):
                found[candidate] = self.reader.doc_frequency("raw", candidate)
        return sorted(found, key=lambda w: (-found[w], w))

    def _within(self, fieldname: str, word: str, maxdist: int) -> list[str]:
        """The indexed terms of `fieldname` within `maxdist` (Levenshtein) edits of `word`
        that share its first letter: what Whoosh's `terms_within(..., prefix=1)` gives.
        With rapidfuzz (C++), the distances to the field's words of that initial (read once
        per reader, Bitmaps.words_starting) take well under a millisecond; Whoosh walks its
        word list with a pure-Python automaton (several milliseconds a field, tens with two
        edits), the fallback when rapidfuzz is not installed."""
        if not word:
            return []
        if _levenshtein is None:  # pragma: no cover - rapidfuzz is a dependency
            found: list[str] = []
            # Per segment: a segment walks its word list with a Levenshtein automaton, while
            # the multi-segment reader would compute the distance to every word.
            for leaf, _offset in self.bitmaps.leaves:
                try:
                    found.extend(leaf.terms_within(fieldname, word, maxdist, prefix=1))
                except (KeyError, ValueError, TypeError):
                    continue
            return found
        candidates = self.bitmaps.words_starting(fieldname, word[0])
        return [candidates[i] for _word, _distance, i in _extract(
            word, candidates, scorer=_levenshtein, score_cutoff=maxdist, limit=None)]

    def corrections(self, word: str, maxdist: int = 1,
                    fields: tuple[str, ...] = CORRECTION_FIELDS) -> list[str]:
        """Indexed words within `maxdist` edits of `word`, most frequent first: words as
        written in titles, summaries and tags, and the base forms of all the text.
        Nothing for a word longer than MAX_WORD_CHARS, past MAX_CORRECTIONS in this query,
        or when the time budget has run out.
        One search's builders share their corrections (the page's models, organisations and
        calls through one budget)."""
        key = (word, maxdist, fields)
        known = self.budget.corrections.get(key)
        if known is not None:
            return list(known)
        if (len(word) > MAX_WORD_CHARS or len(self.budget.corrections) >= MAX_CORRECTIONS
                or self.budget.skip()):
            return []
        self.corrections_made += 1
        self.budget.corrections[key] = found = self._corrections(word, maxdist, fields)
        return list(found)

    def _corrections(self, word: str, maxdist: int, fields: tuple[str, ...]) -> list[str]:
        found: dict[str, int] = {}
        for fieldname in fields:
            for candidate in self._within(fieldname, word, maxdist):
                if candidate != word and candidate.isalpha():
                    frequency = self.reader.doc_frequency(fieldname, candidate)
                    found[candidate] = max(found.get(candidate, 0), frequency)
            # Two letters the wrong way round are two edits for Levenshtein, one typo for us.
            for i in range(1, len(word) - 1):
                swapped = word[:i] + word[i + 1] + word[i] + word[i + 2:]
                if swapped != word and self.has(fieldname, swapped):
                    frequency = self.reader.doc_frequency(fieldname, swapped)
                    found[swapped] = max(found.get(swapped, 0), frequency)
        return sorted(found, key=lambda w: (-found[w], w))
