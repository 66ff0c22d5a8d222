"""Decoded posting lists beside each segment (issue 13 §5, app/search/decoded.py): every
segment the index writes (a rebuild, a catch-up, a merge) carries every term's document
numbers and weights exactly as Whoosh's blocks decode them; a segment without the file, or
with a file that does not hold together, is searched by decoding the blocks, with the same
results."""

from __future__ import annotations

import numpy as np
import pytest
from whoosh.fields import NUMERIC
from whoosh.filedb.filestore import FileStorage

from app.core.changes import record_change
from app.search import bitmaps as bitmaps_module
from app.search import decoded, indexer, store
from app.search.bitmaps import Bitmaps, _postings
from app.search.service import _bitmaps, fresh_handle
from app.search.writing import open_writer

WORDS = ("valmennus työnhakija palkkatuki työkokeilu nuori kunta yritys ohjaus työnantaja "
         "osaaminen kurssi mentori arbetsprövning lönesubvention coaching").split()


def _add(make_practice, organisation, start: int, n: int):
    made = []
    for i in range(start, start + n):
        text = " ".join(WORDS[(i * 7 + k) % len(WORDS)] for k in range(3 + i % 9))
        made.append(make_practice(organisation=organisation, title=f"Malli {i} {text[:30]}",
                                  summary=text, language=("fi", "sv", "en")[i % 3],
                                  published=True))
    return made


def _leaf_terms(leaf):
    for field, text in leaf.all_terms():
        if leaf.schema[field].format is not None:
            yield field, text


def _check_every_term(handle) -> int:
    """Every term of every segment: the decoded file's arrays are Whoosh's decoded blocks.
    Returns the number of terms checked."""
    checked = 0
    for leaf, _offset in handle.searcher.reader().leaf_readers():
        reader = decoded.open_reader(leaf)
        assert reader is not None, "a segment without its decoded postings"
        for field, text in _leaf_terms(leaf):
            info = leaf.term_info(field, text)
            found = reader.get(info.extent()[0])
            assert found is not None, (field, text)
            # every posting written, deleted documents' too (Whoosh's reader would skip
            # those; the searches mask them with the set of live documents)
            ids, weights = _postings(leaf._terms.matcher(field, text, leaf.schema[field].format))
            assert found[0].tolist() == ids, (field, text)
            assert found[1].astype(np.float64).tolist() == [float(w) for w in weights]
            checked += 1
    return checked


@pytest.fixture
def organisation(make_organisation):
    return make_organisation(name="Valmennus ry")


def test_every_segment_written_carries_its_terms_decoded(db, make_practice, organisation,
                                                         search_index):
    _add(make_practice, organisation, 0, 40)
    db.session.commit()
    indexer.rebuild(search_index)
    # Two catch-ups write segments of their own, with a change to an indexed model.
    for start in (40, 55):
        made = _add(make_practice, organisation, start, 15)
        db.session.commit()
        for practice in made:
            record_change("practice", practice.id)
        db.session.commit()
        indexer.catch_up(search_index)
    handle = store.get_handle(search_index)
    assert len(handle.searcher.reader().leaf_readers()) >= 2
    assert _check_every_term(handle) > 500

    # A merge of the segments into one (Whoosh's optimize) writes the file for it too.
    ix = store.open_generation(search_index, store.current_generation(search_index))
    writer = open_writer(ix)
    writer.commit(optimize=True)
    store.forget_handles()
    merged = store.get_handle(search_index)
    assert len(merged.searcher.reader().leaf_readers()) == 1
    assert _check_every_term(merged) > 500


def _all_postings(bitmaps: Bitmaps) -> dict:
    found = {}
    for leaf, _offset in bitmaps.leaves:
        for field, text in _leaf_terms(leaf):
            if isinstance(leaf.schema[field], NUMERIC):
                continue  # numbers are searched by their columns, not their terms
            key = (field, text.decode("utf-8") if isinstance(text, bytes) else text)
            if key not in found:
                ids, weights = bitmaps.postings(*key)
                found[key] = (ids.tolist(), weights.tolist())
    return found


@pytest.fixture
def indexed(db, make_practice, organisation, search_index):
    _add(make_practice, organisation, 0, 30)
    db.session.commit()
    indexer.rebuild(search_index)


def test_a_segment_without_the_file_is_searched_by_decoding_its_blocks(app, indexed,
                                                                        monkeypatch, search):
    handle = fresh_handle()
    with handle.lock:
        with_file = _all_postings(Bitmaps(handle.searcher))
        monkeypatch.setattr(decoded, "open_reader", lambda leaf: None)
        assert _all_postings(Bitmaps(handle.searcher)) == with_file
        assert len(with_file) > 300
        # and the search finds what it found with the file
        monkeypatch.undo()
    with_file = [(hit.id, hit.score) for hit in search("palkkatuki nuori").hits]
    store.forget_handles()
    monkeypatch.setattr(decoded, "open_reader", lambda leaf: None)
    assert [(hit.id, hit.score) for hit in search("palkkatuki nuori").hits] == with_file
    assert with_file


@pytest.mark.parametrize("damage", ["garbage", "truncated", "directory"])
def test_a_file_that_does_not_hold_together_is_left_aside(app, indexed, search_index, damage):
    handle = fresh_handle()
    leaf = max((leaf for leaf, _offset in handle.searcher.reader().leaf_readers()),
               key=lambda leaf: leaf.doc_count_all())
    buffer = bytes(decoded._buffer(leaf))
    assert decoded.Reader(buffer).offsets.size > 100
    if damage == "garbage":
        broken = b"\x07" * len(buffer)
    elif damage == "truncated":
        broken = buffer[: len(buffer) // 2]
    else:  # the directory points past the data
        terms = (len(buffer) - decoded._FOOTER.size) // 24
        start = len(buffer) - decoded._FOOTER.size - 8 * terms
        broken = buffer[:start] + b"\xff" * 8 * terms + buffer[-decoded._FOOTER.size:]
    with pytest.raises(ValueError):
        decoded.Reader(broken)
    # The same through a segment whose file is broken: no reader, the blocks decoded.
    storage = FileStorage(str(search_index))
    name = "broken" + decoded.EXT
    with storage.create_file(name) as f:
        f.write(broken)

    class _Segment:
        def make_filename(self, ext):
            return "broken" + ext

    class _Leaf:
        _segment = _Segment()
        _storage = storage

    assert decoded.open_reader(_Leaf()) is None


def test_a_search_reads_the_decoded_file_and_decodes_no_block(app, indexed, monkeypatch,
                                                             search):
    store.forget_handles()
    first = [(hit.id, hit.score) for hit in search("palkkatuki nuori").hits]
    store.forget_handles()

    def no_blocks(matcher):
        raise AssertionError("a posting list decoded from Whoosh's blocks")

    monkeypatch.setattr(bitmaps_module, "_postings", no_blocks)
    assert [(hit.id, hit.score) for hit in search("palkkatuki nuori").hits] == first
    assert first
    handle = fresh_handle()
    with handle.lock:
        assert len(_all_postings(_bitmaps(handle))) > 300
