"""Speed work that must not change results (issue 13 §5): the ranking's threshold algorithm
over the terms' lists gives the same hits and scores as summing every document's scores."""

from __future__ import annotations

import random
import re

import pytest

from app.core.changes import record_change
from app.search.bitmaps import count
from app.search.query import Builder, parse_query
from app.search.ranking import Ranker, top
from app.search.service import _bitmaps, fresh_handle

WORDS = ("valmennus työnhakija palkkatuki työkokeilu nuori kunta yritys ohjaus "
         "työnantaja osaaminen kurssi mentori").split()


@pytest.fixture
def corpus(db, make_practice, make_organisation):
    rng = random.Random(13)
    organisation = make_organisation(name="Valmennus ry")
    made = []
    for i in range(24):
        text = " ".join(rng.choice(WORDS) for _ in range(rng.randint(3, 12)))
        made.append(make_practice(organisation=organisation, title=f"Malli {i} {text[:40]}",
                                  summary=text, regions=[rng.choice(["MK01", "MK02"])],
                                  published=True))
    db.session.commit()
    for practice in made:
        record_change("practice", practice.id)
    db.session.commit()
    return made


def _reference(ranker: Ranker, concepts, docnum: int) -> float:
    """A concept's score as the sum over whole arrays made it: its terms' weighted scores,
    longest list first, then its groups' flat bonus (and a phrase's mean term score)."""
    total = 0
    for concept in concepts:
        parts = [(ranker.term(f, t), w) for f, t, w in concept.leaves]
        parts = sorted([(s, w) for s, w in parts if len(s)], key=lambda p: -len(p[0]))
        value = 0.0
        for scores, weight in parts:
            value += weight * scores.dense[docnum]
        for field, texts, weight, bits, scored in concept.groups:
            if (bits >> docnum) & 1:
                value += weight * sum(ranker._idf(field, t) for t in texts)
                if scored:
                    for t in texts:
                        value += ranker.term(field, t).dense[docnum] / len(texts)
        total += value
    return total


@pytest.mark.parametrize("q", ["valmennus", "palkkatuki nuori", "työnhakija ohjaus kurssi",
                               '"palkkatuki työkokeilu" mentori', "kunta OR yritys osaaminen"])
@pytest.mark.parametrize("want", [1, 5, 40])
def test_top_hits_are_those_of_summing_every_document(app, corpus, q, want):
    handle = fresh_handle()
    with handle.lock:
        bitmaps = _bitmaps(handle)
        builder = Builder(bitmaps)
        concepts = [c for c in (builder.concept(g) for g in parse_query(q).groups) if c.matches]
        assert concepts
        ranker = Ranker(bitmaps)
        matched = 0
        for concept in concepts:
            matched |= concept.bits
        allowed = bitmaps.term("kind", "practice") & matched
        assert count(allowed)
        found = top([ranker.concept(c) for c in concepts], bitmaps.mask(allowed), want)
        expected = sorted((-_reference(ranker, concepts, d), d)
                           for d in bitmaps.docnums(allowed))[:want]
    assert [(d, score) for d, score in found] == [(d, -negated) for negated, d in expected]
    assert len(found) == min(want, count(allowed))


# --- highlighting: one scan of the text instead of a decision per word ------------------------

_ALPHABET = list("aeiouytkslnmpr -,._19") + list("äöåéüøæßÄÖÅÉİΣσς–€") + [
    "a\u0308", "o\u0308", "ǆ", "ạ", "ﬁ"]


def test_highlight_positions_are_those_of_deciding_every_word():
    """Matcher.positions finds the words to mark by scanning the folded text for the query's
    keys; on text whose characters do not all fold one for one (combining marks, ligatures,
    Greek, a dotted capital I) it decides word by word. Both give the spans that deciding
    every word of the text gives."""
    from app.search.analysis import WORD_RE
    from app.search.highlight import Matcher

    rng = random.Random(5)
    terms = {"fi": {"työ", "koulutus", "äiti"}, "sv": {"arbete"}, "en": set()}
    marked = passed_over = 0
    for _ in range(1500):
        text = "".join(rng.choice(_ALPHABET) for _ in range(rng.randint(0, 80)))
        words = [m.group(0).lower() for m in WORD_RE.finditer(text)]
        raw = set(rng.sample(words, min(2, len(words))))
        raw |= {w[:2] for w in raw if rng.random() < 0.5}
        # Words beginning like a query word but not it: a key found in them, no match.
        text += "".join(f" {w[:3]}qx{rng.choice('aä')}" for w in raw if len(w) >= 3)

        def matcher(raw=raw):
            return Matcher(terms, raw, {"fi": {"tyo"}}, {"aiti"})

        every_word = matcher()
        expected = [m.span() for m in WORD_RE.finditer(text) if every_word(m.group(0), "fi")]
        assert matcher().positions(text, "fi") == expected, text
        marked += len(expected)
        passed_over += len([m for m in WORD_RE.finditer(text) if "qx" in m.group(0)
                            and m.span() not in expected])
    assert marked > 500  # the texts had words to mark, not only misses
    assert passed_over > 500  # and words with a key in them that are no match
    # Two keys beginning at one place ("pk" and "pk-"): the shorter one fits in the word.
    text = "Tukea pk- ja pk-yrityksille"
    matcher = Matcher(terms, {"pk", "pk-yrityksille"})
    assert matcher.positions(text, "fi") == [(6, 8), (13, 27)]


def test_the_word_around_a_place_is_the_one_the_tokeniser_finds():
    """The highlighter finds the word around a place where a query key begins by looking
    left and right from it, not by splitting the whole text: the same words as WORD_RE's."""
    from app.search.analysis import WORD_RE
    from app.search.highlight import _word_at

    def check(text):
        around = {}
        for m in WORD_RE.finditer(text):
            around.update(dict.fromkeys(range(*m.span()), m.span()))
        assert [_word_at(text, i) for i in range(len(text))] == \
            [around.get(i) for i in range(len(text))], text

    rng = random.Random(11)
    for _ in range(3000):
        check("".join(rng.choice("ab-_ 1ä.–-\n") for _ in range(rng.randint(1, 24))))
    # Words longer than the look-back for a space, at the start and after other words.
    for word in ("a" * 63, "a" * 64, "a" * 65, "a" * 150, "ab-" * 40 + "c", "x." + "b" * 90):
        check(word)
        check("sana " + word + " ja " + word)


def test_highlight_marks_words_written_with_and_without_diacritics():
    from app.search.highlight import Matcher, mark

    matcher = Matcher({"fi": {"työ"}, "sv": set(), "en": set()}, {"työ", "tyo"})
    text = "Työ, TYO ja työ–tyo. Æble tyo"
    spans = matcher.positions(text, "fi")
    assert [text[a:b] for a, b in spans] == ["Työ", "TYO", "työ", "tyo", "tyo"]
    assert str(mark("<b>työ</b>", [(3, 6)])) == "&lt;b&gt;<mark>työ</mark>&lt;/b&gt;"


# --- document sets: one bit per document; decoded postings bounded in bytes ----------------


def test_sets_have_one_bit_per_document_and_convert_both_ways(app, corpus):
    handle = fresh_handle()
    with handle.lock:
        bitmaps = _bitmaps(handle)
        practices = bitmaps.term("kind", "practice")
        docs = bitmaps.docnums(practices)
        assert len(docs) == count(practices) == len(corpus)
        assert practices == sum(1 << d for d in docs)  # bit d for document d
        mask = bitmaps.mask(practices)
        assert len(mask) == bitmaps.size
        assert [d for d in range(bitmaps.size) if mask[d]] == docs
        assert bitmaps.array(practices).tolist() == docs
        # Documents replaced by a newer version stay in the segment, deleted, until it merges.
        assert count(bitmaps.alive) == bitmaps.reader.doc_count() <= bitmaps.size
        assert bitmaps.alive >> bitmaps.size == 0 and practices & ~bitmaps.alive == 0


def test_ranking_reads_each_documents_field_length_as_whooshs_reader_does(
        app, db, corpus, make_practice, search_index, monkeypatch):
    """BM25 normalises by each document's field length, read for a whole segment at once
    from its lengths column. Documents without the field (and those after the last one with
    it, which the column does not hold) have length 0."""
    import numpy as np

    from app.search import indexer, ranking

    swedish = make_practice(organisation=corpus[0].organisation, published=True,
                            language="sv", title="Arbetsprövning för unga",
                            summary="Handledning och lönesubvention " * 3)
    record_change("practice", swedish.id)
    db.session.commit()
    indexer.catch_up(search_index)  # all of it (a request's catch-up is bounded in time)
    monkeypatch.setattr(np, "fromiter", None)  # the slow way would fail
    handle = fresh_handle()
    with handle.lock:
        bitmaps = _bitmaps(handle)
        checked = 0
        for leaf, _offset in bitmaps.leaves:
            total = leaf.doc_count_all()
            for field in ("text_fi", "fold_fi", "text_sv", "raw", "org", "text_en"):
                expected = [leaf.doc_field_length(d, field) or 0 for d in range(total)]
                assert ranking._leaf_lengths(leaf, field).tolist() == expected, field
                checked += sum(1 for n in expected if n)
        assert checked > len(corpus)  # the lengths were there to be read
        has_swedish = [leaf.doc_field_length(d, "text_sv") or 0
                       for leaf, _offset in bitmaps.leaves
                       for d in range(leaf.doc_count_all())]
        assert any(has_swedish) and not all(has_swedish)


def test_decoded_postings_stay_within_their_byte_budget(app, corpus, monkeypatch):
    from app.search import bitmaps as bitmaps_module

    handle = fresh_handle()
    with handle.lock:
        bitmaps = bitmaps_module.Bitmaps(handle.searcher)
        first = bitmaps.postings("raw", WORDS[0])
        assert len(first[0]) and first[0].dtype.name == "int32"
        assert list(first[0]) == sorted(first[0])
        monkeypatch.setattr(bitmaps_module, "POSTINGS_CACHE_BYTES", 3 * (12 * len(first[0]) + 200))
        for word in WORDS:
            bitmaps.postings("raw", word)
            assert bitmaps._postings_bytes <= bitmaps_module.POSTINGS_CACHE_BYTES
        assert 1 <= len(bitmaps._postings) < len(WORDS)
        assert ("raw", WORDS[-1]) in bitmaps._postings  # the latest are kept
        assert ("raw", WORDS[0]) not in bitmaps._postings
        # Read again after being dropped: the same list.
        again = bitmaps.postings("raw", WORDS[0])
        assert again[0].tolist() == first[0].tolist()
        assert again[1].tolist() == first[1].tolist()


# --- the API: its hits are checked against the database once -------------------------------


def test_the_api_checks_its_hits_against_the_database_in_one_query(
        client, db, make_practice, count_queries):
    from app.practices.models import PracticeState

    shown = make_practice(title="Palkkatuki nuorille", published=True)
    hidden = make_practice(title="Palkkatuki aikuisille", published=True)
    db.session.commit()
    for practice in (shown, hidden):
        record_change("practice", practice.id)
    db.session.commit()
    assert client.get("/api/v1/practices?q=palkkatuki").get_json()["total"] == 2
    # Unpublished behind the index's back (no change recorded): the index still has it.
    hidden.state = PracticeState.archived
    db.session.commit()
    with count_queries() as counter:
        body = client.get("/api/v1/practices?q=palkkatuki").get_json()
    assert [item["id"] for item in body["items"]] == [shown.id]
    assert body["total"] == 2  # the index's count; the page of items is what the database says
    on_models = [s for s in counter.statements if "FROM practice " in s or "FROM practice\n" in s]
    assert len(on_models) == 1, on_models
    assert "practice_version" in on_models[0]  # practice_extras: the rows the API shows


# --- typo corrections with rapidfuzz (issue 13 §5) --------------------------------------------

TYPOS = ["valmenus", "valmennuz", "työnhakia", "työnhakijä", "palkkatukki", "plakkatuki",
         "työkokeliu", "osaamnen", "mentorri", "työnantja", "valmennus", "kurssi", "nuoiri",
         "ohjaaus", "yritsy", "kunat", "qzxvyk", "v", "työkokeilut", "valmennusta"]


def _whoosh_within(bitmaps, fieldname: str, word: str, maxdist: int) -> set[str]:
    """Whoosh's own walk of the word lists (the way before rapidfuzz)."""
    found = set()
    for leaf, _offset in bitmaps.leaves:
        try:
            found.update(leaf.terms_within(fieldname, word, maxdist, prefix=1))
        except (KeyError, ValueError, TypeError):
            continue
    return found


@pytest.mark.parametrize("maxdist", [1, 2])
def test_typo_candidates_are_those_of_whooshs_automaton(app, corpus, maxdist):
    from app.search.query import CORRECTION_FIELDS

    handle = fresh_handle()
    bitmaps = _bitmaps(handle)
    builder = Builder(bitmaps)
    compared = 0
    for word in TYPOS:
        for fieldname in CORRECTION_FIELDS:
            expected = _whoosh_within(bitmaps, fieldname, word, maxdist)
            assert set(builder._within(fieldname, word, maxdist)) == expected, (word, fieldname)
            compared += bool(expected)
    assert compared > 10  # the misspellings do have candidates


def test_corrections_and_suggestions_are_those_of_whooshs_automaton(app, corpus, monkeypatch):
    """The same corrections, in the same order, and the same "did you mean" on the page's
    searches, with rapidfuzz and with Whoosh's walk."""
    from app.search import query
    from app.search.budget import Budget
    from app.search.service import search_practices

    def run():
        handle = fresh_handle()
        builder = Builder(_bitmaps(handle))
        corrections = [builder._corrections(word, d, query.CORRECTION_FIELDS)
                       for word in TYPOS for d in (1, 2)]
        results = []
        for q in ["valmenus", "plakkatuki nuori", "työkokeliu mentorri", "osaamnen kurssi",
                  "vlmenus", "työnhkja", "vlmenus mntori"]:
            r = search_practices(q, budget=Budget(None))
            results.append((r.suggestion, r.suggestion_count, r.total,
                            [(h.id, h.score) for h in r.hits]))
        return corrections, results

    ours = run()
    with monkeypatch.context() as patched:
        patched.setattr(query, "_levenshtein", None)
        theirs = run()
    assert ours == theirs
    assert any(ours[0]) and any(s for s, *_ in ours[1])


def test_word_lists_by_initial_are_read_once_per_reader(app, corpus):
    handle = fresh_handle()
    bitmaps = _bitmaps(handle)
    first = bitmaps.words_starting("raw", "v")
    assert "valmennus" in first and all(w.startswith("v") for w in first)
    assert bitmaps.words_starting("raw", "v") is first  # remembered
    assert first == sorted(first, key=lambda w: w.encode())
    assert bitmaps.words_starting("no_such_field", "v") == []


# --- strip_markdown's shortcuts --------------------------------------------------------------


def test_strip_markdown_gives_what_every_pattern_gives():
    from app.search import schema

    # the pattern as first written, tried at every position of every text
    markdown_mark = re.compile(r"(^|\s)[#>*+-]+\s|[*_`~|]+|^\s*\d+\.\s", re.MULTILINE)

    def reference(text):
        if not text:
            return ""
        text = schema._MD_LINK.sub(r"\1", text)
        text = schema._MD_TAG.sub(" ", text)
        text = markdown_mark.sub(" ", text)
        return " ".join(schema.clean_text(text).split())

    rng = random.Random(5)
    pieces = ["työ", "valmennus", " ", "  ", "\n", "-", "- ", "* ", "#", "## ", "> ", "1. ",
              "12.", "3.5", "_", "`", "~", "|", "+", "[linkki](http://x.fi)", "](", "<b>",
              "<", ">", "a", "ä", "\t", ".", "!", "[", "]", "(", ")", "2. ", "\u0663. ", "\u00a0",
              "\u2003- "]
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 14)))
        assert schema.strip_markdown(text) == reference(text), repr(text)


def test_a_requests_later_searches_use_the_searcher_of_its_first(app, corpus, monkeypatch):
    """The page searches models, organisations and calls: the index directory is looked at
    once per request, and all three see the same searcher."""
    from app.search import service, store

    opened = []
    real = store.get_handle

    def counting(*args, **kwargs):
        opened.append(1)
        return real(*args, **kwargs)

    monkeypatch.setattr(store, "get_handle", counting)
    # Each request in an application context (and `g`) of its own, as in production
    with app.app_context(), app.test_request_context("/search?q=valmennus"):
        first = service.fresh_handle()
        assert first is not None
        looked = len(opened)
        service.search_organisations("valmennus")
        service.search_calls("valmennus")
        assert service.fresh_handle() is first
        assert len(opened) == looked
    with app.app_context(), app.test_request_context("/search?q=valmennus"):  # looks again
        assert service.fresh_handle() is not None
        assert len(opened) > looked


def test_the_page_builds_the_querys_concepts_once(app, client, corpus, monkeypatch):
    """The page looks for the same words among models, organisations and calls: the concepts
    (analysis, corrections, the thesaurus's terms) are built once a request, and each search
    finds what it finds on its own."""
    from app.search import service
    from app.search.query import Builder

    q = "valmennus -kurssi nuori OR mentori"
    with app.app_context(), app.test_request_context("/"):
        service.search_practices("valmennus")  # the index catches up
    with app.app_context(), app.test_request_context("/"):
        alone = (service.search_practices(q, language="en"), service.search_organisations(q),
                 service.search_calls(q))
    built = []
    real = Builder.concept

    def counting(self, items, *args, **kwargs):
        built.append(tuple(items))
        return real(self, items, *args, **kwargs)

    monkeypatch.setattr(Builder, "concept", counting)
    with app.app_context(), app.test_request_context("/"):
        practices = service.search_practices(q, language="en")
        once = len(built)
        organisations = service.search_organisations(q)
        calls = service.search_calls(q)
    assert once >= 3 and len(built) == once  # two groups and the excluded word, no more
    assert [h.id for h in practices.hits] == [h.id for h in alone[0].hits]
    assert practices.total == alone[0].total > 0
    assert organisations.total == alone[1].total
    assert calls == alone[2]
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    assert f'href="{practices.hits[0].url}"' in html


def test_stored_fields_are_whooshs_whether_one_segment_or_several(
        app, db, corpus, make_practice, search_index):
    """The hits' stored fields are read from a one-segment index's column directly, and
    through Whoosh's reader from an index of several segments: the same fields either way."""
    from app.search import indexer, store
    from app.search.service import _read_stored

    def check(expect_one_segment: bool) -> None:
        handle = store.get_handle(search_index)
        with handle.lock:
            searcher = handle.searcher
            assert searcher.reader().is_atomic() is expect_one_segment
            docnums = list(searcher.reader().all_doc_ids())
            assert len(docnums) > len(corpus)
            for docnum in docnums:
                assert _read_stored(searcher, docnum) == searcher.stored_fields(docnum)

    indexer.rebuild(search_index)
    check(expect_one_segment=True)
    extra = make_practice(organisation=corpus[0].organisation, published=True,
                          title="Uusi segmentti")
    record_change("practice", extra.id)
    db.session.commit()
    indexer.catch_up(search_index)
    check(expect_one_segment=False)
