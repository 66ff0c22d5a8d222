"""Events: information sessions, networking meetings and trainings an organisation publishes,
with registration and a waiting list."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UtcDateTime, string_enum, utcnow
from app.extensions import db
from app.organisations.models import Organisation


class EventKind(enum.StrEnum):
    info_session = "info_session"  # of a funding call or a voucher pilot
    networking = "networking"
    training = "training"
    other = "other"


class EventFormat(enum.StrEnum):
    online = "online"
    in_person = "in_person"
    hybrid = "hybrid"


class EventState(enum.StrEnum):
    draft = "draft"
    published = "published"
    cancelled = "cancelled"


class Event(db.Model):
    """Times are stored in UTC and shown in Europe/Helsinki. `capacity` None: no limit."""

    __tablename__ = "event"
    __table_args__ = (Index("ix_event_state_starts", "state", "starts_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    kind: Mapped[EventKind] = mapped_column(string_enum(EventKind, "event_kind", length=16))
    title: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime, index=True)
    ends_at: Mapped[datetime] = mapped_column(UtcDateTime)
    format: Mapped[EventFormat] = mapped_column(
        string_enum(EventFormat, "event_format", length=12)
    )
    place: Mapped[str] = mapped_column(String(300), default="")  # address, in person
    online_url: Mapped[str] = mapped_column(String(500), default="")  # link, online
    capacity: Mapped[int | None] = mapped_column(Integer)
    languages: Mapped[list] = mapped_column(JSON, default=list)  # codes: fi, sv, en, ...
    accessibility: Mapped[str] = mapped_column(Text, default="")
    registration_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    call_id: Mapped[int | None] = mapped_column(
        ForeignKey("funding_call.id", ondelete="SET NULL"), index=True
    )
    practice_id: Mapped[int | None] = mapped_column(
        ForeignKey("practice.id", ondelete="SET NULL"), index=True
    )
    state: Mapped[EventState] = mapped_column(
        string_enum(EventState, "event_state", length=12), default=EventState.draft
    )
    # When it was first made public (a draft made weeks ago is news when published: the
    # followers' What's new and digest date events by this).
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    cancel_reason: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Optimistic lock for edits; also the iCalendar SEQUENCE of the event.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()
    registrations: Mapped[list[EventRegistration]] = relationship(
        back_populates="event", cascade="all, delete-orphan", order_by="EventRegistration.id"
    )


class RegistrationState(enum.StrEnum):
    unconfirmed = "unconfirmed"  # signed up with name and e-mail; the link not yet followed
    confirmed = "confirmed"  # has a place
    waiting = "waiting"  # on the waiting list (ordered by queued_at, then id)
    cancelled = "cancelled"


class EventRegistration(db.Model):
    """One person's registration. A signed-in person has `user_id`; anyone else confirms
    with the link mailed to `email`. The token (stored as its hash) confirms and cancels."""

    __tablename__ = "event_registration"
    __table_args__ = (
        UniqueConstraint("event_id", "email"),
        Index("ix_event_registration_event_state", "event_id", "state", "queued_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("event.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    name: Mapped[str] = mapped_column(String(200))
    email: Mapped[str] = mapped_column(String(254))  # lower-cased
    organisation_name: Mapped[str] = mapped_column(String(200), default="")
    needs: Mapped[str] = mapped_column(String(1000), default="")  # diet, accessibility
    language: Mapped[str] = mapped_column(String(5), default="fi")  # of the mails
    state: Mapped[RegistrationState] = mapped_column(
        string_enum(RegistrationState, "registration_state", length=12)
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    # When the person joined the queue for a place (confirmation time for an unconfirmed one).
    queued_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    confirmed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    promoted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)  # from the waiting list
    cancelled_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    event: Mapped[Event] = relationship(back_populates="registrations")
    user: Mapped[User | None] = relationship()
