"""Outgoing mail: SMTP when configured, otherwise an .eml file in `instance/mail/`.

Mails are rendered from `templates/mail/<name>.txt` in the recipient's language. Services never
deliver: they add the mail to the outbox (`app.core.outbox.queue_mail`), which delivers it with
`deliver` once the transaction has committed.
"""

from __future__ import annotations

import logging
import re
import smtplib
import ssl
from collections.abc import Iterator
from contextlib import contextmanager
from email.errors import HeaderParseError
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path
from urllib.parse import urlsplit

from flask import current_app, has_request_context, render_template_string
from flask.globals import _cv_request
from flask_babel import force_locale

from app.core.db import utcnow
from app.core.text import single_line

log = logging.getLogger(__name__)

_NAME_ADDRESS = re.compile(r"(.*)<([^<>]+)>\s*")


def render_mail(template: str, language: str = "fi", **context) -> tuple[str, str]:
    """Render `mail/<template>.txt` in `language`; return its subject and body.

    The template's first line is `Subject: ...`; the rest is the body. Every link is built
    against `SERVER_BASE_URL`, never against the Host header of the request that queues the
    mail (a forged Host would otherwise put an attacker's address in a password reset link).
    """
    language = language if language in ("fi", "sv", "en") else "fi"
    subject_source, body_source = _template_parts(template)
    with site_urls(), force_locale(language):
        subject = render_template_string(subject_source, **context)
        body = render_template_string(body_source, **context)
    # The subject's line is cut from the template, not from the rendered text: a name with a
    # line break (old data) cannot move words from the subject into the body or vice versa.
    body = body.replace("\r\n", "\n").replace("\r", "\n")
    return header_text(subject.strip().removeprefix("Subject:")), body.strip() + "\n"


def _template_parts(template: str) -> tuple[str, str]:
    """The template's first line (`Subject: ...`) and the rest, as Jinja source."""
    source, _, _ = current_app.jinja_env.loader.get_source(current_app.jinja_env,
                                                            f"mail/{template}.txt")
    first, _, rest = source.lstrip().partition("\n")
    return first, rest


def header_text(text) -> str:
    """`text` fit for a mail header: every line break (CR, LF, U+2028/2029) and other control
    character (C0, C1) flattened to a space, so that no stored text can add a header or make
    the message unsendable."""
    return single_line(str(text) if text is not None else "")


def site_base_url() -> str:
    return (current_app.config.get("SERVER_BASE_URL") or "http://127.0.0.1:5000").rstrip("/")


@contextmanager
def site_urls() -> Iterator[None]:
    """Inside the block, `url_for` builds addresses on `SERVER_BASE_URL`, in a request or not
    (and whatever TRUSTED_HOSTS says: the adapter is bound to the site address itself)."""
    if not has_request_context():
        with current_app.test_request_context(base_url=site_base_url()), site_urls():
            yield
        return
    parts = urlsplit(site_base_url())
    ctx = _cv_request.get()
    adapter = current_app.url_map.bind(parts.netloc, script_name="/", url_scheme=parts.scheme)
    saved = ctx.url_adapter
    ctx.url_adapter = adapter
    try:
        yield
    finally:
        ctx.url_adapter = saved


def build_message(to: str, subject: str, body: str, message_id: str | None = None) -> EmailMessage:
    """The message to deliver: the configured sender, `to`, `subject` and the plain-text body."""
    message = EmailMessage()
    # Every header from flattened text (a row queued before the subject was cleaned, a sender
    # name from the environment): one line each, never a header of its own.
    message["From"] = address_header(current_app.config["MAIL_DEFAULT_SENDER"])
    message["To"] = header_text(to)
    message["Subject"] = header_text(subject)
    message["Message-ID"] = header_text(message_id or make_msgid(domain="kohtaamo.fi"))
    message.set_content(body)
    return message


def address_header(value: str):
    """`Name <address>` as a header value whose name is quoted (a colon or a comma in it can
    not start an address group or a second address) and flattened to one line."""
    match = _NAME_ADDRESS.fullmatch(header_text(value))
    if match is None:
        return header_text(value)
    name = match.group(1).strip().strip('"').strip()
    try:
        return Address(display_name=name, addr_spec=match.group(2).strip())
    except (ValueError, IndexError, HeaderParseError):
        return header_text(value)


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
