"""Issue 13 §4: the index under faults. Each case: the search page answers 200 (results or
"not available"), never 500; `flask search status` tells the truth; the next `update` or
`rebuild` recovers.

Kills are real: a child process (this module run with `python -m`) stops at a point it
announces on stdout and is killed with SIGKILL there. A read-only index directory is a
read-only bind mount and a full disk a 256 KiB tmpfs (the tests run as root); where mounting
is not permitted the OS error is raised at Whoosh's file-creation boundary instead
(`FileStorage.create_file`); the fixtures say which mode ran (`MODE`)."""

from __future__ import annotations

import errno
import os
import selectors
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from flask_migrate import upgrade

from app.extensions import db as _db
from app.search import indexer, store
from app.search.cli import search_cli
from tests.search.concurrent_worker import make_app

REPO = Path(__file__).resolve().parents[2]
UNAVAILABLE = "Search is not available at the moment"


# --- helpers --------------------------------------------------------------------------------


def indexed_titles(root) -> set[str]:
    handle = store.get_handle(root)
    with handle.lock:
        return {f.get("title") for _n, f in handle.searcher.reader().iter_docs()
                if f.get("kind") == "practice"}


def leftovers(root: Path) -> list[str]:
    """Files of the generation in use that its TOC does not name (a killed writer's)."""
    name = store.current_generation(root)
    ix = store.open_generation(root, name)
    toc = ix._read_toc()
    keep = {s.segment_id() for s in toc.segments}
    pattern = store.whoosh_index.TOC._segment_pattern(ix.indexname)
    found = []
    for path in (root / name).rglob("*"):
        if not path.is_file():
            continue
        match = pattern.match(path.name)
        if path.parent.name.endswith(".tmp") or (match and match.group(1) not in keep):
            found.append(path.name)
    return found


def _mount(*args: str) -> bool:
    try:
        return subprocess.run(["mount", *args], capture_output=True, timeout=10,
                              check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def _umount(path: Path) -> None:
    subprocess.run(["umount", "-l", str(path)], capture_output=True, timeout=10, check=False)


# --- deleted, corrupted -------------------------------------------------------------------


def test_a_deleted_index_directory_comes_back_complete(db, client, make_practice, cli,
                                                        search_index):
    make_practice(title="Poistettu hakemisto", published=True)
    cli("rebuild")
    import shutil

    shutil.rmtree(search_index)
    store.forget_handles()
    response = client.get("/search?q=hakemisto")
    assert response.status_code == 200
    assert "Poistettu" in response.text  # an empty index caught up from the change log
    output = cli("status", code=3)  # the fixtures' organisations never had change rows
    assert "Lag:                 0 pending changes" in output
    assert "Out of step:         1 organisations missing" in output
    cli("rebuild")
    assert "In step:" in cli("status")


def _garbage_toc(root: Path, name: str) -> None:
    toc = next((root / name).glob("_MAIN_*.toc"))
    toc.write_bytes(b"\x00garbage" * 20)


def _truncated_segment(root: Path, name: str) -> None:
    for path in (root / name).iterdir():
        if path.suffix in (".seg", ".trm", ".pst") and path.stat().st_size > 64:
            with open(path, "r+b") as handle:
                handle.truncate(path.stat().st_size // 3)


def _missing_generation(root: Path, name: str) -> None:
    import shutil

    shutil.rmtree(root / name)


def _missing_current(root: Path, name: str) -> None:
    (root / store.CURRENT).unlink()


def _older_schema(root: Path, name: str) -> None:
    from app.search.writing import open_writer

    ix = store.open_generation(root, name)
    with ix.searcher() as searcher:
        state = indexer.IndexState.read(searcher)
    state.schema = 1
    writer = open_writer(ix)
    writer.update_document(**state.document())
    writer.commit()


CORRUPTIONS = {
    "garbage TOC": (_garbage_toc, "cannot be opened"),
    "truncated segment": (_truncated_segment, "cannot be"),
    "CURRENT names a missing generation": (_missing_generation, "which is missing"),
    "CURRENT missing": (_missing_current, "CURRENT is missing"),
    "an older schema": (_older_schema, "schema version 1"),
}


@pytest.mark.parametrize("corruption", list(CORRUPTIONS))
def test_a_corrupted_index(db, client, make_practice, cli, search_index, corruption):
    damage, reason = CORRUPTIONS[corruption]
    make_practice(title="Vioittunut hakemisto", published=True)
    cli("rebuild")
    damage(search_index, store.current_generation(search_index))
    store.forget_handles()

    response = client.get("/search?q=hakemisto")
    assert response.status_code == 200
    assert UNAVAILABLE in response.text
    assert "Vioittunut" not in response.text
    ready = client.get("/readyz")
    assert ready.status_code == 503
    assert reason in ready.json["checks"]["search_index"]["problem"]

    for command in ("update", "status"):
        output = cli(command, code=1)
        error = [line for line in output.splitlines() if line.startswith("Error:")]
        assert len(error) == 1 and reason in error[0], output
        assert "flask search rebuild" in error[0]

    assert "Indexed" in cli("rebuild")  # from the database, whatever the old state
    store.forget_handles()
    response = client.get("/search?q=hakemisto")
    assert response.status_code == 200 and "Vioittunut" in response.text
    assert client.get("/readyz").status_code == 200
    assert "Last error:" in cli("status") and "(resolved" in cli("status")
    assert store.generations(search_index) == [store.current_generation(search_index)]


# --- read-only, full ------------------------------------------------------------------------


@pytest.fixture
def read_only(search_index, monkeypatch):
    """make_read_only() turns the index directory read-only; returns the mode."""
    mounted: list[Path] = []

    def _make() -> str:
        path = str(search_index)
        if _mount("--bind", path, path):
            mounted.append(search_index)
            if _mount("-o", "remount,ro,bind", path):
                return "mount"
            _umount(search_index)
            mounted.pop()
        from whoosh.filedb.filestore import FileStorage

        def refuse(self, name, **kwargs):
            raise OSError(errno.EROFS, os.strerror(errno.EROFS), name)

        monkeypatch.setattr(FileStorage, "create_file", refuse)
        return "simulated"

    yield _make
    for path in mounted:
        _umount(path)


def test_a_read_only_index_keeps_serving_and_tells(db, client, app, make_practice, cli,
                                                   search_index, read_only, login_as,
                                                   make_user):
    make_practice(title="Vanha lukumalli", published=True)
    cli("rebuild")
    assert client.get("/search?q=lukumalli").status_code == 200
    mode = read_only()
    make_practice(title="Uusi lukumalli", published=True)

    response = client.get("/search?q=lukumalli")
    assert response.status_code == 200, mode
    assert "Vanha" in response.text and "Uusi" not in response.text  # the last good searcher
    ready = client.get("/readyz")
    assert ready.status_code == 200  # reads work: ready, with a warning
    assert ready.json["checks"]["search_index"]["warning"]
    output = cli("status", code=3)  # the fixtures' organisations never had change rows
    assert "Last error:" in output and "(unresolved)" in output
    assert "Lag:                 1 pending changes" in output
    assert cli("update", code=1).count("\n") == 1
    login_as(make_user(admin=True))
    page = client.get("/admin/search")
    assert page.status_code == 200 and "Last error (unresolved)" in page.text, mode


def test_a_full_disk_keeps_serving_tells_and_recovers(db, client, app, make_practice, cli,
                                                      tmp_path, monkeypatch):
    disk = tmp_path / "small-disk"
    disk.mkdir()
    mounted = _mount("-t", "tmpfs", "-o", "size=256k", "tmpfs", str(disk))
    root = disk / "index"
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(root))
    try:
        make_practice(title="Täysi levy", published=True)
        cli("rebuild")
        indexer.catch_up(root)
        assert store.status_path(root).exists()  # written at its full size while there was room
        filler = disk / "filler"
        if mounted:
            with open(filler, "wb") as handle, pytest.raises(OSError):
                while True:
                    handle.write(b"\0" * 65536)
                    handle.flush()
        else:
            from whoosh.filedb.filestore import FileStorage

            def full(self, name, **kwargs):
                raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC), name)

            monkeypatch.setattr(FileStorage, "create_file", full)
        for i in range(5):
            make_practice(title=f"Levyntäyttö {i} täysi", published=True)

        response = client.get("/search?q=täysi")
        assert response.status_code == 200
        assert "Täysi" in response.text and "Levyntäyttö" not in response.text
        last = store.read_status(root)
        assert last["current"] and "space" in last["error"]["message"].lower()
        assert "No space left" in cli("update", code=1)

        if mounted:
            filler.unlink()
        else:
            monkeypatch.undo()
            monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(root))
        assert "Applied 5 changes" in cli("update")
        assert leftovers(root) == []
        assert not store.read_status(root)["current"]
        assert len(indexed_titles(root)) == 6
    finally:
        store.forget_handles()
        if mounted:
            _umount(disk)


# --- killed processes -----------------------------------------------------------------------


@pytest.fixture
def separate(tmp_path):
    url = f"sqlite:///{tmp_path / 'faults.db'}"
    index_dir = tmp_path / "index"
    application = make_app(url, str(index_dir), str(tmp_path))
    application.config["SEARCH_CATCH_UP_ON_REQUEST"] = False
    with application.app_context():
        upgrade(revision="heads")
    yield application, [url, str(index_dir), str(tmp_path)], index_dir
    with application.app_context():
        _db.session.remove()
        _db.engine.dispose()
    store.forget_handles()


def _child(mode: str, args: list[str]) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "tests.search.test_faults", mode, *args],
                            cwd=REPO, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)


def _kill_when(child: subprocess.Popen, word: str, deadline: float = 120.0) -> None:
    """SIGKILL the child once it has printed `word` (it waits there), within `deadline`."""
    selector = selectors.DefaultSelector()
    selector.register(child.stdout, selectors.EVENT_READ)
    end = time.monotonic() + deadline
    try:
        while time.monotonic() < end:
            if selector.select(timeout=max(0.0, end - time.monotonic())):
                line = child.stdout.readline()
                if line.strip() == word:
                    os.kill(child.pid, signal.SIGKILL)
                    child.wait(timeout=30)
                    return
                if not line:
                    break
        pytest.fail(f"the child never said {word!r}: {child.stderr.read()}")
    finally:
        selector.close()
        if child.poll() is None:
            child.kill()
        child.communicate(timeout=30)  # and closes the pipes


def _publish(application, n: int) -> None:
    """n published models of one organisation, committed; the index is not touched."""
    from app.auth.models import User
    from app.core.db import utcnow
    from app.organisations.models import Membership, Organisation, OrganisationStatus, Role
    from app.practices import services
    from tests.fixtures.practices import practice_data

    with application.app_context():
        user = User(email="k@example.fi", name="k", password_hash="x", language="fi",
                    email_verified_at=utcnow())
        organisation = Organisation(name="Organisaatio k", business_id="1000000-0",
                                    type="ngo", status=OrganisationStatus.verified,
                                    verified_at=utcnow())
        _db.session.add_all([user, organisation,
                             Membership(organisation=organisation, user=user, role=Role.owner)])
        _db.session.flush()
        from app.core.changes import record_change

        record_change("organisation", organisation.id)
        for i in range(n):
            practice = services.create_practice(
                user, organisation, practice_data(title=f"Kaatuva malli {i}"))
            services.publish_practice(user, practice)
        _db.session.commit()
        _db.session.remove()


def test_a_killed_catch_up_leaves_no_growing_directory(separate):
    application, args, root = separate
    with application.app_context():
        indexer.ensure_index(root)
    _publish(application, 60)
    with application.app_context():
        for _ in range(3):  # as every search did: start catching up, get killed
            _kill_when(_child("catch-up", args), "writing")
        assert leftovers(root), "the killed writers left nothing: the test proves nothing"
        assert indexer.status(root)["last_change"] == 0  # nothing committed

        result = application.test_cli_runner().invoke(search_cli, ["update"])
        assert result.exit_code == 0, result.output
        assert "a killed writer left" in result.output
        assert leftovers(root) == []
        assert len(indexed_titles(root)) == 60
        status = indexer.status(root)
        assert status["lag"] == 0 and not status["out_of_step"]


def test_a_killed_rebuild_keeps_the_old_index_serving(separate):
    application, args, root = separate
    _publish(application, 30)
    with application.app_context():
        indexer.rebuild(root)
        first = store.current_generation(root)
    _kill_when(_child("rebuild", args), "writing")
    with application.app_context():
        assert len(store.generations(root)) == 2  # the half-built one is left
        assert store.current_generation(root) == first
        assert len(indexed_titles(root)) == 30  # still serving the old one
        result = application.test_cli_runner().invoke(search_cli, ["update"])
        assert result.exit_code == 0, result.output
        assert "Removed 1 abandoned generations" in result.output
        assert store.generations(root) == [first]
        result = application.test_cli_runner().invoke(search_cli, ["rebuild"])
        assert result.exit_code == 0, result.output


# --- the child process ----------------------------------------------------------------------


def _child_main(mode: str, url: str, index_dir: str, instance: str) -> None:
    application = make_app(url, index_dir, instance)
    indexer.BATCH = 10  # write (and announce) in small steps
    loader = indexer.LOADERS["practice"]
    calls = []

    def announcing(ids):
        calls.append(len(ids))
        if len(calls) == 3:  # two batches are in the writer's files by now
            print("writing", flush=True)
            time.sleep(600)  # killed here
        return loader(ids)

    with application.app_context():
        if mode == "catch-up":
            indexer.register_kind("practice", announcing)
            indexer.catch_up(Path(index_dir), timeout=10)
        else:
            def progress(n):
                calls.append(n)
                if len(calls) == 3:
                    print("writing", flush=True)
                    time.sleep(600)

            indexer.BATCH = 10
            indexer.rebuild(Path(index_dir), progress=progress)


if __name__ == "__main__":
    _child_main(*sys.argv[1:5])
