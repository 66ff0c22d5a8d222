"""Backups taken while the site runs, their verification, and restoring one into an empty
instance (`flask backup create|verify|restore`, in `backup_cli`).

A backup is a directory: the database (SQLite: a copy made with SQLite's online backup API;
PostgreSQL: `pg_dump --format=custom`), the uploaded files under `uploads/`, and
`manifest.json` (written last: a directory without it is not a backup) with every file's size
and SHA-256, the row counts per table and the attachments the database refers to.

Consistency: the database is copied first, from one snapshot; the row counts and the list of
attachments are read from that same snapshot (the SQLite copy itself; on PostgreSQL the
transaction whose snapshot `pg_dump --snapshot` uses). The uploads are copied afterwards, so
every file the snapshot refers to is already on disk (files are written before the row that
names them is committed); files added later are harmless extras. The search index is not
backed up: a restore rebuilds it from the database.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path

from flask import current_app
from sqlalchemy import create_engine, func, inspect, select, text
from sqlalchemy import table as sql_table
from sqlalchemy.engine import Connection

from app.extensions import db

FORMAT = 1
MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite3"
PG_FILE = "database.pgdump"
UPLOADS = "uploads"
_CHUNK = 1024 * 1024
# Tables that an empty instance may already hold rows in (`flask db upgrade` writes one).
_SETUP_TABLES = {"alembic_version"}

Progress = Callable[[str], None]


class BackupError(RuntimeError):
    """The backup or restore cannot be done; the message is one line for the operator."""


@dataclass
class Verification:
    manifest: dict
    problems: list[str]


# --- helpers ------------------------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        while chunk := stream.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _kind() -> str:
    return db.engine.dialect.name


def _sqlite_path() -> Path:
    database = db.engine.url.database
    if not database or database == ":memory:":
        raise BackupError("The SQLite database is in memory; there is nothing to back up.")
    return Path(database)


def _stored_file_tables() -> list:
    """The tables of every attachment model (those with the StoredFileColumns)."""
    from app.core.uploads import StoredFileColumns

    return sorted({mapper.local_table for mapper in db.Model.registry.mappers
                   if issubclass(mapper.class_, StoredFileColumns)}, key=lambda t: t.name)


def _snapshot_facts(conn: Connection) -> dict:
    """Row counts, the Alembic revision and the attachments, read from one snapshot."""
    names = set(inspect(conn).get_table_names())
    counts = {}
    for table in db.metadata.sorted_tables:
        if table.name in names:
            counts[table.name] = conn.execute(
                select(text("count(*)")).select_from(table)).scalar_one()
    revision = None
    if "alembic_version" in names:
        revision = ", ".join(sorted(conn.execute(
            text("SELECT version_num FROM alembic_version")).scalars()))
    attachments = []
    for table in _stored_file_tables():
        if table.name in names:
            rows = conn.execute(select(table.c.stored_name, table.c.size, table.c.sha256))
            attachments.extend({"table": table.name, "stored_name": r.stored_name,
                                "size": r.size, "sha256": r.sha256} for r in rows)
    return {"row_counts": counts, "alembic_revision": revision, "attachments": attachments}


def _app_version() -> str:
    try:
        return metadata.version("kohtaamo")
    except metadata.PackageNotFoundError:
        return "unknown"


# --- PostgreSQL tools ---------------------------------------------------------------------------


def _pg_env() -> dict:
    """libpq's environment for the configured database: the password never goes on a command
    line (where `ps` would show it)."""
    url = db.engine.url
    env = dict(os.environ)
    for key, value in (("PGHOST", url.host), ("PGPORT", url.port), ("PGUSER", url.username),
                       ("PGPASSWORD", url.password), ("PGDATABASE", url.database)):
        if value is not None:
            env[key] = str(value)
    options = url.query.get("options")
    if options:
        env["PGOPTIONS"] = options if isinstance(options, str) else options[0]
    return env


def _pg_tool(name: str, conn: Connection) -> str:
    """The path of pg_dump/pg_restore, refused when missing or older than the server."""
    path = shutil.which(name)
    if path is None:
        raise BackupError(f"{name} was not found: install the PostgreSQL client of the "
                          "server's major version (Debian: postgresql-client).")
    found = subprocess.run([path, "--version"], capture_output=True, text=True,  # noqa: S603
                           check=False)
    match = re.search(r"(\d+)(?:\.\d+)?", found.stdout)
    server = int(conn.execute(text("SHOW server_version_num")).scalar_one()) // 10000
    if match is None or int(match.group(1)) < server:
        raise BackupError(f"{name} is version {found.stdout.strip() or '?'} but the server is "
                          f"PostgreSQL {server}: install the client of version {server} or "
                          "later.")
    return path


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True,  # noqa: S603
                            check=False)
    if result.returncode != 0:
        detail = (result.stderr.strip().splitlines() or ["no message"])[-1]
        raise BackupError(f"{what} failed: {detail}")


# --- create -------------------------------------------------------------------------------------


def _snapshot_sqlite(target: Path) -> dict:
    # A plain rollback-journal file: reading the backup later (verify, restore, from a
    # read-only medium) then leaves no -wal/-shm files beside it.
    _copy_sqlite(sqlite3.connect(_sqlite_path()), target / SQLITE_FILE, journal_mode="DELETE")
    engine = create_engine(f"sqlite:///{target / SQLITE_FILE}")
    try:
        with engine.connect() as conn:
            return _snapshot_facts(conn)
    finally:
        engine.dispose()


def _snapshot_postgres(target: Path) -> dict:
    with db.engine.connect() as conn:
        tool = _pg_tool("pg_dump", conn)
        conn.rollback()
        # One snapshot for the whole transaction (READ COMMITTED takes one per statement).
        conn.execution_options(isolation_level="REPEATABLE READ")
        with conn.begin():
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
            snapshot = conn.exec_driver_sql("SELECT pg_export_snapshot()").scalar_one()
            facts = _snapshot_facts(conn)
            # pg_dump reads exactly what this transaction sees while it stays open.
            _run([tool, "--format=custom", f"--snapshot={snapshot}", "--no-owner",
                  "--no-privileges", f"--file={target / PG_FILE}"], "pg_dump")
    return facts


def _copy_uploads(source: Path, target: Path, progress: Progress | None) -> dict[str, dict]:
    """Copy every finished upload (not the `.upload-*` files still being written); their
    size and SHA-256 by path relative to the backup directory."""
    files: dict[str, dict] = {}
    if not source.is_dir():
        return files
    copied = 0
    for path in sorted(source.rglob("*")):
        if not path.is_file() or path.name.startswith(".upload-"):
            continue
        relative = path.relative_to(source)
        destination = target / relative
        destination.parent.mkdir(parents=True, exist_ok=True)
        digest, size = hashlib.sha256(), 0
        try:
            with path.open("rb") as src, destination.open("wb") as dst:
                while chunk := src.read(_CHUNK):
                    dst.write(chunk)
                    digest.update(chunk)
                    size += len(chunk)
        except FileNotFoundError:  # deleted after the snapshot: not needed by it
            destination.unlink(missing_ok=True)
            continue
        files[f"{UPLOADS}/{relative.as_posix()}"] = {"size": size, "sha256": digest.hexdigest()}
        copied += 1
        if progress and copied % 500 == 0:
            progress(f"uploads: {copied} files copied")
    return files


def create_backup(target: Path, progress: Progress | None = None) -> dict:
    """Write a backup of the running instance into `target` (a new or empty directory) and
    return its manifest. Raises BackupError when an attachment of the snapshot is missing
    (the backup is kept, with the missing files named in the manifest)."""
    target = Path(target)
    if target.exists() and any(target.iterdir()):
        raise BackupError(f"{target} is not empty; give a new directory for the backup.")
    target.mkdir(parents=True, exist_ok=True)
    created_at = datetime.now(UTC)
    kind = _kind()
    if progress:
        progress(f"database ({kind}): copying")
    if kind == "sqlite":
        facts, database_file = _snapshot_sqlite(target), SQLITE_FILE
    elif kind == "postgresql":
        facts, database_file = _snapshot_postgres(target), PG_FILE
    else:
        raise BackupError(f"Backups of {kind} databases are not supported.")
    if progress:
        progress("uploads: copying")
    uploads = _copy_uploads(Path(current_app.config["UPLOAD_DIR"]), target / UPLOADS, progress)
    missing = []
    for attachment in facts["attachments"]:
        name = attachment["stored_name"]
        found = uploads.get(f"{UPLOADS}/{name[:2]}/{name}")
        if found is None or (attachment["sha256"] and found["sha256"] != attachment["sha256"]):
            missing.append(name)
    files = {database_file: {"size": (target / database_file).stat().st_size,
                             "sha256": _sha256(target / database_file)}, **uploads}
    manifest = {
        "format": FORMAT,
        "created_at": created_at.isoformat(timespec="seconds"),
        "app_version": _app_version(),
        "alembic_revision": facts["alembic_revision"],
        "database": {"kind": kind, "file": database_file},
        "row_counts": facts["row_counts"],
        "attachments": len(facts["attachments"]),
        "missing_attachments": missing,
        "files": files,
    }
    partial = target / (MANIFEST + ".partial")
    partial.write_text(json.dumps(manifest, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(partial, target / MANIFEST)
    if missing:
        raise BackupError(f"{len(missing)} attachments of the database have no file (or a "
                          f"different one) in {current_app.config['UPLOAD_DIR']}, e.g. "
                          f"{missing[0]}; the backup lacks them.")
    return manifest


# --- verify -------------------------------------------------------------------------------------


def verify_backup(source: Path, progress: Progress | None = None) -> Verification:
    """Check every file of the manifest (size and SHA-256); the problems found."""
    source = Path(source)
    try:
        manifest = json.loads((source / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{source} has no {MANIFEST}: not a backup, or an unfinished one."
                          ) from None
    except (ValueError, OSError) as error:
        raise BackupError(f"{source / MANIFEST} cannot be read: {error}") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"{source / MANIFEST} is not a manifest of format {FORMAT}.")
    problems = []
    files = manifest.get("files") or {}
    if manifest.get("database", {}).get("file") not in files:
        problems.append("the manifest lists no database file")
    root = source.resolve()
    for checked, (name, facts) in enumerate(sorted(files.items()), start=1):
        path = (source / name).resolve()
        if root not in path.parents:
            problems.append(f"{name}: outside the backup directory")
        elif not path.is_file():
            problems.append(f"{name}: missing")
        elif path.stat().st_size != facts.get("size"):
            problems.append(f"{name}: size {path.stat().st_size}, manifest {facts.get('size')}")
        elif _sha256(path) != facts.get("sha256"):
            problems.append(f"{name}: checksum differs from the manifest")
        if progress and checked % 500 == 0:
            progress(f"verified {checked}/{len(files)} files")
    return Verification(manifest, problems)


# --- restore ------------------------------------------------------------------------------------


def _rows_in_target() -> dict[str, int]:
    """Tables of the configured database that hold rows (set-up tables aside)."""
    if _kind() == "sqlite" and not _sqlite_path().exists():
        return {}  # no database file yet: empty (the restore creates it and its directory)
    with db.engine.connect() as conn:
        inspector = inspect(conn)
        full = {}
        for name in inspector.get_table_names():
            if name in _SETUP_TABLES:
                continue
            table = sql_table(name)  # any table, mapped or not
            count = conn.execute(select(func.count()).select_from(table)).scalar_one()
            if count:
                full[name] = count
        conn.rollback()
    return full


def _restore_sqlite(backup_file: Path) -> None:
    target = _sqlite_path()
    target.parent.mkdir(parents=True, exist_ok=True)
    db.engine.dispose()
    # immutable: read without locks or -wal/-shm files, so a backup on a read-only medium works
    uri = f"{Path(backup_file).resolve().as_uri()}?mode=ro&immutable=1"
    _copy_sqlite(sqlite3.connect(uri, uri=True), target, journal_mode="WAL")


def _copy_sqlite(source: sqlite3.Connection, target: Path, journal_mode: str) -> None:
    """Copy the database of `source` into the file `target` in one step (pages=-1: the whole
    copy comes from one read snapshot; in WAL mode writers go on meanwhile), then close both."""
    copy = sqlite3.connect(target)
    try:
        source.execute("PRAGMA busy_timeout=15000")
        copy.execute("PRAGMA busy_timeout=15000")
        source.backup(copy, pages=-1)
        copy.execute(f"PRAGMA journal_mode={journal_mode}")
    finally:
        copy.close()
        source.close()


def _restore_postgres(backup_file: Path) -> None:
    with db.engine.connect() as conn:
        tool = _pg_tool("pg_restore", conn)
    db.engine.dispose()
    # --clean drops what `flask db upgrade` may have created (tables checked empty above).
    _run([tool, "--clean", "--if-exists", "--no-owner", "--no-privileges", "--exit-on-error",
          "--single-transaction", f"--dbname={_pg_env()['PGDATABASE']}", str(backup_file)],
         "pg_restore")


def restore_backup(source: Path, progress: Progress | None = None) -> dict:
    """Restore the backup in `source` into this (empty) instance and rebuild the search
    index. Everything is checked before anything is written; returns the manifest."""
    from app.search import indexer, store

    source = Path(source)
    if progress:
        progress("verifying the backup")
    verification = verify_backup(source, progress)
    if verification.problems:
        raise BackupError(f"The backup is damaged ({len(verification.problems)} problems, "
                          f"first: {verification.problems[0]}); nothing was restored.")
    manifest = verification.manifest
    kind = manifest["database"]["kind"]
    if kind != _kind():
        raise BackupError(f"The backup is of a {kind} database but this instance uses "
                          f"{_kind()}; nothing was restored.")
    full = _rows_in_target()
    if full:
        name, count = sorted(full.items())[0]
        raise BackupError(f"The database is not empty ({len(full)} tables with rows, e.g. "
                          f"{name}: {count}); restore only into an empty instance.")
    upload_dir = Path(current_app.config["UPLOAD_DIR"])
    if upload_dir.is_dir() and any(p.is_file() for p in upload_dir.rglob("*")):
        raise BackupError(f"The upload directory {upload_dir} is not empty; restore only into "
                          "an empty instance.")
    if progress:
        progress(f"database ({kind}): restoring")
    database_file = source / manifest["database"]["file"]
    if kind == "sqlite":
        _restore_sqlite(database_file)
    else:
        _restore_postgres(database_file)
    if progress:
        progress("uploads: restoring")
    prefix = f"{UPLOADS}/"
    restored = 0
    for name in sorted(manifest["files"]):
        if name.startswith(prefix):
            destination = upload_dir / name[len(prefix):]
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(source / name, destination)
            restored += 1
            if progress and restored % 500 == 0:
                progress(f"uploads: {restored} files restored")
    with db.engine.connect() as conn:
        counts = _snapshot_facts(conn)["row_counts"]
    differ = [t for t, n in manifest["row_counts"].items() if counts.get(t) != n]
    if differ:
        raise BackupError(f"After the restore the row counts differ from the manifest in "
                          f"{', '.join(differ[:5])}.")
    if progress:
        progress("search index: rebuilding")
    total = indexer.count_indexable()
    done = [0]

    def indexed(n: int) -> None:
        done[0] += n
        if progress and (done[0] % 1000 < n or done[0] == total):
            progress(f"search index: {done[0]}/{total} documents")

    indexer.rebuild(store.index_root(), progress=indexed)
    db.session.rollback()
    return manifest
