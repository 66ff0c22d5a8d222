"""What organisations hold about a person: memberships, invitations, join requests.

Registered with app.core.personal_data, which the account's download and deletion read.
"""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import audit, personal_data
from app.extensions import db
from app.organisations.models import Invitation, JoinRequest, Membership, Organisation, Role
from app.organisations.queries import owners_by_organisation
from app.organisations.services import forget_memberships


def _memberships(user: User) -> list[Membership]:
    return list(db.session.scalars(
        select(Membership).options(selectinload(Membership.organisation))
        .where(Membership.user_id == user.id).order_by(Membership.id)
    ))


def _organisation(organisation: Organisation) -> dict:
    return {"id": organisation.id, "name": organisation.name,
            "business_id": organisation.business_id}


def _invitation(invitation: Invitation) -> dict:
    return {"organisation": _organisation(invitation.organisation), "email": invitation.email,
            "role": invitation.role, "created_at": invitation.created_at,
            "expires_at": invitation.expires_at, "accepted_at": invitation.accepted_at,
            "revoked_at": invitation.revoked_at}


def export_organisations(user: User) -> dict:
    """Memberships, invitations the person sent and received, and their join requests with
    the messages they wrote."""
    invitations = select(Invitation).options(selectinload(Invitation.organisation))
    sent = db.session.scalars(
        invitations.where(Invitation.invited_by_id == user.id).order_by(Invitation.id))
    received = db.session.scalars(invitations.where(
        or_(Invitation.email == user.email, Invitation.accepted_by_id == user.id)
    ).order_by(Invitation.id))
    join_requests = db.session.scalars(
        select(JoinRequest).options(selectinload(JoinRequest.organisation))
        .where(JoinRequest.user_id == user.id).order_by(JoinRequest.id)
    )
    return {
        "memberships": [
            {"organisation": m.organisation.name, "business_id": m.organisation.business_id,
             "organisation_id": m.organisation_id, "role": m.role,
             "call_manager": m.is_call_manager, "reviewer": m.is_reviewer,
             "since": m.created_at}
            for m in _memberships(user)
        ],
        "invitations_sent": [_invitation(i) for i in sent],
        "invitations_received": [_invitation(i) for i in received],
        "join_requests": [
            {"organisation": _organisation(r.organisation), "message": r.message,
             "state": r.state, "created_at": r.created_at, "decided_at": r.decided_at}
            for r in join_requests
        ],
    }


def sole_ownerships(user: User) -> list[str]:
    """An organisation must keep an owner: its only owner cannot leave it by deleting their
    account."""
    owned = [m.organisation for m in _memberships(user) if m.role == Role.owner]
    owners = owners_by_organisation([organisation.id for organisation in owned])
    return [
        str(_l("You are the only owner of %(names)s. Transfer the ownership first.",
               names=organisation.name))
        for organisation in owned
        if len(owners[organisation.id]) <= 1
    ]


def erase_organisations(user: User) -> None:
    """End the memberships, delete the join requests (their messages are the person's) and
    take the address out of the invitations they accepted. Invitations they sent stay with
    the organisation, shown as sent by a removed user."""
    for membership in _memberships(user):
        audit.record("membership.removed_with_account", actor=user, obj=membership,
                     organisation=membership.organisation, user_id=user.id)
        db.session.delete(membership)
    for join_request in db.session.scalars(
            select(JoinRequest).where(JoinRequest.user_id == user.id)):
        db.session.delete(join_request)
    for invitation in db.session.scalars(
            select(Invitation).where(Invitation.accepted_by_id == user.id)):
        invitation.email = f"deleted-{user.id}@removed.invalid"
    db.session.flush()
    forget_memberships()


personal_data.register("organisations", exporter=export_organisations, blocker=sole_ownerships,
                       eraser=erase_organisations)
