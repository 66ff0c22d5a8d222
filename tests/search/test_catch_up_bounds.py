"""Issue 13 §4: a search request's catch-up is bounded in documents (an organisation's
change counts one document per model it re-indexes) and commits what it did; an old handle
stays usable by a thread searching it while the generation switches."""

from __future__ import annotations

import re
import shutil
import threading

import pytest

from app.core.changes import SearchChange, record_change
from app.search import expansion, indexer, store


def test_a_bounded_catch_up_commits_what_it_did_and_says_more_is_left(
        db, make_practice, make_organisation, search_index):
    organisation = make_organisation()
    indexer.ensure_index(search_index)
    for i in range(5):
        make_practice(organisation=organisation, title=f"Rajattu {i}", published=True)
    first = indexer.catch_up(search_index, limit=200, max_documents=3, budget=10.0)
    assert first.more and 0 < first.applied
    handle = store.get_handle(search_index)
    with handle.lock:
        assert 1 <= sum(1 for _ in handle.searcher.documents(kind="practice")) <= 3
    while indexer.catch_up(search_index, limit=200, max_documents=3, budget=10.0).more:
        pass
    assert indexer.status(search_index)["lag"] == 0


def test_an_organisation_change_too_big_for_a_request_is_left_to_the_background(
        db, make_practice, make_organisation, search_index):
    organisation = make_organisation()
    for i in range(4):
        make_practice(organisation=organisation, title=f"Iso {i}", published=True)
    indexer.catch_up(search_index)
    record_change("organisation", organisation.id)  # re-indexes its 4 models: 5 documents
    db.session.flush()
    result = indexer.catch_up(search_index, limit=200, max_documents=3, budget=10.0)
    assert result.more and result.applied == 0  # no unbounded work in a request
    assert indexer.catch_up(search_index).applied == 1  # the CLI / background does it


def test_a_searcher_in_use_survives_a_generation_switch(db, make_practice, search_index):
    make_practice(title="Kilpailu", published=True)
    indexer.rebuild(search_index)
    old = store.get_handle(search_index)
    holding = threading.Event()
    switched = threading.Event()
    found: list = []

    def search_with_old_handle():
        holding.set()  # has the handle, is about to search with it
        switched.wait(timeout=60)
        try:
            with old.lock:
                found.append(len(list(old.searcher.documents(kind="practice"))))
        except Exception as error:  # noqa: BLE001 - reported below
            found.append(error)

    thread = threading.Thread(target=search_with_old_handle)
    thread.start()
    assert holding.wait(timeout=60)
    indexer.rebuild(search_index)  # a new generation: get_handle switches
    new = store.get_handle(search_index, refresh=False)
    assert new is not old
    switched.set()
    thread.join(timeout=60)
    assert found == [1]


def test_two_searches_with_no_change_between_share_one_searcher(
        db, client, make_practice, search_index):
    """One searcher per worker until the index changes: a GET does no indexing work."""
    make_practice(title="Pysyvä haku", published=True)
    make_practice(title="Toinen pysyvä", published=True)
    assert client.get("/search?q=pysyvä").status_code == 200  # creates and catches up
    first = store.get_handle(search_index, refresh=False)
    searcher = first.searcher
    for q in ("pysyvä", "haku", "toinen"):
        assert client.get(f"/search?q={q}").status_code == 200
        handle = store.get_handle(search_index, refresh=False)
        assert handle is first and handle.searcher is searcher, q


def test_a_request_with_a_time_bound_of_0_ms_applies_one_chunk_commits_and_answers(
        db, app, client, make_organisation, make_practice, search_index, monkeypatch):
    """SEARCH_CATCH_UP_MS bounds the request's catch-up: with 0 ms it stops at the first look
    at the clock, after one chunk of changes (not by timing the request)."""
    organisation = make_organisation()
    indexer.ensure_index(search_index)
    models = [make_practice(organisation=organisation, title=f"Kiireinen {i}", published=True)
              for i in range(3)]
    for i in range(60):  # edits of the same models: one change each
        record_change("practice", models[i % 3].id)
    db.session.commit()
    pending = db.session.query(SearchChange).count()
    assert pending > indexer.CHUNK  # more than one chunk is waiting
    monkeypatch.setitem(app.config, "SEARCH_CATCH_UP_MS", 0)
    monkeypatch.setitem(app.config, "SEARCH_CATCH_UP_DOCUMENTS", 10_000)  # not this bound
    monkeypatch.setitem(app.config, "SEARCH_BACKGROUND_CATCH_UP", False)

    assert client.get("/search?q=kiireinen").status_code == 200
    first = indexer.lag(search_index)
    assert 0 < first[0] and first[1] == pending - indexer.CHUNK  # one chunk, committed
    assert client.get("/search?q=kiireinen").status_code == 200
    assert indexer.lag(search_index)[1] == pending - 2 * indexer.CHUNK  # the next chunk

    monkeypatch.setitem(app.config, "SEARCH_CATCH_UP_MS", 60_000)
    assert client.get("/search?q=kiireinen").status_code == 200
    assert indexer.lag(search_index)[1] == 0


def test_a_writer_whose_files_vanish_raises_and_records_its_first_error(
        db, make_practice, search_index):
    """The two-host run: a temporary file removed under the writer (FileNotFoundError on
    MAIN.tmp/*.ctmp) made cancel() fail too ("This file is already closed"), hiding the
    first error and keeping the write lock."""
    indexer.ensure_index(search_index)
    make_practice(title="Kadonnut tiedosto", published=True)
    loader = indexer.LOADERS["practice"]

    def vanishing(ids):  # another process removes the writer's temporary directory
        shutil.rmtree(search_index / store.current_generation(search_index) / "MAIN.tmp")
        return loader(ids)

    indexer.register_kind("practice", vanishing)
    try:
        with pytest.raises(FileNotFoundError, match=r"\.ctmp"):
            indexer.catch_up(search_index)
    finally:
        indexer.register_kind("practice", loader)
    last = store.read_status(search_index)
    assert last["current"] and "FileNotFoundError" in last["error"]["message"]
    assert "already closed" not in last["error"]["message"]
    assert indexer.lag(search_index)[0] == 0  # nothing committed
    result = indexer.catch_up(search_index)  # the lock was released: the next writer works
    assert not result.busy and result.applied > 0
    assert indexer.lag(search_index)[1] == 0 and not store.read_status(search_index)["current"]


def test_awaited_ids_are_looked_for_by_a_query_not_a_writer(
        db, app, client, make_practice, search_index, count_queries, monkeypatch):
    """PostgreSQL gaps: the index awaits ids it skipped. Looking for them every few seconds
    is one query; the searcher stays the same when none turned up."""
    make_practice(title="Odotettu", published=True)
    # The index first catches up to the newest change (a new index does not await the ids
    # below its first change: on PostgreSQL the sequence may be thousands past them).
    assert client.get("/search?q=odotettu").status_code == 200
    top = indexer.max_change_id()
    db.session.add(SearchChange(id=top + 5, kind="practice", object_id=10**6,
                                operation="delete"))
    db.session.commit()
    assert client.get("/search?q=odotettu").status_code == 200
    handle = store.get_handle(search_index, refresh=False)
    with handle.lock:
        gaps = indexer.IndexState.read(handle.searcher).gaps
    assert {top + 1, top + 2, top + 3, top + 4} <= set(gaps)
    searcher = handle.searcher
    monkeypatch.setitem(app.config, "SEARCH_GAP_RECHECK_SECONDS", 0)
    with count_queries() as queries:
        assert client.get("/search?q=odotettu").status_code == 200
    on_changes = [q for q in queries.statements if re.search(r"\bsearch_change\b", q)]
    assert len(on_changes) == 2, on_changes  # the last id, and the awaited ids
    assert store.get_handle(search_index, refresh=False).searcher is searcher

    db.session.add(SearchChange(id=top + 2, kind="practice", object_id=10**6 + 1,
                                operation="delete"))  # an awaited id turns up
    db.session.commit()
    assert client.get("/search?q=odotettu").status_code == 200
    assert store.get_handle(search_index, refresh=False).searcher is not searcher
    with store.get_handle(search_index).lock:
        handle = store.get_handle(search_index, refresh=False)
        still = set(indexer.IndexState.read(handle.searcher).gaps)
    assert top + 2 not in still and {top + 1, top + 3, top + 4} <= still


def test_a_worker_start_warms_the_thesaurus_map(app, db):
    """gunicorn's post_worker_init builds the thesaurus map (and loads the dictionaries), so
    the first visitor of a worker does not pay for it."""
    import runpy
    from types import SimpleNamespace

    from sqlalchemy import func, select

    from app.search.thesaurus import import_csv, live_concepts

    import_csv()  # the reviewed sets of the repository
    db.session.commit()
    expansion.forget()  # a new worker: no map yet
    try:
        settings = runpy.run_path(str(store.Path(__file__).parents[2] / "gunicorn.conf.py"))
        settings["post_worker_init"](SimpleNamespace(wsgi=app))
        built = expansion._cache["thesaurus"]
        assert built is not None
        live = db.session.scalar(select(func.count()).select_from(live_concepts().subquery()))
        assert live >= 300 and len(built.sets) == live
        assert expansion.current() is built  # the first search uses it, not a new build
    finally:
        expansion.forget()
