"""A tiny, bounded bench/load.py run (2 reviewers, 2 applicants, 1 searcher for a few seconds
against the project's gunicorn on 127.0.0.1 and SQLite; no demo data and no search index, to
keep it short): the run reconciles with no lost write
and no 5xx; and the reconciliation is honest: when the database is changed afterwards so that
an acknowledged save is no longer what is stored (as a lost update would leave it), the same
reconciliation reports exactly those writes lost and fails.

SQLite only: the bench empties the database it is given, so it never runs on the test
suite's PostgreSQL database (the PostgreSQL figures come from the bench itself, RESULTS.md).
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BENCH = ROOT / "bench" / "load.py"


def _bench(*args: str, timeout: float) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "TEST_DATABASE_URL", "SEARCH_INDEX_DIR")}
    # One worker is enough for four users and starts quicker on a busy CI machine.
    env.update({"WEB_CONCURRENCY": "1", "GUNICORN_THREADS": "4"})
    return subprocess.run([sys.executable, str(BENCH), *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, timeout=timeout)


def _acknowledged(writes: list[dict], kind: str) -> dict[str, list[dict]]:
    by_key: dict[str, list[dict]] = {}
    for write in writes:
        if write["kind"] == kind and write["status"] == 200:
            by_key.setdefault(write["key"], []).append(write)
    return by_key


def test_a_short_load_run_reconciles_and_a_lost_write_is_caught(tmp_path):
    run_dir = tmp_path / "run"
    done = _bench("--no-demo", "--no-index", "--duration", "6", "--reviewers", "2",
                  "--editors", "2", "--searchers", "1", "--think-min", "0.1", "--think-max", "0.3",
                  "--keep-dir", str(run_dir), "--json-out", str(tmp_path / "result.json"),
                  timeout=150)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    result = json.loads((tmp_path / "result.json").read_text())
    summary, reconciled = result["summary"], result["reconciliation"]
    assert summary["server_errors"] == 0
    assert reconciled["lost_writes"] == 0 and reconciled["version_errors"] == 0
    endpoints = summary["endpoints"]
    for endpoint in ("POST /reviews/<id>/autosave",
                     "POST /calls/applications/<id>/sections/<s>/autosave", "GET /search"):
        assert endpoints[endpoint]["statuses"].get("200", 0) >= 2, endpoints
    assert "LOST WRITES 0" in done.stdout

    # Undo one acknowledged save of a review and of a section in the database, keeping the
    # versions, as a lost update would: the reconciliation must name both and fail.
    writes = json.loads((run_dir / "writes.json").read_text())
    reviews = {k: v for k, v in _acknowledged(writes, "review").items() if len(v) >= 2}
    sections = _acknowledged(writes, "section")
    assert reviews and sections, writes
    review_id, review_writes = next(iter(reviews.items()))
    section_key, section_writes = next(iter(sections.items()))
    application_id, section = section_key.split("/")
    column = "summary" if section == "project" else section
    previous = review_writes[-2]["sent"]["overall_comment"]
    with sqlite3.connect(run_dir / "kohtaamo.db") as db:
        db.execute("UPDATE review SET overall_comment = ? WHERE id = ?", (previous,
                                                                           int(review_id)))
        db.execute(f"UPDATE application SET {column} = ? WHERE id = ?",  # noqa: S608
                   ("Vanha teksti", int(application_id)))
    again = _bench("--reconcile-only", str(run_dir), timeout=60)
    assert again.returncode == 1, again.stdout + again.stderr
    assert "Lost writes 2," in again.stdout
    assert review_writes[-1]["marker"] in again.stdout
    assert section_writes[-1]["marker"] in again.stdout


def test_notice_paths_are_built_outside_a_request_when_only_the_site_host_is_trusted(
        app, monkeypatch):
    """Found by the load run: in production TRUSTED_HOSTS holds only SERVER_BASE_URL's host,
    and a notice made outside a request (`flask demo seed`, the reminders' cron) failed to
    build its path because the stand-in request came from "localhost"."""
    from app.notifications.services import path_for

    monkeypatch.setitem(app.config, "SERVER_BASE_URL", "https://kohtaamo.example")
    monkeypatch.setitem(app.config, "TRUSTED_HOSTS", ["kohtaamo.example"])
    with app.app_context():
        assert path_for("reviews.review_detail", review_id=7) == "/reviews/7"
