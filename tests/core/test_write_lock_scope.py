"""On SQLite a write request holds the database's write lock from its first read to its commit,
and not while its answer is rendered (issue 12, §3: autosaves waited for other requests'
page rendering). A unit of work after a read in the same request still writes under the lock.
"""

from __future__ import annotations

import sqlite3

import pytest
from sqlalchemy import text

from app.core.db import IMMEDIATE_KEY
from app.core.unit_of_work import perform
from app.extensions import db


@pytest.fixture
def file_app(tmp_path):
    from app import create_app
    from app.search import store

    application = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'lock.db'}",
        "INSTANCE_DIR": tmp_path, "MAIL_DIR": str(tmp_path / "mail"),
        "SEARCH_INDEX_DIR": str(tmp_path / "index"), "SQLITE_BUSY_TIMEOUT_MS": 50})
    with application.app_context():
        db.session.execute(text("CREATE TABLE mark (n INTEGER)"))
        db.session.commit()
    application.config["LOCK_FILE"] = str(tmp_path / "lock.db")
    yield application
    with application.app_context():
        db.session.remove()
        db.engine.dispose()
    store.forget_handles()


def _other_can_write(path: str) -> bool:
    other = sqlite3.connect(path, timeout=0, isolation_level=None)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError as error:
        assert "locked" in str(error)
        return False
    finally:
        other.close()


def _insert(n: int) -> None:
    db.session.execute(text("INSERT INTO mark (n) VALUES (:n)"), {"n": n})


def test_rendering_after_the_commit_does_not_hold_the_write_lock(file_app):
    path = file_app.config["LOCK_FILE"]
    with file_app.test_request_context("/", method="POST"):
        file_app.preprocess_request()
        db.session.execute(text("SELECT count(*) FROM mark"))  # the view loads what it edits
        assert not _other_can_write(path)  # a write request reads under the lock
        assert perform(lambda: _insert(1)).ok
        # What rendering the answer reads: a new transaction, which must not lock writers out.
        assert db.session.execute(text("SELECT count(*) FROM mark")).scalar() == 1
        assert db.session.connection().info[IMMEDIATE_KEY] is False
        assert _other_can_write(path)


def test_a_second_unit_of_work_after_reads_writes_under_the_lock(file_app):
    path = file_app.config["LOCK_FILE"]
    seen = []

    def second():
        seen.append(db.session.execute(text("SELECT count(*) FROM mark")).scalar())
        seen.append(_other_can_write(path))
        _insert(2)

    with file_app.test_request_context("/", method="POST"):
        file_app.preprocess_request()
        assert perform(lambda: _insert(1)).ok
        db.session.execute(text("SELECT n FROM mark")).all()  # a deferred read in between
        assert perform(second).ok
    assert seen == [1, False]  # it read afresh, and nobody else could write meanwhile
    with file_app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM mark")).scalar() == 2


def test_a_refused_unit_of_work_releases_the_lock_for_the_form_shown_again(file_app):
    from app.core.domain import DomainError

    path = file_app.config["LOCK_FILE"]

    def refused():
        _insert(3)
        raise DomainError("no")

    with file_app.test_request_context("/", method="POST"):
        file_app.preprocess_request()
        assert perform(refused).status == 422
        db.session.execute(text("SELECT count(*) FROM mark")).scalar()  # the form again
        assert _other_can_write(path)
    with file_app.app_context():
        assert db.session.execute(text("SELECT count(*) FROM mark")).scalar() == 0
