"""Review of applications by the ELY-centre: assignments of reviewers with their declaration of
(no) conflict of interest, the scores per criterion, and the decision proposal that the
presenting officer (esittelijä) makes and the decision maker (ratkaisija) confirms.

Money is integer cents; the support percentage is stored in hundredths of a percent.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application
from app.auth.models import User
from app.calls.models import Criterion
from app.core.db import UtcDateTime, string_enum, utcnow
from app.extensions import db


class Declaration(enum.StrEnum):
    pending = "pending"  # not yet declared: the reviewer sees only the title
    no_conflict = "no_conflict"
    conflict = "conflict"


class ConflictGround(enum.StrEnum):
    """The grounds of the Administrative Procedure Act 434/2003, section 28."""

    party_or_relative = "party_or_relative"  # party, or close relative of a party
    service_or_board = "service_or_board"  # in the service of, or on the board of, a party
    benefit_or_harm = "benefit_or_harm"  # can expect particular benefit or harm
    other = "other"  # another reason that endangers impartiality
    membership = "membership"  # automatic: member of the lead or of a partner organisation


class Recommendation(enum.StrEnum):
    fund = "fund"
    fund_with_conditions = "fund_with_conditions"
    do_not_fund = "do_not_fund"


class ReviewState(enum.StrEnum):
    """What a reviewer's list shows (derived, never stored)."""

    to_declare = "to_declare"
    conflicted = "conflicted"
    in_progress = "in_progress"
    submitted = "submitted"


class Review(db.Model):
    """One reviewer assigned to one application, and their review."""

    __tablename__ = "review"
    __table_args__ = (UniqueConstraint("application_id", "reviewer_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    call_id: Mapped[int] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    reviewer_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    assigned_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    assigned_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    due_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    reminded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    declaration: Mapped[Declaration] = mapped_column(
        string_enum(Declaration, "review_declaration"), default=Declaration.pending
    )
    conflict_ground: Mapped[ConflictGround | None] = mapped_column(
        string_enum(ConflictGround, "conflict_ground")
    )
    conflict_note: Mapped[str] = mapped_column(Text, default="")
    declared_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    recommendation: Mapped[Recommendation | None] = mapped_column(
        string_enum(Recommendation, "review_recommendation")
    )
    proposed_cents: Mapped[int | None] = mapped_column(BigInteger)
    overall_comment: Mapped[str] = mapped_column(Text, default="")
    # The application's revision this review scored (set when submitted).
    scored_revision: Mapped[int | None] = mapped_column(Integer)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    application: Mapped[Application] = relationship()
    reviewer: Mapped[User] = relationship(foreign_keys=[reviewer_id])
    assigned_by: Mapped[User | None] = relationship(foreign_keys=[assigned_by_id])
    scores: Mapped[list[ReviewScore]] = relationship(
        back_populates="review", cascade="all, delete-orphan", order_by="ReviewScore.id"
    )

    @property
    def is_submitted(self) -> bool:
        return self.submitted_at is not None

    def score_for(self, criterion_id: int) -> ReviewScore | None:
        return next((s for s in self.scores if s.criterion_id == criterion_id), None)

    def __repr__(self) -> str:
        return f"<Review {self.id} app={self.application_id} reviewer={self.reviewer_id}>"


class ReviewScore(db.Model):
    """The score (or pass/fail) and comment a review gives one criterion."""

    __tablename__ = "review_score"
    __table_args__ = (UniqueConstraint("review_id", "criterion_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    review_id: Mapped[int] = mapped_column(ForeignKey("review.id", ondelete="CASCADE"), index=True)
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("call_criterion.id", ondelete="CASCADE"), index=True
    )
    score: Mapped[int | None] = mapped_column(Integer)  # 0..scale max, scored kinds
    passed: Mapped[bool | None] = mapped_column(Boolean)  # general criteria
    comment: Mapped[str] = mapped_column(Text, default="")

    review: Mapped[Review] = relationship(back_populates="scores")
    criterion: Mapped[Criterion] = relationship()


class ProposalState(enum.StrEnum):
    proposed = "proposed"  # waiting for the decision maker
    returned = "returned"  # the decision maker sent it back to the presenting officer
    confirmed = "confirmed"  # the decision is made


class DecisionOutcome(enum.StrEnum):
    approved = "approved"
    rejected = "rejected"


class Decision(db.Model):
    """The presenting officer's proposal on one application and, once the decision maker has
    confirmed it, the decision. The names are kept as they were at the time."""

    __tablename__ = "decision"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    call_id: Mapped[int] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[ProposalState] = mapped_column(
        string_enum(ProposalState, "proposal_state"), default=ProposalState.proposed, index=True
    )
    outcome: Mapped[DecisionOutcome] = mapped_column(
        string_enum(DecisionOutcome, "decision_outcome")
    )
    granted_cents: Mapped[int | None] = mapped_column(BigInteger)
    approved_cost_cents: Mapped[int | None] = mapped_column(BigInteger)
    # support share of the approved eligible cost, in hundredths of a percent (8000 = 80.00 %)
    support_basis_points: Mapped[int | None] = mapped_column(Integer)
    # The approved funding plan ({"support": cents, "municipal": ..., ...}); sums to the cost.
    approved_plan: Mapped[dict | None] = mapped_column(db.JSON)
    conditions: Mapped[str] = mapped_column(Text, default="")
    eligible_from: Mapped[date | None] = mapped_column(Date)
    eligible_until: Mapped[date | None] = mapped_column(Date)
    justification: Mapped[str] = mapped_column(Text, default="")
    language: Mapped[str] = mapped_column(String(2), default="fi")
    proposed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    proposed_by_name: Mapped[str] = mapped_column(String(200), default="")
    proposed_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    returned_comment: Mapped[str] = mapped_column(Text, default="")
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_by_name: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    authority_name: Mapped[str] = mapped_column(String(200), default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    application: Mapped[Application] = relationship()
    proposed_by: Mapped[User | None] = relationship(foreign_keys=[proposed_by_id])
    decided_by: Mapped[User | None] = relationship(foreign_keys=[decided_by_id])

    @property
    def is_confirmed(self) -> bool:
        return self.state == ProposalState.confirmed

    @property
    def approves(self) -> bool:
        return self.outcome == DecisionOutcome.approved
