"""The weekly digest: one mail per person and period (a second run sends nothing), only to
those who chose it and have news, a dry run sends nothing, periods are Finnish ISO weeks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import func, select

from app.core.outbox import OutboundMail
from app.follows.digest import DigestSummary, Period, PeriodError, _one, send_digests
from app.follows.models import DigestSent

PERIOD = Period.parse("2026-W40")  # Monday 28 September – Sunday 4 October 2026


def _mails(db, email):
    return list(db.session.scalars(select(OutboundMail).where(OutboundMail.recipient == email)))


def _sent(db, user):
    return db.session.scalar(select(func.count(DigestSent.id)).where(
        DigestSent.user_id == user.id, DigestSent.period == PERIOD.name))


@pytest.fixture
def people(make_user, make_organisation, make_partner_call, make_event, add_follow, db):
    """wants (news, digest on), quiet (digest on, no news), off (news, digest off), gone
    (news, digest on, deactivated), and the week's items."""
    in_week = PERIOD.start + timedelta(days=2) - datetime.now(UTC)
    wants = make_user(email="wants@example.fi", language="en")
    quiet = make_user(email="quiet@example.fi")
    off = make_user(email="off@example.fi")
    gone = make_user(email="gone@example.fi")
    gone.is_deactivated = True
    for user in (wants, off, gone):
        add_follow(user, "region", "MK01", digest=user is not off)
    add_follow(quiet, "region", "MK19", digest=True)
    org = make_organisation(name="Uudenmaan Työpolku ry", regions=("MK01",))
    call = make_partner_call(regions=["MK01"], title="Etsimme työnantajakumppania",
                             created=in_week)
    make_partner_call(regions=["MK01"], title="Viime viikon haku",
                      created=in_week - timedelta(days=7))
    make_event(organisation=org, title="Verkostotapaaminen", created=in_week)
    make_event(organisation=org, title="Peruttu tilaisuus", state="cancelled", created=in_week)
    return {"wants": wants, "quiet": quiet, "off": off, "gone": gone, "call": call}


def test_one_digest_per_person_and_period(people, db):
    summary = send_digests(PERIOD)
    assert (summary.candidates, summary.sent, summary.without_news) == (2, 1, 1)
    mails = _mails(db, "wants@example.fi")
    assert len(mails) == 1
    mail = mails[0]
    assert "2 new items" in mail.subject
    assert "Etsimme työnantajakumppania" in mail.body and "Verkostotapaaminen" in mail.body
    assert "Viime viikon haku" not in mail.body and "Peruttu tilaisuus" not in mail.body
    assert "Because you follow: Uusimaa" in mail.body
    assert f"/partner-calls/{people['call'].id}" in mail.body and "/whats-new" in mail.body
    assert "&amp;" not in mail.body
    for name in ("quiet", "off", "gone"):
        assert _mails(db, f"{name}@example.fi") == [] and _sent(db, people[name]) == 0
    assert _sent(db, people["wants"]) == 1
    assert db.session.scalar(select(DigestSent.item_count).where(
        DigestSent.user_id == people["wants"].id)) == 2
    # Again: nobody is mailed twice.
    again = send_digests(PERIOD)
    assert (again.candidates, again.sent) == (1, 0)  # only the one without news is asked
    assert len(_mails(db, "wants@example.fi")) == 1 and _sent(db, people["wants"]) == 1


def test_a_digest_recorded_by_another_run_is_not_sent_again(people, db):
    # Another process recorded the digest after this run listed its candidates.
    db.session.add(DigestSent(user_id=people["wants"].id, period=PERIOD.name, item_count=2))
    db.session.commit()
    summary = DigestSummary()
    _one(people["wants"].id, PERIOD, summary, dry_run=False)
    assert (summary.sent, summary.already_sent) == (0, 1)
    assert _mails(db, "wants@example.fi") == []


def test_a_dry_run_sends_and_records_nothing(people, db):
    summary = send_digests(PERIOD, dry_run=True)
    assert summary.recipients == [("wants@example.fi", 2)]
    assert _mails(db, "wants@example.fi") == [] and _sent(db, people["wants"]) == 0


def test_the_command(app, people, db):
    runner = app.test_cli_runner()
    dry = runner.invoke(args=["follows", "digest", "--period", "2026-W40", "--dry-run"])
    assert dry.exit_code == 0, dry.output
    assert "would mail wants@example.fi: 2 items" in dry.output and "dry run" in dry.output
    assert _mails(db, "wants@example.fi") == []
    real = runner.invoke(args=["follows", "digest", "--period", "2026-W40", "--every", "1"])
    assert real.exit_code == 0, real.output
    assert "2/2 people" in real.output and "Sent 1 digests" in real.output
    assert len(_mails(db, "wants@example.fi")) == 1
    again = runner.invoke(args=["follows", "digest", "--period", "2026-W40"])
    assert again.exit_code == 0 and "Sent 0 digests" in again.output
    assert len(_mails(db, "wants@example.fi")) == 1
    bad = runner.invoke(args=["follows", "digest", "--period", "2026-W54"])
    assert bad.exit_code != 0 and "--period" in bad.output


def test_periods_are_finnish_iso_weeks():
    week = Period.parse("2026-W49")
    assert week.start == datetime(2026, 11, 29, 22, 0, tzinfo=UTC)  # Monday 00:00 EET
    assert week.end == datetime(2026, 12, 6, 22, 0, tzinfo=UTC)
    assert (str(week.first_day), str(week.last_day)) == ("2026-11-30", "2026-12-06")
    summer = Period.parse("2026-W27")
    assert summer.start == datetime(2026, 6, 28, 21, 0, tzinfo=UTC)  # EEST
    # Run on Monday 7:00 Finnish time: last week.
    assert Period.previous(datetime(2026, 12, 7, 5, 0, tzinfo=UTC)).name == "2026-W49"
    assert Period.previous(datetime(2026, 12, 6, 21, 59, tzinfo=UTC)).name == "2026-W48"
    for bad in ("2026-W54", "2026-49", "W49", "", "2026-W4９"):
        with pytest.raises(PeriodError):
            Period.parse(bad)
