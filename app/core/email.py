"""Outgoing mail: SMTP when configured, otherwise an .eml file in `instance/mail/`.

Mails are rendered from `templates/mail/<name>.txt` in the recipient's language. Services never
deliver: they add the mail to the outbox (`app.core.outbox.queue_mail`), which delivers it with
`deliver` once the transaction has committed.
"""

from __future__ import annotations

import logging
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale

from app.core.db import utcnow

log = logging.getLogger(__name__)


def render_mail(template: str, language: str = "fi", **context) -> tuple[str, str]:
    """Render `mail/<template>.txt` in `language`; return its subject and body.

    The template's first line is `Subject: ...`; the rest is the body.
    """
    language = language if language in ("fi", "sv", "en") else "fi"
    if has_request_context():
        with force_locale(language):
            rendered = render_template(f"mail/{template}.txt", **context)
    else:
        # From the command line: links are built against the configured public address.
        base_url = current_app.config.get("SERVER_BASE_URL") or "http://127.0.0.1:5000"
        with current_app.test_request_context(base_url=base_url), force_locale(language):
            rendered = render_template(f"mail/{template}.txt", **context)
    subject_line, _, body = rendered.lstrip().partition("\n")
    return subject_line.removeprefix("Subject:").strip(), body.strip() + "\n"


def build_message(to: str, subject: str, body: str, message_id: str | None = None) -> EmailMessage:
    """The message to deliver: the configured sender, `to`, `subject` and the plain-text body."""
    message = EmailMessage()
    message["From"] = current_app.config["MAIL_DEFAULT_SENDER"]
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="kohtaamo.fi")
    message.set_content(body)
    return message


def deliver(message: EmailMessage) -> None:
    config = current_app.config
    if config.get("MAIL_SERVER"):
        with smtplib.SMTP(config["MAIL_SERVER"], config["MAIL_PORT"], timeout=20) as smtp:
            if config.get("MAIL_USE_TLS"):
                smtp.starttls(context=ssl.create_default_context())
            if config.get("MAIL_USERNAME"):
                smtp.login(config["MAIL_USERNAME"], config["MAIL_PASSWORD"] or "")
            smtp.send_message(message)
        log.info("mail sent to %s: %s", message["To"], message["Subject"])
        return
    folder = Path(config["MAIL_DIR"])
    folder.mkdir(parents=True, exist_ok=True)
    stamp = utcnow().strftime("%Y%m%dT%H%M%S%f")
    safe_to = "".join(ch if ch.isalnum() else "_" for ch in message["To"])[:60]
    path = folder / f"{stamp}-{safe_to}.eml"
    path.write_bytes(bytes(message))
    log.info("mail to %s written to %s: %s", message["To"], path, message["Subject"])
