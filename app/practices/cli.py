"""`flask practices import FILE.jsonl` and `flask practices export FILE.jsonl`."""

from __future__ import annotations

import sys
from contextlib import nullcontext
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
@click.option("--no-search-update", is_flag=True,
              help="Leave the search index to catch up later (`flask search update`).")
def import_command(path: Path, dry_run: bool, no_search_update: bool) -> None:
    """Import service models from a JSON Lines file (an upsert on each record's id).

    Bad lines are reported with their line numbers and skipped; the exit status is non-zero
    only when the file cannot be read. The import commits in short transactions, so the site
    keeps taking writes; afterwards it brings the search index up to date."""
    try:
        total = importer.count_lines(path)
    except OSError as error:
        raise click.ClickException(f"Cannot read {path}: {error.strerror or error}") from error
    label = "Checking" if dry_run else "Importing"
    # A dry run only reads: a write transaction would hold SQLite's lock all along.
    mode = read_only() if dry_run else nullcontext()
    try:
        with mode:
            if sys.stderr.isatty():
                with click.progressbar(length=total, label=label, file=sys.stderr) as bar:
                    summary = importer.import_file(path, bar.update, dry_run=dry_run)
            else:
                summary = importer.import_file(path, _Counter(total, label).update,
                                               dry_run=dry_run)
    except OSError as error:
        db.session.rollback()
        raise click.ClickException(f"Cannot read {path}: {error.strerror or error}") from error
    finally:
        if dry_run:
            db.session.rollback()
    for line in _summary_lines(summary, path.name):
        click.echo(line)
    if not dry_run and (summary.created or summary.updated):
        click.echo(_update_search_index(no_search_update))


SEARCH_CHUNK = 500


def _update_search_index(skip: bool) -> str:
    """Apply the import's search changes in chunks (reads only: no database lock held)."""
    from app.search import indexer, store

    later = "run `flask search update` to show the imported models in search now"
    if skip:
        return f"Search index not updated: {later}."
    root = store.index_root()
    if store.current_generation(root) is None:
        return "There is no search index yet: run `flask search rebuild`."
    applied = 0
    while True:
        with read_only():
            try:
                result = indexer.catch_up(root, limit=SEARCH_CHUNK, timeout=10.0)
            finally:
                db.session.rollback()
        if result.busy:
            return (f"Search index: {applied} changes applied; another process is writing it "
                    f"and will catch up (or {later}).")
        applied += result.applied
        if result.applied < SEARCH_CHUNK:
            return f"Search index updated: {applied} changes applied."
        click.echo(f"Search index: {applied} changes applied", err=True)


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
