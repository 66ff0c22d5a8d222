"""Segments are read in place from the memory map (app/search/mapped.py): opening a searcher
copies none of the index into the worker's memory, and the files Whoosh reads behave as the
copies did."""

from __future__ import annotations

import io
import random
import tracemalloc

import pytest
from whoosh.filedb.compound import CompoundStorage
from whoosh.filedb.filestore import OverlayStorage

from app.core.changes import record_change
from app.search import indexer, store
from app.search.mapped import MappedFile, _View


@pytest.fixture
def built(db, make_practice, make_organisation, search_index):
    rng = random.Random(5)
    words = ("valmennus työnhakija palkkatuki työkokeilu nuori kunta yritys ohjaus "
             "työnantaja osaaminen kurssi mentori arbetsprövning coaching").split()
    organisation = make_organisation(name="Valmennus ry")
    for i in range(120):
        text = " ".join(rng.choice(words) + rng.choice(("", "n", "ssa", "lle", "ja"))
                        for _ in range(rng.randint(20, 60)))
        practice = make_practice(organisation=organisation, title=f"Malli {i}",
                                 summary=text[:200], method=text, results=text[::-1],
                                 published=True)
        record_change("practice", practice.id)
    db.session.commit()
    indexer.rebuild(search_index)
    store.forget_handles()
    return search_index


def _segment_size(root) -> int:
    return sum(path.stat().st_size for path in root.rglob("*.seg"))


def test_opening_a_searcher_copies_no_segment_into_memory(built):
    size = _segment_size(built)
    assert size > 300_000
    tracemalloc.start()
    try:
        handle = store.get_handle(built)
        for leaf, _offset in handle.searcher.reader().leaf_readers():
            leaf.stored_fields(0)
        _current, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    # Whoosh's own BufferFile copied the postings, terms and stored fields: most of `size`.
    assert peak < size / 4, (peak, size)


def test_the_files_whoosh_reads_are_views_of_the_map(built, search):
    handle = store.get_handle(built)
    leaf = max((leaf for leaf, _o in handle.searcher.reader().leaf_readers()),
               key=lambda leaf: leaf.doc_count_all())
    storage = leaf._storage
    assert isinstance(storage, OverlayStorage) and isinstance(storage.a, CompoundStorage)
    for name in storage.a.list():
        opened = storage.a.open_file(name)
        assert isinstance(opened, MappedFile)
        assert opened._buf.obj is storage.a._source  # the map itself, not a copy
        offset, length = storage.a.range(name)
        assert opened.get(0, length) == storage.a._source[offset:offset + length]
    assert search("palkkatuki").total > 0


def test_a_view_reads_seeks_and_tells_as_an_in_memory_file():
    rng = random.Random(11)
    data = bytes(rng.randrange(256) for _ in range(5000)) + b"one\ntwo\n\nthree"
    ours, theirs = _View(memoryview(data)), io.BytesIO(data)
    for _ in range(2000):
        op = rng.choice(("read", "read", "seek", "seek1", "seek2", "readline", "readall"))
        if op == "read":
            n = rng.randint(0, 300)
            assert ours.read(n) == theirs.read(n)
        elif op == "readall":
            assert ours.read() == theirs.read()
        elif op == "readline":
            assert ours.readline() == theirs.readline()
        elif op == "seek":
            at = rng.randint(0, len(data) + 10)
            assert ours.seek(at) == theirs.seek(at)
        elif op == "seek1":
            at = rng.randint(-ours.tell(), 200)
            assert ours.seek(at, 1) == theirs.seek(at, 1)
        else:
            at = rng.randint(-len(data), 0)
            assert ours.seek(at, 2) == theirs.seek(at, 2)
        assert ours.tell() == theirs.tell()
    ours.seek(len(data) - 14)
    theirs.seek(len(data) - 14)
    assert list(ours) == list(theirs)
