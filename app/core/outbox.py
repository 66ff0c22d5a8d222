"""The mail outbox: mail is stored in the transaction that causes it and sent after it commits.

`queue_mail` renders the mail (in the recipient's language, while the ORM objects of its context
are at hand) and adds an `OutboundMail` row to the current session; nothing is delivered, so a
rolled-back transaction sends nothing. After the commit, the request that queued the mail sends
it (`flush_outbox`, run after each request and by the unit of work); `flask mail send-pending`,
run from cron, sends whatever is left and retries failures with an exponential back-off.

Sending claims one row at a time in a short transaction of its own (`FOR UPDATE SKIP LOCKED` on
PostgreSQL, `BEGIN IMMEDIATE` on SQLite) and moves its next attempt into the future before
delivering outside any transaction, so two senders never deliver the same row and no lock is
held while an SMTP server answers. A process killed while delivering leaves the row to be
retried once the claim has lapsed: delivery is at least once, and never again once `sent_at`
is set.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from flask import Flask, Response
from sqlalchemy import Index, Integer, String, Text, event, func, inspect, select
from sqlalchemy.orm import Mapped, Session, mapped_column

from app.core.db import UtcDateTime, utcnow, write_intent
from app.core.email import build_message, deliver, render_mail
from app.extensions import db

log = logging.getLogger(__name__)

MAX_ATTEMPTS = 10
FIRST_RETRY = timedelta(minutes=1)
LONGEST_RETRY = timedelta(hours=6)
# How long a claimed row is left to its sender before another sender may take it over: longer
# than any SMTP conversation (its timeout is 20 s per step).
CLAIM_TIMEOUT = timedelta(minutes=10)

# Keys of `Session.info`: rows added in the open transaction, and ids committed but not flushed.
_QUEUED = "outbox_queued"
_COMMITTED = "outbox_committed"


class OutboundMail(db.Model):
    """One rendered mail, waiting to be sent (`sent_at` is None) or sent."""

    __tablename__ = "outbound_mail"
    __table_args__ = (Index("ix_outbound_mail_due", "sent_at", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    recipient: Mapped[str] = mapped_column(String(254))
    subject: Mapped[str] = mapped_column(Text)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    sent_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_error: Mapped[str | None] = mapped_column(Text)

    @property
    def message_id(self) -> str:
        """The same Message-ID on every attempt, so that a repeated delivery is recognisable."""
        return f"<outbox.{self.id}.{self.created_at:%Y%m%d%H%M%S}@kohtaamo.fi>"


def queue_mail(to: str, template: str, language: str = "fi", **context) -> OutboundMail:
    """Render `mail/<template>.txt` in `language` and add it to the outbox of this transaction.

    Nothing is sent before the transaction commits; a rollback discards the mail.
    """
    subject, body = render_mail(template, language, **context)
    now = utcnow()
    mail = OutboundMail(recipient=to, subject=subject, body=body, created_at=now, attempts=0,
                        next_attempt_at=now)
    session = db.session()
    session.add(mail)
    session.info.setdefault(_QUEUED, []).append(mail)
    return mail


@event.listens_for(db.session, "after_commit")
def _remember_committed(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint: the mails are not committed until the transaction is
    ids = []
    for mail in session.info.pop(_QUEUED, ()):
        state = inspect(mail)
        if state.has_identity:  # rows that a rolled-back savepoint took back have none
            ids.append(state.identity[0])
    if ids:
        session.info.setdefault(_COMMITTED, []).extend(ids)


@event.listens_for(db.session, "after_transaction_end")
def _forget_rolled_back(session: Session, transaction) -> None:
    # After a commit the queued rows have moved on (above); after a rollback they are gone.
    if transaction.parent is None:
        session.info.pop(_QUEUED, None)


def send_pending(limit: int = 100, *, now: datetime | None = None,
                 ids: list[int] | None = None) -> tuple[int, int]:
    """Send up to `limit` due mails, each claimed and recorded in its own short transaction.

    `ids` restricts the run to those rows; `now` replaces the clock. Returns (sent, failed).
    """
    return _send(limit, now=now, ids=ids, stop_at_failure=False)


def flush_outbox() -> tuple[int, int]:
    """Send the mails that this session has committed; call it right after the commit.

    Never raises: what cannot be sent now stays in the outbox for `flask mail send-pending`.
    Calling it again sends nothing more. Returns (sent, failed). Call it before the session
    opens a new transaction: on SQLite the outbox would wait for that one's write lock.
    """
    try:
        if not db.session.registry.has():
            return 0, 0
        ids = db.session().info.pop(_COMMITTED, None)
        if not ids:
            return 0, 0
        # One failure (the SMTP server is down) would likely repeat: the rest waits for cron
        # rather than delaying the answer to the user.
        return _send(len(ids), now=None, ids=ids, stop_at_failure=True)
    except Exception:
        log.exception("sending the outbox failed; `flask mail send-pending` will retry")
        return 0, 0


def init_app(app: Flask) -> None:
    """Send, after each request, the mails that the request committed."""
    app.after_request(_flush_after_request)


def _flush_after_request(response: Response) -> Response:
    if db.session.registry.has() and db.session().info.get(_COMMITTED):
        session = db.session()
        if session.in_transaction():
            # Whatever the request began after its commit is discarded at teardown anyway;
            # ending it now releases the SQLite write lock that the outbox would wait for.
            session.rollback()
        flush_outbox()
    return response


def _send(limit: int, *, now: datetime | None, ids: list[int] | None,
          stop_at_failure: bool) -> tuple[int, int]:
    sent = failed = 0
    session = _own_session()
    try:
        with write_intent():
            while sent + failed < limit:
                at = now or utcnow()
                mail = _claim(session, at, ids)
                if mail is None:
                    break
                error = _attempt(mail)
                _record(session, mail, error, at)
                if error is None:
                    sent += 1
                else:
                    failed += 1
                    if stop_at_failure:
                        break
    finally:
        session.close()
    return sent, failed


def _own_session() -> Session:
    # A session (and connection) of its own: the caller's session, its identity map and its
    # transaction are left alone. Bound to a connection that is already in a transaction (as in
    # the tests), its commits become savepoints.
    return Session(bind=db.engine, join_transaction_mode="create_savepoint",
                   expire_on_commit=False)


def _claim(session: Session, now: datetime, ids: list[int] | None) -> OutboundMail | None:
    query = (
        select(OutboundMail)
        .where(OutboundMail.sent_at.is_(None), OutboundMail.attempts < MAX_ATTEMPTS,
               OutboundMail.next_attempt_at <= now)
        .order_by(OutboundMail.next_attempt_at, OutboundMail.id)
        .limit(1)
        .with_for_update(skip_locked=True)  # PostgreSQL; SQLite's BEGIN IMMEDIATE serialises
    )
    if ids is not None:
        query = query.where(OutboundMail.id.in_(ids))
    with session.begin():
        mail = session.scalar(query)
        if mail is not None:
            mail.attempts += 1
            mail.next_attempt_at = now + CLAIM_TIMEOUT
    return mail


def _attempt(mail: OutboundMail) -> str | None:
    """Deliver `mail`; None on success, otherwise the error."""
    try:
        deliver(build_message(mail.recipient, mail.subject, mail.body, mail.message_id))
    except Exception as exc:  # noqa: BLE001 - SMTP errors, refused connections, a full disk
        return f"{type(exc).__name__}: {exc}"[:2000]
    return None


def _record(session: Session, mail: OutboundMail, error: str | None, now: datetime) -> None:
    with session.begin():
        if error is None:
            mail.sent_at = utcnow()
            mail.last_error = None
            return
        mail.last_error = error
        mail.next_attempt_at = now + retry_delay(mail.attempts)
    if mail.attempts >= MAX_ATTEMPTS:
        log.error("mail %s to %s given up after %s attempts: %s", mail.id, mail.recipient,
                  mail.attempts, error)
    else:
        log.warning("mail %s to %s failed (attempt %s), retried at %s: %s", mail.id,
                    mail.recipient, mail.attempts, mail.next_attempt_at, error)


def retry_delay(attempts: int) -> timedelta:
    """The wait after the `attempts`-th failed attempt: 1 min, 2, 4, ... at most 6 hours."""
    return min(FIRST_RETRY * 2 ** max(attempts - 1, 0), LONGEST_RETRY)


@dataclass
class OutboxStatus:
    """What `flask mail status` reports."""

    pending: int
    with_errors: int
    failed: int
    sent: int
    oldest_pending: datetime | None
    given_up: list[OutboundMail] = field(default_factory=list)


def outbox_status(listed: int = 20) -> OutboxStatus:
    """Counts of pending, failing, given-up and sent mails; the latest `listed` given-up ones."""
    unsent = OutboundMail.sent_at.is_(None)
    retrying = OutboundMail.attempts < MAX_ATTEMPTS

    def count(*where) -> int:
        return db.session.scalar(select(func.count()).select_from(OutboundMail).where(*where))

    return OutboxStatus(
        pending=count(unsent, retrying),
        with_errors=count(unsent, retrying, OutboundMail.last_error.is_not(None)),
        failed=count(unsent, ~retrying),
        sent=count(OutboundMail.sent_at.is_not(None)),
        oldest_pending=db.session.scalar(
            select(func.min(OutboundMail.created_at)).where(unsent, retrying)),
        given_up=list(db.session.scalars(
            select(OutboundMail).where(unsent, ~retrying)
            .order_by(OutboundMail.created_at.desc()).limit(listed))),
    )
