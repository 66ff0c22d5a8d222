"""Serving from several hosts (issue 13, §6; docs/OPERATIONS.md, "Several hosts").

Two application instances run as real gunicorn processes (gunicorn.conf.py, one worker each,
production settings with one shared SECRET_KEY) on free 127.0.0.1 ports, each with a search
index directory of its own, against one database: a new PostgreSQL database when
TEST_DATABASE_URL is set, else one SQLite file that both open. Their rate limits count in one
real redis-server of the test's own (RATELIMIT_STORAGE_URI; no persistence, a free port).

Through host A, signed in with the real log-in form, an editor publishes a service model;
host B's /search finds it within LAG_LIMIT seconds (B's own index catches up from the shared
change log: its /readyz then reports lag 0 and its count comes from its own index). Archiving
the model through A removes it from B's results and from B's index count. The session made on
A is valid on B (server-side sessions in the database, one SECRET_KEY). Sign-in attempts spent
on A count on B: B refuses the next one with 429, although B itself had not been asked before.

The measured lags are printed (run with -s to see them).
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.parse
from contextlib import contextmanager
from pathlib import Path

import pytest

from tests.fixtures.servers import free_port, redis_server, stop
from tests.ops.import_load import drop_database, new_database

ROOT = Path(__file__).resolve().parents[2]
GUNICORN = Path(sys.executable).with_name("gunicorn")
PASSWORD = "two hosts share one database"  # noqa: S105 - a test account's password
WORD = "zorblaxkoe"  # a word no other document has
LOGIN_LIMIT = 4  # sign-in attempts per minute and client, counted in Redis for both hosts
LAG_LIMIT = 10.0  # seconds: the lag docs/OPERATIONS.md promises, with room for a busy CI machine
START_DEADLINE = 90.0  # seconds for both gunicorns to start and warm up
_CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@contextmanager
def _redis(tmp_path: Path):
    with redis_server(tmp_path, "the two-host test") as (url, _server):
        yield url


class Browser:
    """A browser of one host: keeps its cookies (whatever their Secure flag: the hosts speak
    plain HTTP on 127.0.0.1) and follows no redirects."""

    def __init__(self, port: int, cookies: dict[str, str] | None = None):
        self.port = port
        self.cookies = dict(cookies or {})

    def request(self, method: str, path: str, form: dict | None = None,
                timeout: float = 20) -> tuple[int, dict, str]:
        headers = {"Host": "127.0.0.1", "Accept-Language": "en"}
        if self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urllib.parse.urlencode(form, doseq=True)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)
        try:
            connection.request(method, path, body=body, headers=headers)
            response = connection.getresponse()
            text = response.read().decode("utf-8", "replace")
            for header in response.headers.get_all("Set-Cookie") or []:
                name, _, value = header.split(";", 1)[0].partition("=")
                self.cookies[name.strip()] = value.strip()
            return response.status, dict(response.headers), text
        finally:
            connection.close()

    def get(self, path: str) -> tuple[int, dict, str]:
        return self.request("GET", path)

    def post(self, path: str, form: dict, token_from: str) -> tuple[int, dict, str]:
        """POST `form` with the CSRF token of the page `token_from`, as a browser would."""
        status, _, html = self.get(token_from)
        assert status == 200, (token_from, status)
        return self.request("POST", path, {**form, "csrf_token": _CSRF.search(html).group(1)})


class Host:
    """One application host: gunicorn with one worker and an index directory of its own."""

    def __init__(self, name: str, tmp_path: Path, database_url: str, redis_url: str):
        self.name = name
        self.port = free_port()
        self.folder = tmp_path / name
        self.folder.mkdir()
        self.index = self.folder / "search-index"
        env = {key: value for key, value in os.environ.items()
               if not key.startswith(("GUNICORN_", "RATELIMIT_", "SEARCH_", "MAIL_"))
               and key not in ("TEST_DATABASE_URL", "DATABASE_URL", "WEB_CONCURRENCY", "BIND",
                               "TRUSTED_HOSTS", "PROXY_FIX_HOPS")}
        env.update({
            "KOHTAAMO_ENV": "production", "SECRET_KEY": "two-hosts-" + "s" * 40,
            "SERVER_BASE_URL": "http://127.0.0.1", "TRUSTED_HOSTS": "127.0.0.1",
            "DATABASE_URL": database_url, "KOHTAAMO_INSTANCE_DIR": str(self.folder),
            "SEARCH_INDEX_DIR": str(self.index), "MAIL_DIR": str(self.folder / "mail"),
            "UPLOAD_DIR": str(tmp_path / "shared-uploads"),
            "RATELIMIT_STORAGE_URI": redis_url, "RATELIMIT_LOGIN": f"{LOGIN_LIMIT} per minute",
            "RATELIMIT_SEARCH": "10000 per minute",  # the polls below are not what is tested
            "BIND": f"127.0.0.1:{self.port}", "WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4",
            "PYTHONPATH": str(ROOT)})
        self.log = (self.folder / "gunicorn.log").open("wb")
        self.process = subprocess.Popen(  # noqa: S603
            [str(GUNICORN), "-c", "gunicorn.conf.py", "wsgi:app"], cwd=ROOT, env=env,
            stdout=subprocess.DEVNULL, stderr=self.log)

    def browser(self, cookies: dict[str, str] | None = None) -> Browser:
        return Browser(self.port, cookies)

    def log_tail(self) -> str:
        self.log.flush()
        return (self.folder / "gunicorn.log").read_text(errors="replace")[-3000:]

    def wait_until_ready(self, deadline: float) -> None:
        while True:
            try:
                if self.browser().get("/healthz")[0] == 200:
                    return
            except OSError:
                pass
            assert self.process.poll() is None, f"{self.name} exited:\n{self.log_tail()}"
            assert time.monotonic() < deadline, f"{self.name} did not start:\n{self.log_tail()}"
            time.sleep(0.1)

    def stop(self) -> None:
        stop(self.process, signal.SIGINT)  # gunicorn's quick shutdown: nothing is in flight
        self.log.close()


def _make_world(url: str, instance: Path) -> dict:
    """A migrated database with a verified organisation, its editor (who signs in with
    PASSWORD) and a complete draft service model that mentions WORD."""
    from flask_migrate import upgrade

    from app import create_app
    from app.auth.models import User
    from app.auth.passwords import hash_password
    from app.core.db import utcnow
    from app.extensions import db
    from app.organisations.models import Membership, Organisation, OrganisationStatus, Role
    from app.practices import services
    from app.search import store
    from tests.fixtures.organisations import valid_business_id
    from tests.fixtures.practices import practice_data

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "INSTANCE_DIR": instance,
                              "MAIL_DIR": str(instance / "mail"),
                              "UPLOAD_DIR": str(instance / "uploads"),
                              "SEARCH_INDEX_DIR": str(instance / "unused-index")})
    with app.app_context():
        upgrade(revision="heads")
        user = User(email="editor@two-hosts.example.fi", name="Kaksi Isäntää",
                    password_hash=hash_password(PASSWORD), language="en",
                    email_verified_at=utcnow())
        organisation = Organisation(
            name="Kahden palvelimen yhdistys ry", business_id=valid_business_id(4242),
            type="ngo", description="Kuvaus.", status=OrganisationStatus.verified,
            verified_at=utcnow())
        organisation.regions, organisation.target_groups = ["MK10"], ["partially_able_to_work"]
        db.session.add_all([user, organisation,
                            Membership(organisation=organisation, user=user, role=Role.owner)])
        db.session.flush()
        practice = services.create_practice(user, organisation, practice_data(
            title=f"Työhönvalmennus {WORD} kahdella palvelimella",
            summary=f"Malli {WORD}: valmentaja tukee työnhakijaa ja työnantajaa."))
        db.session.commit()
        world = {"practice_id": practice.id, "email": user.email}
        db.session.remove()
        db.engine.dispose()
    store.forget_handles()
    return world


def _sign_in(host: Host, email: str) -> Browser:
    browser = host.browser()
    status, headers, body = browser.post("/login", {"email": email, "password": PASSWORD},
                                         token_from="/login")
    assert status == 302, (status, body[:500])
    return browser


def _search(browser: Browser, practice_id: int) -> tuple[bool, int | None]:
    """(the model is among the hits, the count of matching models the index gave)."""
    status, _, html = browser.get(f"/search?q={WORD}")
    assert status == 200, (status, html[:500])
    count = re.search(r"(\d+) service models?\b", html)
    return (re.search(rf'href="/practices/{practice_id}-', html) is not None,
            int(count.group(1)) if count else None)


def _poll(check, limit: float) -> tuple[float, object]:
    """Call `check()` until it answers something true, at most `limit` seconds; the seconds
    it took and the last answer."""
    started = time.monotonic()
    while True:
        answer = check()
        waited = time.monotonic() - started
        if answer or waited > limit:
            return waited, answer
        time.sleep(0.05)


@pytest.fixture
def hosts(tmp_path):
    url = new_database(tmp_path, "twohosts")
    started: list[Host] = []
    try:
        with _redis(tmp_path) as redis_url:
            try:
                # the hosts touch no database at start: they warm up while it is made
                for name in ("host_a", "host_b"):
                    started.append(Host(name, tmp_path, url, redis_url))
                deadline = time.monotonic() + START_DEADLINE
                world = _make_world(url, tmp_path / "setup")
                for host in started:
                    host.wait_until_ready(deadline)
                yield started[0], started[1], world, redis_url
            finally:
                for host in started:
                    if host.process.poll() is None:
                        host.process.send_signal(signal.SIGINT)  # both shut down at once
                for host in started:
                    host.stop()
    finally:
        drop_database(url)


def test_a_change_through_one_host_is_found_through_the_other(hosts):
    import redis

    host_a, host_b, world, redis_url = hosts
    practice_id = world["practice_id"]
    reader = host_b.browser()
    # B builds its own index from the shared change log; the draft is not public
    assert _poll(lambda: _search(reader, practice_id) == (False, 0), LAG_LIMIT)[1], \
        _search(reader, practice_id)

    editor = _sign_in(host_a, world["email"])  # sign-in attempt 1 of LOGIN_LIMIT
    # the session made on A is valid on B: one database, one SECRET_KEY
    status, _, page = host_b.browser(editor.cookies).get("/account")
    assert status == 200 and world["email"] in page, (status, page[:300])
    assert host_b.browser().get("/account")[0] == 302  # and not without the cookie

    path = f"/practices/{practice_id}/publish"
    status, _, body = editor.post(path, {"change_note": "Kahden palvelimen koe"}, token_from=path)
    assert status == 302, (status, body[:500], host_a.log_tail())
    published_lag, found = _poll(lambda: _search(reader, practice_id) == (True, 1), LAG_LIMIT)
    assert found, (f"B did not find the model published on A within {LAG_LIMIT} s: "
                   f"{_search(reader, practice_id)}\n{host_b.log_tail()}")
    # and A, whose first search comes now, from its own index
    assert _poll(lambda: _search(editor, practice_id) == (True, 1), LAG_LIMIT)[1]
    status, _, readyz = reader.get("/readyz")
    ready = json.loads(readyz)
    assert status == 200 and ready["checks"]["search_index"].get("lag") == 0, readyz

    status, _, body = editor.post(f"/practices/{practice_id}/archive", {},
                                  token_from=f"/practices/{practice_id}/edit")
    assert status == 302, (status, body[:500])
    archived_lag, gone = _poll(lambda: _search(reader, practice_id) == (False, 0), LAG_LIMIT)
    assert gone, (f"B still shows or counts the model archived on A after {LAG_LIMIT} s: "
                  f"{_search(reader, practice_id)}\n{host_b.log_tail()}")
    # each host wrote an index of its own
    for host in (host_a, host_b):
        assert (host.index / "CURRENT").is_file(), list(host.index.iterdir())
    print(f"\ntwo hosts: published on A, found on B after {published_lag:.3f} s; "
          f"archived on A, gone from B after {archived_lag:.3f} s")

    # Sign-in attempts spent on A count on B: A takes the rest of the budget, B refuses.
    stranger_a = host_a.browser()
    spent = [stranger_a.post("/login", {"email": "nobody@example.fi", "password": "wrong"},
                             token_from="/login")[0] for _ in range(LOGIN_LIMIT - 1)]
    assert spent == [200] * (LOGIN_LIMIT - 1), spent  # "wrong e-mail or password", no 429
    stranger_b = host_b.browser()
    status, headers, _ = stranger_b.post("/login", {"email": "nobody@example.fi",
                                                    "password": "wrong"}, token_from="/login")
    assert status == 429, status
    assert int(headers["Retry-After"]) > 0, headers
    with redis.Redis.from_url(redis_url) as client:
        assert any(b"login" in key for key in client.keys("*"))
