"""Follows: a person follows an organisation, a target group or a region, and hears of new
models, partner calls, events and funding calls that match."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UtcDateTime, string_enum, utcnow
from app.extensions import db


class FollowKind(enum.StrEnum):
    organisation = "organisation"  # target: the organisation's id
    target_group = "target_group"  # target: a target-group code
    region = "region"  # target: a region code (MK01 ...)


class Follow(db.Model):
    __tablename__ = "follow"
    __table_args__ = (UniqueConstraint("user_id", "kind", "target"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[FollowKind] = mapped_column(string_enum(FollowKind, "follow_kind", length=16))
    target: Mapped[str] = mapped_column(String(40), index=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)


class FollowSettings(db.Model):
    """A person's choice of the weekly mail digest, and when their news was last seen."""

    __tablename__ = "follow_settings"

    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    weekly_digest: Mapped[bool] = mapped_column(Boolean, default=False)
    # "What's new" marks items after this as new.
    seen_at: Mapped[datetime | None] = mapped_column(UtcDateTime)


class DigestSent(db.Model):
    """One row per person and digest period (ISO week "2026-W49"): a digest is sent once."""

    __tablename__ = "follow_digest_sent"
    __table_args__ = (UniqueConstraint("user_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    period: Mapped[str] = mapped_column(String(10))
    item_count: Mapped[int] = mapped_column(default=0)
    sent_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
