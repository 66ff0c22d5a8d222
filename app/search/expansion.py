"""Query expansion with the domain thesaurus (the concept sets of thesaurus.py).

Each process keeps the live sets as a map from analysed terms to sets, built once and
rebuilt when the table changed: its version (one cheap query) is checked at most every
SEARCH_THESAURUS_RECHECK_SECONDS, and at once after an edit made in this process, so an
administrator's change takes effect on the next searches without rebuilding the index.

A query word or run of words (or a quoted phrase) that is a term of a set in some language,
matched on lemmas (palkkatuella, lönesubventionen, pay subsidies) or on the words folded
without diacritics (lonesubvention), adds the set's other terms to the concept(s) of those
words, at most MAX_EXPANSIONS per set and at a lower weight: synonyms in the same language,
and the terms of the other languages, each looked up in its own language's field (a term of
several words as a phrase). The ranking shows the documents that have a term in the query's
own language first, then those found through another language (tiers()); a hit found only
through another language says which term found it (mark_hits()).
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field

from flask import current_app, has_app_context
from sqlalchemy import func, select
from whoosh import query as wq

from app.extensions import db
from app.search.analysis import ALL_STOPWORDS, LANGUAGES, STOPWORDS, analyse_word, words
from app.search.schema import phrase_field, text_field
from app.search.thesaurus import (
    RECHECK_SECONDS,
    SearchConcept,
    _key_words,
    fold,
    live_concepts,
    split_terms,
    term_key,
)

MAX_SETS_PER_MATCH = 3  # concept sets one query word or phrase may expand to
SYNONYM_WEIGHT = 0.8  # another term of the query's own language
FOREIGN_WEIGHT = 0.5  # a term of another language


# --- the in-memory map ---------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    lang: str
    text: str  # as written in the set
    mains: tuple[str, ...]  # its words' main terms in `lang`, stop words left out


@dataclass(frozen=True)
class ConceptSet:
    slug: str
    terms: tuple[Term, ...]


class Thesaurus:
    """Every live set, and a map from a term's analysed words (per language, and folded as
    written) to the sets that have it."""

    def __init__(self, version: tuple, sets: list[ConceptSet]):
        self.version = version
        self.sets = sets
        self.keys: dict[tuple, list[tuple[int, str, str]]] = {}  # key -> [(set, lang, term)]
        self.longest = 1
        for index, concept in enumerate(sets):
            for term in concept.terms:
                written = _key_words(term.text)
                if not written or not term.mains:
                    continue
                self.longest = max(self.longest, len(written), len(term.mains))
                folded = ("", tuple(fold(w) for w in written))
                for key in ((term.lang, term_key(term.text, term.lang)), folded):
                    found = self.keys.setdefault(key, [])
                    if (index, term.lang, term.text) not in found:
                        found.append((index, term.lang, term.text))

    def __bool__(self) -> bool:
        return bool(self.sets)

    def lookup(self, typed: list[str]) -> list[tuple[int, str, str]]:
        """(set, language, term) of the terms that the typed words are."""
        found: list[tuple[int, str, str]] = []
        for lang in LANGUAGES:
            mains = tuple(analyse_word(w, lang)[0] for w in typed)
            found.extend(pair for pair in self.keys.get((lang, mains), ()) if pair not in found)
        found.extend(pair for pair in self.keys.get(("", tuple(fold(w) for w in typed)), ())
                     if pair not in found)
        return found


def _build(version: tuple, rows) -> Thesaurus:
    sets = []
    for row in rows:
        terms = []
        for lang in LANGUAGES:
            for text in split_terms(getattr(row, f"terms_{lang}")):
                mains = tuple(m for m in (analyse_word(w, lang)[0] for w in words(text)
                                          if w not in STOPWORDS[lang]) if m)
                terms.append(Term(lang, text, mains))
        sets.append(ConceptSet(row.slug, tuple(terms)))
    return Thesaurus(version, sets)


_lock = threading.Lock()
_cache: dict[str, object] = {"thesaurus": None, "checked": 0.0, "dirty": False}


def changed() -> None:
    """This process changed the table: check its version on the next search."""
    _cache["dirty"] = True


def forget() -> None:
    """Drop this process's map (tests)."""
    with _lock:
        _cache.update(thesaurus=None, checked=0.0, dirty=False)


def _version() -> tuple:
    row = db.session.execute(select(
        func.count(SearchConcept.id), func.coalesce(func.sum(SearchConcept.lock_version), 0),
        func.max(SearchConcept.id), func.max(SearchConcept.updated_at))).one()
    return tuple(row)


def current() -> Thesaurus:
    """This process's map, rebuilt when the table changed (checked at most every few
    seconds, and at once after an edit made in this process). Never raises: without a
    database table there is no expansion."""
    cached = _cache["thesaurus"]
    recheck = (current_app.config.get("SEARCH_THESAURUS_RECHECK_SECONDS", RECHECK_SECONDS)
               if has_app_context() else RECHECK_SECONDS)
    now = time.monotonic()
    if cached is not None and not _cache["dirty"] and now - _cache["checked"] < recheck:
        return cached
    try:
        version = _version()
        if cached is None or cached.version != version:
            rows = db.session.scalars(live_concepts().order_by(SearchConcept.id)).all() \
                if version[0] else []
            cached = _build(version, rows)
    except Exception:  # noqa: BLE001 - e.g. the table is not there yet: search without it
        current_app.logger.exception("search: could not read the thesaurus")
        db.session.rollback()
        cached = cached or Thesaurus((), [])
    with _lock:
        _cache.update(thesaurus=cached, checked=now, dirty=False)
    return cached


def warm_up(app) -> None:
    """Build this process's map now (about a second) rather than in the first search a
    visitor makes: servers call it when a worker starts (gunicorn.conf.py). Never raises."""
    try:
        with app.app_context():
            try:
                current()
            finally:
                db.session.remove()
    except Exception:  # noqa: BLE001 - the first search builds it then
        app.logger.exception("search: could not build the thesaurus map at start")


# --- expansion -----------------------------------------------------------------------------


@dataclass
class Expansion:
    lang: str
    term: str
    bits: int
    own: bool  # a term of the language the query matched in


@dataclass
class Expanded:
    """What the thesaurus added to one query concept."""

    direct: int  # the documents the typed words matched themselves
    items: list[Expansion] = field(default_factory=list)

    @property
    def own_bits(self) -> int:
        bits = 0
        for item in self.items:
            if item.own:
                bits |= item.bits
        return bits

    @property
    def foreign_bits(self) -> int:
        bits = 0
        for item in self.items:
            if not item.own:
                bits |= item.bits
        return bits


def _single_words(groups) -> list[str | None]:
    from app.search.query import Word

    return [group[0].text if len(group) == 1 and isinstance(group[0], Word) else None
            for group in groups]


def expand(builder, groups, concepts) -> None:
    """Add the thesaurus's terms to the concepts built from `groups` (one per group): the
    longest runs of single words that are a term, and phrases that are one."""
    from app.search.query import MAX_EXPANSIONS, Phrase

    thesaurus = current()
    if not thesaurus:
        return
    single = _single_words(groups)
    i = 0
    while i < len(groups):
        if single[i] is None:
            group = groups[i]
            if len(group) == 1 and isinstance(group[0], Phrase):
                found = thesaurus.lookup([w for w in group[0].words if w not in ALL_STOPWORDS])
                if found:
                    _add(builder, found, thesaurus, [concepts[i]], MAX_EXPANSIONS)
            i += 1
            continue
        for length in range(min(thesaurus.longest, len(groups) - i), 0, -1):
            typed = single[i:i + length]
            if None in typed:
                continue
            found = thesaurus.lookup(typed)
            if found:
                _add(builder, found, thesaurus, concepts[i:i + length], MAX_EXPANSIONS)
                i += length
                break
        else:
            i += 1


def _add(builder, found: list[tuple[int, str, str]], thesaurus: Thesaurus, concepts,
         cap: int) -> None:
    """Add the terms of the sets found (at most `cap` per set) to `concepts`, the concepts
    of the typed words that make up the term; the weights are shared among them."""
    own_langs = {lang for _index, lang, _text in found}
    typed = {(lang, text) for _index, lang, text in found}
    share = 1.0 / len(concepts)
    expansions: list[tuple[Term, Expansion]] = []
    for index in list(dict.fromkeys(index for index, _lang, _t in found))[:MAX_SETS_PER_MATCH]:
        for term in _ordered(thesaurus.sets[index].terms, own_langs, typed)[:cap]:
            own = term.lang in own_langs
            expansions.append((term, Expansion(term.lang, term.text, _term_bits(builder, term),
                                               own)))
    leaves = []
    for term, item in expansions:
        if item.bits:
            weight = (SYNONYM_WEIGHT if item.own else FOREIGN_WEIGHT) * share / len(term.mains)
            leaves.extend((text_field(term.lang), main, weight) for main in term.mains)
    for concept in concepts:
        expanded = Expanded(direct=concept.bits)
        for term, item in expansions:
            concept.bits |= item.bits
            concept.terms[term.lang].update(term.mains)  # highlighted in the hits
            expanded.items.append(item)
        concept.leaves.extend(leaf for leaf in leaves if leaf not in concept.leaves)
        concept.thesaurus = expanded


def _ordered(terms: tuple[Term, ...], own_langs: set[str],
             typed: set[tuple[str, str]]) -> list[Term]:
    """The term typed first, then each other language's preferred term, then the synonyms
    of the query's own language, then the rest, so that a cap keeps what matters most."""
    seen_lang: set[str] = set()
    ranks = []
    for position, term in enumerate(terms):
        if (term.lang, term.text) in typed:
            rank = 0
        elif term.lang not in own_langs and term.lang not in seen_lang:
            rank = 1
        elif term.lang in own_langs:
            rank = 2
        else:
            rank = 3
        seen_lang.add(term.lang)
        ranks.append((rank, position, term))
    return [term for _rank, _position, term in sorted(ranks, key=lambda r: r[:2])]


def _term_bits(builder, term: Term) -> int:
    """The documents that have the term in its language's text (a phrase for several
    words: adjacent, one word between allowed)."""
    text = text_field(term.lang)
    if not term.mains or not all(builder.has(text, m) for m in term.mains):
        return 0
    if len(term.mains) == 1:
        return builder.bitmaps.term(text, term.mains[0])
    every = builder.bitmaps.term(text, term.mains[0])
    for main in term.mains[1:]:
        every &= builder.bitmaps.term(text, main)
    if not every:
        return 0
    return builder.bitmaps.query(wq.Phrase(phrase_field(term.lang), list(term.mains), slop=1))


# --- ranking and the page ------------------------------------------------------------------


def tiers(concepts, allowed: int) -> list[int]:
    """`allowed` in the order the ranking shows it: documents that match every concept
    first, then the others; within each, those with a thesaurus term in the query's own
    language, then those found through another language, then the rest."""
    every = allowed
    for concept in concepts:
        every &= concept.bits
    own = foreign = 0
    for concept in concepts:
        expanded = getattr(concept, "thesaurus", None)
        if expanded is not None:
            own |= expanded.own_bits
            foreign |= expanded.foreign_bits
    if len(concepts) == 1 and not (own or foreign):
        return [allowed]
    parts = [every, allowed & ~every]
    if not (own or foreign):
        return parts
    foreign &= ~own
    return [bits for part in parts for bits in (part & own, part & foreign,
                                                part & ~own & ~foreign)]


def _has(bits: int, docnum: int) -> bool:
    return bool((bits >> docnum) & 1)  # one bit per document, see bitmaps.py


def mark_hits(hits, docnums: list[int], concepts) -> None:
    """Tell each hit found only through another language's term which term it was."""
    for hit, docnum in zip(hits, docnums, strict=False):
        found: list[str] = []
        for concept in concepts:
            expanded = getattr(concept, "thesaurus", None)
            if expanded is None or _has(expanded.direct, docnum):
                continue
            for item in expanded.items:
                if (not item.own and item.lang == hit.language and _has(item.bits, docnum)
                        and item.term not in found):
                    found.append(item.term)
        if found:
            hit.found_through = found
