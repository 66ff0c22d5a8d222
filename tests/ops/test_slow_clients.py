"""Slow clients do not block the site under the shipped gunicorn configuration (issue 12, §2).

gunicorn runs with gunicorn.conf.py (nothing overridden but the address, the instance and two
workers) on a free 127.0.0.1 port against a SQLite instance of its own; 4 connections send a
request one byte every 2 seconds while 20 normal requests must each be answered within 5
seconds. Everything is bounded in time and killed at the end.

The test is honest: with sync workers of one thread each, the slow connections hold both
workers and the normal requests wait (measured: a normal request timed out after 6 s). See it
fail with

    SLOW_TEST_GUNICORN_ENV="GUNICORN_WORKER_CLASS=sync GUNICORN_THREADS=1" \
        .venv/bin/pytest -q tests/ops/test_slow_clients.py

(gunicorn silently runs `sync` with more than one thread as `gthread`: the one thread matters.)
"""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
SLOW_CLIENTS = 4
SLOW_SECONDS = 14
NORMAL_REQUESTS = 20
NORMAL_LIMIT = 5.0  # seconds one normal request may take while the slow clients send
START_DEADLINE = 90.0  # seconds for gunicorn to start and warm up its workers


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(url: str, timeout: float) -> tuple[int | str, float]:
    """The status (or the error's name) and the seconds the request took."""
    started = time.monotonic()
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:  # noqa: S310 - 127.0.0.1
            response.read()
            status: int | str = response.status
    except OSError as error:
        status = type(error).__name__
    return status, round(time.monotonic() - started, 2)


def _slow_client(port: int, stop: threading.Event, sending: threading.Semaphore) -> None:
    request = f"GET /practices HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nX-Slow: {'y' * 40}\r\n\r\n"
    deadline = time.monotonic() + SLOW_SECONDS
    first = True
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=5) as sock:
            for byte in request.encode():
                if stop.is_set() or time.monotonic() > deadline:
                    return
                sock.sendall(bytes([byte]))
                if first:
                    sending.release()
                    first = False
                stop.wait(2.0)
    except OSError:
        return  # the server may close a connection that is too slow: that is allowed
    finally:
        if first:
            sending.release()  # never block the test on a client that could not connect


def _build_database(path: Path, root: Path) -> None:
    """The schema in a SQLite file, the quick way (`create_all`, as the models declare it)."""
    from app import create_app
    from app.extensions import db
    from app.search import store

    application = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{path}", "INSTANCE_DIR": root,
        "MAIL_DIR": str(root / "mail"), "SEARCH_INDEX_DIR": str(root / "index")})
    with application.app_context():
        db.create_all()
        db.engine.dispose()
    store.forget_handles()


def _environment(tmp_path: Path, port: int) -> dict:
    env = {name: value for name, value in os.environ.items()
           if not name.startswith("GUNICORN_") and name not in (
               "TEST_DATABASE_URL", "DATABASE_URL", "WEB_CONCURRENCY", "BIND")}
    env.update({
        "KOHTAAMO_ENV": "production", "SECRET_KEY": "s" * 40,
        "SERVER_BASE_URL": f"http://127.0.0.1:{port}", "KOHTAAMO_INSTANCE_DIR": str(tmp_path),
        "DATABASE_URL": f"sqlite:///{tmp_path / 'slow.db'}",
        "SEARCH_INDEX_DIR": str(tmp_path / "index"), "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2", "PYTHONPATH": str(ROOT)})
    # By hand only: e.g. "GUNICORN_WORKER_CLASS=sync GUNICORN_THREADS=1" to see the test fail.
    for pair in os.environ.get("SLOW_TEST_GUNICORN_ENV", "").split():
        name, _, value = pair.partition("=")
        env[name] = value
    return env


def _wait_until_ready(server: subprocess.Popen, base: str) -> None:
    deadline = time.monotonic() + START_DEADLINE
    while True:  # until the workers answer (they load the search dictionaries first)
        if _get(base + "/healthz", 2)[0] == 200:
            return
        assert server.poll() is None, "gunicorn exited"
        assert time.monotonic() < deadline, f"gunicorn did not start in {START_DEADLINE} s"
        time.sleep(0.2)


def test_slow_clients_do_not_block_normal_requests(tmp_path):
    port = _free_port()
    _build_database(tmp_path / "slow.db", tmp_path)
    log = (tmp_path / "gunicorn.log").open("wb")
    server = subprocess.Popen([str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"],  # noqa: S603
                              cwd=ROOT, env=_environment(tmp_path, port),
                              stdout=subprocess.DEVNULL, stderr=log)
    stop = threading.Event()
    sending = threading.Semaphore(0)
    slow = []
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_until_ready(server, base)
        for _ in range(2):  # each worker has compiled the templates and opened the database
            assert _get(base + "/practices", 30)[0] == 200
        slow = [threading.Thread(target=_slow_client, args=(port, stop, sending), daemon=True)
                for _ in range(SLOW_CLIENTS)]
        for thread in slow:
            thread.start()
        for _ in slow:  # every slow connection is open and has sent its first byte
            assert sending.acquire(timeout=10), "a slow client did not start sending"
        answers = [(path, *_get(base + path, NORMAL_LIMIT + 1))
                   for path in ("/healthz", "/practices") * (NORMAL_REQUESTS // 2)]
        still_sending = sum(thread.is_alive() for thread in slow)
    finally:
        stop.set()
        for thread in slow:
            thread.join(timeout=5)
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait(timeout=10)
        log.close()
    figures = f"{answers} (path, status, seconds)"
    assert all(status == 200 for _, status, _ in answers), figures
    slowest = max(seconds for _, _, seconds in answers)
    assert slowest < NORMAL_LIMIT, f"a normal request took {slowest} s: {figures}"
    # The slow connections were still open (held by the server) while the others were served.
    assert still_sending == SLOW_CLIENTS
    used = (tmp_path / "gunicorn.log").read_text(errors="replace")
    if not os.environ.get("SLOW_TEST_GUNICORN_ENV"):
        assert "Using worker: gthread" in used, used[-2000:]
