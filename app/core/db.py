"""Database engine set-up: SQLite pragmas and write transactions that begin IMMEDIATE.

SQLite's default deferred transactions let two processes read the same row and both write it
back (measured: 1,349 of 1,600 read-modify-write updates lost with 8 processes). A write
request therefore opens its transaction with `BEGIN IMMEDIATE`, which takes the write lock
up front; read-only requests keep deferred transactions so that readers never queue. The
unit of work (`perform`) switches back to deferred transactions once it has committed, so a
request holds the lock from its first read to its commit, not while its answer is rendered.
"""

from __future__ import annotations

import contextvars
import unicodedata
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

from sqlalchemy import DateTime, Enum, String, TypeDecorator, event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement

_immediate = contextvars.ContextVar("sqlite_begin_immediate", default=True)
IMMEDIATE_KEY = "kohtaamo_begin_immediate"  # connection.info: did its transaction begin IMMEDIATE?


def utcnow() -> datetime:
    """The current time in UTC, timezone-aware."""
    return datetime.now(UTC)


def set_write_intent(write: bool) -> None:
    """Say whether transactions opened from now on in this context will write."""
    _immediate.set(write)


@contextmanager
def read_only() -> Iterator[None]:
    """Open deferred transactions inside the block (for pure reads outside a request)."""
    token = _immediate.set(False)
    try:
        yield
    finally:
        _immediate.reset(token)


@contextmanager
def write_intent() -> Iterator[None]:
    """Open IMMEDIATE (write) transactions inside the block, even during a read-only request."""
    token = _immediate.set(True)
    try:
        yield
    finally:
        _immediate.reset(token)


def configure_engine(engine: Engine, busy_timeout_ms: int = 15000,
                     lock_timeout_ms: int = 5000) -> None:
    """Install the SQLite pragmas and the transaction-begin hook on an engine; a write waits
    at most `busy_timeout_ms` for SQLite's lock (then "database is locked": a 503 "busy").
    On PostgreSQL a statement waits at most `lock_timeout_ms` for a row or table lock (then
    "lock timeout": the same 503 "busy"); 0 waits for ever."""
    if engine.dialect.name == "postgresql":
        _postgresql_lock_timeout(engine, lock_timeout_ms)
    if engine.dialect.name != "sqlite":
        return

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):  # pragma: no cover - exercised by every test
        # Let SQLAlchemy emit BEGIN itself (pysqlite's own handling breaks savepoints).
        dbapi_connection.isolation_level = None
        # SQLite's own lower() only knows ASCII; "Ä" must match "ä" as in PostgreSQL.
        dbapi_connection.create_function("lower", 1, _unicode_lower, deterministic=True)
        dbapi_connection.create_function("kohtaamo_fold", 1, _fold_or_none, deterministic=True)
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(connection):
        immediate = _immediate.get()
        connection.info[IMMEDIATE_KEY] = immediate
        connection.exec_driver_sql("BEGIN IMMEDIATE" if immediate else "BEGIN")


def _postgresql_lock_timeout(engine: Engine, lock_timeout_ms: int) -> None:
    # A session setting on each new connection (not a connect option: that would replace the
    # `options` of the URL, such as a search_path).
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record):
        cursor = dbapi_connection.cursor()
        cursor.execute(f"SET SESSION lock_timeout = {int(lock_timeout_ms)}")
        cursor.close()
        dbapi_connection.commit()


def _unicode_lower(value):
    return value.lower() if isinstance(value, str) else value


def ensure_aware(value: datetime | None) -> datetime | None:
    """SQLite returns naive datetimes; every stored time is UTC, so mark it as such."""
    if value is not None and value.tzinfo is None:
        return value.replace(tzinfo=UTC)
    return value


class UtcDateTime(TypeDecorator):
    """A timestamp stored in UTC and always returned timezone-aware."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; store UTC-aware times")
        value = value.astimezone(UTC)
        if dialect.name == "sqlite":
            return value.replace(tzinfo=None)
        return value

    def process_result_value(self, value, dialect):
        return ensure_aware(value)


def string_enum(cls, name: str, length: int = 24) -> Enum:
    """A Python enum stored as a short string (no database enum type to migrate)."""
    return Enum(cls, name=name, native_enum=False, length=length, validate_strings=True)


# --- text without diacritics, in SQL ----------------------------------------------------------


def fold_text(text: str) -> str:
    """Lower-case `text` without diacritics (ä→a, ö→o, å→a, é→e): what `folded()` makes of a
    column, for the words a person typed."""
    decomposed = unicodedata.normalize("NFD", text.lower())
    return unicodedata.normalize(
        "NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))


def _fold_or_none(value):
    return fold_text(value) if isinstance(value, str) else value


def _fold_table() -> tuple[str, str]:
    """(from, to) for PostgreSQL's translate(): every letter of Latin-1 and Latin Extended-A
    that fold_text() turns into one other letter (capitals too: lower() of a database with
    the C locale leaves them as they are)."""
    source, target = [], []
    for code in range(0xC0, 0x180):
        char = chr(code)
        folded = fold_text(char)
        if len(folded) == 1 and folded != char.lower() and char not in source:
            source.append(char)
            target.append(folded)
    return "".join(source), "".join(target)


_FOLD_FROM, _FOLD_TO = _fold_table()


class folded(FunctionElement):  # noqa: N801 - used like the SQL function it stands for
    """lower(column) without diacritics, in SQLite (a function registered on each connection)
    and PostgreSQL (translate() of the letters of Latin-1 and Latin Extended-A): compare it
    with fold_text() of what was typed, so "tyovalmennus" finds "Työvalmennus"."""

    type = String()
    inherit_cache = True


@compiles(folded)
def _folded_default(element, compiler, **kw):
    return f"kohtaamo_fold({compiler.process(element.clauses, **kw)})"


@compiles(folded, "postgresql")
def _folded_postgresql(element, compiler, **kw):
    column = compiler.process(element.clauses, **kw)
    return f"lower(translate({column}, '{_FOLD_FROM}', '{_FOLD_TO}'))"


def folded_pattern(text: str) -> str:
    """The LIKE pattern of contains_folded(): `text` folded, anywhere (%, _ and \\ in it
    matched as themselves)."""
    escaped = fold_text(text).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def contains_folded(column, text):
    """SQL: `column` contains `text`, whatever the case and the diacritics of either (a LIKE
    on folded(); %, _ and \\ in the text are matched as themselves). `text` may also be a
    bound parameter whose value is folded_pattern() of the text."""
    pattern = folded_pattern(text) if isinstance(text, str) else text
    return folded(column).like(pattern, escape="\\")
