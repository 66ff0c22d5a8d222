"""The analyses a rebuild keeps beside its index (issue 13 §5): a fresh worker reads the words
of the queries and of the hits there instead of analysing them again, with the same answers;
a file it cannot trust or read is left aside and the words are analysed as before."""

from __future__ import annotations

import sqlite3
from contextlib import closing

import pytest

from app.core.changes import record_change
from app.search import analysis, indexer, store
from app.search.analysis import ANALYSES_FILE, analyse_word, forget_analyses, readings

TEXTS = [
    ("Työkokeilu ja palkkatuki nuorille", "Järjestöjen työhönvalmennus tukee osatyökykyisiä "
     "työnhakijoita; työkokeilun jälkeen palkkatuettu työ yrityksessä."),
    ("Arbetsprövning för unga", "Föreningarnas jobbcoachning stöder partiellt arbetsföra "
     "arbetssökande med lönesubvention."),
    ("Job coaching for young people", "Individual placement and support with a pay subsidy "
     "for partially able-to-work jobseekers."),
]


@pytest.fixture
def rebuilt(db, make_practice, search_index):
    for i, (title, summary) in enumerate(TEXTS):
        practice = make_practice(title=title, summary=summary,
                                 language=("fi", "sv", "en")[i], published=True)
        record_change("practice", practice.id)
    db.session.commit()
    forget_analyses()
    result = indexer.rebuild(search_index)
    return search_index / result.generation / ANALYSES_FILE


def _rows(path) -> list[tuple[str, str, str, str, str]]:
    with closing(sqlite3.connect(path)) as connection:
        return connection.execute(
            "SELECT lang, word, main, extras, others FROM analyses").fetchall()


def _live(word: str, lang: str):
    """The word analysed afresh, by the dictionaries."""
    analysis.use_kept_analyses(None)
    forget_analyses()
    return analyse_word(word, lang), readings(word, lang)


def test_a_rebuild_keeps_every_words_analysis_as_the_dictionaries_make_it(rebuilt):
    rows = _rows(rebuilt)
    words = {(lang, word) for lang, word, *_ in rows}
    # the documents' words, in their language and (for the organisation) all three
    assert {("fi", "työkokeilun"), ("fi", "järjestöjen"), ("sv", "arbetsprövning"),
            ("en", "subsidy")} <= words
    for lang, word, main, extras, others in rows:
        (live_main, live_extras), live_readings = _live(word, lang)
        assert (main, extras.split("\x1f") if extras else []) == (live_main, list(live_extras))
        assert (others.split("\x1f") if others else []) == list(live_readings), word


def test_a_fresh_worker_reads_the_kept_analyses_without_the_dictionary(rebuilt, search,
                                                                       monkeypatch):
    expected = {(word, lang): _live(word, lang) for lang, word, *_ in _rows(rebuilt)}
    wanted = [hit.title_html for hit in search("järjestöjen työkokeilu", language="fi").hits]
    store.forget_handles()
    forget_analyses()  # a new worker: nothing analysed in this process yet
    assert [hit.title_html for hit in search("järjestöjen työkokeilu",
                                             language="fi").hits] == wanted
    forget_analyses()

    def refuse(*_args, **_kwargs):
        raise AssertionError("the dictionary was asked")

    monkeypatch.setattr(analysis._dictionary, "get", refuse)
    monkeypatch.setattr(analysis._voikko, "readings", refuse)
    analysis._known.cache_clear()
    for (word, lang), (found, other) in expected.items():
        assert analyse_word(word, lang) == found
        assert readings(word, lang) == other


def test_words_the_rebuild_did_not_see_are_analysed_as_before(rebuilt, search):
    search("palkkatuki", language="fi")  # the kept file is in use
    assert analysis._kept is not None and analysis._kept.usable
    forget_analyses()
    assert analyse_word("kuntouttavassa", "fi") == _live("kuntouttavassa", "fi")[0]


def test_an_unreadable_file_is_left_aside(rebuilt, search):
    rebuilt.write_bytes(b"not a database at all" * 100)
    store.forget_handles()
    forget_analyses()
    hits = search("työkokeilu", language="fi").hits
    assert [hit.title for hit in hits] == [TEXTS[0][0]]
    assert "<mark>Työkokeilu</mark>" in str(hits[0].title_html)
    assert analysis._kept is not None and not analysis._kept.usable


@pytest.mark.parametrize("setting", ["dictionaries", "voikko"])
def test_a_file_made_with_other_settings_is_not_used(rebuilt, setting, search):
    expected = _live("työkokeilun", "fi")[0]
    with closing(sqlite3.connect(rebuilt)) as connection, connection:
        connection.execute("UPDATE analyses SET main = 'väärä'")  # would show if it were used
        if setting == "dictionaries":  # another simplemma
            connection.execute("UPDATE meta SET value = '1 simplemma-0.0.1' "
                               "WHERE key = 'signature'")
        else:  # made with Voikko where this process has none, or the other way round
            connection.execute("UPDATE meta SET value = ? WHERE key = 'voikko'",
                               ("0" if analysis.voikko_available() else "1",))
    store.forget_handles()
    forget_analyses()
    search("palkkatuki", language="fi")
    assert analyse_word("työkokeilun", "fi") == expected != ("väärä", ())


def test_analyses_made_before_the_cache_is_emptied_are_kept_too(db, make_practice,
                                                                search_index, monkeypatch):
    """A rebuild of many documents empties the in-process cache as it goes (a bounded
    memory): what was analysed before each emptying is written first."""
    for title, summary in TEXTS:
        practice = make_practice(title=title, summary=summary, language="fi", published=True)
        record_change("practice", practice.id)
    db.session.commit()
    forget_analyses()
    monkeypatch.setattr(analysis, "_ANALYSED_MAX", 5)
    result = indexer.rebuild(search_index)
    words = {word for lang, word, *_ in _rows(search_index / result.generation / ANALYSES_FILE)
             if lang == "fi"}
    assert {"työkokeilu", "palkkatuki", "nuorille", "järjestöjen", "osatyökykyisiä",
            "yrityksessä"} <= words


def test_a_failed_rebuild_leaves_no_file(db, make_practice, search_index, monkeypatch):
    make_practice(title="Työkokeilu", published=True)
    db.session.commit()

    def broken(*_args, **_kwargs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(indexer, "organisation_document", broken)
    with pytest.raises(OSError):
        indexer.rebuild(search_index)
    assert not list(search_index.glob(f"*/{ANALYSES_FILE}"))


def test_a_nearly_full_disk_gets_the_index_not_the_file(db, make_practice, search_index, search,
                                                        monkeypatch):
    """The file is optional: it is written after the index is committed, and only when it
    leaves KEEP_FREE_BYTES free on the disk (the index's next writes need that room)."""
    import shutil

    make_practice(title="Työkokeilu", published=True)
    db.session.commit()
    free = shutil.disk_usage(search_index.parent).free
    monkeypatch.setattr(analysis, "KEEP_FREE_BYTES", free + 1)
    result = indexer.rebuild(search_index)
    assert not (search_index / result.generation / ANALYSES_FILE).exists()
    assert [hit.title for hit in search("työkokeilu", language="fi").hits] == ["Työkokeilu"]
