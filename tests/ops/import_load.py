"""Shared by tests/ops/test_import_short_transactions.py and bench/import_lock.py: a file
SQLite instance with the demo data, a generated import file, `flask practices import` in its
own process, and an editor autosaving a service model through the real view meanwhile."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SAMPLE = ROOT / "tests" / "practices" / "data" / "practices_sample.jsonl"
_VERSION = re.compile(r'name="lock_version" id="lock_version" value="(\d+)"')


def new_database(tmp_path: Path, name: str) -> str:
    """An empty database: a new SQLite file, or a new PostgreSQL database (named after the
    test database, `name` and the pytest-xdist worker) when TEST_DATABASE_URL is set."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base:
        return f"sqlite:///{tmp_path / name}.db"
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    from app.config import normalise_database_url

    url = make_url(normalise_database_url(base))
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    database = f"{url.database}_ops_{name}_{worker}"[:63]
    engine = create_engine(url, isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            _drop(conn, database)
            conn.execute(text(f'CREATE DATABASE "{database}"'))
    finally:
        engine.dispose()
    return url.set(database=database).render_as_string(hide_password=False)


def _drop(conn, database: str, attempts: int = 40) -> None:
    """DROP DATABASE ... WITH (FORCE). PostgreSQL's autovacuum may be working in a database
    the test has just filled (after a restore, say), and a role that is not a superuser may
    not end that worker's connection ("must be a member of the role whose process is being
    terminated"): the worker is done within moments, so the drop is tried again (at most
    `attempts` times, a quarter of a second apart)."""
    from sqlalchemy import text
    from sqlalchemy.exc import ProgrammingError

    for attempt in range(attempts):
        try:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)'))
            return
        except ProgrammingError as error:
            if "pg_signal_backend" not in str(error) or attempt + 1 == attempts:
                raise
            time.sleep(0.25)


def drop_database(url: str) -> None:
    """Remove a PostgreSQL database made by `new_database` (a SQLite file goes with its
    temporary directory)."""
    base = os.environ.get("TEST_DATABASE_URL")
    if not base or not url.startswith("postgresql"):
        return
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    from app.config import normalise_database_url

    engine = create_engine(normalise_database_url(base), isolation_level="AUTOCOMMIT")
    try:
        with engine.connect() as conn:
            _drop(conn, make_url(url).database)
    finally:
        engine.dispose()


def write_import_file(path: Path, lines: int, prefix: str = "load") -> Path:
    """`lines` distinct records (ids `<prefix>-<n>`) cycling through the sample's 16."""
    sample = [json.loads(line) for line in SAMPLE.read_text(encoding="utf-8").splitlines()]
    with path.open("w", encoding="utf-8") as out:
        for n in range(lines):
            record = dict(sample[n % len(sample)])
            record["id"] = f"{prefix}-{n}"
            record["title"] = f"{record['title'][:180]} {n}"
            out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return path


def instance_env(url: str, instance: Path) -> dict:
    """The environment of a `flask` command on this instance."""
    env = dict(os.environ)
    env.update({"FLASK_APP": "wsgi.py", "KOHTAAMO_ENV": "development",
                "DATABASE_URL": url, "KOHTAAMO_INSTANCE_DIR": str(instance),
                "UPLOAD_DIR": str(instance / "uploads"), "MAIL_DIR": str(instance / "mail"),
                "SEARCH_INDEX_DIR": str(instance / "index")})
    return env


def make_world(url: str, instance: Path):
    """A migrated database with the demo data; (app, practice id, a user who may edit it)."""
    from flask_migrate import upgrade

    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.organisations.models import Membership, Role
    from app.practices.models import Practice, PracticeState
    from tests.concurrency.editor_worker import make_app

    app = make_app(url, str(instance))
    with app.app_context():
        upgrade(revision="heads")
        seed_demo(db.session)
        db.session.commit()
        practice = db.session.scalars(
            db.select(Practice).where(Practice.state == PracticeState.draft)).first()
        user_id = db.session.scalars(db.select(Membership.user_id).where(
            Membership.organisation_id == practice.organisation_id,
            Membership.role.in_((Role.owner, Role.editor)))).first()
        return app, practice.id, user_id


@dataclass
class Saves:
    """What the editor saw: one (seconds, status or error) per autosave, markers saved."""

    waits: list[float] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)
    saved: list[str] = field(default_factory=list)
    observed: list = field(default_factory=list)  # what `observe()` said after each save


def autosave_while(app, practice_id: int, user_id: int, running, *, pause: float = 0.05,
                   deadline: float = 600.0, observe=None) -> Saves:
    """Autosave the model with a unique marker, as htmx does, while `running()` is true (and
    once more after), each save timed; every answer but 200 is a failure. After each saved
    one, `observe()` (if given) is called and its answer kept."""
    from app.extensions import db
    from app.practices.models import Practice
    from tests.concurrency.editor_worker import signed_in_client

    client = signed_in_client(app, user_id)
    html = client.get(f"/practices/{practice_id}/edit").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', html).group(1)
    with app.app_context():
        practice = db.session.get(Practice, practice_id)
        fields, known = practice.content(), practice.lock_version
    saves, n, stop = Saves(), 0, time.monotonic() + deadline
    last = False
    while time.monotonic() < stop:
        last = last or not running()
        marker = f"autosave-{n}"
        data = {k: v for k, v in fields.items() if not isinstance(v, list)}
        data.update({"summary": f"Tiivistelmä {marker}", "lock_version": str(known),
                     "tags": ", ".join(fields.get("tags") or []), "csrf_token": token})
        for name in ("target_groups", "work_forms", "regions"):
            data[name] = list(fields.get(name) or [])
        started = time.monotonic()
        try:
            response = client.post(f"/practices/{practice_id}/autosave", data=data,
                                   headers={"HX-Request": "true", "Accept-Language": "en"})
            status, body = response.status_code, response.get_data(as_text=True)
        except Exception as error:  # noqa: BLE001 - a raised error is a failed save, counted
            status, body = 500, f"{type(error).__name__}: {error}"
        saves.waits.append(time.monotonic() - started)
        match = _VERSION.search(body) if status == 200 else None
        if match is None:
            saves.failures.append(f"{marker}: {status} {body[:200]}")
        else:
            known = int(match.group(1))
            saves.saved.append(marker)
            if observe is not None:
                saves.observed.append(observe())
        n += 1
        if last:
            break
        time.sleep(pause)
    return saves


def start_import(url: str, instance: Path, path: Path) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "flask", "practices", "import", str(path)],
                            cwd=ROOT, env=instance_env(url, instance), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)


def percentile(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]
