"""Query syntax and robustness: phrases, exclusion, OR, typos, and input that must not break."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.search.query import Phrase, Word, parse_query


@pytest.fixture
def corpus(make_practice):
    make_practice(title="Työkokeilu varastossa", summary="Työkokeilu logistiikkakeskuksessa.",
                  published=True)
    make_practice(title="Varaston työhönvalmennus", summary="Kokeilu ja valmennus työpaikalla.",
                  published=True)
    make_practice(title="Kevytyrittäjyys osatyökykyisille",
                  summary="Laskutuspalvelu keikkatyöhön.", published=True)


def test_parse_words_phrases_exclusions_and_or():
    parsed = parse_query('työkokeilu "hoiva ala" -varasto nuoret OR youth')
    assert parsed.groups == [[Word("työkokeilu")], [Phrase(("hoiva", "ala"))],
                             [Word("nuoret"), Word("youth")]]
    assert parsed.excluded == [Word("varasto")]


def test_parse_survives_unbalanced_quotes_and_stop_words():
    parsed = parse_query('"työkokeilu varasto')  # unclosed: the words alone, not a phrase
    assert parsed.groups == [[Word("työkokeilu")], [Word("varasto")]]
    assert parse_query("ja ja ja").groups == [[Word("ja")], [Word("ja")], [Word("ja")]]
    assert parse_query("työ ja valmennus").words() == ["työ", "valmennus"]


def test_all_words_matching_come_first(corpus, titles):
    assert titles("varasto työkokeilu")[0] == "Työkokeilu varastossa"


def test_a_phrase_matches_adjacent_words_only(corpus, titles):
    assert titles('"työkokeilu varastossa"') == ["Työkokeilu varastossa"]
    assert titles('"varasto työkokeilu"') == []


def test_excluded_words_remove_documents(corpus, titles):
    assert titles("varasto -työkokeilu") == ["Varaston työhönvalmennus"]
    assert titles('varasto -"työkokeilu varastossa"') == ["Varaston työhönvalmennus"]


def test_or_finds_either(corpus, titles):
    assert sorted(titles("logistiikkakeskus OR laskutuspalvelu")) == [
        "Kevytyrittäjyys osatyökykyisille", "Työkokeilu varastossa"]


def test_one_typo_in_a_long_word_is_forgiven(corpus, search):
    result = search("kevytyritäjyys")
    assert [hit.title for hit in result.hits] == ["Kevytyrittäjyys osatyökykyisille"]
    assert "<mark>Kevytyrittäjyys</mark>" in str(result.hits[0].title_html)


def test_did_you_mean(corpus, search):
    for typo in ("laskutuspalvlu", "laskutuspalvleu"):  # a letter missing, two swapped
        result = search(typo)
        assert result.total == 1
        assert result.suggestion == "laskutuspalvelu"
    nothing = search("lskutspalvelu")  # two edits: nothing found, but suggested
    assert nothing.total == 0 and nothing.suggestion == "laskutuspalvelu"
    assert search("varasto").suggestion is None


WEIRD = [
    "", " ", '"', '""', '"""', "-", "--", "- -", "OR", "OR OR", "a OR", "-\"", "(((", ")))",
    "*", "?", "työ*", "title:foo", "\x00", "a\x00b", "🙂", "😀 työ", "ÅÄÖ", "İstanbul",
    "x" * 10_000, "työ " * 3000, "\u200b", "\ufeffvarasto", "-" * 500, '"' * 501,
    "työ AND valmennus", "NOT työ", "<script>alert(1)</script>", "%", "\\", "' OR 1=1 --",
    "ｖａｒａｓｔｏ", "Ⅸ", "ǅ", "\n\t\r", "a" * 60, "-varasto", "-varasto -työ",
]


@pytest.mark.parametrize("q", WEIRD)
def test_weird_queries_do_not_raise(corpus, search, q):
    result = search(q, facets={"regions": ["MK10", "nope"], "bogus": ["x"]}, sort="bogus",
                    page="x", per_page=-5)
    assert result.total >= 0
    for hit in result.hits:
        str(hit.excerpt)


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=st.text(max_size=80))
def test_any_text_is_a_valid_query(corpus, search, q):
    search(q)
