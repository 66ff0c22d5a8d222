"""Announcements of a funding authority: per call or theme (information sessions, changes,
results)."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UtcDateTime, string_enum, utcnow
from app.extensions import db
from app.organisations.models import Organisation


class AnnouncementKind(enum.StrEnum):
    info_session = "info_session"
    change = "change"
    results = "results"
    general = "general"


class Announcement(db.Model):
    """Published when `published_at` is set and not withdrawn. "New" on the home page for
    a configurable number of days after publishing."""

    __tablename__ = "announcement"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    theme: Mapped[str] = mapped_column(String(200), default="", index=True)
    kind: Mapped[AnnouncementKind] = mapped_column(
        string_enum(AnnouncementKind, "announcement_kind", length=16)
    )
    language: Mapped[str] = mapped_column(String(5), default="fi")
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")  # Markdown
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
    # The linked call (a relationship only, no column of its own: call_id above).
    call = relationship("Call")

    # --- state (no column of its own: drafts have no published_at, withdrawn ones a
    # withdrawn_at; app/announcements/permissions.py reads these) ---

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def is_published(self) -> bool:
        """Published and not withdrawn: shown to everyone (if its call is public)."""
        return self.published_at is not None and self.withdrawn_at is None

    @property
    def is_draft(self) -> bool:
        return self.published_at is None and self.withdrawn_at is None

    @property
    def state(self) -> str:
        """"draft", "published" or "withdrawn" (for labels and the management list)."""
        if self.withdrawn_at is not None:
            return "withdrawn"
        return "published" if self.published_at is not None else "draft"

    def __repr__(self) -> str:
        return f"<Announcement {self.id} {self.title!r} {self.state}>"
