"""`flask backup create|verify|restore`: a backup taken while a writer commits service models
with attachments restores, into a fresh instance, every write acknowledged before the backup
began, no half-written object, every attachment with its checksum, and a rebuilt search index;
a damaged backup and a non-empty instance are refused before anything is written.

Runs on SQLite, and on PostgreSQL (pg_dump / pg_restore, a database per instance) when
TEST_DATABASE_URL is set.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import secrets
import shutil
import threading
import time
from pathlib import Path

import pytest
from sqlalchemy import select, text
from werkzeug.datastructures import FileStorage

from tests.concurrency.editor_worker import make_app
from tests.ops.import_load import drop_database, make_world, new_database

PNG = b"\x89PNG\r\n\x1a\n"
_DATABASES: list[str] = []
_APPS: list = []


def _new_database(tmp_path: Path, name: str) -> str:
    url = new_database(tmp_path, name)
    _DATABASES.append(url)
    return url


def _drop_databases() -> None:
    for url in _DATABASES:
        drop_database(url)
    _DATABASES.clear()


def _instance(tmp_path_factory, name: str):
    """A fresh, empty instance: (app, its directory)."""
    directory = tmp_path_factory.mktemp(name)
    app = make_app(_new_database(directory, name), str(directory))
    _APPS.append(app)
    return app, directory


def _writer(app, organisation_id: int, user_id: int, stop: threading.Event,
            acknowledged: list) -> None:
    """Commit, one transaction each, a service model named by a unique marker with one
    attachment of random bytes (through the app's own service); after each commit append
    (marker, sha256) to `acknowledged`."""
    from app.auth.models import User
    from app.extensions import db
    from app.organisations.models import Organisation
    from app.practices.community import add_attachment
    from app.practices.models import Practice

    with app.app_context():
        user = db.session.get(User, user_id)
        organisation = db.session.get(Organisation, organisation_id)
        n = 0
        while not stop.is_set():
            marker = f"bk-{n}-{secrets.token_hex(4)}"
            content = PNG + os.urandom(3000)
            practice = Practice(organisation=organisation, title=marker, created_by_id=user_id)
            db.session.add(practice)
            db.session.flush()
            add_attachment(user, practice, FileStorage(io.BytesIO(content),
                                                       filename=f"{marker}.png"))
            db.session.commit()
            acknowledged.append((marker, hashlib.sha256(content).hexdigest()))
            n += 1
        db.session.remove()


def _cli(app, args: list[str]):
    """Run a `flask` command on `app` (the runner would use the test suite's app, whose
    context the autouse fixtures keep pushed)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=args)


def _wait_for(condition, seconds: float = 30.0) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.01)


@pytest.fixture(scope="module")
def taken(tmp_path_factory):
    """A source instance with the demo data, backed up while a writer commits; yields
    (source app, backup directory, writes acknowledged before the backup began, all writes
    acknowledged, CLI output)."""
    from app.extensions import db
    from app.practices.models import Practice

    directory = tmp_path_factory.mktemp("source")
    source, practice_id, user_id = make_world(_new_database(directory, "source"), directory)
    with source.app_context():
        organisation_id = db.session.get(Practice, practice_id).organisation_id
    stop, acknowledged = threading.Event(), []
    thread = threading.Thread(target=_writer, args=(source, organisation_id, user_id, stop,
                                                    acknowledged), daemon=True)
    thread.start()
    try:
        _wait_for(lambda: len(acknowledged) >= 5)
        before = list(acknowledged)  # acknowledged before the backup begins
        target = tmp_path_factory.mktemp("backups") / "nightly"
        result = _cli(source, ["backup", "create", str(target)])
        during = len(acknowledged) - len(before)
        # The writer went on while the backup ran (it really was taken during writes).
        _wait_for(lambda: len(acknowledged) >= len(before) + during + 2)
    finally:
        stop.set()
        thread.join(timeout=30)
    assert not thread.is_alive()
    assert result.exit_code == 0, result.output
    yield source, target, before, list(acknowledged), result.output
    for app in [source, *_APPS]:
        with app.app_context():
            db.engine.dispose()
    _APPS.clear()
    _drop_databases()


def _files_by_name(root: Path) -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest()
            for p in root.rglob("*") if p.is_file()}


def test_backup_during_writes_restores_every_acknowledged_write(taken, tmp_path_factory):
    from app.core.backup import _stored_file_tables
    from app.extensions import db
    from app.practices.models import Practice, PracticeState

    source, backup_dir, before, everything, output = taken
    assert "Backup written to" in output
    manifest = json.loads((backup_dir / "manifest.json").read_text())
    assert manifest["database"]["kind"] in ("sqlite", "postgresql")
    assert manifest["alembic_revision"] and manifest["missing_attachments"] == []
    assert manifest["row_counts"]["practice"] >= len(before)

    target, directory = _instance(tmp_path_factory, "restored")
    result = _cli(target, ["backup", "restore", str(backup_dir)])
    assert result.exit_code == 0, result.output
    assert "the search index was rebuilt" in result.output
    # Reading the backup left nothing beside it (a backup on a read-only medium restores).
    assert not [p for p in backup_dir.iterdir() if p.name.endswith(("-wal", "-shm", "-journal"))]

    uploads = _files_by_name(directory / "uploads")
    checksums = dict(everything)
    with target.app_context():
        restored = {p.title: p for p in db.session.scalars(
            select(Practice).where(Practice.title.like("bk-%")))}
        # Every write acknowledged before the backup began is there, attachment included.
        for marker, _checksum in before:
            assert marker in restored, f"acknowledged write {marker} lost"
        # No half-written object: each restored model has its one attachment, intact.
        assert len(restored) >= len(before)
        for marker, practice in restored.items():
            (attachment,) = practice.attachments
            assert attachment.sha256 == checksums[marker]
            assert uploads[attachment.stored_name] == checksums[marker]
        # Every attachment row of every kind has its file, byte for byte.
        rows = 0
        for table in _stored_file_tables():
            for row in db.session.execute(select(table.c.stored_name, table.c.sha256)):
                assert uploads.get(row.stored_name) == row.sha256, row.stored_name
                rows += 1
        assert rows == manifest["attachments"] > len(before)
        published = db.session.scalars(select(Practice).where(
            Practice.state == PracticeState.published).order_by(Practice.id)).first()
        title, path = published.title, f"/practices/{published.id}-"
    # The search index was rebuilt from the restored database.
    page = target.test_client().get("/search", query_string={"q": title},
                                    headers={"Accept-Language": "en"})
    assert page.status_code == 200
    assert path in page.get_data(as_text=True)
    verify = _cli(target, ["backup", "verify", str(backup_dir)])
    assert verify.exit_code == 0 and "is intact" in verify.output


def _row_total(app) -> int:
    from sqlalchemy import inspect

    from app.extensions import db

    with app.app_context():
        with db.engine.connect() as conn:
            names = inspect(conn).get_table_names()
            count = 'SELECT count(*) FROM "{}"'
            return sum(conn.execute(text(count.format(name))).scalar_one() for name in names)


def test_restore_refuses_an_instance_that_is_not_empty(taken, tmp_path_factory):
    source, backup_dir, *_ = taken
    rows = _row_total(source)
    uploads = _files_by_name(Path(source.config["UPLOAD_DIR"]))
    result = _cli(source, ["backup", "restore", str(backup_dir)])
    assert result.exit_code != 0
    assert "The database is not empty" in result.output
    assert len(result.output.strip().splitlines()[-1]) < 200  # one clear line
    assert _row_total(source) == rows and _files_by_name(Path(source.config["UPLOAD_DIR"])) \
        == uploads

    # An empty database but a stray file in the upload directory: refused too.
    target, directory = _instance(tmp_path_factory, "strayfile")
    stray = directory / "uploads" / "ab" / "stray.pdf"
    stray.parent.mkdir(parents=True)
    stray.write_bytes(b"%PDF-1.4 stray")
    result = _cli(target, ["backup", "restore", str(backup_dir)])
    assert result.exit_code != 0 and "upload directory" in result.output
    assert _row_total(target) == 0
    assert [p.name for p in (directory / "uploads").rglob("*") if p.is_file()] == ["stray.pdf"]


@pytest.mark.parametrize("damage", ["attachment", "database", "manifest"])
def test_a_damaged_backup_is_refused_before_anything_is_written(taken, tmp_path_factory,
                                                                damage):
    _source, backup_dir, *_ = taken
    copy = tmp_path_factory.mktemp("damaged") / "backup"
    shutil.copytree(backup_dir, copy)
    manifest = json.loads((copy / "manifest.json").read_text())
    if damage == "manifest":
        (copy / "manifest.json").unlink()
        expected = "no manifest.json"
    else:
        name = (manifest["database"]["file"] if damage == "database"
                else next(n for n in sorted(manifest["files"]) if n.startswith("uploads/")))
        path = copy / name
        data = bytearray(path.read_bytes())
        data[len(data) // 2] ^= 0xFF  # one flipped byte, same size
        path.write_bytes(bytes(data))
        expected = "checksum differs"
        verify = _cli(_source, ["backup", "verify", str(copy)])
        assert verify.exit_code != 0 and "is damaged: 1 problems" in verify.output
        assert re.search(re.escape(name) + ": checksum differs", verify.output)

    target, directory = _instance(tmp_path_factory, f"dmg{damage[:3]}")
    result = _cli(target, ["backup", "restore", str(copy)])
    assert result.exit_code != 0
    assert expected in result.output
    assert "Restored" not in result.output
    # Nothing was written: no tables, no files.
    assert _row_total(target) == 0
    assert not any(p.is_file() for p in (directory / "uploads").rglob("*")) \
        if (directory / "uploads").exists() else True


def test_a_backup_names_attachments_whose_file_is_missing(taken, tmp_path):
    from app.core.backup import _stored_file_tables
    from app.extensions import db

    source = taken[0]
    with source.app_context():
        name = next(filter(None, (db.session.execute(select(table.c.stored_name)).scalars()
                                  .first() for table in _stored_file_tables())))
        db.session.remove()
    live = Path(source.config["UPLOAD_DIR"]) / name[:2] / name
    aside = tmp_path / name
    shutil.move(live, aside)
    try:
        result = _cli(source, ["backup", "create", str(tmp_path / "backup")])
    finally:
        shutil.move(aside, live)
    assert result.exit_code != 0
    assert "1 attachments of the database have no file" in result.output and name in \
        result.output
    manifest = json.loads((tmp_path / "backup" / "manifest.json").read_text())
    assert manifest["missing_attachments"] == [name]
