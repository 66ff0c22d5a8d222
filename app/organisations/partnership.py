"""Partnership invitations between organisations, shared by service models (a model's partner
organisations) and applications (osatoteuttajat): one state enum, one set of columns, one way
to answer, and one answer to "whom do we tell".

A domain's partner table mixes in `PartnerInvitation` and names its database enum type:

    class PracticePartner(PartnerInvitation, db.Model):
        __tablename__ = "practice_partner"
        partner_state_type = "partner_state"   # and partner_state_length, when not 20
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, select
from sqlalchemy.orm import Mapped, declared_attr, joinedload, mapped_column, relationship

from app.core.db import UtcDateTime, utcnow
from app.organisations.models import Membership, Organisation, Role


class PartnerState(enum.StrEnum):
    invited = "invited"
    accepted = "accepted"
    declined = "declined"


class PartnerInvitation:
    """The columns every partnership invitation has; the table adds what it links to."""

    partner_state_type = "partner_state"
    partner_state_length = 20

    id: Mapped[int] = mapped_column(primary_key=True)
    organisation_id: Mapped[int] = mapped_column(
        ForeignKey("organisation.id", ondelete="CASCADE"), index=True
    )
    invited_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
    responded_at: Mapped[datetime | None] = mapped_column(UtcDateTime)

    @declared_attr
    def state(cls) -> Mapped[PartnerState]:  # noqa: N805 (SQLAlchemy's declared_attr)
        return mapped_column(
            Enum(PartnerState, name=cls.partner_state_type, native_enum=False,
                 length=cls.partner_state_length, validate_strings=True),
            default=PartnerState.invited,
        )

    @declared_attr
    def organisation(cls) -> Mapped[Organisation]:  # noqa: N805
        return relationship(Organisation)

    @property
    def is_pending(self) -> bool:
        return self.state == PartnerState.invited

    @property
    def is_accepted(self) -> bool:
        return self.state == PartnerState.accepted

    def answer(self, accept: bool, now: datetime | None = None) -> None:
        """Record the invited organisation's answer (the caller checks who answers)."""
        self.state = PartnerState.accepted if accept else PartnerState.declined
        self.responded_at = now or utcnow()


def people_of(organisation_ids: Iterable[int], *, roles: Iterable[Role] | None = None,
              call_managers: bool = False) -> list:
    """The active members of these organisations, each once, in membership order: everyone, or
    those with one of `roles`, or the call managers. Whom a notification goes to."""
    from app.extensions import db

    ids = list(dict.fromkeys(organisation_ids))
    if not ids:
        return []
    query = (select(Membership).options(joinedload(Membership.user))
             .where(Membership.organisation_id.in_(ids)).order_by(Membership.id))
    if roles is not None:
        query = query.where(Membership.role.in_(list(roles)))
    if call_managers:
        query = query.where(Membership.is_call_manager.is_(True))
    seen, users = set(), []
    for membership in db.session.scalars(query):
        user = membership.user
        if user.id not in seen and getattr(user, "is_active", True):
            seen.add(user.id)
            users.append(user)
    return users


WRITERS = (Role.owner, Role.editor)
OWNERS = (Role.owner,)
