"""The analyzers: Finnish and Swedish inflections and compounds reach the same terms."""

from __future__ import annotations

import pytest

from app.search.analysis import (
    LanguageAnalyzer,
    NeutralAnalyzer,
    RawAnalyzer,
    analyse_word,
    clean_text,
)
from app.search.schema import build_schema, phrase_field, text_field, weighted


def main(word: str, lang: str = "fi") -> str:
    return analyse_word(word, lang)[0]


def terms(text: str, lang: str = "fi") -> list[str]:
    return [t.text for t in LanguageAnalyzer(lang)(text)]


@pytest.mark.parametrize("forms", [
    ("työllistäminen", "työllistämisen", "työllistämistä"),
    ("osatyökykyinen", "osatyökykyisten", "osatyökykyisille", "osatyökykyisiä"),
    ("työnantaja", "työnantajien", "työnantajille"),
    ("näkövammainen", "näkövammaiset", "näkövammaisille"),
    ("Kymenlaakso", "Kymenlaaksossa", "Kymenlaakson"),
])
def test_finnish_inflections_share_one_term(forms):
    assert len({main(form.lower()) for form in forms}) == 1


@pytest.mark.parametrize("forms", [
    ("anställning", "anställningar", "anställningen"),
    ("funktionsnedsättning", "funktionsnedsättningar"),
    ("arbetsplats", "arbetsplatser", "arbetsplatsen"),
])
def test_swedish_inflections_share_one_term(forms):
    assert len({main(form, "sv") for form in forms}) == 1


@pytest.mark.parametrize(("lang", "word", "lemma"), [
    ("fi", "työkokeiluun", "työkokeilu"),
    ("fi", "osatyökykyisille", "osatyökykyinen"),
    ("sv", "anställningarna", "anställning"),
    ("sv", "arbetsplatserna", "arbetsplats"),
])
def test_the_index_and_the_query_lemmatise(lang, word, lemma):
    """The analyzers of the index's fields give the lemma, not the word as written (plain
    words alone would pass most other search tests on a corpus this small)."""
    schema = build_schema()
    for field in (text_field(lang), phrase_field(lang)):
        found = [token.text for token in schema[field].analyzer(word)]
        assert found[0] == lemma and word not in found, (field, found)
    assert main(word, lang) == lemma  # what a query's word becomes


def test_unknown_compounds_are_split_into_known_parts():
    compound, parts = analyse_word("palkkatukineuvonta", "fi")
    assert compound == "palkkatukineuvonta"
    assert {"palkkatuki", "neuvonta"} <= set(parts)
    compound, parts = analyse_word("varastotyöt", "fi")
    assert compound == "varastotyö"  # written first part + the lemma of the last
    assert {"varasto", "työ"} <= set(parts)
    # Finnish -nen words join compounds with -s.
    assert "työllistyminen" in analyse_word("työllistymispalvelun", "fi")[1]
    # Swedish joins with -s too.
    assert {"arbetsplats", "introduktion"} <= set(analyse_word("arbetsplatsintroduktion", "sv")[1])


def test_an_inflected_compound_reaches_the_same_terms_as_its_base_form():
    assert analyse_word("muutosturvavalmennukseen", "fi")[0] == main("muutosturvavalmennus")
    assert main("logistiikkakeskuksissa") == main("logistiikkakeskus")


def test_hyphenated_words_keep_the_whole_and_give_the_parts():
    compound, parts = analyse_word("hoiva-alalla", "fi")
    assert compound == "hoiva-ala"
    assert {"hoiva", "ala"} <= set(parts)
    compound, parts = analyse_word("50-vuotiaille", "fi")
    assert compound.startswith("50-") and "50" in parts


def test_odd_dictionary_lemmas_are_not_trusted():
    # simplemma maps "työ" to "sinä"; a lemma starting with another letter is ignored.
    assert main("työ") == "työ"
    assert main("töitä") != "sinä"


def test_unknown_words_fall_back_to_snowball():
    assert main("xylofonikset") == main("xylofonikselle")


def test_stop_words_are_dropped_and_positions_renumbered():
    positions = [t.pos for t in LanguageAnalyzer("fi")("Sijoita ja valmenna", positions=True)]
    assert positions == [0, 1]
    assert "ja" not in terms("Sijoita ja valmenna")


def test_compound_parts_share_the_position_of_the_compound():
    tokens = [(t.text, t.pos) for t in LanguageAnalyzer("fi")("palkkatukineuvonta alkaa",
                                                                positions=True)]
    assert {pos for text, pos in tokens if text in {"palkkatukineuvonta", "palkkatuki",
                                                     "neuvonta"}} == {0}


def test_weighted_parts_carry_their_weight_as_token_boost():
    tokens = [(t.text, t.boost, t.pos) for t in
              LanguageAnalyzer("fi")(weighted(("4", "Palkkatuki"), ("1", "Palkkatuki"),),
                                     positions=True, boosts=True)]
    boosts = [boost for text, boost, _ in tokens if text == "palkkatuki"]
    assert boosts == [4.0, 1.0]
    positions = [pos for text, _, pos in tokens if text == "palkkatuki"]
    assert positions[1] - positions[0] > 1  # a phrase cannot span two parts


def test_neutral_analyzer_gives_every_language_lemma():
    found = {t.text for t in NeutralAnalyzer()("Kymenlaaksossa")}
    assert "kymenlaaksossa" in found and "kymenlaakso" in found


def test_raw_analyzer_keeps_words_as_written():
    found = [t.text for t in RawAnalyzer()("Hoiva-alalla ja IPS")]
    assert found == ["hoiva-alalla", "hoiva", "alalla", "ips"]


def test_clean_text_removes_control_characters():
    assert clean_text("a\x00b\x1ec") == "a b c"
    assert clean_text(None) == ""
