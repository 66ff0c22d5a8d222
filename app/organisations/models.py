"""Organisations and the people in them."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Boolean, Date, Enum, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UtcDateTime, utcnow
from app.extensions import db


class OrganisationStatus(enum.StrEnum):
    unverified = "unverified"
    verified = "verified"
    rejected = "rejected"


class Role(enum.StrEnum):
    owner = "owner"
    editor = "editor"
    member = "member"


ROLE_RANK = {Role.member: 1, Role.editor: 2, Role.owner: 3}


class JoinRequestState(enum.StrEnum):
    pending = "pending"
    approved = "approved"
    rejected = "rejected"


def _enum(cls, name):
    return Enum(cls, name=name, native_enum=False, length=20, validate_strings=True)


class Organisation(db.Model):
    """An organisation, or one unit of it: several units (a municipality's services, say) may
    share one Business ID, each with its own `unit_name` and page."""

    __tablename__ = "organisation"
    __table_args__ = (UniqueConstraint("business_id", "unit_name",
                                       name="uq_organisation_business_id_unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), index=True)
    business_id: Mapped[str] = mapped_column(String(9), index=True)
    # "" for the organisation itself; a unit's name otherwise (unique per Business ID).
    unit_name: Mapped[str] = mapped_column(String(200), default="", server_default="")
    type: Mapped[str] = mapped_column(String(30), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    website: Mapped[str] = mapped_column(String(300), default="")
    contact_email: Mapped[str] = mapped_column(String(254), default="")
    expertise: Mapped[str] = mapped_column(Text, default="")
    # Languages it serves people in (codes of app.core.codelists.SERVICE_LANGUAGES).
    languages: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    status: Mapped[OrganisationStatus] = mapped_column(
        _enum(OrganisationStatus, "organisation_status"), default=OrganisationStatus.unverified,
        index=True,
    )
    verified_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    verified_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    rejection_reason: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, onupdate=utcnow)
    # Being a funding authority (opening calls, reviewing, deciding) is a capability a platform
    # administrator grants, never a type or a name in code: authorities are renamed and
    # reorganised by reforms (ELY-centres -> elinvoimakeskukset in 2026).
    is_funding_authority: Mapped[bool] = mapped_column(Boolean, default=False,
                                                       server_default="0")
    # Lifecycle: valid from / to (ceased when valid_to has passed), the predecessor whose
    # tasks it took over, and the names it had before ([{"name": ..., "until": "YYYY-MM-DD"}]).
    valid_from: Mapped[date | None] = mapped_column(Date)
    valid_to: Mapped[date | None] = mapped_column(Date)
    predecessor_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL"), index=True
    )
    former_names: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")
    # An employment area (tyollisyysalue) applies with its responsible municipality's
    # Business ID; its member municipalities are data (names).
    member_municipalities: Mapped[list] = mapped_column(JSON, default=list, server_default="[]")

    predecessor: Mapped[Organisation | None] = relationship(
        remote_side=[id], foreign_keys=[predecessor_id], back_populates="successors"
    )
    successors: Mapped[list[Organisation]] = relationship(
        foreign_keys=[predecessor_id], back_populates="predecessor", order_by="Organisation.id"
    )
    region_rows: Mapped[list[OrganisationRegion]] = relationship(
        cascade="all, delete-orphan", order_by="OrganisationRegion.code", lazy="selectin"
    )
    target_group_rows: Mapped[list[OrganisationTargetGroup]] = relationship(
        cascade="all, delete-orphan", order_by="OrganisationTargetGroup.code", lazy="selectin"
    )
    memberships: Mapped[list[Membership]] = relationship(
        back_populates="organisation", cascade="all, delete-orphan"
    )

    @property
    def regions(self) -> list[str]:
        return [row.code for row in self.region_rows]

    @regions.setter
    def regions(self, codes: list[str]) -> None:
        self.region_rows = [OrganisationRegion(code=code) for code in codes]

    @property
    def target_groups(self) -> list[str]:
        return [row.code for row in self.target_group_rows]

    @target_groups.setter
    def target_groups(self, codes: list[str]) -> None:
        self.target_group_rows = [OrganisationTargetGroup(code=code) for code in codes]

    @property
    def is_verified(self) -> bool:
        return self.status == OrganisationStatus.verified

    @property
    def display_name(self) -> str:
        """The name with the unit's, as people read it ("City of X, employment services")."""
        return f"{self.name}, {self.unit_name}" if self.unit_name else self.name

    def is_ceased(self, today: date | None = None) -> bool:
        from app.core import clock

        return self.valid_to is not None and self.valid_to < (today or clock.local_date())

    @property
    def is_national_authority(self) -> bool:
        return self.type == "national_authority"

    def __repr__(self) -> str:
        return f"<Organisation {self.id} {self.name}>"


class OrganisationRegion(db.Model):
    __tablename__ = "organisation_region"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(8), primary_key=True, index=True)


class OrganisationTargetGroup(db.Model):
    __tablename__ = "organisation_target_group"

    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), primary_key=True
    )
    code: Mapped[str] = mapped_column(String(40), primary_key=True, index=True)


class Membership(db.Model):
    __tablename__ = "membership"
    __table_args__ = (UniqueConstraint("organisation_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[Role] = mapped_column(_enum(Role, "membership_role"), default=Role.member)
    # Call roles, only in ELY-centres.
    is_call_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    is_reviewer: Mapped[bool] = mapped_column(Boolean, default=False)
    # A national observer (granted by a platform administrator to a member of a national
    # authority) reads every call's dashboards, reports and figures, and changes nothing.
    is_observer: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    organisation: Mapped[Organisation] = relationship(back_populates="memberships")
    user: Mapped[User] = relationship()


class Invitation(db.Model):
    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    email: Mapped[str] = mapped_column(String(254), index=True)
    role: Mapped[Role] = mapped_column(_enum(Role, "invitation_role"), default=Role.member)
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(UtcDateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    accepted_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    revoked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    organisation: Mapped[Organisation] = relationship()
    invited_by: Mapped[User | None] = relationship(foreign_keys=[invited_by_id])

    @property
    def is_open(self) -> bool:
        return self.accepted_at is None and self.revoked_at is None and utcnow() < self.expires_at


class JoinRequest(db.Model):
    __tablename__ = "join_request"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    message: Mapped[str] = mapped_column(Text, default="")
    state: Mapped[JoinRequestState] = mapped_column(
        _enum(JoinRequestState, "join_request_state"), default=JoinRequestState.pending
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    decided_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    organisation: Mapped[Organisation] = relationship()
    user: Mapped[User] = relationship(foreign_keys=[user_id])
