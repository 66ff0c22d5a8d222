"""Read-only queries for organisation pages: bounded, eager-loaded lists."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core.db import utcnow
from app.extensions import db
from app.organisations.models import (
    Invitation,
    JoinRequest,
    JoinRequestState,
    Membership,
    Organisation,
    Role,
)


def owners_by_organisation(organisation_ids: list[int]) -> dict[int, list[User]]:
    """The owners of several organisations in one query (for lists)."""
    found: dict[int, list[User]] = {org_id: [] for org_id in organisation_ids}
    if not organisation_ids:
        return found
    rows = db.session.execute(
        select(Membership.organisation_id, User)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id.in_(organisation_ids), Membership.role == Role.owner)
        .order_by(func.lower(User.name), User.id)
    )
    for org_id, user in rows:
        found[org_id].append(user)
    return found


def pending_invitations(organisation: Organisation) -> list[Invitation]:
    """Invitations of the organisation that can still be accepted, oldest first."""
    return list(db.session.scalars(
        select(Invitation)
        .options(selectinload(Invitation.invited_by))
        .where(Invitation.organisation_id == organisation.id,
               Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at, Invitation.id)
    ))


def pending_join_requests(organisation: Organisation) -> list[JoinRequest]:
    """Unanswered requests to join, oldest first."""
    return list(db.session.scalars(
        select(JoinRequest)
        .options(selectinload(JoinRequest.user))
        .where(JoinRequest.organisation_id == organisation.id,
               JoinRequest.state == JoinRequestState.pending)
        .order_by(JoinRequest.created_at, JoinRequest.id)
    ))


def open_invitations_for(email: str) -> list[Invitation]:
    """Open invitations sent to an address (shown on the addressee's dashboard)."""
    return list(db.session.scalars(
        select(Invitation)
        .options(selectinload(Invitation.organisation), selectinload(Invitation.invited_by))
        .where(Invitation.email == email.strip().lower(),
               Invitation.accepted_at.is_(None), Invitation.revoked_at.is_(None),
               Invitation.expires_at > utcnow())
        .order_by(Invitation.created_at, Invitation.id)
        .limit(50)
    ))
