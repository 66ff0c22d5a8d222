"""The append-only audit log: who did what, when (UTC) and from where."""

from __future__ import annotations

from datetime import datetime

from flask import has_request_context, request
from sqlalchemy import JSON, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UtcDateTime, utcnow
from app.extensions import db


class AuditLog(db.Model):
    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    actor_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    action: Mapped[str] = mapped_column(String(64), index=True)
    object_type: Mapped[str | None] = mapped_column(String(40))
    object_id: Mapped[int | None] = mapped_column(Integer)
    organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    ip: Mapped[str | None] = mapped_column(String(64))
    details: Mapped[dict] = mapped_column(JSON, default=dict)


def record(
    action: str,
    *,
    actor=None,
    obj=None,
    organisation=None,
    **details,
) -> AuditLog:
    """Add an audit entry to the current transaction (it commits with the change it records)."""
    obj = _unwrap(obj)
    entry = AuditLog(
        action=action,
        actor_id=getattr(actor, "id", None),
        object_type=type(obj).__tablename__ if obj is not None else None,
        object_id=getattr(obj, "id", None),
        organisation_id=getattr(organisation, "id", None),
        ip=request.remote_addr if has_request_context() else None,
        details={key: value for key, value in details.items() if value is not None},
    )
    db.session.add(entry)
    return entry


def _unwrap(obj):
    # current_user is a proxy; the entry needs the real object's class.
    getter = getattr(obj, "_get_current_object", None)
    return getter() if getter is not None else obj
