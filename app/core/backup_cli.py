"""`flask backup create|verify|restore DIR`: see app/core/backup.py."""

from __future__ import annotations

from pathlib import Path

import click
from flask.cli import AppGroup

from app.core import backup

backup_cli = AppGroup("backup", help="Back up the database and uploads; verify; restore.")


def _progress(message: str) -> None:
    click.echo(f"  {message}", err=True)


def _counts(manifest: dict) -> str:
    counts = manifest["row_counts"]
    return (f"{sum(counts.values())} rows in {len(counts)} tables, "
            f"{manifest['attachments']} attachments, {len(manifest['files'])} files")


@backup_cli.command("create")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
def create_command(directory: Path) -> None:
    """Write an online, consistent backup (database, uploads, manifest) into DIRECTORY, which
    must be new or empty. The site keeps running meanwhile."""
    try:
        manifest = backup.create_backup(directory, _progress)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backup written to {directory}: {manifest['database']['kind']} database "
               f"(revision {manifest['alembic_revision']}), {_counts(manifest)}.")


@backup_cli.command("verify")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
def verify_command(directory: Path) -> None:
    """Check every file of the backup in DIRECTORY against its manifest."""
    try:
        result = backup.verify_backup(directory, _progress)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    if result.problems:
        for problem in result.problems[:20]:
            click.echo(f"  {problem}", err=True)
        raise click.ClickException(f"The backup in {directory} is damaged: "
                                   f"{len(result.problems)} problems.")
    manifest = result.manifest
    click.echo(f"The backup in {directory} is intact: taken {manifest['created_at']}, "
               f"{manifest['database']['kind']}, {_counts(manifest)}.")


@backup_cli.command("restore")
@click.argument("directory", type=click.Path(file_okay=False, exists=True, path_type=Path))
def restore_command(directory: Path) -> None:
    """Restore the backup in DIRECTORY into this empty instance (its database and upload
    directory), then rebuild the search index. Nothing is written if the backup is damaged
    or the instance is not empty."""
    try:
        manifest = backup.restore_backup(directory, _progress)
    except backup.BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored the backup of {manifest['created_at']} from {directory}: "
               f"{_counts(manifest)}; the search index was rebuilt.")
