"""Bounded cost per query (issue 13 §3): every cap applies, checked by counting work, not by
timing; and the time budget returns the best results so far with a note."""

from __future__ import annotations

import pytest

from app.search import analysis
from app.search.analysis import MAX_WORD_CHARS, analyse_word, analysed
from app.search.query import (
    FUZZY_CANDIDATES,
    MAX_CORRECTIONS,
    MAX_PHRASES,
    MAX_QUERY_WORDS,
    Builder,
    Phrase,
    parse_query,
)

LONG = ("palkkatuki" * 60)[:500]  # splits into known parts all along: the costly case


def _dictionary_lookups() -> int:
    info = analysis._known.cache_info()
    return info.hits + info.misses


def test_a_word_longer_than_the_cap_is_its_own_term_without_dictionary_work():
    before = _dictionary_lookups()
    for lang in analysis.LANGUAGES:
        assert analyse_word(LONG, lang) == (LONG, ())
        assert analyse_word(LONG[:MAX_WORD_CHARS + 1], lang) == (LONG[:MAX_WORD_CHARS + 1], ())
    assert _dictionary_lookups() == before  # no lemma lookups, no compound splitting
    assert analysed(LONG, "fi") is None  # not remembered: long words cannot fill the cache


def test_a_word_at_the_cap_is_still_analysed():
    word = ("palkkatuki" * 4)[:MAX_WORD_CHARS]
    _main, extras = analyse_word(word, "fi")
    assert analysed(word, "fi") is not None
    assert extras  # split into its parts


def test_query_words_are_capped_in_all():
    # 10 groups of 5 alternatives: 50 words; then five 8-word phrases; then exclusions.
    alternatives = " ".join(" OR ".join(f"sana{g}x{a}" for a in range(5)) for g in range(10))
    parsed = parse_query(alternatives)
    assert len(parsed.words()) == MAX_QUERY_WORDS
    assert parsed.words()[:3] == ["sana0x0", "sana0x1", "sana0x2"]  # the first ones typed
    phrases = " ".join('"' + " ".join(f"w{p}x{i}" for i in range(8)) + '"' for p in range(5))
    parsed = parse_query(phrases + " -pois -myos")
    counted = sum(len(i.words) if isinstance(i, Phrase) else 1
                  for group in parsed.groups for i in group)
    assert counted == MAX_QUERY_WORDS
    assert parsed.excluded == []  # no words left for them
    assert len(parse_query("yksi kaksi -kolme").excluded) == 1  # under the cap: kept
    short = parse_query(" ".join(f'"a{p}x b{p}x"' for p in range(5)))
    assert [g[0].words[0] for g in short.groups] == ["a0x", "a1x", "a2x"][:MAX_PHRASES]


@pytest.fixture
def builder(db, make_practice):
    from app.search.service import _bitmaps, fresh_handle

    make_practice(published=True)
    handle = fresh_handle()
    assert handle is not None
    return lambda **kw: Builder(_bitmaps(handle), **kw)


def test_words_looked_up_and_corrections_are_capped(builder):
    # Fifty unknown words of six letters or more: each would be corrected for typos.
    typed = " ".join(" OR ".join(f"qzxv{chr(97 + g)}{chr(97 + a)}k" for a in range(5))
                     for g in range(10))
    parsed = parse_query(typed)
    b = builder()
    for group in parsed.groups:
        b.concept(group)
    assert b.corrections_made == MAX_CORRECTIONS
    assert b.words_looked_up <= MAX_QUERY_WORDS + MAX_CORRECTIONS * FUZZY_CANDIDATES
    assert b.words_looked_up >= MAX_QUERY_WORDS
    assert b.corrections("qzxvzzk") == []  # past the cap: nothing more
    assert b.corrections_made == MAX_CORRECTIONS


def test_no_typo_correction_for_a_word_longer_than_the_cap(builder):
    b = builder()
    assert b.corrections(LONG) == []
    assert b.corrections(LONG[:MAX_WORD_CHARS + 1]) == []
    assert b.corrections_made == 0
    assert "työhönvalmennus" in b.corrections("työhönvalmenus")  # a word of normal length
    assert b.corrections_made == 1


def test_the_builders_of_one_search_share_their_corrections(builder):
    from app.search.budget import Budget

    budget = Budget(None)
    first, second = builder(budget=budget), builder(budget=budget)
    assert "työhönvalmennus" in first.corrections("työhönvalmenus")
    assert "työhönvalmennus" in second.corrections("työhönvalmenus")  # remembered
    assert (first.corrections_made, second.corrections_made) == (1, 0)
    for i in range(MAX_CORRECTIONS):
        second.corrections(f"qzxvy{chr(97 + i)}k")
    assert second.corrections_made == MAX_CORRECTIONS - 1  # the page's cap, not per builder


def test_no_typo_correction_once_the_time_is_up(builder):
    from app.search.budget import Budget

    b = builder(budget=Budget(0))
    assert b.corrections("työhönvalmenus") == []
    assert b.corrections_made == 0 and b.budget.truncated


@pytest.fixture
def two_models(db, make_practice):
    make_practice(title="Kuukkelipolku nuorille", published=True)
    make_practice(title="Lokkilaituri aikuisille", published=True)


def test_out_of_time_gives_the_best_results_so_far_with_a_note(app, search, two_models,
                                                               monkeypatch):
    whole = search("kuukkelipolku lokkilaituri")
    assert not whole.truncated and whole.total == 2
    monkeypatch.setitem(app.config, "SEARCH_TIME_BUDGET_MS", 0)
    cut = search("kuukkelipolku lokkilaituri")
    assert cut.truncated
    assert [hit.title for hit in cut.hits] == ["Kuukkelipolku nuorille"]  # the first concept
    assert cut.suggestion is None
    typo = search("kuukkelipolu")  # one concept: built; its typo correction is skipped
    assert typo.truncated and typo.total == 0 and typo.suggestion is None


def test_the_page_says_the_search_was_cut_short(app, client, two_models, monkeypatch):
    note = 'class="search-truncated" role="status"'
    html = client.get("/search?q=kuukkelipolku+lokkilaituri").get_data(as_text=True)
    assert note not in html and "Lokkilaituri" in html
    monkeypatch.setitem(app.config, "SEARCH_TIME_BUDGET_MS", 0)
    for headers in ({}, {"HX-Request": "true"}):
        response = client.get("/search?q=kuukkelipolku+lokkilaituri", headers=headers)
        html = response.get_data(as_text=True)
        assert response.status_code == 200
        assert note in html and "best results found so far" in html
        assert "Kuukkelipolku" in html and "Lokkilaituri" not in html
        assert "search-organisations" not in html  # the extras are skipped too


def test_the_time_budget_is_read_from_the_environment(monkeypatch):
    from app.config import Config, ConfigError

    monkeypatch.setenv("SEARCH_TIME_BUDGET_MS", "150")
    assert Config.from_environment()["SEARCH_TIME_BUDGET_MS"] == 150
    assert Config.SEARCH_TIME_BUDGET_MS == 300
    monkeypatch.setenv("SEARCH_TIME_BUDGET_MS", "soon")
    with pytest.raises(ConfigError):
        Config.from_environment()
