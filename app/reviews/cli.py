"""`flask reviews remind`: remind reviewers of reviews due within three days (run daily)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.outbox import flush_outbox
from app.extensions import db
from app.reviews.reminders import send_review_reminders

reviews_cli = AppGroup("reviews", help="Reviews of applications: reminders.")


@reviews_cli.command("remind")
def remind_command() -> None:
    """Notify each reviewer whose review is due within 3 days, once per review (safe to run
    repeatedly: a review is reminded only once)."""
    count = send_review_reminders()
    db.session.commit()
    flush_outbox()
    click.echo(f"Reminded {count} reviews due within 3 days.")
