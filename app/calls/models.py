"""Funding calls and their selection criteria. Money is integer cents (BigInteger).

The application models are in app/applications/models.py.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    String,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core import clock
from app.core.db import UtcDateTime, string_enum, utcnow
from app.core.uploads import StoredFileColumns
from app.extensions import db
from app.organisations.models import Organisation


class CallState(enum.StrEnum):
    draft = "draft"
    published = "published"


class CallPhase(enum.StrEnum):
    """What the clock makes of a published call (a draft is always `draft`)."""

    draft = "draft"
    upcoming = "upcoming"
    open = "open"
    closed = "closed"


class FundingModel(enum.StrEnum):
    grant = "grant"
    outcome_based = "outcome_based"
    service_voucher = "service_voucher"


class Filing(enum.StrEnum):
    """Where the official application is filed."""

    platform = "platform"  # submitted and decided here
    eura2021 = "eura2021"  # filed in EURA 2021; prepared (and partners found) here


class CriterionKind(enum.StrEnum):
    general = "general"
    content = "content"
    horizontal = "horizontal"
    call_specific = "call_specific"


# The scale maximum of each kind; None is pass/fail (no weight, no score).
SCALE_MAX = {
    CriterionKind.general: None,
    CriterionKind.content: 5,
    CriterionKind.horizontal: 3,
    CriterionKind.call_specific: 5,
}

LANGS = ("fi", "sv", "en")


class Call(db.Model):
    """A call for applications (hakuaika) run by one ELY-centre."""

    __tablename__ = "funding_call"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    state: Mapped[CallState] = mapped_column(
        string_enum(CallState, "call_state"), default=CallState.draft, index=True
    )
    title_fi: Mapped[str] = mapped_column(String(200), default="")
    title_sv: Mapped[str] = mapped_column(String(200), default="")
    title_en: Mapped[str] = mapped_column(String(200), default="")
    description_fi: Mapped[str] = mapped_column(Text, default="")
    description_sv: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    theme: Mapped[str] = mapped_column(String(200), default="")
    opens_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    closes_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    total_budget_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    max_support_percent: Mapped[int] = mapped_column(Integer, default=80)
    eligible_types: Mapped[list] = mapped_column(JSON, default=list)
    funding_model: Mapped[FundingModel] = mapped_column(
        string_enum(FundingModel, "funding_model"), default=FundingModel.grant
    )
    outcome_fee_cents: Mapped[int | None] = mapped_column(BigInteger)
    min_employment_months: Mapped[int | None] = mapped_column(Integer)
    report_interval_months: Mapped[int] = mapped_column(Integer, default=6)
    final_report: Mapped[bool] = mapped_column(Boolean, default=True)
    # The advance paid when a project starts, as a percentage of its support (at most 30);
    # it is deducted from the project's payment claims.
    advance_percent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    # The authority's name as it was when the call was made (kept when it is renamed).
    authority_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    # Territory: the regions (MKnn codes) whose organisations may apply; empty is national.
    regions: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # The maximum support share by organisation type ({"municipality": 70}); other types
    # have max_support_percent.
    support_percent_by_type: Mapped[dict] = mapped_column(JSON, default=dict,
                                                          server_default="{}")
    contact_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="", server_default="")
    contact_phone: Mapped[str] = mapped_column(String(40), default="", server_default="")
    filing: Mapped[Filing] = mapped_column(
        string_enum(Filing, "call_filing"), default=Filing.platform,
        server_default=Filing.platform.value,
    )
    # Service-voucher calls: the value of one voucher, the length of the service, and the
    # target groups (codes) the vouchers are for.
    voucher_value_cents: Mapped[int | None] = mapped_column(BigInteger)
    service_months: Mapped[int | None] = mapped_column(Integer)
    voucher_target_groups: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    # Review: the presenting officer (esittelijä, a call manager) and the decision maker
    # (ratkaisija, another call manager or the centre's owner); reviews are due by
    # reviews_due_at; once reviewing is closed no review can be reopened or changed.
    presenting_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decision_maker_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    reviews_due_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    reviewing_closed_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    organisation: Mapped[Organisation] = relationship()
    presenting_officer = relationship("User", foreign_keys=[presenting_officer_id])
    decision_maker = relationship("User", foreign_keys=[decision_maker_id])
    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan",
        order_by="(Criterion.position, Criterion.id)",
    )
    fees: Mapped[list[OutcomeFee]] = relationship(
        back_populates="call", cascade="all, delete-orphan",
        order_by="(OutcomeFee.position, OutcomeFee.id)",
    )
    documents: Mapped[list[CallDocument]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="CallDocument.id",
    )
    info_sessions: Mapped[list[CallInfoSession]] = relationship(
        back_populates="call", cascade="all, delete-orphan",
        order_by="(CallInfoSession.starts_at, CallInfoSession.id)",
    )

    def support_percent_for(self, organisation_type: str | None) -> int:
        """The maximum support share (percent) for an organisation of this type."""
        by_type = self.support_percent_by_type or {}
        if organisation_type in by_type:
            return int(by_type[organisation_type])
        return int(self.max_support_percent)

    @property
    def is_national(self) -> bool:
        return not self.regions

    @property
    def authority_label(self) -> str:
        """The authority's name as it was when the call was made."""
        return self.authority_name or self.organisation.name

    def phase(self, now: datetime | None = None) -> CallPhase:
        """draft, or upcoming/open/closed by the clock. Open means opens_at <= now < closes_at."""
        if self.state == CallState.draft or self.opens_at is None or self.closes_at is None:
            return CallPhase.draft
        now = clock.resolve(now)
        if now < self.opens_at:
            return CallPhase.upcoming
        if now < self.closes_at:
            return CallPhase.open
        return CallPhase.closed

    def is_open(self, now: datetime | None = None) -> bool:
        return self.phase(now) == CallPhase.open

    def has_opened(self, now: datetime | None = None) -> bool:
        return self.phase(now) in (CallPhase.open, CallPhase.closed)

    def title(self, language: str = "fi") -> str:
        """The title in `language`, falling back to Finnish, Swedish, English."""
        return _in_language(self, "title", language)

    def description(self, language: str = "fi") -> str:
        return _in_language(self, "description", language)

    def title_language(self, language: str = "fi") -> str:
        """The language the shown title is actually written in (for lang attributes)."""
        for lang in (language, *LANGS):
            if getattr(self, f"title_{lang}", ""):
                return lang
        return "fi"

    def description_language(self, language: str = "fi") -> str:
        """The language the shown description is actually written in (for lang attributes)."""
        for lang in (language, *LANGS):
            if getattr(self, f"description_{lang}", ""):
                return lang
        return "fi"

    @property
    def files_in_eura(self) -> bool:
        """The official application is filed in EURA 2021 (prepared here)."""
        return self.filing == Filing.eura2021

    @property
    def scored_criteria(self) -> list[Criterion]:
        return [c for c in self.criteria if c.is_scored]

    @property
    def weight_total(self) -> int:
        return sum(c.weight for c in self.scored_criteria)

    def __repr__(self) -> str:
        return f"<Call {self.id} {self.title_fi!r} {self.state}>"


class CallDocument(StoredFileColumns, db.Model):
    """A call document: the official call notice (kind "notice") or another attachment."""

    __tablename__ = "call_document"

    call_id: Mapped[int] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(20), default="notice")
    title: Mapped[str] = mapped_column(String(200), default="")
    language: Mapped[str] = mapped_column(String(2), default="fi")

    call: Mapped[Call] = relationship(back_populates="documents")


class CallInfoSession(db.Model):
    """An information session on the call (time in UTC, shown in Europe/Helsinki)."""

    __tablename__ = "call_info_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    starts_at: Mapped[datetime] = mapped_column(UtcDateTime)
    ends_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    place: Mapped[str] = mapped_column(String(300), default="")
    url: Mapped[str] = mapped_column(String(500), default="")
    description: Mapped[str] = mapped_column(String(500), default="")

    call: Mapped[Call] = relationship(back_populates="info_sessions")


def _in_language(obj, name: str, language: str) -> str:
    for lang in (language, *LANGS):
        value = getattr(obj, f"{name}_{lang}", "")
        if value:
            return value
    return ""


class Criterion(db.Model):
    """A selection criterion. Scored kinds carry an integer weight in percent."""

    __tablename__ = "call_criterion"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    kind: Mapped[CriterionKind] = mapped_column(string_enum(CriterionKind, "criterion_kind"))
    title: Mapped[str] = mapped_column(String(300), default="")
    guidance: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[int] = mapped_column(Integer, default=0)

    call: Mapped[Call] = relationship(back_populates="criteria")

    @property
    def is_scored(self) -> bool:
        return SCALE_MAX[self.kind] is not None

    @property
    def scale_max(self) -> int | None:
        return SCALE_MAX[self.kind]


class OutcomeType(enum.StrEnum):
    employment = "employment"  # employment lasting at least `min_months`
    business = "business"  # business started
    education = "education"  # education or training started
    other = "other"


MAX_ADVANCE_PERCENT = 30


class OutcomeFee(db.Model):
    """One row of an outcome-based call's fee table: the fee for one outcome type, paid in
    stages (`stages`: [{"label": "...", "percent": 30}, ...], percents summing to 100; no
    stages means the whole fee at once)."""

    __tablename__ = "call_outcome_fee"

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(
        ForeignKey("funding_call.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    outcome_type: Mapped[OutcomeType] = mapped_column(string_enum(OutcomeType, "outcome_type"))
    label: Mapped[str] = mapped_column(String(200), default="")
    min_months: Mapped[int | None] = mapped_column(Integer)
    fee_cents: Mapped[int] = mapped_column(BigInteger, default=0)
    stages: Mapped[list] = mapped_column(JSON, default=list)

    call: Mapped[Call] = relationship(back_populates="fees")

    @property
    def stage_list(self) -> list[dict]:
        """The stages, or one stage of 100 % when the fee is paid at once."""
        return list(self.stages) or [{"label": "", "percent": 100}]
