"""Highlighting the shown hits: escape everything, wrap the matched words in <mark>.

Only the page's hits are highlighted, from their stored title, summary and excerpt, by
running the same word analysis as the index (cached), so that "työllistämisen" in the text
lights up for the query "työllistäminen". Whoosh's own highlighter re-analyses whole fields
and was measured at 60 % of the query time.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

from markupsafe import Markup, escape

from app.search.analysis import WORD_RE, analyse_word, analysed, fold, fold_terms

WINDOW = 240
SUMMARY_MAX = 320


KEY_LENGTH = 3
ANALYSE_PER_PAGE = 200  # words not yet analysed in this process that a page may analyse


class Matcher:
    """Decides whether a word of text in a given language matches the query.

    Analysing a word the process has not seen before means dictionary lookups, so a word is
    analysed only when it contains the first letters of some query term (which an inflected
    form or a compound of the term does); other words cannot match and are passed over.
    """

    def __init__(self, terms: dict[str, set[str]], raw: set[str],
                 parts: dict[str, set[str]] | None = None, folds: set[str] | None = None):
        self.terms = terms  # main terms of the query's words
        self.parts = parts or {}  # parts of the query's compounds
        self.raw = raw
        self.folds = folds or set()  # folded terms matched in fold_<lang> (see query.py)
        self._seen: dict[tuple[str, str], bool] = {}
        self._analyse_left = ANALYSE_PER_PAGE
        self._stem_cache: dict[str, list[str]] = {}
        keys = {fold(t[:KEY_LENGTH])
                for found in (*terms.values(), *self.parts.values(), raw, self.folds)
                for t in found if t}
        self._keys = re.compile("|".join(map(re.escape, sorted(keys)))) if keys else None
        self._key_list = sorted(keys)

    def __call__(self, word: str, lang: str) -> bool:
        found = self._seen.get((word, lang))
        if found is None:
            # The keys are folded: "työ" and "tyo" both pass, the decision is exact.
            if self._keys and self._keys.search(fold(word.lower())):
                return self._has_key(word, lang)
            found = self._seen[(word, lang)] = False
        return found

    def _has_key(self, word: str, lang: str) -> bool:
        """Whether a word known to contain a key matches (decided once per word)."""
        key = (word, lang)
        found = self._seen.get(key)
        if found is None:
            found = self._seen[key] = self._decide(word.lower(), lang)
        return found

    def _decide(self, word: str, lang: str) -> bool:
        """The word is the query's word, or a compound containing it, or a part of a compound
        the query has; not merely a word sharing a part with a query word. A word with
        diacritics also matches a query word typed without them (the same folded terms as
        the index's fold_<lang>)."""
        if word in self.raw:
            return True
        if self.folds and fold(word) != word:
            found = analysed(word, lang)
            folded = {fold(found[0])} if found else set()
            folded.update(fold_terms(word, lang))
            if folded & self.folds:
                return True
        found = analysed(word, lang)
        if found is None and self._analyse_left > 0:
            # Not analysed in this process yet: analyse a page's worth of words (a prefix
            # shared with a query term is no match: "järjestämme" is not "järjestö").
            self._analyse_left -= 1
            found = analyse_word(word, lang)
        if found is None:
            # Past that: dictionary lookups (and compound splitting) cost more than a page
            # should; compare with the query terms' stems instead.
            # A short term only at the start, a longer stem anywhere (compounds).
            return any(word.startswith(stem) if len(stem) <= 4 else stem in word
                       for stem in self._stems(lang))
        main, extras = found
        wanted = self.terms.get(lang, ())
        return (main in wanted or main in self.parts.get(lang, ())
                or any(extra in wanted for extra in extras))

    def _stems(self, lang: str) -> list[str]:
        stems = self._stem_cache.get(lang)
        if stems is None:
            stems = []
            for term in (*self.terms.get(lang, ()), *self.parts.get(lang, ())):
                if len(term) <= 4:
                    stems.append(term)
                else:  # inflection changes the end: -nen -> -se-, -us -> -ukse-, a -> i
                    cut = 3 if term.endswith("nen") else 2 if len(term) > 6 else 1
                    stems.append(term[:len(term) - cut])
            self._stem_cache[lang] = stems
        return stems

    def positions(self, text: str, lang: str) -> list[tuple[int, int]]:
        if self._keys is None:
            return []
        lower = text.lower()
        folded = None
        if len(lower) == len(text):
            # Finnish and Swedish text: ä, ö and å are its only letters beyond ASCII, mostly.
            folded = lower.replace("ä", "a").replace("ö", "o").replace("å", "a")
            if not folded.isascii():
                folded = None if _unsafe().search(lower) else _MARKS.sub(
                    "", unicodedata.normalize("NFD", lower))
        if folded is None or len(folded) != len(text):
            return [m.span() for m in WORD_RE.finditer(text) if self(m.group(0), lang)]
        # Speed (issue 13 §5): the places where a key begins, found by str's search (a few
        # keys, each a C scan of the folded text), and only the words containing one are
        # decided. Every character of `lower` folds to one character (see _unsafe), so a
        # word's folded form is its slice of `folded`. Only the words around those places
        # are found (not every word of the text).
        ends: dict[int, int] = {}  # where a key begins: where the shortest key there ends
        find = folded.find
        for key in self._key_list:
            size = len(key)
            at = find(key)
            while at >= 0:
                known = ends.get(at)
                if known is None or at + size < known:
                    ends[at] = at + size
                at = find(key, at + 1)
        chosen: dict[int, int] = {}
        span = None
        for at in sorted(ends):
            if span is None or not span[0] <= at < span[1]:
                span = _word_at(text, at)
                if span is None:
                    continue
            if ends[at] <= span[1]:
                chosen[span[0]] = span[1]
        decide = self._has_key
        return [(a, b) for a, b in sorted(chosen.items()) if decide(text[a:b], lang)]


def _is_word_char(c: str) -> bool:
    return c.isalnum() or c == "_"  # what \w matches in a str pattern


_NOT_WORD = re.compile(r"\W")  # a hyphen too: it joins only two word characters


def _word_at(text: str, at: int) -> tuple[int, int] | None:
    """The span of the word (as WORD_RE.finditer() splits the text) that contains the
    character at `at`, or None when that character is not in a word."""
    if not _is_word_char(text[at]) and not (
            text[at] == "-" and 0 < at < len(text) - 1
            and _is_word_char(text[at - 1]) and _is_word_char(text[at + 1])):
        return None
    # Most words begin after a space: when nothing but word characters lies between the last
    # space before `at` and `at`, the word begins after it (a C scan, not a loop in Python).
    space = text.rfind(" ", 0, at) + 1
    if not _NOT_WORD.search(text, space, at):
        return WORD_RE.match(text, space).span()
    start = at
    while start > 0:
        c = text[start - 1]
        if _is_word_char(c):
            start -= 1
        elif c == "-" and start >= 2 and _is_word_char(text[start - 2]):
            start -= 1  # a hyphen between two word characters joins them (pk-yritys)
        else:
            break
    return WORD_RE.match(text, start).span()


# Latin letters with diacritics, general punctuation and currency signs: where to look for
# characters that fold to one character by dropping their marks (see _unsafe).
_FOLD_RANGES = ((0xA0, 0x250), (0x2010, 0x2070), (0x20A0, 0x20C0))
_MARKS = re.compile("[\u0300-\u036f]")


@lru_cache(maxsize=1)
def _unsafe() -> re.Pattern:
    """A pattern finding any character of a lower-case text that is not ASCII nor one whose
    fold() is the one character left of its canonical decomposition without its marks: for
    text without such characters, dropping the marks of the decomposed text is fold(), one
    character for one."""
    safe = [chr(code) for low, high in _FOLD_RANGES for code in range(low, high)
            if len(fold(chr(code))) == 1
            and _MARKS.sub("", unicodedata.normalize("NFD", chr(code))) == fold(chr(code))]
    return re.compile("[^\x00-\x7f" + re.escape("".join(safe)) + "]")


def mark(text: str, spans: list[tuple[int, int]], start: int = 0, end: int | None = None) -> Markup:
    """`text[start:end]`, escaped, with the spans inside it wrapped in <mark>."""
    end = len(text) if end is None else end
    out = []
    cursor = start
    for a, b in spans:
        if a < start or b > end:
            continue
        out += (escape(text[cursor:a]), _OPEN, escape(text[a:b]), _CLOSE)
        cursor = b
    out.append(escape(text[cursor:end]))
    # Every piece is escaped already: Markup.join would escape each again.
    return Markup("".join(out))  # noqa: S704


_OPEN, _CLOSE = Markup("<mark>"), Markup("</mark>")


def _shorten(text: str, limit: int) -> tuple[int, int, bool]:
    if len(text) <= limit:
        return 0, len(text), False
    cut = text.rfind(" ", 0, limit)
    return 0, cut if cut > limit // 2 else limit, True


def highlight_title(matcher: Matcher, title: str, lang: str) -> Markup:
    return mark(title, matcher.positions(title, lang))


def excerpt(matcher: Matcher, summary: str, body: str, lang: str) -> Markup:
    """The summary when it has a match (or nothing else does), else the densest window of
    the body, with the matches marked."""
    spans = matcher.positions(summary, lang)
    if spans or not body:
        start, end, cut = _shorten(summary, SUMMARY_MAX)
        return mark(summary, spans, start, end) + (Markup("…") if cut else Markup(""))
    spans = matcher.positions(body, lang)
    if not spans:
        start, end, cut = _shorten(summary, SUMMARY_MAX)
        return mark(summary, [], start, end) + (Markup("…") if cut else Markup(""))
    best, best_count = 0, 0
    j = 0
    for i, (a, _b) in enumerate(spans):
        while j < len(spans) and spans[j][1] <= a + WINDOW:
            j += 1
        if j - i > best_count:
            best, best_count = i, j - i
    first = spans[best][0]
    start = max(0, first - WINDOW // 4)
    if start:
        space = body.find(" ", start)
        start = space + 1 if 0 <= space < first else start
    end = min(len(body), start + WINDOW)
    if end < len(body):
        space = body.rfind(" ", start, end)
        end = space if space > spans[best][1] else end
    prefix = Markup("…") if start else Markup("")
    suffix = Markup("…") if end < len(body) else Markup("")
    return prefix + mark(body, spans, start, end) + suffix
