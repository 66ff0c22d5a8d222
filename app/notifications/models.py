"""In-app notifications and each person's choice of mail per kind."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.core.db import UtcDateTime, string_enum, utcnow
from app.extensions import db


class NotificationKind(enum.StrEnum):
    reviewer_assigned = "reviewer_assigned"
    review_due = "review_due"
    application_submitted = "application_submitted"  # submitted or resubmitted (supplemented)
    info_requested = "info_requested"
    decision_proposed = "decision_proposed"
    decision_made = "decision_made"
    partner_invitation = "partner_invitation"
    report_submitted = "report_submitted"  # to the ELY-centre: a report (and claim) to handle
    report_handled = "report_handled"  # to the project: accepted, returned, claim approved
    report_due = "report_due"  # to the project: a report is due soon or overdue
    partner_call_answered = "partner_call_answered"  # to the caller: a first answer
    partner_message = "partner_message"  # to the other organisation of a partner thread
    event_place_confirmed = "event_place_confirmed"  # moved up from an event's waiting list
    question_asked = "question_asked"  # to a model's owner: a question or a follow-up
    question_answered = "question_answered"  # to the asker: the owner answered


class Notification(db.Model):
    """One notice to one person. The text is made from `kind` and `params` when shown, in the
    reader's language; `url` is where it leads."""

    __tablename__ = "notification"
    # The header's unread count: WHERE user_id = ? AND read_at IS NULL.
    __table_args__ = (Index("ix_notification_user_unread", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NotificationKind] = mapped_column(
        string_enum(NotificationKind, "notification_kind", length=32)
    )
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    url: Mapped[str] = mapped_column(String(500), default="")
    # What it is about ("application", 12), so that it can be withheld from someone who may
    # no longer see it (a reviewer who declared a conflict).
    subject_type: Mapped[str | None] = mapped_column(String(40))
    subject_id: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    read_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)


class NotificationPreference(db.Model):
    """Whether a person wants mail for one kind (in-app notices always appear). No row: mail."""

    __tablename__ = "notification_preference"
    __table_args__ = (UniqueConstraint("user_id", "kind"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[NotificationKind] = mapped_column(
        string_enum(NotificationKind, "notification_pref_kind", length=32)
    )
    mail: Mapped[bool] = mapped_column(Boolean, default=True)
