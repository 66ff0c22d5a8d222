"""`flask mail send-pending|status`: the mail outbox from the command line (and cron)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.core.outbox import MAX_ATTEMPTS, outbox_status, send_pending

mail_cli = AppGroup("mail", help="The mail outbox: send what is pending, inspect.")


@mail_cli.command("send-pending")
@click.option("--limit", default=100, show_default=True, help="Most mails to send in this run.")
def send_pending_command(limit: int) -> None:
    """Send the mails that are due (safe to run from cron every minute, also concurrently)."""
    sent, failed = send_pending(limit)
    click.echo(f"Sent {sent} mails; {failed} failed (retried later).")


@mail_cli.command("status")
def status_command() -> None:
    """Pending, failing and given-up mails, and the oldest pending one."""
    info = outbox_status()
    oldest = info.oldest_pending.isoformat(timespec="seconds") if info.oldest_pending else "-"
    click.echo(f"Pending:        {info.pending} ({info.with_errors} after a failed attempt)")
    click.echo(f"Oldest pending: {oldest}")
    click.echo(f"Failed:         {info.failed} (given up after {MAX_ATTEMPTS} attempts)")
    click.echo(f"Sent:           {info.sent}")
    for mail in info.given_up:
        click.echo(f"  #{mail.id} {mail.created_at:%Y-%m-%d %H:%M} UTC to {mail.recipient}: "
                   f"{mail.subject}\n    {mail.last_error}")
