"""Browser tests: the real application behind a real HTTP server, driven by Debian's Chromium.

The server runs in a background thread with its own SQLite database (not the rolled-back
per-test database of tests/conftest.py): the browser and the test share what is committed.
Playwright launches /usr/bin/chromium; it never downloads a browser of its own.

Without Chromium these tests fail with a message saying what to install; leave them out on
purpose with `pytest -m "not browser"`.

The tests wait for conditions (Playwright's `expect(...)`, `expect_request`, a mail arriving),
never for fixed times, with one generous timeout (`TIMEOUT_MS` in __init__.py) set here for
every context and every `expect`, so that a busy machine makes them slower, not red.
"""

from __future__ import annotations

import email
import email.policy
import logging
import os
import re
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from tests.browser import TIMEOUT_MS

CHROMIUM = os.environ.get("KOHTAAMO_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--disable-sync",
]


def pytest_collection_modifyitems(config, items):
    """Every test in this folder is a browser test, also one that forgets its `pytestmark`."""
    here = Path(__file__).parent
    for item in items:
        if here in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.browser)


def _unavailable(reason: str):
    """A browser test that cannot run fails: it is never silently skipped. Without Chromium,
    leave the browser tests out explicitly with `pytest -m "not browser"`."""
    pytest.fail(f"{reason}. Install it, or run the other tests with -m \"not browser\".",
                pytrace=False)


@pytest.fixture(autouse=True)
def db():
    """Override the rolled-back database of tests/conftest.py: the live server has its own."""
    yield None


# --- the live server ---------------------------------------------------------------------


@dataclass
class LiveServer:
    app: object
    url: str
    mail_dir: Path

    def path(self, path: str) -> str:
        return self.url + path

    def mails(self, to: str | None = None) -> list:
        found = []
        for file in sorted(self.mail_dir.glob("*.eml")):
            message = email.message_from_bytes(file.read_bytes(), policy=email.policy.default)
            if to is None or message["To"] == to:
                found.append(message)
        return found

    def mail_link(self, to: str, path_part: str, timeout: float = TIMEOUT_MS / 1000) -> str:
        """The newest mail to `to` with a link whose path contains `path_part`, as a URL here
        (polled until it has come, at most `timeout` seconds)."""
        deadline = time.monotonic() + timeout
        while True:
            for message in reversed(self.mails(to)):
                for url in re.findall(r"https?://\S+", message.get_content()):
                    parts = urlsplit(url)
                    if path_part in parts.path:
                        return self.url + parts.path + (f"?{parts.query}" if parts.query else "")
            if time.monotonic() > deadline:
                subjects = [m["Subject"] for m in self.mails(to)]
                raise AssertionError(f"no mail to {to} with a {path_part!r} link; got {subjects}")
            time.sleep(0.1)

    def run(self, function, *args, **kwargs):
        """Call `function(*args, **kwargs)` inside the server's application context."""
        with self.app.app_context():
            return function(*args, **kwargs)


@pytest.fixture(scope="session")
def live_server(tmp_path_factory):
    from flask_migrate import upgrade
    from werkzeug.serving import make_server

    from app import create_app
    from app.extensions import db as _db
    from app.search.analysis import warm_up

    root = tmp_path_factory.mktemp("browser")
    mail_dir = root / "mail"
    application = create_app(
        "test",
        {
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{root / 'browser.db'}",
            "INSTANCE_DIR": root,
            "MAIL_DIR": str(mail_dir),
            "UPLOAD_DIR": str(root / "uploads"),
            "SEARCH_INDEX_DIR": str(root / "search-index"),
        },
    )
    with application.app_context():
        upgrade()
    # As a server's worker does when it starts (gunicorn.conf.py): load the lemma dictionaries
    # now, not in the first search a test makes (several seconds, more on a busy machine).
    warm_up()
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # not a line per request
    server = make_server("127.0.0.1", 0, application, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    try:
        yield LiveServer(application, f"http://127.0.0.1:{server.server_port}", mail_dir)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
        with application.app_context():
            _db.engine.dispose()


# --- the browser -------------------------------------------------------------------------


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        _unavailable(f"Chromium not found at {CHROMIUM} (apt-get install chromium)")
    try:
        from playwright.sync_api import expect, sync_playwright
    except ImportError:  # pragma: no cover
        _unavailable("Playwright for Python is not installed (pip install -e '.[test]')")
    expect.set_options(timeout=TIMEOUT_MS)
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        try:
            yield chromium
        finally:
            chromium.close()


@pytest.fixture
def new_context(browser, live_server):
    """new_context(**options) -> a fresh browser context (cookies of its own) for this test."""
    contexts = []

    def _new(**options):
        options.setdefault("base_url", live_server.url)
        options.setdefault("locale", "fi-FI")
        context = browser.new_context(**options)
        context.set_default_timeout(TIMEOUT_MS)
        contexts.append(context)
        return context

    yield _new
    for context in contexts:
        context.close()


@pytest.fixture
def new_page(new_context):
    """new_page(**context_options) -> a page in a fresh context that accepts confirm dialogs."""

    def _new(**options):
        page = new_context(**options).new_page()
        page.on("dialog", lambda dialog: dialog.accept())
        return page

    return _new


@pytest.fixture
def page(new_page):
    return new_page()


@pytest.fixture(scope="session")
def axe_source() -> str:
    from tests.browser.support import AXE_JS

    if not AXE_JS.exists():
        pytest.fail(f"{AXE_JS} is missing: run `make assets` (copies axe-core from node_modules)",
                    pytrace=False)
    return AXE_JS.read_text(encoding="utf-8")
