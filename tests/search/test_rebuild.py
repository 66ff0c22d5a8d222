"""`flask search rebuild|update|status`: a new generation swapped in atomically."""

from __future__ import annotations

import pytest

from app.search import indexer, store


def generations(root):
    return sorted(p.name for p in root.glob(f"{store.GENERATION_PREFIX}*"))


def test_rebuild_swaps_in_a_new_generation(db, make_practice, titles, search_index, cli):
    make_practice(title="Ensimmäinen malli", published=True)
    make_practice(title="Luonnos", published=False)
    assert titles("ensimmäinen") == ["Ensimmäinen malli"]  # creates the first generation
    first = store.current_generation(search_index)

    output = cli("rebuild")
    # The published model and the two (verified) organisations.
    assert "Indexed 3 documents" in output
    second = store.current_generation(search_index)
    assert second != first
    assert generations(search_index) == sorted([first, second])  # the previous one is kept
    assert titles("ensimmäinen") == ["Ensimmäinen malli"]  # the searcher moved over

    cli("rebuild")
    third = store.current_generation(search_index)
    assert generations(search_index) == sorted([second, third])


def test_rebuild_if_needed_only_builds_a_missing_index(db, make_practice, search_index, cli):
    make_practice(title="Malli", published=True)
    assert "Indexed 2 documents" in cli("rebuild", "--if-needed")
    assert "not rebuilt" in cli("rebuild", "--if-needed")


def test_changes_made_during_a_rebuild_are_applied_after_it(db, make_practice, search_index,
                                                            titles, monkeypatch):
    make_practice(title="Vanha malli", published=True)
    made = []

    def progress(n):
        if not made:  # a model published while the rebuild reads the database
            made.append(make_practice(title="Uusi malli", published=True))

    result = indexer.rebuild(search_index, progress=progress)
    assert result.caught_up >= 1
    assert titles("malli") == ["Uusi malli", "Vanha malli"] or sorted(titles("malli")) == [
        "Uusi malli", "Vanha malli"]


def test_only_one_rebuild_at_a_time(db, search_index):
    lock = store.rebuild_lock(search_index)
    assert lock.acquire(blocking=False)
    try:
        with pytest.raises(indexer.RebuildRunning):
            indexer.rebuild(search_index)
    finally:
        lock.release()


def test_status_reports_documents_lag_and_size(db, make_practice, search_index, cli, titles):
    assert "none (run `flask search rebuild`)" in cli("status")
    make_practice(title="Malli", published=True)
    titles("malli")
    make_practice(title="Toinen", published=True)  # not applied yet
    # The fixtures' two verified organisations were made without change rows: out of step.
    output = cli("status", code=3)
    assert "Documents:           practice 1, organisation 0, call 0" in output
    assert "Out of step:         1 models missing, 2 organisations missing" in output
    assert "Lag:                 " in output and "Lag:                 0" not in output
    assert "MB" in output and str(search_index) in output
    assert "Applied" in cli("update")
    output = cli("status", code=3)
    assert "Lag:                 0 pending changes" in output
    assert "Out of step:         2 organisations missing" in output
    cli("rebuild")
    assert "In step:" in cli("status")
