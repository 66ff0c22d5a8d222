"""Registrations and cancellations racing in real processes, on SQLite and PostgreSQL: no
overbooking, and every freed place goes to the earliest on the waiting list (nobody skipped).

An event of capacity 5 starts with 4 confirmed people. Four processes then, at one signal,
post 12 new registrations and the 4 cancellations through the real views. Afterwards:
confirmed <= capacity and confirmed == min(capacity, active); everyone confirmed queued before
everyone still waiting; each person moved up got exactly one "place became free" mail, and
nobody else got one.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text

CAPACITY = 5
FIRST = 4  # confirmed before the race; they cancel during it
NEW = 12
PROCESSES = 4
ROOT = Path(__file__).resolve().parents[2]


def _fresh_database(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'registrations.db'}"
    from app.config import normalise_database_url

    url = normalise_database_url(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS concurrent_registrations CASCADE"))
        conn.execute(text("CREATE SCHEMA concurrent_registrations"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3Dconcurrent_registrations"


def _world(app):
    from app.auth.models import User
    from app.core.db import utcnow
    from app.events import registration as reg
    from app.events.models import Event, EventFormat, EventKind, EventState
    from app.extensions import db
    from app.organisations.models import Membership, Organisation, OrganisationStatus, Role

    with app.app_context():
        owner = User(email="owner@example.fi", name="Owner", password_hash="x", language="en",
                     email_verified_at=utcnow())
        people = [User(email=f"r{n:02d}@example.fi", name=f"Racer {n}", password_hash="x",
                       language="en", email_verified_at=utcnow()) for n in range(FIRST + NEW)]
        organisation = Organisation(name="Kilpailijat ry", business_id="1234567-1", type="ngo",
                                    description="", status=OrganisationStatus.verified)
        organisation.regions, organisation.target_groups = [], []
        db.session.add_all([owner, *people, organisation,
                            Membership(organisation=organisation, user=owner, role=Role.owner)])
        db.session.flush()
        start = utcnow() + timedelta(days=5)
        event = Event(organisation_id=organisation.id, kind=EventKind.info_session,
                      title="Kilpailu", starts_at=start, ends_at=start + timedelta(hours=1),
                      format=EventFormat.online, online_url="https://example.fi/meet",
                      capacity=CAPACITY, languages=["fi"], state=EventState.published)
        db.session.add(event)
        db.session.commit()
        for person in people[:FIRST]:
            reg.register(person, event.id)
        db.session.commit()
        return event.id, [p.id for p in people]


@pytest.fixture
def race(tmp_path):
    from flask_migrate import upgrade

    from app.extensions import db
    from tests.concurrency.editor_worker import make_app

    url = _fresh_database(tmp_path)
    app = make_app(url, str(tmp_path))
    with app.app_context():
        upgrade(revision="heads")
    event_id, ids = _world(app)
    yield app, url, tmp_path, event_id, ids
    with app.app_context():
        db.engine.dispose()


def _run(url, instance, event_id, ids) -> list[dict]:
    go = instance / "go"
    actions = [f"register:{i}" for i in ids[FIRST:]] + [f"cancel:{i}" for i in ids[:FIRST]]
    # Interleave: each process gets registrations and a cancellation.
    shares = [actions[n::PROCESSES] for n in range(PROCESSES)]
    processes = [subprocess.Popen(
        [sys.executable, "-m", "tests.events.test_waiting_list_worker", url, str(instance),
         str(event_id), str(instance / f"ready-{n}"), str(go), ",".join(share)],
        cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for n, share in enumerate(shares)]
    try:
        # The signal once every worker has signed its people in (bounded wait).
        deadline = time.monotonic() + 90
        while not all((instance / f"ready-{n}").exists() for n in range(PROCESSES)):
            assert time.monotonic() < deadline, "the workers did not get ready"
            assert all(p.poll() is None for p in processes), "a worker died"
            time.sleep(0.01)
        go.touch()
        answers = []
        deadline = time.monotonic() + 60
        for process in processes:
            out, err = process.communicate(timeout=max(1, deadline - time.monotonic()))
            assert process.returncode == 0, err[-3000:]
            answers.extend(json.loads(line) for line in out.splitlines() if line.startswith("{"))
        return answers
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()


def test_racing_registrations_and_cancellations(race):
    from app.core.outbox import OutboundMail
    from app.events.models import EventRegistration
    from app.extensions import db

    app, url, instance, event_id, ids = race
    answers = _run(url, instance, event_id, ids)
    assert len(answers) == NEW + FIRST
    assert all(a["status"] == 302 for a in answers), answers

    with app.app_context():
        rows = list(db.session.scalars(select(EventRegistration).where(
            EventRegistration.event_id == event_id)))
        state = {r.email: str(r.state) for r in rows}
        confirmed = [r for r in rows if r.state == "confirmed"]
        waiting = [r for r in rows if r.state == "waiting"]
        active = len(confirmed) + len(waiting)
        assert active == NEW and sum(s == "cancelled" for s in state.values()) == FIRST
        assert len(confirmed) <= CAPACITY
        assert len(confirmed) == min(CAPACITY, active)
        # Nobody skipped: everyone with a place queued before everyone still waiting.
        assert max((r.queued_at, r.id) for r in confirmed) < min(
            (r.queued_at, r.id) for r in waiting)
        promoted = {r.email for r in rows if r.promoted_at is not None and r.state == "confirmed"}
        assert promoted, "nobody was moved up: the cancellations did not race the registrations"
        mails = list(db.session.scalars(select(OutboundMail)))
        moved_up = [m.recipient for m in mails if m.subject.startswith("A place became free")]
        assert sorted(moved_up) == sorted(promoted)  # exactly one each, nobody else
