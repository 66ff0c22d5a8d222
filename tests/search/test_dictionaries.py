"""The lemma dictionaries' tries (issue 13 §5): `flask search dictionaries` builds them once
per machine; web workers read them (a lookup ten times faster than in simplemma's compressed
dictionaries, in a third of the memory) and get the same lemmas. A worker without them reads
the compressed dictionaries and never builds them itself."""

from __future__ import annotations

import random

from simplemma.strategies import DictionaryLookupStrategy
from simplemma.strategies.dictionaries import StreamDictionaryFactory

from app.search import analysis

WORDS = {
    "fi": ["työllistymisen", "palkkatuesta", "järjestöjen", "työkokeiluun", "valmentajalle",
           "osatyökykyisten", "hankkeissa", "kuntoutukseen", "yrityksille", "tuen"],
    "sv": ["arbetsprövningen", "lönesubventionen", "föreningarnas", "arbetsgivare",
           "sysselsättningen", "partiellt", "arbetsförmåga", "stödet", "kommunerna", "jobben"],
    "en": ["subsidies", "employers", "trials", "coaching", "workers", "placements", "was",
           "organisations", "better", "counselling"],
}


def _sample() -> list[tuple[str, str]]:
    rng = random.Random(3)
    made = [("".join(rng.choice("aeioulnrstkmpväöå") for _ in range(rng.randint(2, 12))), lang)
            for lang in WORDS for _ in range(300)]  # mostly not words: no lemma either way
    return [(word, lang) for lang, words in WORDS.items() for word in words] + made


def test_the_command_builds_tries_that_give_the_same_lemmas(app, tmp_path, monkeypatch):
    monkeypatch.setenv("KOHTAAMO_LEMMA_CACHE_DIR", str(tmp_path / "tries"))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["search", "dictionaries"])
    assert result.exit_code == 0, result.output
    assert "Built fi, sv, en" in result.output
    # Only the three files: nothing half-written left beside them.
    assert sorted(p.name for p in (tmp_path / "tries").iterdir()) == [
        "en.dic", "fi.dic", "sv.dic"]
    again = runner.invoke(args=["search", "dictionaries"])
    assert again.exit_code == 0 and "Built" not in again.output
    assert str(tmp_path / "tries") in again.output

    dictionary = analysis._Dictionary()
    compressed = DictionaryLookupStrategy(StreamDictionaryFactory())
    sample = _sample()
    found = [dictionary.get(word, lang) for word, lang in sample]
    assert dictionary.backend == "trie"
    assert found == [compressed.get_lemma(word, lang) for word, lang in sample]
    assert sum(1 for lemma in found if lemma) >= 30  # the real words have lemmas


def test_a_worker_without_tries_reads_the_compressed_dictionaries(tmp_path, monkeypatch):
    monkeypatch.setenv("KOHTAAMO_LEMMA_CACHE_DIR", str(tmp_path / "none"))
    dictionary = analysis._Dictionary()
    assert dictionary.get("työllistymisen", "fi") == "työllistyminen"
    assert dictionary.backend == "stream"
    assert not (tmp_path / "none").exists()  # a worker never builds them


def test_a_worker_with_unreadable_tries_reads_the_compressed_dictionaries(tmp_path,
                                                                          monkeypatch):
    monkeypatch.setenv("KOHTAAMO_LEMMA_CACHE_DIR", str(tmp_path))
    for lang in analysis.LANGUAGES:
        (tmp_path / f"{lang}.dic").write_bytes(b"not a trie" * 100)
    dictionary = analysis._Dictionary()
    assert dictionary.get("arbetsgivare", "sv") == "arbetsgivare"
    assert dictionary.backend == "stream"
    assert {p.name: p.read_bytes() for p in tmp_path.iterdir()} == {
        f"{lang}.dic": b"not a trie" * 100 for lang in analysis.LANGUAGES}  # none rebuilt


def test_the_command_says_in_one_line_where_it_cannot_write(app, tmp_path, monkeypatch):
    (tmp_path / "a-file").write_text("")
    monkeypatch.setenv("KOHTAAMO_LEMMA_CACHE_DIR", str(tmp_path / "a-file" / "tries"))
    result = app.test_cli_runner().invoke(args=["search", "dictionaries"])
    assert result.exit_code == 1
    assert result.output.strip().splitlines() == [
        f"Error: The tries cannot be written in {tmp_path / 'a-file' / 'tries'}: Not a directory."]
