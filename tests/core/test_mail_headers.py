"""Mail headers are never built from unchecked text (issue 12, section 1).

A name stored before single-line fields were checked (written here straight into the database,
past every form) may hold CR, LF, NEL, U+2028 or other control characters. A mail that puts it
in the subject must still be sent, with one Subject header and no header injected."""

from __future__ import annotations

from sqlalchemy import select, text

from app.core.email import build_message
from app.core.outbox import OutboundMail, send_pending
from app.organisations.models import JoinRequest, Role

EVIL_ORG = "Paha ry\r\nBcc: victim@example.com\r\nX-Injected: org"
EVIL_PERSON = "Eve\u2028X-Injected: person\x85\x0bDone\x1b"


def test_a_stored_name_with_line_breaks_cannot_break_or_inject_a_header(
        client, db, login_as, make_user, make_organisation, add_member, mailbox):
    owner = make_user(email="owner@example.fi")
    organisation = make_organisation(name="Hyvä ry", owner=None)
    add_member(organisation, owner, role=Role.owner)
    requester = make_user(email="eve@example.fi")
    # old data: past the forms and the models, as a row written before the checks existed
    db.session.execute(text("UPDATE organisation SET name = :name WHERE id = :id"),
                       {"name": EVIL_ORG, "id": organisation.id})
    db.session.execute(text("UPDATE user_account SET name = :name WHERE id = :id"),
                       {"name": EVIL_PERSON, "id": requester.id})
    db.session.commit()
    db.session.expire_all()
    login_as(requester)

    response = client.post(f"/organisations/{organisation.id}/join",
                           data={"message": "Hei"})

    assert response.status_code in (200, 302, 303), response.get_data(as_text=True)[:300]
    assert db.session.scalar(select(JoinRequest).where(
        JoinRequest.user_id == requester.id)) is not None
    messages = mailbox.messages("owner@example.fi")
    assert len(messages) == 1, [m["Subject"] for m in mailbox.messages()]
    message = messages[0]
    assert message.get_all("Subject") and len(message.get_all("Subject")) == 1
    assert message["Bcc"] is None and message["X-Injected"] is None
    subject = str(message["Subject"])
    assert "Paha ry Bcc: victim@example.com X-Injected: org" in subject
    assert "Eve X-Injected: person Done" in subject
    assert not any(ch in subject for ch in "\r\n\x85\x0b\x1b\u2028")
    for path in _mail_dir(client).glob("*.eml"):
        head = path.read_bytes().partition(b"\n\n")[0]
        assert b"\nBcc:" not in head and b"\nX-Injected:" not in head, head
    # the queued row holds the flattened subject too; nothing is left unsent or failed
    row = db.session.scalar(select(OutboundMail).where(OutboundMail.recipient == owner.email))
    assert row.sent_at is not None and row.last_error is None
    assert "\r" not in row.subject and "\n" not in row.subject


def test_an_old_queued_row_with_a_line_break_in_its_subject_is_still_sent(
        db, mailbox, app):
    from app.core.db import utcnow

    now = utcnow()
    mail = OutboundMail(recipient="anna@example.fi\r\nBcc: x@example.com",
                        subject="Tervetuloa\r\nX-Injected: 1\rBcc: y@example.com\n",
                        body="Hei\r\nrivi\rtoinen\n", created_at=now, attempts=0,
                        next_attempt_at=now)
    db.session.add(mail)
    db.session.commit()

    assert send_pending(ids=[mail.id]) == (1, 0)

    [message] = mailbox.messages()
    head = next(_mail_dir_of(app).glob("*.eml")).read_bytes().partition(b"\n\n")[0]
    assert b"\nBcc:" not in head and b"\nX-Injected:" not in head, head
    assert message["Subject"] == "Tervetuloa X-Injected: 1 Bcc: y@example.com"
    assert message["Bcc"] is None and message["X-Injected"] is None
    assert len(message.get_all("Subject")) == 1 and len(message.get_all("To")) == 1


def test_build_message_flattens_every_header(app):
    with app.app_context():
        app.config["MAIL_DEFAULT_SENDER"], saved = ("Kohtaamo\r\nBcc: z@example.com "
                                                    "<noreply@kohtaamo.fi>",
                                                    app.config["MAIL_DEFAULT_SENDER"])
        try:
            message = build_message("a@example.fi", "Aihe\u2029X-Injected: 1", "Hei\n")
            head = bytes(message).partition(b"\n\n")[0]
        finally:
            app.config["MAIL_DEFAULT_SENDER"] = saved
    assert b"\nBcc:" not in head and b"\nX-Injected:" not in head
    assert message["Subject"] == "Aihe X-Injected: 1"
    [sender] = message["From"].addresses
    assert sender.addr_spec == "noreply@kohtaamo.fi"
    assert sender.display_name == "Kohtaamo Bcc: z@example.com"  # a name, not a group


def _mail_dir(client):
    return _mail_dir_of(client.application)


def _mail_dir_of(app):
    from pathlib import Path

    return Path(app.config["MAIL_DIR"])
