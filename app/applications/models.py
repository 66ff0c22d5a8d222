"""Applications: the lead's working copy, staff cost lines, partners, linked service models,
attachments and immutable revisions. (Re-exported by app.calls.models.)

Money is integer cents (BigInteger). Quantities with decimals (months, FTE share, hours) are
integers scaled by 100 (`months_centi` 650 = 6.50 months), exposed as Decimal properties, so
no float is ever stored or computed.
"""

from __future__ import annotations

import enum
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    BigInteger,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

# The states, their transitions and the editable/decided sets are declared in states.py; the
# names stay importable from here.
from app.applications.states import DECIDED_STATES, EDITABLE_STATES, ApplicationState
from app.auth.models import User
from app.calls.models import Call
from app.core.db import UtcDateTime, string_enum, utcnow
from app.core.uploads import StoredFileColumns
from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.partnership import PartnerInvitation, PartnerState


class StaffCostKind(enum.StrEnum):
    monthly = "monthly"  # months x FTE share x monthly salary
    hourly = "hourly"  # hours x annual salary / 1,720 h


class PartnerKind(enum.StrEnum):
    """What a partner organisation is in a (group) project."""

    co_implementer = "co_implementer"  # osatoteuttaja: own staff lines, flat rate, plan
    cooperation = "cooperation"  # yhteistyökumppani (an employer, say): takes no money


class Application(db.Model):
    """An application by a lead organisation to one call: the working copy of its content."""

    __tablename__ = "application"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[ApplicationState] = mapped_column(
        string_enum(ApplicationState, "application_state"),
        default=ApplicationState.draft,
        index=True,
    )
    project_name: Mapped[str] = mapped_column(String(200), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    background: Mapped[str] = mapped_column(Text, default="")
    target_group: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    employer_cooperation: Mapped[str] = mapped_column(Text, default="")
    expected_results: Mapped[str] = mapped_column(Text, default="")
    dissemination: Mapped[str] = mapped_column(Text, default="")
    horizontal_principles: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[date | None] = mapped_column(Date)
    end_date: Mapped[date | None] = mapped_column(Date)
    target_participants: Mapped[int | None] = mapped_column(Integer)
    target_employed: Mapped[int | None] = mapped_column(Integer)
    target_business_started: Mapped[int | None] = mapped_column(Integer)
    target_in_education: Mapped[int | None] = mapped_column(Integer)
    # The funding plan, in cents.
    support_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    municipal_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    other_public_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    private_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    # Own funding: `own_cents` is the private part, `own_public_cents` the public part.
    own_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    own_public_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # Outside the 40 % flat rate: participants' wages and allowances (added to the total
    # eligible cost) and the project's revenue (deducted from it).
    participant_costs_cents: Mapped[int] = mapped_column(BigInteger, default=0,
                                                         server_default="0")
    revenue_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    # One staff-cost model per application: every staff line is of this kind.
    staff_cost_model: Mapped[StaffCostKind] = mapped_column(
        string_enum(StaffCostKind, "application_staff_cost_model"),
        default=StaffCostKind.monthly, server_default=StaffCostKind.monthly.value,
    )
    # The funding authority's name as it was when the application was decided.
    authority_name: Mapped[str] = mapped_column(String(200), default="", server_default="")

    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    first_submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    submitted_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    revision_count: Mapped[int] = mapped_column(Integer, default=0)
    info_request: Mapped[str] = mapped_column(Text, default="")
    info_deadline: Mapped[datetime | None] = mapped_column(UtcDateTime)
    info_requested_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    granted_cents: Mapped[int | None] = mapped_column(BigInteger)
    decision_justification: Mapped[str] = mapped_column(Text, default="")
    # Optimistic locking: a save that raced with a submit (or another save) fails, not wins.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    # The version of each section's text ({"method": 3, ...}): an editor who saves a section
    # from an older version gets a conflict with both texts, not a silent overwrite. The row's
    # lock_version makes the database refuse the second of two saves from one version.
    section_versions: Mapped[dict] = mapped_column(JSON, default=dict, server_default="{}")

    __mapper_args__ = {"version_id_col": lock_version}

    call: Mapped[Call] = relationship()
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    staff_lines: Mapped[list[StaffLine]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="(StaffLine.position, StaffLine.id)",
    )
    partners: Mapped[list[ApplicationPartner]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="ApplicationPartner.id",
    )
    practice_links: Mapped[list[ApplicationPractice]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="ApplicationPractice.id",
    )
    attachments: Mapped[list[ApplicationAttachment]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="ApplicationAttachment.id",
    )
    outcome_plans: Mapped[list[OutcomePlan]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="OutcomePlan.id",
    )
    voucher_offer: Mapped[VoucherOffer | None] = relationship(
        back_populates="application", cascade="all, delete-orphan", uselist=False,
    )

    @property
    def is_editable(self) -> bool:
        return self.state in EDITABLE_STATES

    @property
    def is_decided(self) -> bool:
        return self.state in DECIDED_STATES

    @property
    def accepted_partners(self) -> list[ApplicationPartner]:
        return [p for p in self.partners if p.state == PartnerState.accepted]

    @property
    def pending_partners(self) -> list[ApplicationPartner]:
        return [p for p in self.partners if p.state == PartnerState.invited]

    @property
    def plan(self) -> dict[str, int]:
        """The lead's own part of the funding plan (the whole plan when nobody co-implements)."""
        return {name: getattr(self, f"{name}_cents") or 0 for name in PLAN_FIELDS}

    @property
    def co_implementers(self) -> list[ApplicationPartner]:
        """Accepted co-implementers: each has its own part of the budget."""
        return [p for p in self.accepted_partners if p.is_co_implementer]

    @property
    def requested_support_cents(self) -> int:
        """The support applied for by the project: the lead's and every co-implementer's."""
        return (self.support_cents or 0) + sum(p.support_cents or 0
                                               for p in self.co_implementers)

    @property
    def group_plan(self) -> dict[str, int]:
        """The project's funding plan: the lead's part plus every co-implementer's."""
        plan = dict(self.plan)
        for partner in self.co_implementers:
            for name, cents in partner.plan.items():
                plan[name] = plan.get(name, 0) + cents
        return plan

    def __repr__(self) -> str:
        return f"<Application {self.id} {self.project_name!r} {self.state}>"


PLAN_FIELDS = ("support", "municipal", "other_public", "own_public", "private", "own")


class StaffLine(db.Model):
    """One staff cost line of an application's budget."""

    __tablename__ = "application_staff_line"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    role: Mapped[str] = mapped_column(String(200), default="")
    kind: Mapped[StaffCostKind] = mapped_column(
        string_enum(StaffCostKind, "staff_cost_kind"), default=StaffCostKind.monthly
    )
    months_centi: Mapped[int | None] = mapped_column(Integer)  # months x 100
    fte_centi: Mapped[int | None] = mapped_column(Integer)  # FTE percent x 100 (10000 = 100 %)
    monthly_salary_cents: Mapped[int | None] = mapped_column(BigInteger)
    hours_centi: Mapped[int | None] = mapped_column(BigInteger)  # hours x 100
    annual_salary_cents: Mapped[int | None] = mapped_column(BigInteger)
    # The co-implementer whose part the line belongs to; None is the lead's own part.
    partner_id: Mapped[int | None] = mapped_column(
        ForeignKey("application_partner.id", ondelete="CASCADE"), index=True
    )

    application: Mapped[Application] = relationship(back_populates="staff_lines")
    partner: Mapped[ApplicationPartner | None] = relationship(back_populates="staff_lines")

    @property
    def months(self) -> Decimal | None:
        return _scaled(self.months_centi)

    @property
    def fte_percent(self) -> Decimal | None:
        return _scaled(self.fte_centi)

    @property
    def hours(self) -> Decimal | None:
        return _scaled(self.hours_centi)

    @property
    def cost_cents(self) -> int:
        from app.calls import budget

        return budget.line_cost(self)


def _scaled(value: int | None) -> Decimal | None:
    return None if value is None else Decimal(value).scaleb(-2)


class ApplicationPartner(PartnerInvitation, db.Model):
    """A partner organisation: a co-implementer (osatoteuttaja) with its own staff lines, flat
    rate and funding plan, summed into the project's, or a cooperation partner that takes no
    money. It counts only once it has accepted."""

    __tablename__ = "application_partner"
    __table_args__ = (UniqueConstraint("application_id", "organisation_id"),)
    partner_state_type = "application_partner_state"
    partner_state_length = 24

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    role_description: Mapped[str] = mapped_column(Text, default="")
    responded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    kind: Mapped[PartnerKind] = mapped_column(
        string_enum(PartnerKind, "application_partner_kind"),
        default=PartnerKind.co_implementer, server_default=PartnerKind.co_implementer.value,
    )
    # A co-implementer's own funding plan and lines outside the flat rate, in cents (the
    # same meaning as the application's columns of the same names).
    support_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    municipal_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    other_public_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    own_public_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    private_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    own_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    participant_costs_cents: Mapped[int] = mapped_column(BigInteger, default=0,
                                                         server_default="0")
    revenue_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")

    application: Mapped[Application] = relationship(back_populates="partners")
    staff_lines: Mapped[list[StaffLine]] = relationship(
        back_populates="partner", order_by="(StaffLine.position, StaffLine.id)",
        overlaps="staff_lines",
    )

    @property
    def is_co_implementer(self) -> bool:
        return self.kind == PartnerKind.co_implementer

    @property
    def plan(self) -> dict[str, int]:
        return {name: getattr(self, f"{name}_cents") or 0 for name in PLAN_FIELDS}


class ApplicationPractice(db.Model):
    """A published service model the project builds on."""

    __tablename__ = "application_practice"
    __table_args__ = (UniqueConstraint("application_id", "practice_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )

    application: Mapped[Application] = relationship(back_populates="practice_links")
    practice = relationship("Practice")


class OutcomePlan(db.Model):
    """Outcome-based calls: how many outcomes of one fee-table row the applicant plans; the
    fee budget is the sum of count x fee."""

    __tablename__ = "application_outcome_plan"
    __table_args__ = (UniqueConstraint("application_id", "fee_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    fee_id: Mapped[int] = mapped_column(
        ForeignKey("call_outcome_fee.id", ondelete="CASCADE"), index=True
    )
    count: Mapped[int] = mapped_column(Integer, default=0)

    application: Mapped[Application] = relationship(back_populates="outcome_plans")
    fee = relationship("OutcomeFee")


class VoucherOffer(db.Model):
    """Service-voucher calls: what a provider applying to be approved offers. Once the
    application is approved the provider is in the pilot's public provider registry."""

    __tablename__ = "voucher_offer"

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), unique=True
    )
    # Plain-language description for jobseekers: what the service is and how it works.
    service: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    languages: Mapped[list] = mapped_column(JSON, default=list)  # fi / sv / en / other codes
    locations: Mapped[str] = mapped_column(Text, default="")  # towns, addresses, remote
    regions: Mapped[list] = mapped_column(JSON, default=list)  # MKnn codes served
    capacity: Mapped[int | None] = mapped_column(Integer)  # jobseekers at a time
    accessibility: Mapped[str] = mapped_column(Text, default="")
    contact: Mapped[str] = mapped_column(String(300), default="")

    application: Mapped[Application] = relationship(back_populates="voucher_offer")


class ApplicationAttachment(StoredFileColumns, db.Model):
    __tablename__ = "application_attachment"

    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )

    application: Mapped[Application] = relationship(back_populates="attachments")


class ApplicationRevision(db.Model):
    """An immutable JSON snapshot of everything, made at each submission and supplement."""

    __tablename__ = "application_revision"
    __table_args__ = (UniqueConstraint("application_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    kind: Mapped[str] = mapped_column(String(20))  # "submission" or "supplement"
    content: Mapped[dict] = mapped_column(JSON)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()


@event.listens_for(ApplicationRevision, "before_update")
def _revisions_are_immutable(mapper, connection, target) -> None:
    raise ValueError("an application revision is immutable")


def section_version(application: Application, key: str) -> int:
    """The version of one section's text (0 before its first save)."""
    return int((application.section_versions or {}).get(key, 0))
