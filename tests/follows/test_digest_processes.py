"""Two `flask follows digest` runs of the same period at the same moment, in real processes,
on the test engine (SQLite file or a PostgreSQL schema of its own): every person still gets
exactly one digest, and one DigestSent row."""

from __future__ import annotations

import email
import os
import re
import subprocess
import sys
import time
from datetime import timedelta
from pathlib import Path

from sqlalchemy import create_engine, func, select, text

from app.core.outbox import OutboundMail
from app.follows.digest import Period
from app.follows.models import DigestSent
from tests.concurrency.editor_worker import make_app

ROOT = Path(__file__).resolve().parents[2]
PEOPLE = 30
PERIOD = "2026-W40"


def _fresh_database(tmp_path) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path / 'digest.db'}"
    from app.config import normalise_database_url

    url = normalise_database_url(url)
    engine = create_engine(url)
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS concurrent_digest CASCADE"))
        conn.execute(text("CREATE SCHEMA concurrent_digest"))
    engine.dispose()
    separator = "&" if "?" in url else "?"
    return f"{url}{separator}options=-csearch_path%3Dconcurrent_digest"


def _world(app) -> None:
    """PEOPLE people who chose the digest and follow Uusimaa, and a partner call there in
    the period."""
    from app.auth.models import User
    from app.core.db import utcnow
    from app.extensions import db
    from app.follows.models import Follow, FollowKind, FollowSettings
    from app.organisations.models import Organisation, OrganisationStatus
    from app.partners.models import PartnerCall

    with app.app_context():
        db.create_all()
        org = Organisation(name="Uudenmaan Työpolku ry", business_id="1234567-1", type="ngo",
                           status=OrganisationStatus.verified)
        db.session.add(org)
        db.session.add(PartnerCall(organisation=org, title="Etsimme kumppania",
                                   regions=["MK01"],
                                   created_at=Period.parse(PERIOD).start + timedelta(days=1)))
        for n in range(PEOPLE):
            user = User(email=f"person{n}@example.fi", name=f"Henkilö {n}", password_hash="x",
                        language="fi", email_verified_at=utcnow())
            db.session.add(user)
            db.session.flush()
            db.session.add(Follow(user_id=user.id, kind=FollowKind.region, target="MK01"))
            db.session.add(FollowSettings(user_id=user.id, weekly_digest=True))
        db.session.commit()


def test_two_runs_at_once_send_one_digest_per_person(tmp_path):
    url = _fresh_database(tmp_path)
    app = make_app(url, str(tmp_path))
    _world(app)
    go = tmp_path / "go"
    processes = [
        subprocess.Popen([sys.executable, "-m", "tests.follows.digest_worker", url,
                          str(tmp_path), PERIOD, str(go)],
                         cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for _ in range(2)
    ]
    try:
        deadline = time.monotonic() + 120
        for process in processes:  # both apps are built before either run starts
            line = process.stdout.readline()
            assert line.strip() == "ready", process.stderr.read()[-3000:]
        go.touch()
        outputs = []
        for process in processes:
            out, err = process.communicate(timeout=max(1, deadline - time.monotonic()))
            assert process.returncode == 0, err[-3000:]
            outputs.append(out)
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
    sent = [int(re.search(r"Sent (\d+) digests", out).group(1)) for out in outputs]
    already = [int(re.search(r"(\d+) had already been sent", out).group(1)) for out in outputs]
    assert sum(sent) == PEOPLE, outputs
    print(f"sent per run {sent}, found already sent {already}")
    with app.app_context():
        from app.extensions import db

        per_person = dict(db.session.execute(
            select(OutboundMail.recipient, func.count(OutboundMail.id))
            .group_by(OutboundMail.recipient)).all())
        assert per_person == {f"person{n}@example.fi": 1 for n in range(PEOPLE)}
        assert db.session.scalar(select(func.count(DigestSent.id)).where(
            DigestSent.period == PERIOD)) == PEOPLE
        assert db.session.scalar(select(func.count(OutboundMail.id)).where(
            OutboundMail.sent_at.is_(None))) == 0
        db.session.remove()
        db.engine.dispose()
    # What was delivered (the mail folder both runs write to): one message per person.
    delivered = [email.message_from_bytes(p.read_bytes())["To"]
                 for p in (tmp_path / "mail").glob("*.eml")]
    assert sorted(delivered) == sorted(f"person{n}@example.fi" for n in range(PEOPLE))
