"""Search that forgives (issue 13 §1): words typed without ä/ö/å, "did you mean" with whole
written words and their counts, and lenient syntax (unclosed quotes, stray operators, AND)."""

from __future__ import annotations

import re

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.search.analysis import fold
from app.search.query import Word, parse_query

NEUTRAL = {  # sections without the words the tests look for
    "fi": dict(problem="Pitkä jakso ilman työtä.", method="Tapaamiset.",
               employer_cooperation="Yritykset mukana.", results="Hyviä tuloksia.",
               adoption="Kaksi ohjaajaa."),
    "sv": dict(problem="Lång tid utan jobb.", method="Möten.",
               employer_cooperation="Företag deltar.", results="Goda resultat.",
               adoption="Två handledare."),
}


@pytest.fixture
def model(make_practice):
    def _model(title, summary, tags, language="fi"):
        return make_practice(title=title, summary=summary, tags=tags, language=language,
                             target_groups=["youth"], published=True, **NEUTRAL[language])

    return _model


@pytest.fixture
def corpus(model):
    model("Työkokeilu varastossa", "Työkokeilu logistiikkakeskuksessa.", ["työkokeilu"])
    model("Osatyökykyiset työnhakijat", "Osatyökykyiset saavat tukea.", ["osatyökykyiset"])
    model("Lönesubvention och arbetsprövning", "Arbetsprövningen leder till lönesubvention.",
          ["lönesubvention"], "sv")
    model("Samarbete med Försäkringskassan", "Försäkringskassan och kommunen.",
          ["rehabilitering"], "sv")
    model("Laskutuspalvelu keikkatyöhön", "Kevytyrittäjyys.", ["laskutus"])


# --- folding ----------------------------------------------------------------------------------


def test_fold_drops_the_diacritics_of_finnish_swedish_and_french_letters():
    assert fold("työkokeilu") == "tyokokeilu"
    assert fold("försäkringskassan") == "forsakringskassan"
    assert fold("åland") == "aland"
    assert fold("idé") == "ide"
    assert fold("plain") == "plain"


@pytest.mark.parametrize(("typed", "title"), [
    ("tyokokeilu", "Työkokeilu varastossa"),
    ("osatyokykyiset", "Osatyökykyiset työnhakijat"),
    ("osatyokykyisille", "Osatyökykyiset työnhakijat"),  # inflected and folded
    ("lonesubvention", "Lönesubvention och arbetsprövning"),
    ("arbetsprovning", "Lönesubvention och arbetsprövning"),
    ("forsakringskassan", "Samarbete med Försäkringskassan"),  # two letters differ
])
def test_a_word_typed_without_diacritics_finds_the_written_form(corpus, search, typed, title):
    result = search(typed)
    assert [hit.title for hit in result.hits] == [title]
    # the folded match is highlighted too, and only the matching word
    marked = re.findall(r"<mark>(.*?)</mark>", str(result.hits[0].title_html))
    assert marked and all(fold(m.lower()).startswith(typed[:6]) for m in marked), marked


def test_the_exact_spelling_ranks_above_a_match_through_folding(model, titles):
    model("Tyokokeilu kunnassa", "Kokeilu kunnan kanssa.", ["kunta"])
    model("Työkokeilu kunnassa", "Kokeilu kunnan kanssa.", ["kunta"])
    # Typed as written in one and folded in the other: each finds both, its own spelling first.
    assert titles("työkokeilu") == ["Työkokeilu kunnassa", "Tyokokeilu kunnassa"]
    assert titles("tyokokeilu") == ["Tyokokeilu kunnassa", "Työkokeilu kunnassa"]


def test_folding_does_not_match_other_words(corpus, titles):
    assert titles("tyokokeilu") == ["Työkokeilu varastossa"]
    assert titles("lonesubventionerna") == ["Lönesubvention och arbetsprövning"]
    assert titles("samarbete forsakringskassan") == ["Samarbete med Försäkringskassan"]
    assert titles("arbetsprovning") == ["Lönesubvention och arbetsprövning"]


# --- did you mean -----------------------------------------------------------------------------


def test_did_you_mean_offers_the_written_word_never_a_stem(corpus, make_organisation, search):
    # Profiles are read by every language's analyzer: English stems "osatyökykyisten" to
    # "osatyökykyist", a term of the index that is no word (what the issue was offered).
    for _ in range(2):
        make_organisation(description="Palvelemme osatyökykyisten ja osatyökykyisten perheitä.")
    result = search("osatyokykyiset")
    assert result.suggestion == "osatyökykyiset"  # never "osatyökykyist"
    assert result.suggestion_count == 1


def test_did_you_mean_corrects_each_word(corpus, search):
    result = search("lonesubvention arbetsprovning")
    assert result.suggestion == "lönesubvention arbetsprövning"
    assert result.suggestion_count == 1
    typos = search("laskutuspalvlu keikkatyohon tyokokeilu")
    assert typos.suggestion == "laskutuspalvelu keikkatyöhön työkokeilu"
    assert typos.suggestion_count == 1  # two of the three words in one model


def test_did_you_mean_only_offers_what_finds_something(corpus, search):
    # The model with the written word is outside the chosen region: nothing to offer.
    result = search("osatyokykyiset", facets={"regions": ["MK02"]})
    assert result.total == 0 and result.suggestion is None
    assert search("zzzyyyxxx").suggestion is None
    assert search("työkokeilu").suggestion is None  # written right: nothing to suggest


def test_the_page_shows_the_suggestion_with_its_count(corpus, client):
    html = client.get("/search?q=osatyokykyiset&lang=en").get_data(as_text=True)
    match = re.search(r'<a href="[^"]*">osatyökykyiset</a> \((\d+) ([^)]+)\)', html)
    assert match, html[html.find("did-you-mean") - 200:][:600]
    assert match.group(1) == "1"
    assert "osatyökykyist<" not in html


# --- lenient syntax ---------------------------------------------------------------------------


def test_parse_forgives_unclosed_quotes_operators_and_brackets():
    assert parse_query('"työkokeilu varasto').words() == ["työkokeilu", "varasto"]
    assert parse_query("työkokeilu AND varasto").words() == ["työkokeilu", "varasto"]
    assert parse_query("AND työkokeilu AND AND").words() == ["työkokeilu"]
    assert parse_query("(työkokeilu OR kokeilu) [varasto]").groups == [
        [Word("työkokeilu"), Word("kokeilu")], [Word("varasto")]]
    assert parse_query("+työkokeilu ~varasto^2 ?!").words() == ["työkokeilu", "varasto"]
    for text in ("työkokeilu -", "työkokeilu - varasto", "työkokeilu NOT", "työkokeilu -!",
                 "OR työkokeilu OR"):
        parsed = parse_query(text)
        assert not parsed.excluded, text
        assert "työkokeilu" in parsed.words(), text
    # An operator followed by a word still excludes it.
    assert parse_query("työkokeilu NOT varasto").excluded == [Word("varasto")]
    assert parse_query("työkokeilu --varasto").excluded == [Word("varasto")]


@pytest.mark.parametrize("q", [
    '"työkokeilu logistiikkakeskuksessa', "työkokeilu AND varasto", "(työkokeilu)",
    "työkokeilu)))", "työkokeilu && varasto", "työkokeilu || varasto", "työkokeilu:",
    "[työkokeilu]", "{työkokeilu}", "työkokeilu* ", "työkokeilu~2", "työkokeilu^3",
    "\\työkokeilu/", "!työkokeilu?", "AND työkokeilu", "työkokeilu OR", "OR OR työkokeilu",
])
def test_stray_syntax_still_finds_the_words(corpus, titles, q):
    assert titles(q)[:1] == ["Työkokeilu varastossa"]


OPERATORS = ["+", "-", "*", ":", "~", "^", "/", "\\", "!", "?", "(", ")", "[", "]", "{", "}",
             "&", "|", "AND", "OR", "&&", "||", "--", "++", "OR OR", "AND AND", "JA", "OCH"]
PUNCTUATION = "+*:~^/\\!?()[]{}&|'.,;"
MATCHING = ["työkokeilu", "varastossa", "logistiikkakeskuksessa", "osatyökykyiset",
            "laskutuspalvelu", "lönesubvention", "tyokokeilu", "keikkatyöhön"]


@st.composite
def messy_query(draw):
    """Words that match some document, with punctuation stuck to them and operators between
    them; never a minus or NOT right before a word (that is an exclusion, by design)."""
    parts = []
    for word in draw(st.lists(st.sampled_from(MATCHING), min_size=1, max_size=3)):
        before = draw(st.text(alphabet=PUNCTUATION.replace("-", ""), max_size=2))
        after = draw(st.text(alphabet=PUNCTUATION + "-", max_size=3))
        parts.append(before + word + after)
        if draw(st.booleans()):
            parts.append(draw(st.sampled_from([op for op in OPERATORS if op not in ("-", "--")])))
    if draw(st.booleans()):
        parts.insert(0, draw(st.sampled_from(OPERATORS)) + " ")  # a leading operator, alone
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from([*OPERATORS, "NOT"])))
    if draw(st.booleans()):  # one quote: never closed, so never a phrase
        at = draw(st.integers(0, len(parts)))
        parts.insert(at, '"')
    return " ".join(parts)


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(q=messy_query())
def test_matching_words_with_any_punctuation_find_something(corpus, search, q):
    result = search(q)
    assert result.total > 0, q
    assert result.hits, q
