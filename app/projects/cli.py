"""`flask reports remind`: remind projects of progress reports due soon or overdue (run
daily from cron)."""

from __future__ import annotations

from datetime import datetime

import click
from flask.cli import AppGroup

from app.core.outbox import flush_outbox
from app.extensions import db
from app.projects.reminders import REMIND_AFTER_DAYS, REMIND_BEFORE_DAYS, send_report_reminders

reports_cli = AppGroup("reports", help="Progress reports of funded projects: reminders.")


def _moment(value: str | None) -> datetime | None:
    """--now as a Finnish wall-clock time (a bare date means its noon)."""
    if not value:
        return None
    from app.core.fields import parse_local_datetime
    from app.core.money import ParseError

    text = value.strip()
    try:
        return parse_local_datetime(f"{text} 12:00" if len(text) == 10 else text)
    except ParseError:
        raise click.BadParameter("use YYYY-MM-DD or YYYY-MM-DD HH:MM (Finnish time)",
                                 param_hint="--now") from None


@reports_cli.command("remind")
@click.option("--before", "before_days", type=click.IntRange(0, 365), default=REMIND_BEFORE_DAYS,
              show_default=True, help="Remind this many days before a report's due date.")
@click.option("--after", "after_days", type=click.IntRange(0, 365), default=REMIND_AFTER_DAYS,
              show_default=True, help="Remind again this many days after it, if not submitted.")
@click.option("--now", "now_text", default=None,
              help="Pretend it is this moment (YYYY-MM-DD [HH:MM], Finnish time): for testing.")
def remind_command(before_days: int, after_days: int, now_text: str | None) -> None:
    """Mail the lead's editors and owners of each report due soon or overdue, once per report
    and reminder (safe to run repeatedly)."""
    summary = send_report_reminders(_moment(now_text), before_days=before_days,
                                    after_days=after_days)
    db.session.commit()
    flush_outbox()
    click.echo(f"Reports not yet submitted checked: {summary.checked}; reminders sent before "
               f"the due date: {summary.before}; reminders of overdue reports: "
               f"{summary.overdue}.")
