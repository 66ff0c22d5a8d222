"""Questions on published service models: a member of a verified organisation asks, the
owner organisation answers; answered threads are public under the model."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Boolean, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UtcDateTime, utcnow
from app.extensions import db
from app.organisations.models import Organisation
from app.practices.models import Practice


class Question(db.Model):
    """One question thread on a model. `answered_at` is set by the owner's first answer."""

    __tablename__ = "practice_question"
    __table_args__ = (Index("ix_practice_question_practice_answered", "practice_id",
                            "answered_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    # The organisation the asker wrote for, and the asker.
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    title: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    answered_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    last_message_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    practice: Mapped[Practice] = relationship()
    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship()
    messages: Mapped[list[QuestionMessage]] = relationship(
        back_populates="question", cascade="all, delete-orphan", order_by="QuestionMessage.id"
    )


class QuestionMessage(db.Model):
    """The question's text (first message), answers and follow-ups. A hidden message keeps
    its row (for the audit) and shows only that it was hidden, with the reason."""

    __tablename__ = "practice_question_message"

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(
        ForeignKey("practice_question.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    author_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # Written for the owner organisation of the model (an answer).
    is_answer: Mapped[bool] = mapped_column(Boolean, default=False)
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    hidden_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    hidden_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    hidden_reason: Mapped[str] = mapped_column(String(500), default="")

    question: Mapped[Question] = relationship(back_populates="messages")
    organisation: Mapped[Organisation] = relationship()
    author: Mapped[User | None] = relationship(foreign_keys=[author_id])
    hidden_by: Mapped[User | None] = relationship(foreign_keys=[hidden_by_id])
