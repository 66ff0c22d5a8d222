"""The weekly mail digest of news (`flask follows digest`, run from cron on Monday morning).

A period is an ISO week in Finland ("2026-W49": Monday 00:00 to the next Monday 00:00,
Europe/Helsinki). Each person who chose the digest and has news in the period gets one mail,
in their language. The mail and the `DigestSent(user, period)` row are written in one
transaction per person: a second run, or a run in another process at the same moment, finds the
row (SQLite: the check runs under the write lock of `BEGIN IMMEDIATE`; PostgreSQL: the unique
constraint refuses the second insert) and sends nothing more.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from urllib.parse import urlsplit

from sqlalchemy import exists, select
from sqlalchemy.exc import IntegrityError

from app.auth.models import User
from app.core import clock
from app.core.db import read_only, write_intent
from app.core.email import site_base_url
from app.core.outbox import flush_outbox, queue_mail
from app.extensions import db
from app.follows import news
from app.follows.models import DigestSent, Follow, FollowSettings

PERIOD = re.compile(r"^([0-9]{4})-W([0-9]{2})$")
MAIL_ITEMS = 30  # items listed in one mail; the rest are on What's new


class PeriodError(ValueError):
    pass


@dataclass(frozen=True)
class Period:
    name: str  # "2026-W49"
    start: datetime  # UTC
    end: datetime  # UTC, exclusive

    @classmethod
    def parse(cls, text: str) -> Period:
        match = PERIOD.match((text or "").strip())
        if not match:
            raise PeriodError("use an ISO week such as 2026-W49")
        try:
            monday = date.fromisocalendar(int(match.group(1)), int(match.group(2)), 1)
        except ValueError:
            raise PeriodError("no such ISO week") from None
        return cls.of(monday)

    @classmethod
    def of(cls, monday: date) -> Period:
        year, week, _ = monday.isocalendar()
        start = datetime.combine(monday, time(0), tzinfo=clock.HELSINKI)
        end = datetime.combine(monday + timedelta(days=7), time(0), tzinfo=clock.HELSINKI)
        return cls(f"{year}-W{week:02d}", start.astimezone(UTC),
                   end.astimezone(UTC))

    @property
    def first_day(self) -> date:
        return clock.local_date(self.start)

    @property
    def last_day(self) -> date:
        return clock.local_date(self.end - timedelta(seconds=1))

    @classmethod
    def previous(cls, now: datetime | None = None) -> Period:
        """The last full week before `now` (Finnish calendar): run on Monday, last week."""
        today = clock.local_date(now)
        this_monday = today - timedelta(days=today.weekday())
        return cls.of(this_monday - timedelta(days=7))


@dataclass
class DigestSummary:
    candidates: int = 0  # opted in, with follows, not yet sent for the period
    sent: int = 0
    without_news: int = 0
    already_sent: int = 0  # another run recorded it first
    recipients: list | None = None  # dry run: (email, item count)


def _origin() -> str:
    """scheme://host of the site: the items' paths already carry any script root."""
    parts = urlsplit(site_base_url())
    return f"{parts.scheme}://{parts.netloc}"


def candidates(period: Period) -> list[int]:
    """The ids of active, verified people who chose the digest, follow something and have not
    had this period's digest (one query)."""
    return list(db.session.scalars(
        select(User.id).join(FollowSettings, FollowSettings.user_id == User.id)
        .where(FollowSettings.weekly_digest.is_(True), User.is_deactivated.is_(False),
               User.deleted_at.is_(None), User.email_verified_at.is_not(None),
               exists(select(Follow.id).where(Follow.user_id == User.id)),
               ~exists(select(DigestSent.id).where(DigestSent.user_id == User.id,
                                                   DigestSent.period == period.name)))
        .order_by(User.id)))


def send_digests(period: Period, *, dry_run: bool = False,
                 progress: Callable[[int, int], None] | None = None,
                 every: int = 50) -> DigestSummary:
    """Send each candidate's digest of `period` once (see the module doc). Commits per person
    and sends the mail after each commit. `progress(done, total)` is called every `every`
    people and at the end."""
    summary = DigestSummary(recipients=[] if dry_run else None)
    with read_only():
        ids = candidates(period)
        db.session.rollback()
    summary.candidates = len(ids)
    for done, user_id in enumerate(ids, start=1):
        _one(user_id, period, summary, dry_run)
        if progress is not None and (done % every == 0 or done == len(ids)):
            progress(done, len(ids))
    return summary


def _one(user_id: int, period: Period, summary: DigestSummary, dry_run: bool) -> None:
    with read_only():
        user = db.session.get(User, user_id)
        items = news.news_for(user, period.start, period.end, language=user.language)
        email, language, name = user.email, user.language, user.name
        db.session.rollback()
    if not items:
        summary.without_news += 1
        return
    if dry_run:
        summary.recipients.append((email, len(items)))
        return
    with write_intent():
        try:
            # On SQLite this read begins the IMMEDIATE transaction: no other run can record
            # the row between the check and the insert.
            if db.session.scalar(select(DigestSent.id).where(DigestSent.user_id == user_id,
                                                            DigestSent.period == period.name)):
                db.session.rollback()
                summary.already_sent += 1
                return
            db.session.add(DigestSent(user_id=user_id, period=period.name,
                                      item_count=len(items), sent_at=clock.now()))
            db.session.flush()  # PostgreSQL: a concurrent run's row makes this fail
            user = db.session.get(User, user_id)
            queue_mail(email, "follows_digest", language, user=user, name=name,
                       items=items[:MAIL_ITEMS], more=max(0, len(items) - MAIL_ITEMS),
                       total=len(items), period=period, site=_origin())
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            summary.already_sent += 1
            return
    flush_outbox()
    summary.sent += 1
