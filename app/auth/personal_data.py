"""What the account itself holds about a person, registered with app.core.personal_data."""

from __future__ import annotations

from collections.abc import Iterator

from sqlalchemy import select

from app.auth.models import User, UserSession
from app.core import personal_data
from app.core.audit import AuditLog
from app.core.db import utcnow
from app.extensions import db


def export_account(user: User) -> dict:
    """The account, its sessions, and the audit log of what the person did (all of it,
    streamed) and of what happened to their account (e.g. failed log-ins)."""
    sessions = db.session.scalars(
        select(UserSession).where(UserSession.user_id == user.id).order_by(UserSession.id)
    )
    return {
        "exported_at": utcnow(),
        "account": {
            "id": user.id,
            "name": user.name,
            "email": user.email,
            "language": user.language,
            "email_verified_at": user.email_verified_at,
            "created_at": user.created_at,
            "password_changed_at": user.password_changed_at,
            "is_admin": user.is_admin,
        },
        "sessions": [
            {"created_at": s.created_at, "last_seen_at": s.last_seen_at, "ip": s.ip,
             "user_agent": s.user_agent}
            for s in sessions
        ],
        "activity": _activity(user),
        "account_events": _account_events(user),
    }


def _activity(user: User) -> Iterator[dict]:
    statement = select(
        AuditLog.id, AuditLog.at, AuditLog.action, AuditLog.object_type, AuditLog.object_id,
        AuditLog.organisation_id, AuditLog.ip, AuditLog.details,
    ).where(AuditLog.actor_id == user.id)
    for row in personal_data.in_chunks(statement, AuditLog.id):
        del row["id"]
        yield row


def _account_events(user: User) -> Iterator[dict]:
    # Done to the account by someone else or by no one signed in (failed log-ins, pauses).
    # Without their IP address or details: those are the other party's.
    statement = select(AuditLog.id, AuditLog.at, AuditLog.action).where(
        AuditLog.object_type == User.__tablename__,
        AuditLog.object_id == user.id,
        (AuditLog.actor_id != user.id) | AuditLog.actor_id.is_(None),
    )
    for row in personal_data.in_chunks(statement, AuditLog.id):
        del row["id"]
        yield row


personal_data.register("account", exporter=export_account)
