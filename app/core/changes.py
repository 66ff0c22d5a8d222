"""The search change log: written in the same transaction as every searchable change. It lives
in core because every domain writes it; only app/search reads it.

The indexer applies the rows in id order and records the last applied id in the index, so
the index follows what was committed (never a rolled-back transaction) and catches up after
any crash.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UtcDateTime, utcnow
from app.extensions import db


class SearchChange(db.Model):
    __tablename__ = "search_change"

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))  # "practice", "organisation", "call"
    object_id: Mapped[int] = mapped_column(Integer)
    operation: Mapped[str] = mapped_column(String(10))  # "upsert" or "delete"
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


def record_change(kind: str, object_id: int, operation: str = "upsert") -> None:
    """Queue `kind`/`object_id` for the indexer, in the caller's transaction."""
    db.session.add(SearchChange(kind=kind, object_id=object_id, operation=operation))


def record_unrecorded(kind: str, model, session=None) -> int:
    """Queue every row of `model` that has no change of `kind` yet: for writers that insert
    rows directly (the demo seed) rather than through the services. The number queued."""
    from sqlalchemy import select

    session = session or db.session
    ids = session.scalars(
        select(model.id).where(model.id.not_in(
            select(SearchChange.object_id).where(SearchChange.kind == kind)))
    ).all()
    session.add_all(SearchChange(kind=kind, object_id=i, operation="upsert") for i in ids)
    return len(ids)
