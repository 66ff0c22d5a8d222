"""Funded projects: an approved application's project, its progress reports (aggregated
counts only: no personal data about jobseekers is ever stored), their immutable revisions,
and the payment claims (maksatushakemus) filed with them. Money is integer cents.

A project's id is its application's id, so that the API's project ids, the application page
and the project page all name one project with one number.
"""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.applications.models import Application, StaffLine
from app.auth.models import User
from app.calls.models import Call
from app.core.db import UtcDateTime, string_enum, utcnow
from app.extensions import db
from app.organisations.models import Organisation


class ProjectState(enum.StrEnum):
    running = "running"
    final_report_due = "final_report_due"
    closed = "closed"


class ReportState(enum.StrEnum):
    draft = "draft"  # scheduled; the project writes it (empty until someone does)
    submitted = "submitted"
    returned = "returned"  # the ELY-centre asked for corrections
    accepted = "accepted"


class ClaimState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    approved = "approved"


class ClaimLineKind(enum.StrEnum):
    monthly = "monthly"  # months x FTE share x monthly salary, as the approved line
    hourly = "hourly"  # hours x the approved annual salary / 1,720 h
    outcome = "outcome"  # count x the fee of one outcome type and stage


class Project(db.Model):
    """An approved application, as a project: the figures the decision approved are copied
    here so that the project keeps them whatever happens to the application afterwards."""

    __tablename__ = "project"

    id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), primary_key=True, autoincrement=False
    )
    call_id: Mapped[int] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    starts_on: Mapped[date] = mapped_column(Date)
    ends_on: Mapped[date] = mapped_column(Date)
    granted_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    approved_cost_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # Support share of the eligible cost in hundredths of a percent (8000 = 80.00 %).
    support_basis_points: Mapped[int] = mapped_column(Integer, default=0)
    advance_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)

    application: Mapped[Application] = relationship()
    call: Mapped[Call] = relationship()
    organisation: Mapped[Organisation] = relationship()
    reports: Mapped[list[Report]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Report.number"
    )

    @property
    def name(self) -> str:
        return self.application.project_name

    def state(self, today: date) -> ProjectState:
        if self.closed_at is not None:
            return ProjectState.closed
        if today > self.ends_on:
            return ProjectState.final_report_due
        return ProjectState.running

    def __repr__(self) -> str:
        return f"<Project {self.id}>"


class Report(db.Model):
    """One progress report of the schedule (the last one is the final report). `figures`
    holds the aggregated counts (app/projects/indicators.py names them); `outcomes` the
    outcome-based claims {"<fee id>:<stage index>": count}; `vouchers` the service-voucher
    figures; `comments` the ELY-centre's comments per section when it returned the report."""

    __tablename__ = "progress_report"
    __table_args__ = (UniqueConstraint("project_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    is_final: Mapped[bool] = mapped_column(Boolean, default=False)
    period_start: Mapped[date] = mapped_column(Date)
    period_end: Mapped[date] = mapped_column(Date)
    due_on: Mapped[date] = mapped_column(Date, index=True)
    state: Mapped[ReportState] = mapped_column(
        string_enum(ReportState, "report_state"), default=ReportState.draft, index=True
    )
    done: Mapped[str] = mapped_column(Text, default="")
    changed: Mapped[str] = mapped_column(Text, default="")
    problems: Mapped[str] = mapped_column(Text, default="")
    next_steps: Mapped[str] = mapped_column(Text, default="")
    figures: Mapped[dict] = mapped_column(JSON, default=dict)
    outcomes: Mapped[dict] = mapped_column(JSON, default=dict)
    vouchers: Mapped[dict] = mapped_column(JSON, default=dict)
    comments: Mapped[dict] = mapped_column(JSON, default=dict)
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    returned_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    handled_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    # reminders already mailed ({"before": "2026-12-01", "after": ...}): run twice, mail once
    reminders: Mapped[dict] = mapped_column(JSON, default=dict)
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    project: Mapped[Project] = relationship(back_populates="reports")
    claim: Mapped[PaymentClaim | None] = relationship(
        back_populates="report", cascade="all, delete-orphan", uselist=False
    )
    revisions: Mapped[list[ReportRevision]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="ReportRevision.number"
    )

    @property
    def is_editable(self) -> bool:
        return self.state in (ReportState.draft, ReportState.returned)

    def is_overdue(self, today: date) -> bool:
        return self.state in (ReportState.draft, ReportState.returned) and today > self.due_on

    def __repr__(self) -> str:
        return f"<Report {self.project_id}/{self.number} {self.state}>"


class ReportRevision(db.Model):
    """An immutable JSON snapshot of a report (and its claim), made at each submission."""

    __tablename__ = "progress_report_revision"
    __table_args__ = (UniqueConstraint("report_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_report.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="revisions")
    created_by: Mapped[User | None] = relationship()


@event.listens_for(ReportRevision, "before_update")
def _report_revisions_are_immutable(mapper, connection, target) -> None:
    raise ValueError("a report revision is immutable")


class PaymentClaim(db.Model):
    """The payment claim (maksatushakemus) filed with one report. The amounts are computed
    by app/projects/claims.py and stored when the claim is submitted and approved."""

    __tablename__ = "payment_claim"

    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("progress_report.id", ondelete="CASCADE"), unique=True
    )
    project_id: Mapped[int] = mapped_column(
        ForeignKey("project.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[ClaimState] = mapped_column(
        string_enum(ClaimState, "claim_state"), default=ClaimState.draft, index=True
    )
    claimed_eligible_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    claimed_support_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    approved_eligible_cents: Mapped[int | None] = mapped_column(BigInteger)
    approved_support_cents: Mapped[int | None] = mapped_column(BigInteger)
    advance_deducted_cents: Mapped[int | None] = mapped_column(BigInteger)
    payable_cents: Mapped[int | None] = mapped_column(BigInteger)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    approved_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    approved_by_name: Mapped[str] = mapped_column(String(200), default="")
    lock_version: Mapped[int] = mapped_column(Integer, default=1)

    __mapper_args__ = {"version_id_col": lock_version}

    report: Mapped[Report] = relationship(back_populates="claim")
    project: Mapped[Project] = relationship()
    lines: Mapped[list[ClaimLine]] = relationship(
        back_populates="claim", cascade="all, delete-orphan",
        order_by="(ClaimLine.position, ClaimLine.id)",
    )


class ClaimLine(db.Model):
    """One line of a claim: an approved staff line's costs for the period (monthly or hourly,
    as approved), or a count of outcomes of one type and stage. The authority may approve
    less than was claimed, with a reason."""

    __tablename__ = "payment_claim_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    claim_id: Mapped[int] = mapped_column(
        ForeignKey("payment_claim.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[ClaimLineKind] = mapped_column(string_enum(ClaimLineKind, "claim_line_kind"))
    staff_line_id: Mapped[int | None] = mapped_column(
        ForeignKey("application_staff_line.id", ondelete="SET NULL")
    )
    label: Mapped[str] = mapped_column(String(300), default="")
    months_centi: Mapped[int | None] = mapped_column(Integer)
    fte_centi: Mapped[int | None] = mapped_column(Integer)
    monthly_salary_cents: Mapped[int | None] = mapped_column(BigInteger)
    hours_centi: Mapped[int | None] = mapped_column(BigInteger)
    annual_salary_cents: Mapped[int | None] = mapped_column(BigInteger)
    fee_id: Mapped[int | None] = mapped_column(
        ForeignKey("call_outcome_fee.id", ondelete="SET NULL")
    )
    stage: Mapped[int | None] = mapped_column(Integer)
    count: Mapped[int | None] = mapped_column(Integer)
    unit_fee_cents: Mapped[int | None] = mapped_column(BigInteger)
    claimed_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    approved_cents: Mapped[int | None] = mapped_column(BigInteger)
    cut_reason: Mapped[str] = mapped_column(Text, default="")

    claim: Mapped[PaymentClaim] = relationship(back_populates="lines")
    staff_line: Mapped[StaffLine | None] = relationship()
