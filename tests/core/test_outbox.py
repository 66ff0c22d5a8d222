"""The mail outbox: nothing leaves before the commit, everything committed leaves once, failures
are retried with a back-off. Delivery is real (.eml files, or SMTP to a closed port)."""

from __future__ import annotations

import socket
from datetime import timedelta

import pytest
from sqlalchemy import event, select
from sqlalchemy.exc import OperationalError

from app.core.db import utcnow
from app.core.outbox import (
    MAX_ATTEMPTS,
    OutboundMail,
    flush_outbox,
    outbox_status,
    queue_mail,
    retry_delay,
    send_pending,
)
from app.extensions import db as _db
from app.practices import community

SUBJECT_EN = "Someone tried to register with your address"
SUBJECT_FI = "Joku yritti rekisteröityä sähköpostiosoitteellasi"


def _queue(user, **kwargs) -> OutboundMail:
    return queue_mail(user.email, "account_exists", user.language, user=user, **kwargs)


def _rows(email: str) -> list[OutboundMail]:
    return list(_db.session.scalars(select(OutboundMail).where(OutboundMail.recipient == email)))


@pytest.fixture
def smtp_down(app, monkeypatch):
    """SMTP configured to a port on which nothing listens: every delivery really fails."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    monkeypatch.setitem(app.config, "MAIL_SERVER", "127.0.0.1")
    monkeypatch.setitem(app.config, "MAIL_PORT", port)
    monkeypatch.setitem(app.config, "MAIL_USE_TLS", False)

    def _repair():
        monkeypatch.setitem(app.config, "MAIL_SERVER", None)

    return _repair


def test_queue_renders_in_the_recipients_language_without_sending(make_user, mailbox, db):
    user = make_user(language="fi")
    mail = _queue(user)  # outside a request: links use SERVER_BASE_URL
    assert mail.subject == SUBJECT_FI
    assert "http://localhost/" in mail.body
    assert mail.sent_at is None and mail.attempts == 0
    assert mailbox.messages() == []


def test_a_rolled_back_mail_is_never_sent(make_user, mailbox, db):
    user = make_user()
    _queue(user)
    db.session.flush()
    db.session.rollback()
    assert flush_outbox() == (0, 0)
    assert send_pending() == (0, 0)
    assert _rows(user.email) == []
    assert mailbox.messages() == []


def test_a_rolled_back_savepoint_takes_its_mail_with_it(make_user, mailbox, db):
    first, second = make_user(), make_user()
    _queue(first)
    savepoint = db.session.begin_nested()
    _queue(second)
    savepoint.rollback()
    db.session.commit()
    assert flush_outbox() == (1, 0)
    assert [m["To"] for m in mailbox.messages()] == [first.email]


def test_a_committed_mail_is_sent_once(make_user, mailbox, db):
    user = make_user()
    mail = _queue(user)
    assert mailbox.messages() == []
    db.session.commit()
    assert mailbox.messages() == []  # committed, not yet sent
    assert flush_outbox() == (1, 0)
    assert flush_outbox() == (0, 0)  # safe to call twice
    assert send_pending(now=utcnow() + timedelta(days=1)) == (0, 0)
    sent = mailbox.messages(user.email)
    assert len(sent) == 1 and sent[0]["Subject"] == SUBJECT_EN
    assert sent[0]["Message-ID"] == mail.message_id
    db.session.refresh(mail)
    assert mail.sent_at is not None and mail.attempts == 1 and mail.last_error is None


def test_a_failed_delivery_is_retried_with_a_back_off(make_user, mailbox, smtp_down, db):
    user = make_user()
    mail = _queue(user)
    db.session.commit()
    before = utcnow()
    assert flush_outbox() == (0, 1)  # and it did not raise
    db.session.refresh(mail)
    assert mail.sent_at is None and mail.attempts == 1
    assert "ConnectionRefusedError" in mail.last_error
    assert before + timedelta(seconds=50) < mail.next_attempt_at <= utcnow() + retry_delay(1)
    assert send_pending() == (0, 0)  # not due yet
    smtp_down()  # the server works again (mail goes to MAIL_DIR)
    assert send_pending(now=mail.next_attempt_at) == (1, 0)
    db.session.refresh(mail)
    assert mail.sent_at is not None and mail.attempts == 2 and mail.last_error is None
    assert len(mailbox.messages(user.email)) == 1
    assert send_pending(now=utcnow() + timedelta(days=1)) == (0, 0)


def test_retry_delays_double_up_to_six_hours():
    assert [retry_delay(n) for n in (1, 2, 3)] == [timedelta(minutes=m) for m in (1, 2, 4)]
    assert retry_delay(MAX_ATTEMPTS) == timedelta(hours=6)


def test_after_the_last_attempt_the_mail_is_given_up_and_listed(app, make_user, mailbox,
                                                              smtp_down, db):
    user = make_user()
    mail = _queue(user)
    mail.attempts = MAX_ATTEMPTS - 1
    db.session.commit()
    assert send_pending() == (0, 1)
    smtp_down()
    assert send_pending(now=utcnow() + timedelta(days=30)) == (0, 0)
    db.session.refresh(mail)
    assert mail.attempts == MAX_ATTEMPTS and mail.sent_at is None and mail.last_error
    status = outbox_status()
    assert status.failed == 1 and status.pending == 0 and status.given_up == [mail]
    output = app.test_cli_runner().invoke(args=["mail", "status"]).output
    assert "Failed:         1" in output
    assert f"#{mail.id}" in output and user.email in output and "ConnectionRefusedError" in output
    assert mailbox.messages() == []


def test_cli_sends_pending_mail_and_reports(app, make_user, mailbox, db):
    runner = app.test_cli_runner()
    users = [make_user(), make_user()]
    for user in users:
        _queue(user)
    db.session.commit()  # committed but not flushed: as if the web process had died
    status = runner.invoke(args=["mail", "status"])
    assert status.exit_code == 0
    assert "Pending:        2 (0 after a failed attempt)" in status.output
    assert "Oldest pending: 20" in status.output and "Failed:         0" in status.output
    result = runner.invoke(args=["mail", "send-pending"])
    assert result.exit_code == 0, result.output
    assert "Sent 2 mails; 0 failed" in result.output
    assert "Sent 0 mails; 0 failed" in runner.invoke(args=["mail", "send-pending"]).output
    assert sorted(m["To"] for m in mailbox.messages()) == sorted(u.email for u in users)
    assert "Pending:        0" in runner.invoke(args=["mail", "status"]).output


def test_a_sent_row_is_never_sent_again(make_user, mailbox, db):
    mail = _queue(make_user())
    db.session.commit()
    flush_outbox()
    mail.next_attempt_at = utcnow() - timedelta(hours=1)  # whatever its schedule says
    db.session.commit()
    assert send_pending() == (0, 0)
    assert len(mailbox.messages()) == 1


def test_services_queue_instead_of_sending(make_user, make_organisation, mailbox, db):
    """The services' mail waits for the commit (here: a partner invitation)."""
    from app.practices import services

    owner, editor = make_user(), make_user()
    practice = services.create_practice(owner, make_organisation(owner=owner), {"title": "T"})
    community.invite_partner(owner, practice, make_organisation(owner=editor))
    assert mailbox.messages() == []
    db.session.commit()
    assert flush_outbox() == (1, 0)
    assert [m["To"] for m in mailbox.messages()] == [editor.email]


def _register(client, email):
    return client.post("/register", data={
        "name": "Aino Virtanen", "email": email, "password": "pitkä salasana 123",
        "password_again": "pitkä salasana 123", "language": "en"})


def test_a_request_sends_what_it_committed_once(client, mailbox, db):
    response = _register(client, "aino@example.fi")
    assert response.status_code == 302
    assert len(mailbox.messages("aino@example.fi")) == 1  # sent after the request
    [row] = _rows("aino@example.fi")
    assert row.sent_at is not None and row.attempts == 1
    assert send_pending() == (0, 0)
    assert len(mailbox.messages("aino@example.fi")) == 1


def test_a_view_whose_commit_fails_sends_nothing(app, client, mailbox, db, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)  # the 500 page, as live

    def _fail(session):
        raise OperationalError("COMMIT", {}, Exception("database is locked"))

    event.listen(_db.session, "before_commit", _fail)
    try:
        response = _register(client, "kalle@example.fi")
    finally:
        event.remove(_db.session, "before_commit", _fail)
    assert response.status_code == 503  # a lock that was waited for too long: "busy" (issue 12)
    assert _rows("kalle@example.fi") == []
    assert send_pending() == (0, 0)
    assert mailbox.messages() == []
