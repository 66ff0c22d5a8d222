"""`flask follows digest`: mail the weekly digest of news to those who chose it (cron: Monday
07:00 Europe/Helsinki)."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from app.follows.digest import Period, PeriodError, send_digests

follows_cli = AppGroup("follows", help="Follows: the weekly mail digest of news.")


@follows_cli.command("digest")
@click.option("--period", "period_text", default=None,
              help="The ISO week to send, e.g. 2026-W49 (default: last week, Finnish time).")
@click.option("--dry-run", is_flag=True, help="Say who would get a digest; send nothing.")
@click.option("--every", type=click.IntRange(1, 100_000), default=50, show_default=True,
              help="Print a progress line after this many people.")
def digest_command(period_text: str | None, dry_run: bool, every: int) -> None:
    """Mail each person who chose the weekly digest and has news in the period one digest
    (safe to run again, or in two processes at once: a person gets one digest per period)."""
    try:
        period = Period.parse(period_text) if period_text else Period.previous()
    except PeriodError as error:
        raise click.BadParameter(str(error), param_hint="--period") from None
    click.echo(f"Digest {period.name} ({period.first_day}–{period.last_day})"
               f"{' – dry run, nothing is sent' if dry_run else ''}")

    def progress(done: int, total: int) -> None:
        click.echo(f"  {done}/{total} people")

    summary = send_digests(period, dry_run=dry_run, progress=progress, every=every)
    if dry_run:
        for email, count in summary.recipients:
            click.echo(f"  would mail {email}: {count} items")
        click.echo(f"Would send {len(summary.recipients)} digests; "
                   f"{summary.without_news} people have no news.")
        return
    click.echo(f"Sent {summary.sent} digests; {summary.without_news} people had no news; "
               f"{summary.already_sent} had already been sent this period's digest.")
