"""`flask practices import` in its own process never locks web writers out (issue 12: during
a 5,000-line import 2 of 103 autosaves failed with "database is locked" after 15-21 s), keeps
its result complete, and updates the search index itself; killed half-way, it leaves whole
records only, and running it again completes it.

Real processes on one database file (or one PostgreSQL database when TEST_DATABASE_URL is
set): the import runs as a `flask` command while this process autosaves a service model
through the real view, with the app's normal busy timeout.
"""

from __future__ import annotations

import signal
import threading
import time

import pytest
from sqlalchemy import func, select

from tests.ops.import_load import (
    autosave_while,
    drop_database,
    make_world,
    new_database,
    percentile,
    start_import,
    write_import_file,
)

LINES = 500
KILLED = 200


@pytest.fixture
def world(tmp_path):
    from app.extensions import db

    url = new_database(tmp_path, "import")
    app, practice_id, user_id = make_world(url, tmp_path)
    yield app, url, tmp_path, practice_id, user_id
    with app.app_context():
        db.engine.dispose()
    drop_database(url)


def _imported(app, prefix: str) -> tuple[int, int]:
    """(models with the prefix, of them published with a current version)."""
    from app.extensions import db
    from app.practices.models import Practice, PracticeState

    with app.app_context():
        where = Practice.external_id.like(f"{prefix}-%")
        total = db.session.scalar(select(func.count()).select_from(Practice).where(where))
        whole = db.session.scalar(select(func.count()).select_from(Practice).where(
            where, Practice.state == PracticeState.published,
            Practice.current_version_id.is_not(None)))
        db.session.remove()
    return total, whole


def test_web_writes_go_on_during_a_long_import(world):
    from app.extensions import db
    from app.practices.models import Practice
    from app.search import indexer, store

    app, url, instance, practice_id, user_id = world
    with app.app_context():
        indexer.rebuild(store.index_root())  # the import then updates this index itself
        db.session.remove()
    path = write_import_file(instance / "import.jsonl", LINES)
    process = start_import(url, instance, path)
    output: dict = {}
    reader = threading.Thread(target=lambda: output.update(zip(
        ("out", "err"), process.communicate(timeout=300), strict=True)), daemon=True)
    reader.start()
    saves = autosave_while(app, practice_id, user_id, lambda: process.poll() is None,
                           pause=0.2, deadline=300, observe=lambda: _imported(app, "load")[0])
    reader.join(timeout=60)
    waits = [w * 1000 for w in saves.waits]
    print(f"\n{len(waits)} autosaves during an import of {LINES} lines: longest wait "
          f"{max(waits):.0f} ms, p95 {percentile(waits, 95):.0f} ms")

    # Every write of the editor succeeded while the import ran (no "database is locked").
    assert saves.failures == []
    # ... and between many short import transactions: after its saves the editor saw the
    # import at many different points (a whole-batch import commits a handful of times).
    midway = {n for n in saves.observed if 0 < n < LINES}
    assert len(midway) >= 10, f"saves interleaved with {len(midway)} import commits only"
    with app.app_context():
        assert saves.saved[-1] in db.session.get(Practice, practice_id).summary
    # The import is complete and says so, search index included.
    assert process.returncode == 0, output.get("err", "")[-2000:]
    assert f"{LINES} created, 0 updated, 0 unchanged, 0 failed" in output["out"]
    assert _imported(app, "load") == (LINES, LINES)
    assert "Search index updated" in output["out"]
    with app.app_context():
        info = indexer.status(store.index_root())
        assert info["lag"] == 0 and info["documents"]["practice"] >= LINES
        db.session.remove()


def test_a_killed_import_leaves_whole_records_and_a_rerun_completes_it(world):
    app, url, instance, *_ = world
    path = write_import_file(instance / "kill.jsonl", KILLED, "kill")
    process = start_import(url, instance, path)
    deadline = time.monotonic() + 120
    try:
        while _imported(app, "kill")[0] < 30:
            assert process.poll() is None, process.communicate()[1][-2000:]
            assert time.monotonic() < deadline, "the import did not start"
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGKILL)
        process.communicate(timeout=60)
    total, whole = _imported(app, "kill")
    assert 30 <= total < KILLED, "the import was not killed half-way"
    assert whole == total, "a killed import left a model without its published version"

    again = start_import(url, instance, path)
    out, err = again.communicate(timeout=300)
    assert again.returncode == 0, err[-2000:]
    assert f"{KILLED - total} created, 0 updated, {total} unchanged, 0 failed" in out
    assert _imported(app, "kill") == (KILLED, KILLED)
