"""Many editors autosaving one row at once, in real processes, on SQLite and PostgreSQL: no
save that was answered "Saved" is ever silently overwritten.

Each editor sends the version it last learned (from its own "Saved" answer or from a conflict
shown to it). Reconciled from the answers: every acknowledged save wrote a version no other
acknowledged save wrote; every acknowledged save was based on the version just before it, so
its writer had either written that version itself or been shown it in a conflict; and the
final text is the last acknowledged save's.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from tests.concurrency.editor_worker import make_app

EDITORS = 5
SAVES = 10
ROOT = Path(__file__).resolve().parents[2]


def _fresh_database(tmp_path) -> str:
    """A database of its own (committed data never meets the other tests' transactions):
    a SQLite file, or a PostgreSQL schema of its own when TEST_DATABASE_URL is set."""
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'editors.db'}"
    from app.config import normalise_database_url

    url = normalise_database_url(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS concurrent_editors CASCADE"))
        conn.execute(text("CREATE SCHEMA concurrent_editors"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3Dconcurrent_editors"


@pytest.fixture(scope="module")
def world(tmp_path_factory):
    """A migrated database with the demo data: a draft application and a service model, each
    with an editor who may write it."""
    from flask_migrate import upgrade

    from app.applications.models import Application, ApplicationState
    from app.demo.seed import seed_demo
    from app.extensions import db
    from app.organisations.models import Membership, Role
    from app.practices.models import Practice, PracticeState

    tmp_path = tmp_path_factory.mktemp("editors")
    url = _fresh_database(tmp_path)
    app = make_app(url, str(tmp_path))
    with app.app_context():
        upgrade(revision="heads")
        seed_demo(db.session)
        db.session.commit()
        application = db.session.scalars(
            db.select(Application).where(Application.state == ApplicationState.draft)).first()
        practice = db.session.scalars(
            db.select(Practice).where(Practice.state == PracticeState.draft)).first()

        def writer(organisation_id: int) -> int:
            return db.session.scalars(db.select(Membership.user_id).where(
                Membership.organisation_id == organisation_id,
                Membership.role.in_((Role.owner, Role.editor)))).first()

        objects = {"section": (application.id, writer(application.organisation_id)),
                   "practice": (practice.id, writer(practice.organisation_id))}
    yield app, url, tmp_path, objects
    with app.app_context():
        db.engine.dispose()


def _run_editors(kind: str, url: str, instance: Path, user_id: int, object_id: int) -> list[dict]:
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.concurrency.editor_worker", kind, url, str(instance),
             str(user_id), str(object_id), f"E{n}", str(SAVES)],
            cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n in range(EDITORS)
    ]
    answers = []
    deadline = time.monotonic() + 300
    for process in processes:
        out, err = process.communicate(timeout=max(1, deadline - time.monotonic()))
        assert process.returncode == 0, err[-3000:]
        answers.extend(json.loads(line) for line in out.splitlines() if line.startswith("{"))
    return answers


def _final(app, kind: str, object_id: int) -> tuple[str, int]:
    from app.applications.models import Application, section_version
    from app.extensions import db
    from app.practices.models import Practice

    with app.app_context():
        if kind == "practice":
            practice = db.session.get(Practice, object_id)
            return practice.summary, practice.lock_version
        application = db.session.get(Application, object_id)
        return application.background, section_version(application, "background")


@pytest.mark.parametrize("kind", ["section", "practice"])
def test_no_acknowledged_save_is_lost(world, kind):
    app, url, instance, objects = world
    object_id, user_id = objects[kind]
    _, start_version = _final(app, kind, object_id)
    answers = _run_editors(kind, url, instance, user_id, object_id)
    assert len(answers) == EDITORS * SAVES
    assert all(a["status"] in (200, 409) for a in answers), [a for a in answers
                                                             if a["status"] not in (200, 409)]
    saved = [a for a in answers if a["ok"]]
    conflicts = [a for a in answers if not a["ok"]]
    assert saved and conflicts, "the editors did not really race"

    # Each acknowledged save wrote its own version, on top of the one before it.
    versions = sorted(a["version"] for a in saved)
    assert len(set(versions)) == len(versions), "two saves were both answered with one version"
    assert all(a["version"] == a["base"] + 1 for a in saved)
    assert versions == list(range(start_version + 1, start_version + 1 + len(saved)))

    # The writer of version v+1 knew v: it loaded the page at v, wrote v itself, or was shown
    # v in a conflict.
    learned = {}
    for a in answers:
        editor = a["marker"].split("-")[0]
        if editor not in learned:
            learned[editor] = {a["base"]}  # the version of the page it loaded
        learned[editor].add(a["version"])
    by_version = {a["version"]: a for a in saved}
    for a in saved:
        base = a["base"]
        if base == start_version:
            continue
        editor = a["marker"].split("-")[0]
        assert base in learned[editor], (a, "saved over a version its writer never saw")
        assert base in by_version

    # The final text is the last acknowledged save's.
    text_now, version_now = _final(app, kind, object_id)
    assert version_now == versions[-1]
    assert by_version[versions[-1]]["marker"] in text_now
