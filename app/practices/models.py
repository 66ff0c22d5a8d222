"""Service models (toimintamallit), their immutable versions, partners, adoptions, attachments."""

from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.auth.models import User
from app.core.db import UtcDateTime, string_enum, utcnow
from app.core.uploads import StoredFileColumns
from app.extensions import db
from app.organisations.models import Organisation
from app.organisations.partnership import PartnerInvitation

SECTIONS = ("problem", "method", "employer_cooperation", "results", "adoption")
CLASSIFICATION = ("target_groups", "work_forms", "regions", "stage", "evidence", "tags")


class PracticeState(enum.StrEnum):
    draft = "draft"
    published = "published"
    archived = "archived"


class Practice(db.Model):
    """The working copy of a service model. Readers see its latest published version."""

    __tablename__ = "practice"

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    external_id: Mapped[str | None] = mapped_column(String(100), unique=True)
    state: Mapped[PracticeState] = mapped_column(
        string_enum(PracticeState, "practice_state", 20), default=PracticeState.draft, index=True
    )
    language: Mapped[str] = mapped_column(String(2), default="fi")
    title: Mapped[str] = mapped_column(String(200), default="")
    slug: Mapped[str] = mapped_column(String(120), default="")
    summary: Mapped[str] = mapped_column(Text, default="")
    problem: Mapped[str] = mapped_column(Text, default="")
    method: Mapped[str] = mapped_column(Text, default="")
    employer_cooperation: Mapped[str] = mapped_column(Text, default="")
    results: Mapped[str] = mapped_column(Text, default="")
    adoption: Mapped[str] = mapped_column(Text, default="")
    target_groups: Mapped[list] = mapped_column(JSON, default=list)
    work_forms: Mapped[list] = mapped_column(JSON, default=list)
    regions: Mapped[list] = mapped_column(JSON, default=list)
    stage: Mapped[str] = mapped_column(String(20), default="")
    evidence: Mapped[str] = mapped_column(String(20), default="")
    tags: Mapped[list] = mapped_column(JSON, default=list)
    contact_user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    updated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow, index=True)
    # Optimistic locking: every save of the working copy bumps it; a stale save is a conflict.
    lock_version: Mapped[int] = mapped_column(Integer, default=1)
    first_published_on: Mapped[date | None] = mapped_column(Date)
    published_at: Mapped[datetime | None] = mapped_column(UtcDateTime, index=True)
    has_unpublished_changes: Mapped[bool] = mapped_column(default=False)
    version_count: Mapped[int] = mapped_column(Integer, default=0)
    # The version readers see. No database foreign key: practice and practice_version would
    # reference each other, which PostgreSQL cannot create in one step.
    current_version_id: Mapped[int | None] = mapped_column(Integer)
    adoption_count: Mapped[int] = mapped_column(Integer, default=0, index=True)
    validated_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # The version number that was validated: a later version shows "validated version N"
    # until it is validated again.
    validated_version: Mapped[int | None] = mapped_column(Integer)
    validated_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    validated_by_organisation_id: Mapped[int | None] = mapped_column(
        ForeignKey("organisation.id", ondelete="SET NULL")
    )
    validation_statement: Mapped[str] = mapped_column(Text, default="")

    organisation: Mapped[Organisation] = relationship(foreign_keys=[organisation_id])
    current_version: Mapped[PracticeVersion | None] = relationship(
        primaryjoin="foreign(Practice.current_version_id) == PracticeVersion.id",
        viewonly=True,
    )
    contact: Mapped[User | None] = relationship(foreign_keys=[contact_user_id])
    validated_by: Mapped[User | None] = relationship(foreign_keys=[validated_by_id])
    validated_by_organisation: Mapped[Organisation | None] = relationship(
        foreign_keys=[validated_by_organisation_id]
    )
    partners: Mapped[list[PracticePartner]] = relationship(
        back_populates="practice", cascade="all, delete-orphan"
    )
    adoptions: Mapped[list[Adoption]] = relationship(
        back_populates="practice", cascade="all, delete-orphan", order_by="Adoption.created_at"
    )
    attachments: Mapped[list[PracticeAttachment]] = relationship(
        back_populates="practice", cascade="all, delete-orphan",
        order_by="PracticeAttachment.created_at",
    )

    @property
    def is_published(self) -> bool:
        return self.state == PracticeState.published

    @property
    def published_attachments(self) -> list[PracticeAttachment]:
        """The attachments of the version readers see (none before the first publish)."""
        return self.attachments_of_version(self.version_count if self.current_version_id
                                           else None)

    def attachments_of_version(self, number: int | None) -> list[PracticeAttachment]:
        return [a for a in self.attachments if a.in_version(number)]

    @property
    def working_attachments(self) -> list[PracticeAttachment]:
        """The attachments of the working copy: the published ones not removed, and drafts."""
        return [a for a in self.attachments if not a.removal_pending]

    @property
    def editor_attachments(self) -> list[PracticeAttachment]:
        """What the editor lists: the working copy's, and removals still waiting to publish."""
        return [a for a in self.attachments
                if a.removed_in_version is None or a.removed_in_version > self.version_count]

    @property
    def is_validated(self) -> bool:
        """Some version has been validated (see validated_current_version)."""
        return self.validated_at is not None

    @property
    def validated_current_version(self) -> bool:
        """The version readers see now is the validated one. After a later version is
        published the model shows "validated version N" until it is validated again, and it
        no longer counts as validated in search, its facet or the API."""
        return validation_is_current(self.validated_at, self.validated_version,
                                     self.version_count)

    @property
    def validation_outdated(self) -> bool:
        """An earlier version was validated, not the current one."""
        return self.is_validated and not self.validated_current_version

    def sections(self) -> dict[str, str]:
        return {name: getattr(self, name) or "" for name in SECTIONS}

    def content(self) -> dict:
        """Everything a version snapshots."""
        return {
            "title": self.title,
            "language": self.language,
            "summary": self.summary,
            **self.sections(),
            **{name: getattr(self, name) for name in CLASSIFICATION},
        }

    def __repr__(self) -> str:
        return f"<Practice {self.id} {self.title!r} {self.state}>"


def validation_is_current(validated_at, validated_version, version_count) -> bool:
    """The rule of Practice.validated_current_version over plain values (search index rows)."""
    return validated_at is not None and validated_version == version_count


class PracticeVersion(db.Model):
    """An immutable snapshot made at each publish."""

    __tablename__ = "practice_version"
    __table_args__ = (UniqueConstraint("practice_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[int] = mapped_column(Integer)
    content: Mapped[dict] = mapped_column(JSON)
    change_note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    created_by: Mapped[User | None] = relationship()

    @property
    def title(self) -> str:
        return self.content.get("title", "")


class PracticePartner(PartnerInvitation, db.Model):
    """A partner organisation of a service model (an invitation until it accepts)."""

    __tablename__ = "practice_partner"
    __table_args__ = (UniqueConstraint("practice_id", "organisation_id"),)
    partner_state_type = "partner_state"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )

    practice: Mapped[Practice] = relationship(back_populates="partners")


class Adoption(db.Model):
    """Another organisation uses the model ("we use this too")."""

    __tablename__ = "adoption"
    __table_args__ = (UniqueConstraint("practice_id", "organisation_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    regions: Mapped[list] = mapped_column(JSON, default=list)
    since: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)

    practice: Mapped[Practice] = relationship(back_populates="adoptions")
    organisation: Mapped[Organisation] = relationship()
    created_by: Mapped[User | None] = relationship()


class PracticeAttachment(StoredFileColumns, db.Model):
    """A file of a service model. Like the text, it belongs to versions: added to the working
    copy it is public only from the next published version on (`added_in_version` is None
    until then), and removed from a published model it stays in the versions that had it and
    leaves the public page when the next version is published (`removed_in_version`)."""

    __tablename__ = "practice_attachment"

    practice_id: Mapped[int] = mapped_column(
        ForeignKey("practice.id", ondelete="CASCADE"), index=True
    )
    added_in_version: Mapped[int | None] = mapped_column(Integer)
    removed_in_version: Mapped[int | None] = mapped_column(Integer)

    practice: Mapped[Practice] = relationship(back_populates="attachments")
    uploaded_by: Mapped[User | None] = relationship()

    @property
    def is_draft(self) -> bool:
        """Added to the working copy and not yet in any published version."""
        return self.added_in_version is None

    @property
    def removal_pending(self) -> bool:
        """Removed from the working copy; still public until the next version is published."""
        return self.removed_in_version is not None

    def in_version(self, number: int | None) -> bool:
        """Part of the published version `number`."""
        return (number is not None and self.added_in_version is not None
                and self.added_in_version <= number
                and (self.removed_in_version is None or self.removed_in_version > number))
