"""`flask search rebuild|update|status|dictionaries`.

`rebuild` works from the database whatever state the old index is in. `update` and `status`
say in one line what is wrong with an index that cannot be used (exit status 1) and that
`flask search rebuild` mends it. `status` exits with 3 when the index is usable but out of
step with the database (documents missing that no pending change explains), so a monitor
can tell it from a mere lag (exit status 0).
"""

from __future__ import annotations

from datetime import UTC, datetime

import click
from flask.cli import AppGroup

from app.search import analysis, indexer, store
from app.search.analysis import use_fast_dictionary
from app.search.thesaurus import thesaurus_cli

search_cli = AppGroup("search", help="The search index: rebuild, catch up, inspect.")
search_cli.add_command(thesaurus_cli)  # flask search thesaurus import|export

OUT_OF_STEP_EXIT = 3
REBUILD_HINT = "Run `flask search rebuild` to build a new index from the database."


def _os_error(root, error: OSError) -> click.ClickException:
    reason = error.strerror or str(error) or type(error).__name__
    where = f" ({error.filename})" if getattr(error, "filename", None) else ""
    return click.ClickException(f"The search index in {root} cannot be written: "
                                f"{reason}{where}.")


@search_cli.command("rebuild")
@click.option("--if-needed", is_flag=True, help="Only when there is no usable index.")
@click.option("--procs", default=1, show_default=True, help="Indexing processes.")
def rebuild_command(if_needed: bool, procs: int) -> None:
    """Build a new index from the database and switch to it atomically."""
    root = store.index_root()
    if if_needed:
        try:
            name = store.inspect(root)
            if name is not None:
                store.open_checked(root, name)
                click.echo(f"The search index exists in {root}; not rebuilt.")
                return
        except store.IndexProblem as problem:
            click.echo(f"The search index cannot be used ({problem}); rebuilding.")
    use_fast_dictionary()  # a one-off process: lookups speed over memory
    total = indexer.count_indexable()
    try:
        with click.progressbar(length=total, label="Indexing", show_pos=True) as bar:
            result = indexer.rebuild(root, progress=bar.update, procs=procs)
    except indexer.RebuildRunning as exc:
        raise click.ClickException(str(exc)) from None
    except OSError as error:
        raise _os_error(root, error) from None
    click.echo(f"Indexed {result.documents} documents in {result.seconds:.1f} s "
               f"({result.generation}); {result.caught_up} later changes applied.")


@search_cli.command("dictionaries")
def dictionaries_command() -> None:
    """Build the lemma dictionaries' tries that web workers read (once per machine and
    simplemma version; `make install` runs this). Without them workers read simplemma's
    compressed dictionaries, ten times slower a lookup."""
    directory = analysis.trie_directory()
    try:
        built = analysis.build_tries(
            progress=lambda lang: click.echo(f"Building the {lang} dictionary's trie in "
                                             f"{directory} ..."))
    except RuntimeError as error:
        raise click.ClickException(str(error)) from None
    except OSError as error:
        reason = error.strerror or type(error).__name__
        raise click.ClickException(
            f"The tries cannot be written in {directory}: {reason}.") from None
    if built:
        click.echo(f"Built {', '.join(built)}; restart the web workers to use them.")
    else:
        click.echo(f"The dictionaries' tries are in {directory}.")


@search_cli.command("update")
@click.option("--wait", default=30.0, show_default=True, help="Seconds to wait for the lock.")
@click.option("--strict", is_flag=True,
              help="Fail (exit status 1) when another process holds the index's write lock.")
def update_command(wait: float, strict: bool) -> None:
    """Apply the pending changes of the change log (and remove what killed writers left).

    When another process holds the write lock longer than --wait (a worker's background
    catch-up applying a large backlog), it is doing this same work: every writer applies the
    change log from the index's last applied change. Said in one line, exit status 0 (so a
    cron line every minute is not noise), or 1 with --strict."""
    root = store.index_root()
    applied = cleaned = 0
    try:
        removed = store.prune_abandoned(root)
        before = indexer.lag(root)[0]
        while True:
            result = indexer.catch_up(root, timeout=wait, limit=indexer.BACKGROUND_CHUNK)
            if result.busy:
                if strict:
                    raise click.ClickException(
                        "Another process is writing the index; try again later.")
                last, pending = indexer.lag(root)
                moved = f"; {last - before} applied while waiting" if last > before else ""
                click.echo(f"The index is being updated by another process; {pending} "
                           f"changes pending{moved}.")
                return
            applied += result.applied
            cleaned += result.cleaned
            before = result.last_change
            if not result.more:
                break
    except store.IndexProblem as problem:
        raise click.ClickException(f"The search index cannot be used: {problem} "
                                   f"{REBUILD_HINT}") from None
    except OSError as error:
        raise _os_error(root, error) from None
    if removed or cleaned:
        click.echo(f"Removed {len(removed)} abandoned generations and {cleaned} files "
                   "a killed writer left.")
    click.echo(f"Applied {applied} changes; last applied change {result.last_change}.")


def _time(value: float | None) -> str:
    if not value:
        return "-"
    return datetime.fromtimestamp(value, UTC).isoformat(timespec="seconds")


def _last_error_line(info: dict) -> str | None:
    last = info["last_error"]
    error = last.get("error")
    if not error:
        return None
    when = _time(error.get("at"))
    state = "unresolved" if last.get("current") else f"resolved {_time(last.get('ok_at'))}"
    return f"{when} {error.get('operation', '')}: {error.get('message', '')} ({state})"


_LABELS = {"practice": "models", "organisation": "organisations", "call": "calls"}


def _differences(info: dict) -> str:
    parts = []
    for kind, expected in info["expected"].items():
        found = info["documents"].get(kind, 0)
        if expected > found:
            parts.append(f"{expected - found} {_LABELS.get(kind, kind)} missing")
        elif found > expected:
            parts.append(f"{found - expected} {_LABELS.get(kind, kind)} too many")
    return ", ".join(parts)


@search_cli.command("status")
@click.pass_context
def status_command(ctx: click.Context) -> None:
    """Documents (and what the database has), the last applied change, the lag, the last
    error, where the index is and its size."""
    info = indexer.status(store.index_root())
    click.echo(f"Index directory:     {info['directory']}")
    last_error = _last_error_line(info)
    if last_error:
        click.echo(f"Last error:          {last_error}")
    if info["problem"]:
        raise click.ClickException(f"The search index cannot be used: {info['problem']} "
                                   f"{REBUILD_HINT}")
    expected = ", ".join(f"{kind} {n}" for kind, n in info["expected"].items())
    if not info["exists"]:
        click.echo("Index:               none (run `flask search rebuild`)")
        click.echo(f"Database:            {expected}")
        click.echo(f"Pending changes:     {info['lag']}")
        return
    documents = ", ".join(f"{kind} {n}" for kind, n in info["documents"].items())
    click.echo(f"Generation:          {info['generation']}")
    click.echo(f"Documents:           {documents}")
    click.echo(f"Database:            {expected}")
    click.echo(f"Last applied change: {info['last_change']} "
               f"(database: {info['database_last_change']})")
    click.echo(f"Lag:                 {info['lag']} pending changes"
               + (f", {info['gaps']} awaited ids" if info.get("gaps") else ""))
    click.echo(f"Built:               {_time(info.get('built_at'))}")
    click.echo(f"Updated:             {_time(info.get('updated_at'))}")
    click.echo(f"Size:                {info['size'] / 1_048_576:.1f} MB")
    if info["out_of_step"]:
        click.echo(f"Out of step:         {_differences(info)} (more than the pending "
                   f"changes explain). {REBUILD_HINT}")
        ctx.exit(OUT_OF_STEP_EXIT)
    click.echo("In step:             the index holds what the database has"
               + (" (after the pending changes)" if info["lag"] else ""))
