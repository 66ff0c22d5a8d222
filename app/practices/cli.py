"""`flask practices import FILE.jsonl` and `flask practices export FILE.jsonl`."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import AppGroup

from app.core.db import read_only
from app.extensions import db
from app.practices import exporter, importer

practices_cli = AppGroup("practices", help="Import and export service models (JSON Lines).")

COUNTER_EVERY = 1000


class _Counter:
    """Progress for a log file or pipe: a line every COUNTER_EVERY records, and at the end."""

    def __init__(self, total: int, label: str):
        self.total, self.label, self.done = total, label, 0

    def update(self, n: int) -> None:
        self.done += n
        if self.done % COUNTER_EVERY == 0 or self.done == self.total:
            click.echo(f"{self.label}: {self.done}/{self.total} lines", err=True)


def _summary_lines(summary: importer.ImportSummary, name: str) -> list[str]:
    if summary.dry_run:
        lines = [f"Checked {name} (dry run, nothing saved): would create {summary.created}, "
                 f"update {summary.updated}; {summary.unchanged} unchanged, "
                 f"{summary.failed} failed."]
        organisations = f"{summary.organisations_created} organisations would be created"
    else:
        lines = [f"Imported {name}: {summary.created} created, {summary.updated} updated, "
                 f"{summary.unchanged} unchanged, {summary.failed} failed."]
        organisations = f"{summary.organisations_created} organisations created (verified)"
    if summary.organisations_created:
        lines.append(organisations + ".")
    if summary.problems:
        lines.append("Failed lines (not imported):")
        lines.extend(f"  line {p.line_no}: {p.reason}" for p in summary.problems)
    return lines


@practices_cli.command("import")
@click.argument("path", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--dry-run", is_flag=True, help="Check every line and report; save nothing.")
def import_command(path: Path, dry_run: bool) -> None:
    """Import service models from a JSON Lines file (an upsert on each record's id).

    Bad lines are reported with their line numbers and skipped; the exit status is non-zero
    only when the file cannot be read."""
    try:
        total = importer.count_lines(path)
    except OSError as error:
        raise click.ClickException(f"Cannot read {path}: {error.strerror or error}") from error
    label = "Checking" if dry_run else "Importing"
    try:
        if sys.stderr.isatty():
            with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
                summary = importer.import_file(path, bar.update, dry_run=dry_run)
        else:
            summary = importer.import_file(path, _Counter(total, label).update, dry_run=dry_run)
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"Cannot read {path}: {error.strerror or error}") from error
    for line in _summary_lines(summary, path.name):
        click.echo(line)


@practices_cli.command("export")
@click.argument("path", type=click.Path(dir_okay=False, allow_dash=True, path_type=Path))
def export_command(path: Path) -> None:
    """Write every published service model (its published version) as JSON Lines.

    Use - for standard output."""
    with read_only():
        try:
            with click.open_file(str(path), "w", encoding="utf-8") as stream:
                count = exporter.write_jsonl(exporter.export_records(), stream)
        except OSError as error:
            raise click.ClickException(f"Cannot write {path}: {error.strerror or error}") from error
        finally:
            db.session.rollback()
    if str(path) != "-":
        click.echo(f"Exported {count} published service models to {path}.")
