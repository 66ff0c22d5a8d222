"""The models and the migrations describe the same schema."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from app.extensions import db as _db


def test_models_match_migrations(db):
    connection = _db.session.connection()
    context = MigrationContext.configure(connection, opts={"render_as_batch": True,
                                                           "compare_type": True})
    diff = compare_metadata(context, _db.metadata)
    assert diff == [], f"models and migrations differ: {diff}\nRun `flask db migrate`."


def test_sqlite_connection_pragmas(db):
    connection = _db.session.connection()
    if connection.dialect.name != "sqlite":
        assert connection.dialect.driver == "psycopg"
        return
    assert connection.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
    assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
    assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 15000
