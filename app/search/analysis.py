"""Text analysis for the index and for queries: one analyzer per content language.

A word goes through: tokenising (letters and digits, hyphenated compounds kept whole and
also split), lower-casing, stop words, and then lemmatising with simplemma's dictionary.
Words the dictionary does not know are split into known parts when they are compounds
(Finnish and Swedish build words by joining them: *palkkatuki* + *neuvonta*), and stemmed
with Snowball otherwise. The index and the query use the same function (`analyse_word`), so
whatever a document's word becomes, the same word typed in a query becomes the same.

A word yields one *main* term (its lemma, or for a compound the written first parts joined
to the lemma of the last part) and *extra* terms (the lemmas of the compound's parts), which
the analyzer emits at the same position as the main term.

Finnish words are also read by Voikko (libvoikko1 + voikko-fi, when installed), which knows
every reading of a word: where simplemma's lemma is not one of them (*järjestöjen* read as the
verb *järjestää*), Voikko's reading wins; a word's other readings (*tuen*: tuki and tukea) are
`readings()`, indexed at the same position and looked up by queries at a lower weight.
Without the library, simplemma alone decides (the same index for every process).

Folding (`fold`: ä→a, ö→o, å→a, é→e, ...) lets a word typed without its diacritics find the
written form: the `fold_<lang>` fields hold the folded lemma and folded stem of every word
that has a letter to fold (FoldAnalyzer).
"""

from __future__ import annotations

import os
import re
import shutil
import sqlite3
import threading
import unicodedata
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from whoosh.analysis import Analyzer, Token
from whoosh.lang import stemmer_for_language
from whoosh.lang.stopwords import stoplists

LANGUAGES = ("fi", "sv", "en")
MAX_QUERY_CHARS = 500
# Longer words are their own term (no lemma, no compound split, not remembered): splitting
# costs grow with a word's length, and the corpus's longest real compounds have ~35 letters.
MAX_WORD_CHARS = 40
# Starts a part of a field value; the next character is the part's weight (a digit).
# clean_text() removes control characters, so text can never contain it.
SEGMENT = "\x1e"
SEGMENT_GAP = 10  # positions between parts, so that a phrase never spans two
WORD_RE = re.compile(r"\w+(?:-\w+)*")
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")

STOPWORDS: dict[str, frozenset[str]] = {
    lang: frozenset(stoplists[lang]) | frozenset(extra)
    for lang, extra in (
        # Whoosh's lists (from Snowball) plus a few adverbs that carry no topic.
        ("fi", {"myös", "vain", "jo", "sekä", "eli", "ns", "esim", "mm", "jne", "kuitenkin"}),
        ("sv", {"samt", "också", "även", "bl", "a", "t", "ex"}),
        ("en", {"also", "e", "g", "etc"}),
    )
}
ALL_STOPWORDS = frozenset().union(*STOPWORDS.values())

# Three-letter words that commonly end a compound (nuorisotyö, hoiva-ala); other heads must
# have four letters or more, or splitting invents words out of inflection endings.
_SHORT_HEADS = {
    "fi": frozenset({"työ", "ala", "maa", "osa", "tie", "puu", "suo", "ikä", "apu", "ura", "uni"}),
    "sv": frozenset({"hem", "råd", "väg", "mål", "lön", "tid", "ort", "liv", "lag", "bil"}),
}
_MIN_PREFIX = 3
_MAX_SPLIT_DEPTH = 2


_FOLD_EXTRA = str.maketrans({"ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "đ": "d", "ł": "l"})


@lru_cache(maxsize=65_536)
def fold(word: str) -> str:
    """`word` without diacritics: ä→a, ö→o, å→a, é→e, ü→u (lower-case input stays lower)."""
    if word.isascii():
        return word
    decomposed = unicodedata.normalize("NFD", word.translate(_FOLD_EXTRA))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def clean_text(text: str | None) -> str:
    """NFC-normalised text without control characters (NUL included)."""
    if not text:
        return ""
    return _CONTROL_RE.sub(" ", unicodedata.normalize("NFC", str(text)))


# --- the dictionary -------------------------------------------------------------------------


class _Dictionary:
    """simplemma's lemma dictionary, in one of three forms that give the same lemmas:

    - `trie` (web workers, when built): MARISA tries kept on disk by `flask search
      dictionaries` (simplemma's TrieDictionaryFactory): about 25 MB for the three languages,
      loaded in a hundredth of a second, 2 µs a lookup;
    - `stream` (web workers before the tries are built): the shipped front-coded dictionaries
      read in place, about 60 MB, 20 µs a lookup (a search page analysing new words spent
      up to 2 ms in them);
    - `dict` (`use_fast_dictionary()`, a one-off process such as a rebuild): plain dicts,
      about 480 MB, 1.4 µs a lookup.

    A web worker never builds the tries (9 s and 700 MB for the three languages): it uses
    them when `flask search dictionaries` has (`make install` does), else the stream."""

    def __init__(self) -> None:
        self._lookup = None
        self._loaded: set[str] = set()
        self._lock = threading.Lock()  # one thread loads a language; the others wait for it
        self.fast = os.environ.get("KOHTAAMO_LEMMA_DICTIONARY", "small") == "fast"
        self.backend = ""

    def _strategy(self):
        from simplemma.strategies import DictionaryLookupStrategy

        if self.fast:
            self.backend = "dict"
            return DictionaryLookupStrategy()
        factory = trie_factory()
        if factory is not None and _tries_readable():
            self.backend = "trie"
            return DictionaryLookupStrategy(factory)
        self.backend = "stream"
        try:
            from simplemma.strategies.dictionaries import LOW_MEMORY_DICTIONARY_FACTORY
        except ImportError:  # pragma: no cover - older simplemma
            self.backend = "dict"
            return DictionaryLookupStrategy()
        return DictionaryLookupStrategy(LOW_MEMORY_DICTIONARY_FACTORY)

    def get(self, word: str, lang: str) -> str | None:
        lookup = self._lookup
        if lookup is None or lang not in self._loaded:
            with self._lock:
                if self._lookup is None:
                    self._lookup = self._strategy().get_lemma
                    self._loaded.clear()
                lookup = self._lookup
                if lang not in self._loaded:
                    lookup("työ", lang)
                    self._loaded.add(lang)
        return lookup(word, lang)


def trie_directory() -> Path:
    """Where `flask search dictionaries` keeps the tries: KOHTAAMO_LEMMA_CACHE_DIR, else
    simplemma's own directory in the user's cache (one per simplemma version)."""
    configured = os.environ.get("KOHTAAMO_LEMMA_CACHE_DIR", "").strip()
    if configured:
        return Path(configured)
    from platformdirs import user_cache_dir
    from simplemma.__metadata__ import __version__

    return Path(user_cache_dir("simplemma")) / "marisa_trie" / __version__


def trie_path(lang: str) -> Path:
    return trie_directory() / f"{lang}.dic"


def _tries_readable() -> bool:
    """Every language's trie is there and can be read (simplemma would build one that cannot,
    which a web worker must not: it reads the compressed dictionaries instead)."""
    from marisa_trie import BytesTrie

    for lang in LANGUAGES:
        try:
            BytesTrie().load(str(trie_path(lang)))
        except Exception:  # noqa: BLE001 - missing, truncated, not a trie
            return False
    return True


def trie_factory(directory: Path | None = None):
    """simplemma's TrieDictionaryFactory over `directory` (default trie_directory()), or None
    without marisa-trie."""
    try:
        from simplemma.strategies.dictionaries import TrieDictionaryFactory

        return TrieDictionaryFactory(disk_cache_dir=str(directory or trie_directory()))
    except ImportError:
        return None


def build_tries(progress=None) -> list[str]:
    """Build the tries of the languages that have none yet; the languages built. simplemma
    writes each in a directory of this process, and it is moved into place whole: a worker
    starting meanwhile never reads half a file."""
    directory = trie_directory()
    work = directory / f".building-{os.getpid()}"
    factory = trie_factory(work)
    if factory is None:
        raise RuntimeError("marisa-trie is not installed (pip install 'simplemma[marisa-trie]')")
    built = []
    work.mkdir(parents=True, exist_ok=True)  # an unwritable directory fails here, not later
    try:
        for lang in LANGUAGES:
            if trie_path(lang).exists():
                continue
            if progress:
                progress(lang)
            factory.get_dictionary(lang)  # builds the trie and writes work/<lang>.dic
            (work / f"{lang}.dic").replace(trie_path(lang))
            built.append(lang)
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return built


_dictionary = _Dictionary()


class _Voikko:
    """Finnish readings from libvoikko (a ctypes binding; one handle, used under a lock).
    `None` answers everywhere when the library or the dictionary is missing, or when
    KOHTAAMO_VOIKKO=0."""

    def __init__(self) -> None:
        self._handle = None
        self._tried = False
        self._lock = threading.Lock()
        self.enabled = os.environ.get("KOHTAAMO_VOIKKO", "1") != "0"

    def _get(self):
        if not self._tried:
            self._tried = True
            try:
                import libvoikko

                self._handle = libvoikko.Voikko("fi")
            except Exception:  # noqa: BLE001 - OSError without the .so, VoikkoException
                self._handle = None
        return self._handle

    @property
    def available(self) -> bool:
        with self._lock:
            return self.enabled and self._get() is not None

    def readings(self, word: str) -> tuple[tuple[str, frozenset[str]], ...] | None:
        """Voikko's readings of `word`: (base form, the base words it is built on, e.g. the
        verb of a participle), lower-case, in Voikko's order; () for a word it does not
        know; None without Voikko."""
        if not self.enabled:
            return None
        with self._lock:
            handle = self._get()
            if handle is None:
                return None
            found = handle.analyze(word)
        result = {}
        for analysis in found:
            form = analysis.get("BASEFORM", "").lower()
            if not form or not form.replace("-", "").isalpha():
                continue
            bases = {b.replace("=", "").lower()
                     for b in _WORDBASE_RE.findall(analysis.get("WORDBASES", ""))}
            result[form] = result.get(form, frozenset()) | bases | {form}
        return tuple(result.items())


_WORDBASE_RE = re.compile(r"\(([^)+][^)]*)\)")
_voikko = _Voikko()


def voikko_available() -> bool:
    """Whether Finnish words are read with Voikko in this process."""
    return _voikko.available


def forget_analyses() -> None:
    """Forget the words analysed so far, as a fresh worker process has (for tests)."""
    _ANALYSED.clear()
    _READINGS.clear()
    _forget_words()


def _forget_words() -> None:
    """Forget the words' entries and the values read last (their analysis changed)."""
    global _last_value, _last_entries
    _WORD_ENTRIES.clear()
    _last_value = _last_entries = None


@contextmanager
def without_voikko():
    """Inside this block Finnish words are read by simplemma alone (the fallback path when
    libvoikko is missing). For tests: it applies to the whole process."""
    was = _voikko.enabled
    _voikko.enabled = False
    _ANALYSED.clear()
    _READINGS.clear()
    _forget_words()
    try:
        yield
    finally:
        _voikko.enabled = was
        _ANALYSED.clear()
        _READINGS.clear()
        _forget_words()


def warm_up() -> None:
    """Load the dictionaries of every language now (a tenth of a second from the tries,
    2.5 s without them) rather than in the first search a visitor makes. Servers call this
    when a worker starts."""
    for lang in LANGUAGES:
        _dictionary.get("työ", lang)


def use_fast_dictionary() -> None:
    """Use the faster, larger dictionary in this process (for bulk indexing)."""
    if not _dictionary.fast:
        with _dictionary._lock:
            _dictionary.fast = True
            _dictionary._lookup = None
        _known.cache_clear()


@lru_cache(maxsize=262_144)
def _known(word: str, lang: str) -> str | None:
    """The dictionary lemma of `word`, lower-case, or None for an unknown word."""
    lemma = _dictionary.get(word, lang)
    if lemma is None:
        return None
    lemma = lemma.lower()
    # The dictionary has a few odd entries ("aa.", "työ" -> "sinä"); a lemma that is not a
    # plain word or that starts with another letter is not trusted: the word is its own lemma.
    if not lemma.replace("-", "").isalpha() or lemma[0] != word[0]:
        return word
    return lemma


@lru_cache(maxsize=8)
def _stemmer(lang: str):
    return stemmer_for_language(lang)


def _prefix_lemma(prefix: str, lang: str) -> str | None:
    """The lemma of a compound's first part, allowing the joining forms of the language."""
    lemma = _known(prefix, lang)
    if lemma:
        return lemma
    if lang == "fi" and len(prefix) > 4 and prefix.endswith("s"):
        # -nen words join with -s: työllistymis|palvelu, irtisanomis|aika
        return _known(prefix[:-1] + "nen", lang)
    if lang == "sv" and len(prefix) > 3 and prefix.endswith("s"):
        # the linking s: arbets|plats, fastighets|skötsel
        return _known(prefix[:-1], lang) or _known(prefix[:-1] + "e", lang)
    return None


def _head_ok(head: str, lemma: str, lang: str, strict: bool) -> bool:
    if len(head) >= (5 if strict else 4):
        return True
    return head == lemma and head in _SHORT_HEADS.get(lang, ())


def _split(word: str, lang: str, strict: bool, depth: int = 0) -> list[tuple[str, str]] | None:
    """[(written part, lemma), ...] for a compound of known words, longest last part first."""
    for i in range(_MIN_PREFIX, len(word) - 2):
        head = word[i:]
        head_lemma = _known(head, lang)
        if not head_lemma or not _head_ok(head, head_lemma, lang, strict):
            continue
        prefix = word[:i]
        prefix_lemma = _prefix_lemma(prefix, lang)
        if prefix_lemma:
            return [(prefix, prefix_lemma), (head, head_lemma)]
        if depth < _MAX_SPLIT_DEPTH:
            parts = _split(prefix, lang, strict, depth + 1)
            if parts:
                return [*parts, (head, head_lemma)]
    return None


_ANALYSED: dict[tuple[str, str], tuple[str, tuple[str, ...]]] = {}
_READINGS: dict[tuple[str, str], tuple[str, ...]] = {}  # only words with other readings
_ANALYSED_MAX = 300_000
# lang -> {lower-case word: (main term, extra terms and other readings, fold_<lang> terms), or
# None for a stop word or an empty term}: what _value_words() makes of a word, cleared with
# _ANALYSED.
_WORD_ENTRIES: dict[str, dict[str, tuple[str, tuple[str, ...], tuple[str, ...]] | None]] = {}
_plain_words = False  # see plain_words()


def analyse_word(word: str, lang: str) -> tuple[str, tuple[str, ...]]:
    """(main term, extra terms) of one lower-case word in `lang` (remembered)."""
    if _plain_words or len(word) > MAX_WORD_CHARS:
        return word, ()
    key = (word, lang)
    found = _ANALYSED.get(key)
    if found is None:
        found = _from_kept(word, lang)
        if found is None:
            found = _analyse(word, lang)
        _remember(key, found)
    return found


def _remember(key: tuple[str, str], found: tuple[str, tuple[str, ...]]) -> None:
    if len(_ANALYSED) >= _ANALYSED_MAX:
        if _recorder is not None and _recorder.pid == os.getpid():  # not a forked writer
            _recorder.add(_ANALYSED, _READINGS)
        _ANALYSED.clear()
        _READINGS.clear()
        _WORD_ENTRIES.clear()
    _ANALYSED[key] = found


def readings(word: str, lang: str) -> tuple[str, ...]:
    """The other plausible lemmas of a word besides its main term (Voikko's other readings:
    *tuen* -> tuki, and also tukea)."""
    if _plain_words:
        return ()
    analyse_word(word, lang)
    return _READINGS.get((word, lang), ())


def analysed(word: str, lang: str) -> tuple[str, tuple[str, ...]] | None:
    """The analysis of a word if this process has already made it, or the index's rebuild
    kept it (no dictionary work)."""
    key = (word, lang)
    found = _ANALYSED.get(key)
    if found is None and _kept is not None and not _plain_words and len(word) <= MAX_WORD_CHARS:
        found = _from_kept(word, lang)
        if found is not None:
            _remember(key, found)
    return found


# --- analyses kept beside the index -----------------------------------------------------------
#
# Analysing a word the process has not seen (dictionary lookups, Voikko, compound splitting)
# is most of a fresh worker's first searches (issue 13 §5): the words of the documents shown
# and of the queries were all analysed once already, by the rebuild that indexed them. The
# rebuild keeps those analyses in its generation directory (ANALYSES_FILE, an SQLite table
# read-only to the searching processes, shared through the page cache rather than copied
# into each worker), and analyse_word() reads a word there before analysing it. The same
# function made them, so the answers are the same; a file made with other settings (Voikko
# on or off, another simplemma) or that cannot be read is not used.

ANALYSES_FILE = "analyses.sqlite"
_KEPT_FORMAT = "1"
_SEPARATOR = "\x1f"


def _signature() -> str:
    """What the analyses depend on besides this code and Voikko (kept apart, as `voikko`):
    the file's format and simplemma's version."""
    try:
        from importlib.metadata import version

        simplemma = version("simplemma")
    except Exception:  # noqa: BLE001 - not installed as a distribution
        simplemma = "?"
    return f"{_KEPT_FORMAT} simplemma-{simplemma}"


class _Recorder:
    """Collects the analyses a rebuild makes for a new ANALYSES_FILE: what the in-process
    cache holds when it is emptied goes to the file (made then), the rest when the index is
    committed (`keep_analyses`)."""

    def __init__(self, path) -> None:
        self.path = path
        self.connection: sqlite3.Connection | None = None
        self.pid = os.getpid()
        self.failed = False

    def _open(self) -> sqlite3.Connection:
        if self.connection is None:
            self.connection = sqlite3.connect(str(self.path))
            self.connection.executescript(
                "PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;"
                "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID;"
                "CREATE TABLE analyses (lang TEXT, word TEXT, main TEXT, extras TEXT,"
                " others TEXT, PRIMARY KEY (lang, word)) WITHOUT ROWID;")
        return self.connection

    def add(self, analysed: dict, readings: dict) -> None:
        if self.failed:
            return
        try:
            self._add(analysed, readings)
        except (OSError, sqlite3.Error):  # the disk is full: the rebuild goes on without
            self.failed = True

    def _add(self, analysed: dict, readings: dict) -> None:
        self._open().executemany(
            "INSERT OR REPLACE INTO analyses VALUES (?, ?, ?, ?, ?)",
            [(lang, word, main, _SEPARATOR.join(extras),
              _SEPARATOR.join(readings.get((word, lang), ())))
             for (word, lang), (main, extras) in analysed.items()])

    def finish(self) -> int:
        if self.failed:
            raise sqlite3.OperationalError("the analyses could not be written")
        self._add(_ANALYSED, _READINGS)
        connection = self._open()
        connection.executemany("INSERT INTO meta VALUES (?, ?)", [
            ("signature", _signature()), ("voikko", "1" if _voikko.available else "0")])
        connection.commit()
        rows = connection.execute("SELECT count(*) FROM analyses").fetchone()[0]
        connection.close()
        return rows


_recorder: _Recorder | None = None
# Free space the file leaves on its disk, besides its own size (about 60 bytes a word): an
# optional file must not take the room the index needs for its next writes.
KEEP_FREE_BYTES = 64 * 1024 * 1024


@contextmanager
def recording_analyses(path):
    """Inside this block every analysis this process makes is collected for `path` (an
    ANALYSES_FILE); yields the recorder to pass to `keep_analyses` once the index the
    analyses went into is committed. A block that raises leaves no file."""
    global _recorder
    from pathlib import Path

    recorder = _Recorder(Path(path))
    _recorder = recorder
    try:
        yield recorder
    except BaseException:
        _discard(recorder, recorder.path)
        raise
    finally:
        _recorder = None


def keep_analyses(recorder: _Recorder) -> int | None:
    """Write the recorded analyses (with every other this process has made) to the file;
    the number of words, or None when the file was left out: best effort, when the disk is
    nearly full or the file cannot be written the searches analyse words themselves."""
    import shutil

    try:
        needed = KEEP_FREE_BYTES + 100 * len(_ANALYSED)
        if shutil.disk_usage(recorder.path.parent).free < needed:
            raise OSError("too little free space for the analyses file")
        return recorder.finish()
    except (OSError, sqlite3.Error):
        _discard(recorder, recorder.path)
        return None


def _discard(recorder: _Recorder | None, path) -> None:
    if recorder is not None and recorder.connection is not None:
        try:
            recorder.connection.close()
        except sqlite3.Error:
            pass
    try:
        path.unlink(missing_ok=True)
    except OSError:
        pass


class _Kept:
    """A rebuild's ANALYSES_FILE, read-only, one connection per thread."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.local = threading.local()
        self.usable = True
        self.voikko: bool | None = None  # whether Voikko read the Finnish words

    def get(self, word: str, lang: str) -> tuple[str, str, str] | None:
        connection = getattr(self.local, "connection", None)
        try:
            if connection is None:
                connection = sqlite3.connect(f"file:{self.path}?mode=ro&immutable=1", uri=True,
                                             check_same_thread=False)
                self.local.connection = connection
                meta = dict(connection.execute("SELECT key, value FROM meta"))
                if meta.get("signature") != _signature():
                    self.usable = False
                self.voikko = meta.get("voikko") == "1"
            if not self.usable or self.voikko != _voikko.available:
                return None
            return connection.execute(
                "SELECT main, extras, others FROM analyses WHERE lang = ? AND word = ?",
                (lang, word)).fetchone()
        except sqlite3.Error:
            self.usable = False
            return None


_kept: _Kept | None = None


def use_kept_analyses(path) -> None:
    """Read words' analyses from `path` (an index generation's ANALYSES_FILE) from now on;
    None, or a path that does not exist, stops that."""
    global _kept
    if path is None or not os.path.exists(path):
        _kept = None
    elif _kept is None or _kept.path != str(path):
        _kept = _Kept(str(path))


def _from_kept(word: str, lang: str) -> tuple[str, tuple[str, ...]] | None:
    kept = _kept
    if kept is None or not kept.usable:
        return None
    row = kept.get(word, lang)
    if row is None:
        return None
    main, extras, others = row
    if others:
        _READINGS[(word, lang)] = tuple(others.split(_SEPARATOR))
    return main, tuple(extras.split(_SEPARATOR)) if extras else ()


def _analyse(word: str, lang: str) -> tuple[str, tuple[str, ...]]:
    if "-" in word:
        pieces = [piece for piece in word.split("-") if piece]
        if len(pieces) != 1:
            return _analyse_hyphenated(pieces, lang) if pieces else ("", ())
        word = pieces[0]
    if len(word) < 3 or not word.isalpha():
        return word, ()
    lemma = _known(word, lang)
    strict = lemma is not None  # a dictionary word is split only into long parts
    if lang == "fi":
        lemma = _voikko_choice(word, lemma)
    if lemma:
        parts = _split(lemma, lang, strict) if lang != "en" and len(lemma) >= 8 else None
        return lemma, _extras(lemma, parts)
    if lang != "en":
        parts = _split(word, lang, strict=False)
        if parts:
            main = "".join(written for written, _ in parts[:-1]) + parts[-1][1]
            return main, _extras(main, parts)
    return _stemmer(lang)(word), ()


def _voikko_choice(word: str, lemma: str | None) -> str | None:
    """simplemma's `lemma` unless Voikko reads the word otherwise (or simplemma does not
    know it: harjoittelijoiden); remembers the other readings. A lemma that one of Voikko's
    readings is built on (kehitetty: kehittää) or that Voikko reads as built on the same
    word (työllistämisen: työllistäminen, from työllistää) is kept."""
    found = _voikko.readings(word)
    if not found:
        return lemma
    if lemma is None:
        lemma = found[0][0]
    agree = [form for form, bases in found if lemma in bases]
    if not agree:
        own = set().union(*(bases for _form, bases in _voikko.readings(lemma) or ()))
        if own & set().union(*(bases for _form, bases in found)):
            agree = [lemma, *(form for form, bases in found if bases & own)]
        else:
            lemma = found[0][0]
            agree = [lemma]
    others = tuple(form for form, bases in found
                   if form not in agree and lemma not in bases)
    if others:
        _READINGS[(word, "fi")] = others
    return lemma


@contextmanager
def plain_words():
    """Inside this block every word is its own term, in indexing and in queries alike:
    tokenising and lower-casing only (stop words are still left out), no lemmas, compound
    parts or stems. A baseline to measure the analysis against: tests/search/test_quality.py
    indexes the same documents inside it. For tests only: it applies to the whole process."""
    global _plain_words
    from app.search.query import label_index  # the code-list labels' words are analysed too

    _plain_words = True
    _forget_words()
    label_index.cache_clear()
    try:
        yield
    finally:
        _plain_words = False
        _forget_words()
        label_index.cache_clear()


def _extras(main: str, parts) -> tuple[str, ...]:
    if not parts:
        return ()
    return tuple(dict.fromkeys(lemma for _, lemma in parts if lemma != main))


def _analyse_hyphenated(pieces: list[str], lang: str) -> tuple[str, tuple[str, ...]]:
    # pk-yritykset -> "pk-yritys" + (pk, yritys); 50-vuotiaille -> "50-vuotias" + (50, vuotias)
    analysed = [analyse_word(piece, lang) for piece in pieces]
    main = "-".join([*pieces[:-1], analysed[-1][0]])
    extras = []
    for piece, (piece_main, piece_extras) in zip(pieces, analysed, strict=True):
        if piece not in STOPWORDS[lang]:
            extras.append(piece_main)
            extras.extend(piece_extras)
    return main, tuple(dict.fromkeys(x for x in extras if x and x != main))


def words(text: str) -> list[str]:
    """The lower-case words of `text`."""
    return WORD_RE.findall(text.lower())


def all_terms(word: str, lang: str) -> tuple[str, ...]:
    """Main and extra terms of a word (for highlighting)."""
    main, extras = analyse_word(word, lang)
    return (main, *extras)


# --- Whoosh analyzers -------------------------------------------------------------------------


# (lang, value, parts) of the value analysed last: a document's text goes through the analyzer
# twice in a row, for its text_<lang> and its phrase_<lang> field.
_last_value: tuple[str, str, list] | None = None


def _parts(value: str):
    """(boost, offset, part, start) of each weighted part of `value` (schema.weighted):
    its weight, where it begins in `value` and where its words begin in it."""
    if SEGMENT not in value:
        yield 1.0, 0, value, 0
        return
    offset = 0
    for part in value.split(SEGMENT):
        if part[:1].isdigit():
            yield float(part[0]), offset, part, 1
        else:
            yield 1.0, offset, part, 0
        offset += len(part) + 1


def _word_entry(word: str, lang: str, entries: dict):
    """The entry of a lower-case word (see _value_words), made and remembered in `entries`
    (the language's, _WORD_ENTRIES)."""
    entry = None
    if word not in STOPWORDS[lang]:
        main, extras = analyse_word(word, lang)
        if main:
            other = _READINGS.get((word, lang))  # other readings: with the parts
            entry = (main, extras + other if other else extras,
                     fold_index_terms(word, main, lang))
    if len(entries) >= _ANALYSED_MAX:
        entries.clear()
    entries[word] = entry
    return entry


def _language_entries(lang: str) -> dict:
    entries = _WORD_ENTRIES.get(lang)
    if entries is None:
        entries = _WORD_ENTRIES.setdefault(lang, {})
    return entries


def _value_words(value: str, lang: str) -> list[tuple[float, int, list]]:
    """[(boost, offset, [(main, extras, start, end, fold terms), ...]), ...]: the analysed
    words of each weighted part of `value` (see LanguageAnalyzer; the fold terms are
    FoldAnalyzer's, see fold_index_terms), stop words and empty terms left out."""
    global _last_value
    last = _last_value
    if last is not None and last[0] == lang and last[1] == value:
        return last[2]
    entries = _language_entries(lang)
    get = entries.get
    result = []
    for boost, offset, part, skip in _parts(value):
        found = []
        for match in WORD_RE.finditer(part, skip):
            word = match.group(0).lower()
            entry = get(word, False)
            if entry is False:
                entry = _word_entry(word, lang, entries)
            if entry is not None:
                found.append((entry[0], entry[1], match.start(), match.end(), entry[2]))
        result.append((boost, offset, found))
    _last_value = (lang, value, result)
    return result


# (lang, value, entries) of the value value_entries() read last (see _last_value).
_last_entries: tuple[str, str, list] | None = None


def value_entries(value: str, lang: str) -> list[tuple[float, list]]:
    """[(boost, [(main, extras, fold terms), ...]), ...]: the words of each weighted part of
    `value` as _value_words() reads them, without their places in the text. The rebuild's
    writer (writing.py) makes the postings LanguageAnalyzer and FoldAnalyzer would from
    these: found with findall() and given as the words' shared entries, rather than a match
    object and a tuple a word."""
    global _last_entries
    last = _last_entries
    if last is not None and last[0] == lang and last[1] == value:
        return last[2]
    entries = _language_entries(lang)
    get = entries.get
    result = []
    for boost, _offset, part, skip in _parts(value):
        found = []
        append = found.append
        for word in WORD_RE.findall(part, skip):
            word = word.lower()
            entry = get(word, False)
            if entry is False:
                entry = _word_entry(word, lang, entries)
            if entry is not None:
                append(entry)
        result.append((boost, found))
    _last_entries = (lang, value, result)
    return result


class LanguageAnalyzer(Analyzer):
    """Tokenise, lower-case, drop stop words, lemmatise; compound parts share the position.

    A value may consist of weighted parts (`SEGMENT` + a digit + text, see
    schema.weighted()): each token of a part carries the part's weight as its boost.
    """

    def __init__(self, lang: str, parts: bool = True):
        self.lang = lang
        self.parts = parts  # emit the parts of compounds (not for the phrase fields)

    def __repr__(self) -> str:
        return f"LanguageAnalyzer({self.lang!r}, parts={self.parts!r})"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kw):
        with_parts = getattr(self, "parts", True)
        token = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        pos = start_pos
        for boost, offset, found in _value_words(value, self.lang):
            for main, extras, start, end, _word in found:
                token.boost = boost
                token.stopped = False
                if positions:
                    token.pos = pos
                if chars:
                    token.startchar = start_char + offset + start
                    token.endchar = start_char + offset + end
                token.text = main
                yield token
                if with_parts:
                    for extra in extras:
                        token.text = extra
                        yield token
                pos += 1
            pos += SEGMENT_GAP


class FoldAnalyzer(Analyzer):
    """For the `fold_<lang>` fields: each word that has a letter to fold (ä, ö, å, é, ...)
    gives its lemma and its Snowball stem, folded, with its part's weight. A word typed
    without diacritics, or inflected so, finds them (query.py folds and stems it alike);
    words without such letters are found through text_<lang> already."""

    def __init__(self, lang: str):
        self.lang = lang

    def __repr__(self) -> str:
        return f"FoldAnalyzer({self.lang!r})"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kw):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        lang = self.lang
        pos = start_pos
        for boost, offset, found in _value_words(value, lang):
            for _main, _extras, start, end, terms in found:
                if terms:
                    token.boost = boost
                    token.stopped = False
                    if positions:
                        token.pos = pos
                    if chars:
                        token.startchar = start_char + offset + start
                        token.endchar = start_char + offset + end
                    for term in terms:
                        token.text = term
                        yield token
                pos += 1
            pos += SEGMENT_GAP


@lru_cache(maxsize=262_144)
def fold_index_terms(written: str, main: str, lang: str) -> tuple[str, ...]:
    """The `fold_<lang>` terms of a lower-case word as written whose main term is `main`:
    its folded main term and folded stem, or () when the word has no letter to fold.
    Remembered: Snowball's stemmer was a seventh of a rebuild when asked for every word."""
    folded = fold(written)
    if folded == written:
        return ()
    return tuple(dict.fromkeys((fold(main), _fold_stem(_stemmer(lang), written))))


@lru_cache(maxsize=8)
def fold_analyzer(lang: str) -> FoldAnalyzer:
    return FoldAnalyzer(lang)


def fold_terms(word: str, lang: str) -> tuple[str, ...]:
    """The terms a typed word looks up in `fold_<lang>`: itself and its stem, folded."""
    folded = fold(word)
    return tuple(dict.fromkeys((folded, _fold_stem(_stemmer(lang), folded))))


MIN_FOLD_STEM = 5  # a shorter stem is shared by unrelated words (ryhmien, ryhmitämme: ryhm)


def _fold_stem(stem, word: str) -> str:
    """The folded Snowball stem of `word`, or the folded word when the stem is short."""
    found = fold(stem(word))
    return found if len(found) >= MIN_FOLD_STEM else fold(word)


class _WordAnalyzer(Analyzer):
    """Words of any language, lower-case, stop words of all three left out; each word gives
    the terms of `terms(word)` at one position."""

    def terms(self, word: str):
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"{type(self).__name__}()"

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True, mode="", **kw):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kw)
        pos = start_pos
        for match in WORD_RE.finditer(value):
            word = match.group(0).lower()
            if word in ALL_STOPWORDS:
                continue
            token.boost = 1.0
            token.stopped = False
            if positions:
                token.pos = pos
            if chars:
                token.startchar = start_char + match.start()
                token.endchar = start_char + match.end()
            for term in self.terms(word):
                token.text = term
                yield token
            pos += 1


class NeutralAnalyzer(_WordAnalyzer):
    """For names and labels whose language is not known: the word as written and its
    lemma in each of the three languages."""

    def terms(self, word: str):
        return neutral_terms(word)


def neutral_terms(word: str) -> tuple[str, ...]:
    """The word and its main terms in fi, sv and en, without duplicates."""
    return tuple(dict.fromkeys([word, *(analyse_word(word, lang)[0] for lang in LANGUAGES)]))


class RawAnalyzer(_WordAnalyzer):
    """Words as written, lower-case (a hyphenated word also gives its parts): for exact
    matches, typo-tolerant matching and spelling suggestions."""

    def terms(self, word: str):
        yield word
        if "-" in word:
            for piece in word.split("-"):
                if piece and piece not in ALL_STOPWORDS:
                    yield piece


@lru_cache(maxsize=8)
def language_analyzer(lang: str, parts: bool = True) -> LanguageAnalyzer:
    return LanguageAnalyzer(lang, parts)
