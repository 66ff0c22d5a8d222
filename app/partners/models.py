"""Partner calls: an organisation announces that it looks for partners; verified organisations
answer, and each answer opens a private thread between the two organisations."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UtcDateTime, string_enum, utcnow
from app.extensions import db
from app.organisations.models import Organisation


class PartnerCallState(enum.StrEnum):
    open = "open"
    closed = "closed"


class PartnerCallClosure(enum.StrEnum):
    filled = "filled"  # the partner was found
    withdrawn = "withdrawn"  # no longer looking
    expired = "expired"  # the deadline passed (closed by the system)


class PartnerCall(db.Model):
    """"We look for a partner": for a funding call or a service model, what kind of partner,
    where, by when. Public while open; answers are private threads."""

    __tablename__ = "partner_call"
    __table_args__ = (Index("ix_partner_call_state_created", "state", "created_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    # What kind of partner is wanted, in words ("a staffing firm with employer contacts").
    partner_kind: Mapped[str] = mapped_column(String(500), default="")
    # Codes: organisation types wanted, regions, target groups, languages (fi, sv, en, ...).
    partner_types: Mapped[list] = mapped_column(JSON, default=list)
    regions: Mapped[list] = mapped_column(JSON, default=list)
    target_groups: Mapped[list] = mapped_column(JSON, default=list)
    languages: Mapped[list] = mapped_column(JSON, default=list)
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_call.id", ondelete="SET NULL"), index=True
    )
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="SET NULL"), index=True
    )
    deadline: Mapped[date | None] = mapped_column(Date)
    state: Mapped[PartnerCallState] = mapped_column(
        string_enum(PartnerCallState, "partner_call_state", length=12),
        default=PartnerCallState.open,
    )
    closure: Mapped[PartnerCallClosure | None] = mapped_column(
        string_enum(PartnerCallClosure, "partner_call_closure", length=12)
    )
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    threads: Mapped[list[PartnerThread]] = relationship(
        back_populates="partner_call", cascade="all, delete-orphan", order_by="PartnerThread.id"
    )

    @property
    def is_open(self) -> bool:
        return self.state == PartnerCallState.open


class PartnerThread(db.Model):
    """The private conversation of one answering organisation with the announcing one."""

    __tablename__ = "partner_thread"
    __table_args__ = (UniqueConstraint("partner_call_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    partner_call_id: Mapped[int] = mapped_column(
        ForeignKey("partner_call.id", ondelete="CASCADE"), index=True
    )
    # The answering organisation (the announcing one is partner_call.organisation).
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    last_message_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # When each side last read the thread (unread = a message after it).
    caller_read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    answerer_read_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    partner_call: Mapped[PartnerCall] = relationship(back_populates="threads")
    organisation: Mapped[Organisation] = relationship()
    messages: Mapped[list[PartnerMessage]] = relationship(
        back_populates="thread", cascade="all, delete-orphan", order_by="PartnerMessage.id"
    )


class PartnerMessage(db.Model):
    __tablename__ = "partner_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    thread_id: Mapped[int] = mapped_column(
        ForeignKey("partner_thread.id", ondelete="CASCADE"), index=True
    )
    # The organisation the author wrote for (one of the two).
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    thread: Mapped[PartnerThread] = relationship(back_populates="messages")
    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
