"""Issue 13 §4: a backlog larger than a request's bound is applied by one background thread
per process, without further requests; a process that cannot get the index's write lock
leaves the work to the one that has it; `flask search update` run meanwhile (from cron) says
the index is being updated and exits 0 (1 with --strict).

On an application and SQLite database of its own (the shared test database is held by the
test's transaction, which a thread could not see). The background thread is held at a point
of its work by a loader registered for the test (`indexer.register_kind`), so "while it
runs" is a state the test waits for, never a sleep."""

from __future__ import annotations

import threading
import time

import pytest
from flask_migrate import upgrade

from app.extensions import db as _db
from app.search import indexer, store
from app.search.cli import search_cli
from app.search.writing import open_writer
from tests.search.concurrent_worker import make_app

MODELS = 30
REQUEST_DOCUMENTS = 5
DEADLINE = 60.0


@pytest.fixture
def separate(tmp_path):
    index_dir = tmp_path / "index"
    application = make_app(f"sqlite:///{tmp_path / 'background.db'}", str(index_dir),
                           str(tmp_path))
    application.config.update(SEARCH_BACKGROUND_CATCH_UP=True,
                              SEARCH_CATCH_UP_DOCUMENTS=REQUEST_DOCUMENTS,
                              SEARCH_CATCH_UP_MS=60_000, RATELIMIT_ENABLED=False)
    with application.app_context():
        upgrade(revision="heads")
    yield application, index_dir
    _wait_for(lambda: not indexer.background_running(), "the background thread to end")
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()
    store.forget_handles()


def _wait_for(condition, what: str, deadline: float = DEADLINE) -> None:
    end = time.monotonic() + deadline
    while time.monotonic() < end:
        if condition():
            return
        time.sleep(0.02)
    pytest.fail(f"waited {deadline} s for {what}")


def _threads() -> int:
    return sum(1 for t in threading.enumerate() if t.name == "search-catch-up" and t.is_alive())


def _publish(application) -> None:
    """MODELS published models of one organisation, then a change of the organisation (it
    re-indexes them all: too big for a request); committed, the index not touched."""
    from app.auth.models import User
    from app.core.changes import record_change
    from app.core.db import utcnow
    from app.organisations.models import Membership, Organisation, OrganisationStatus, Role
    from app.practices import services
    from tests.fixtures.practices import practice_data

    with application.app_context():
        user = User(email="tausta@example.fi", name="Tausta", password_hash="x", language="fi",
                    email_verified_at=utcnow())
        organisation = Organisation(name="Taustatyö ry", business_id="1000000-0", type="ngo",
                                    status=OrganisationStatus.verified, verified_at=utcnow())
        _db.session.add_all([user, organisation,
                             Membership(organisation=organisation, user=user, role=Role.owner)])
        _db.session.flush()
        for i in range(MODELS):
            practice = services.create_practice(
                user, organisation, practice_data(title=f"Taustamalli {i}"))
            services.publish_practice(user, practice)
        record_change("organisation", organisation.id)
        _db.session.commit()
        _db.session.remove()


def _lag(application, root) -> tuple[int, int]:
    with application.app_context():
        try:
            return indexer.lag(root)
        finally:
            _db.session.remove()


def _kinds(application, root) -> dict[str, int]:
    with application.app_context():
        try:
            return indexer.status(root)["documents"]
        finally:
            _db.session.remove()


def test_a_large_backlog_is_applied_by_one_background_thread_without_more_requests(separate):
    application, root = separate
    _publish(application)
    with application.app_context():
        total = indexer.max_change_id()
    assert total > REQUEST_DOCUMENTS * 2

    loader = indexer.LOADERS["practice"]
    entered, release = threading.Event(), threading.Event()

    def held_in_the_background(ids):
        if threading.current_thread().name == "search-catch-up":
            entered.set()
            release.wait(timeout=DEADLINE)
        return loader(ids)

    indexer.register_kind("practice", held_in_the_background)
    try:
        client = application.test_client()
        assert client.get("/search?q=taustamalli").status_code == 200
        last, pending = _lag(application, root)
        assert 0 < last and pending == total - REQUEST_DOCUMENTS, (  # the request's bound
            last, pending, store.read_status(root))
        assert entered.wait(timeout=DEADLINE), "no background thread took the rest"

        # While it works: one thread per process, requests leave the work to it.
        assert indexer.start_background(application, root) is False
        assert _threads() == 1
        assert client.get("/search?q=taustamalli").status_code == 200
        assert _threads() == 1
        assert _lag(application, root) == (last, pending)  # the request wrote nothing

        # `flask search update` from cron: the lock holder is doing this work.
        runner = application.test_cli_runner()
        with application.app_context():  # the CLI runs in the current app's context
            result = runner.invoke(search_cli, ["update", "--wait", "0.2"])
            strict = runner.invoke(search_cli, ["update", "--wait", "0.2", "--strict"])
            _db.session.remove()
        assert result.exit_code == 0, result.output
        assert (f"The index is being updated by another process; {pending} changes pending."
                in result.output)
        assert strict.exit_code == 1 and "Another process is writing" in strict.output
        assert "Traceback" not in result.output + strict.output
    finally:
        release.set()
        indexer.register_kind("practice", loader)

    # No further request: the thread applies the rest and ends.
    _wait_for(lambda: _lag(application, root)[1] == 0 and not indexer.background_running(),
              "the background thread to apply the backlog")
    assert _lag(application, root) == (total, 0)
    assert _kinds(application, root) == {"practice": MODELS, "organisation": 1, "call": 0}
    assert _threads() == 0


def test_a_process_that_cannot_get_the_lock_leaves_the_work(separate):
    application, root = separate
    _publish(application)
    with application.app_context():
        indexer.ensure_index(root)
        ix = store.open_generation(root, store.current_generation(root))
    holder = open_writer(ix)  # another process's writer (an fcntl lock of its own)
    try:
        assert indexer.start_background(application, root) is True
        _wait_for(lambda: not indexer.background_running(), "the thread to give up")
        assert _lag(application, root)[0] == 0  # it left the work, wrote nothing
        assert _threads() == 0
    finally:
        holder.cancel()
    with application.app_context():
        assert indexer.catch_up(root).applied > 0  # the lock holder's work, once it is free
        _db.session.remove()
    assert _lag(application, root)[1] == 0
