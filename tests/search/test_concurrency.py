"""Several processes writing one index: nothing lost, and a killed writer blocks nobody.

These tests use their own SQLite file and index directory (other processes cannot see the
rolled-back transaction of the usual `db` fixture, which is replaced here by a no-op).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from flask_migrate import upgrade
from sqlalchemy import select

from app.extensions import db as _db
from app.practices.models import Practice, PracticeState
from app.search import indexer, store
from app.search.service import search_practices
from tests.search.concurrent_worker import make_app

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def db():
    """No shared transaction: the processes below must see each other's commits."""
    yield None


@pytest.fixture
def separate(tmp_path):
    url = f"sqlite:///{tmp_path / 'concurrent.db'}"
    index_dir = str(tmp_path / "index")
    app = make_app(url, index_dir, str(tmp_path))
    with app.app_context():
        upgrade(revision="heads")
    args = [url, index_dir, str(tmp_path)]
    yield app, args
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()
    store.forget_handles()


def run_worker(*args) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.search.concurrent_worker", *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


def finish(*workers: subprocess.Popen) -> None:
    """Wait for every worker (none is left running when one failed), then check each."""
    errors = [(worker, worker.communicate(timeout=300)[1]) for worker in workers]
    for worker, err in errors:
        assert worker.returncode == 0, err


def published_ids() -> set[int]:
    return set(_db.session.scalars(select(Practice.id).where(
        Practice.state == PracticeState.published)))


def indexed_ids(root) -> set[int]:
    handle = store.get_handle(root)
    with handle.lock:
        reader = handle.searcher.reader()
        return {fields["object_id"] for docnum, fields in reader.iter_docs()
                if fields.get("kind") == "practice"}


def test_two_processes_publishing_at_once_lose_nothing(separate):
    app, args = separate
    finish(*[run_worker("publish", *args, "12", tag) for tag in ("a", "b")])
    with app.app_context():
        result = indexer.catch_up(timeout=30)  # whatever the last busy worker left
        assert not result.busy
        root = store.index_root()
        assert len(published_ids()) == 24
        assert indexed_ids(root) == published_ids()
        assert indexer.status(root)["lag"] == 0
        assert search_practices("rinnakkaisuus", per_page=50).total == 24


def test_a_killed_writer_leaves_an_index_that_opens_and_catches_up(separate):
    app, args = separate
    finish(run_worker("publish", *args, "3", "c"))
    holder = run_worker("hold", *args)
    try:
        assert holder.stdout.readline().strip() == "locked"
        with app.app_context():
            assert indexer.catch_up(timeout=0.2).busy  # the lock is really held
    finally:
        os.kill(holder.pid, signal.SIGKILL)
        holder.communicate(timeout=30)
    with app.app_context():
        finish(run_worker("publish", *args, "2", "d"))
        result = indexer.catch_up(timeout=5)
        assert not result.busy  # the kernel released the dead process's lock
        root = store.index_root()
        assert indexed_ids(root) == published_ids()
        assert len(published_ids()) == 5
        # The half-written documents of the killed process never became visible.
        assert search_practices("puolivalmis").total == 0
        assert search_practices("rinnakkaisuus").total == 5
