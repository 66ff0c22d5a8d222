"""Issue 13 §4: a search request's catch-up is bounded in documents (an organisation's
change counts one document per model it re-indexes) and commits what it did; an old handle
stays usable by a thread searching it while the generation switches."""

from __future__ import annotations

import threading

from app.core.changes import record_change
from app.search import indexer, store


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
