"""`flask search rebuild|update|status`."""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.search import indexer, store
from app.search.analysis import use_fast_dictionary

search_cli = AppGroup("search", help="The search index: rebuild, catch up, inspect.")


@search_cli.command("rebuild")
@click.option("--if-needed", is_flag=True, help="Only when there is no index yet.")
@click.option("--procs", default=1, show_default=True, help="Indexing processes.")
def rebuild_command(if_needed: bool, procs: int) -> None:
    """Build a new index from the database and switch to it atomically."""
    root = store.index_root()
    if if_needed and store.current_generation(root) is not None:
        click.echo(f"The search index exists in {root}; not rebuilt.")
        return
    use_fast_dictionary()  # a one-off process: lookups speed over memory
    total = indexer.count_indexable()
    try:
        with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
            result = indexer.rebuild(root, progress=bar.update, procs=procs)
    except indexer.RebuildRunning as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Indexed {result.documents} documents in {result.seconds:.1f} s "
               f"({result.generation}); {result.caught_up} later changes applied.")


@search_cli.command("update")
@click.option("--wait", default=30.0, show_default=True, help="Seconds to wait for the lock.")
def update_command(wait: float) -> None:
    """Apply the pending changes of the change log."""
    result = indexer.catch_up(store.index_root(), timeout=wait)
    if result.busy:
        raise click.ClickException("Another process is writing the index; try again later.")
    click.echo(f"Applied {result.applied} changes; last applied change {result.last_change}.")


def _time(value: float | None) -> str:
    if not value:
        return "-"
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")


@search_cli.command("status")
def status_command() -> None:
    """Documents, the last applied change, the lag, where the index is and its size."""
    info = indexer.status(store.index_root())
    click.echo(f"Index directory:     {info['directory']}")
    if not info["exists"]:
        click.echo("Index:               none (run `flask search rebuild`)")
        click.echo(f"Pending changes:     {info['lag']}")
        return
    documents = ", ".join(f"{kind} {n}" for kind, n in info["documents"].items())
    click.echo(f"Generation:          {info['generation']}")
    click.echo(f"Documents:           {documents}")
    click.echo(f"Last applied change: {info['last_change']} "
               f"(database: {info['database_last_change']})")
    click.echo(f"Lag:                 {info['lag']} pending changes"
               + (f", {info['gaps']} awaited ids" if info.get("gaps") else ""))
    click.echo(f"Built:               {_time(info.get('built_at'))}")
    click.echo(f"Updated:             {_time(info.get('updated_at'))}")
    click.echo(f"Size:                {info['size'] / 1_048_576:.1f} MB")
