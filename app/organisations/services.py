"""Organisation services: create, edit, members, invitations, join requests, verification."""

from __future__ import annotations

import secrets
from datetime import timedelta

from flask import current_app, g, has_app_context
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import audit
from app.core.changes import record_change
from app.core.codelists import (
    HISTORICAL_ORGANISATION_TYPES,
    ORGANISATION_TYPES,
    REGIONS,
    SERVICE_LANGUAGES,
    TARGET_GROUPS,
)
from app.core.db import utcnow
from app.core.domain import DomainError, NotAllowed
from app.core.outbox import queue_mail
from app.core.text import single_line
from app.core.tokens import TokenError, make_token, read_token  # noqa: F401 (views catch it)
from app.extensions import db
from app.organisations import business_id as bid
from app.organisations import lifecycle
from app.organisations.models import (
    Invitation,
    JoinRequest,
    JoinRequestState,
    Membership,
    Organisation,
    OrganisationStatus,
    Role,
)
from app.organisations.partnership import OWNERS, people_of
from app.organisations.permissions import (
    can_accept_invitation,
    can_create_organisation,
    can_edit_organisation,
    can_join_organisations,
    can_leave,
    can_manage_members,
    can_verify_organisations,
)

_CACHE_KEY = "_memberships_by_org"


def memberships_by_organisation(user: User) -> dict[int, Membership]:
    """The user's memberships keyed by organisation id; one query per request.

    Kept per session as well: the rows are ORM objects, and a loop that removes the session
    within one application context (a CLI command, a worker) must not read detached ones."""
    cache = g.setdefault(_CACHE_KEY, {}) if has_app_context() else {}
    session = db.session()
    cached = cache.get(user.id)
    if cached is None or cached[0] is not session:
        rows = db.session.scalars(
            select(Membership)
            .options(selectinload(Membership.organisation))
            .where(Membership.user_id == user.id)
        )
        cached = cache[user.id] = (session, {m.organisation_id: m for m in rows})
    return cached[1]


def forget_memberships() -> None:
    if has_app_context():
        g.pop(_CACHE_KEY, None)


def user_organisations(user: User) -> list[Organisation]:
    return sorted(
        (m.organisation for m in memberships_by_organisation(user).values()),
        key=lambda org: org.name.lower(),
    )


def _check_fields(data: dict, organisation: Organisation | None = None) -> dict:
    clean = dict(data)
    clean["business_id"] = bid.normalise(data["business_id"])
    if not bid.is_valid(clean["business_id"]):
        raise DomainError(
            _l("This is not a valid Business ID. Check the number and the check digit "
               "(e.g. 1234567-1)."),
            field="business_id",
        )
    clean["unit_name"] = " ".join((data.get("unit_name") or "").split())[:200]
    taken = db.session.scalars(
        select(Organisation).where(Organisation.business_id == clean["business_id"])
    ).all()
    others = [org for org in taken if organisation is None or org.id != organisation.id]
    if others and not clean["unit_name"]:
        raise DomainError(
            _l("An organisation with this Business ID is already registered. Ask its owner to "
               "invite you, or request to join it. If you register a unit of it (a department, "
               "a service or an office of its own), give the unit's name."),
            field="business_id",
        )
    if any(org.unit_name.casefold() == clean["unit_name"].casefold() for org in others):
        raise DomainError(
            _l("A unit with this name is already registered under this Business ID. Ask its "
               "owner to invite you, or request to join it."),
            field="unit_name",
        )
    if clean["type"] not in ORGANISATION_TYPES:
        raise DomainError(_l("Choose the type of the organisation."), field="type")
    if clean["type"] in HISTORICAL_ORGANISATION_TYPES and (
            organisation is None or organisation.type != clean["type"]):
        raise DomainError(_l("This type is kept for history only: choose the type the "
                             "organisation has today."), field="type")
    clean["regions"] = REGIONS.clean(data.get("regions", []))
    clean["target_groups"] = TARGET_GROUPS.clean(data.get("target_groups", []))
    # Languages served (a caller without the key keeps what the organisation has).
    languages = list(data["languages"] if "languages" in data
                     else (organisation.languages if organisation else []) or [])
    if any(code not in SERVICE_LANGUAGES for code in languages):
        raise DomainError(_l("Choose the languages from the list."), field="languages")
    clean["languages"] = SERVICE_LANGUAGES.clean(languages)
    clean["member_municipalities"] = (
        lifecycle.clean_municipalities(data.get("member_municipalities") or "")
        if clean["type"] == "employment_area" else [])
    return clean


def create_organisation(user: User, data: dict) -> Organisation:
    """Register an organisation (or a unit of a registered one) with `user` as its owner.
    It starts unverified and is never a funding authority: only an administrator grants
    that (lifecycle.set_funding_authority)."""
    if not can_create_organisation(user):
        raise NotAllowed()
    clean = _check_fields(data)
    organisation = Organisation(
        name=" ".join(clean["name"].split()),
        business_id=clean["business_id"],
        unit_name=clean["unit_name"],
        type=clean["type"],
        description=clean.get("description", "").strip(),
        website=clean.get("website", "").strip(),
        contact_email=clean.get("contact_email", "").strip().lower(),
        expertise=clean.get("expertise", "").strip(),
        member_municipalities=clean["member_municipalities"],
        languages=clean["languages"],
        is_funding_authority=False,
    )
    organisation.regions = clean["regions"]
    organisation.target_groups = clean["target_groups"]
    db.session.add(organisation)
    db.session.add(Membership(organisation=organisation, user=user, role=Role.owner))
    db.session.flush()
    forget_memberships()
    audit.record("organisation.created", actor=user, obj=organisation, organisation=organisation)
    return organisation


def update_organisation(user: User, organisation: Organisation, data: dict) -> None:
    """Edit the profile. Changing the Business ID or type of a verified organisation
    sends it back to verification; a new name keeps the old one as a former name."""
    if not can_edit_organisation(user, organisation):
        raise NotAllowed()
    clean = _check_fields(data, organisation)
    identity_changed = (
        clean["business_id"] != organisation.business_id or clean["type"] != organisation.type
    )
    lifecycle.rename_organisation(user, organisation, clean.get("name", ""))
    for field in ("description", "website", "contact_email", "expertise"):
        setattr(organisation, field, clean.get(field, "").strip())
    organisation.contact_email = organisation.contact_email.lower()
    organisation.business_id = clean["business_id"]
    organisation.unit_name = clean["unit_name"]
    organisation.type = clean["type"]
    organisation.regions = clean["regions"]
    organisation.target_groups = clean["target_groups"]
    organisation.languages = clean["languages"]
    organisation.member_municipalities = clean["member_municipalities"]
    if identity_changed and organisation.status == OrganisationStatus.verified:
        organisation.status = OrganisationStatus.unverified
        organisation.verified_at = None
        audit.record("organisation.verification_reset", actor=user, obj=organisation,
                     organisation=organisation)
    audit.record("organisation.updated", actor=user, obj=organisation, organisation=organisation)
    record_change("organisation", organisation.id)


# --- verification -----------------------------------------------------------------------


def verify_organisation(admin: User, organisation: Organisation) -> None:
    """An administrator confirms the organisation is what it says; owners are told."""
    if not can_verify_organisations(admin):
        raise NotAllowed()
    if organisation.status == OrganisationStatus.verified:
        raise DomainError(_l("The organisation is already verified."))
    organisation.status = OrganisationStatus.verified
    organisation.verified_at = utcnow()
    organisation.verified_by_id = admin.id
    organisation.rejection_reason = ""
    audit.record("organisation.verified", actor=admin, obj=organisation, organisation=organisation)
    record_change("organisation", organisation.id)
    for owner in people_of([organisation.id], roles=OWNERS):
        queue_mail(owner.email, "organisation_verified", owner.language, user=owner,
                   organisation=organisation)


def reject_organisation(admin: User, organisation: Organisation, reason: str) -> None:
    """An administrator declines verification with a reason the owners can read."""
    if not can_verify_organisations(admin):
        raise NotAllowed()
    if organisation.status == OrganisationStatus.rejected:
        raise DomainError(_l("The organisation has already been rejected."))
    reason = (reason or "").strip()
    if not reason:
        raise DomainError(_l("Write the reason for the owners."), field="reason")
    organisation.status = OrganisationStatus.rejected
    organisation.verified_at = None
    organisation.rejection_reason = reason
    audit.record("organisation.rejected", actor=admin, obj=organisation,
                 organisation=organisation, reason=reason)
    record_change("organisation", organisation.id)
    for owner in people_of([organisation.id], roles=OWNERS):
        queue_mail(owner.email, "organisation_rejected", owner.language, user=owner,
                   organisation=organisation, reason=reason)


def resubmit_for_verification(user: User, organisation: Organisation) -> None:
    """Owners send a rejected organisation back to the verification queue."""
    if not can_edit_organisation(user, organisation):
        raise NotAllowed()
    if organisation.status != OrganisationStatus.rejected:
        raise DomainError(_l("Only a rejected organisation can be sent for verification again."))
    organisation.status = OrganisationStatus.unverified
    audit.record("organisation.resubmitted", actor=user, obj=organisation,
                 organisation=organisation)


# --- members ------------------------------------------------------------------------------


def _owner_count(organisation: Organisation) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(Membership)
        .where(Membership.organisation_id == organisation.id, Membership.role == Role.owner)
    ) or 0


def change_role(actor: User, membership: Membership, role: Role, *,
                call_manager: bool = False, reviewer: bool = False) -> None:
    """Change a member's role (and call roles in a funding authority); an organisation keeps
    an owner."""
    organisation = membership.organisation
    if not can_manage_members(actor, organisation):
        raise NotAllowed()
    if membership.role == Role.owner and role != Role.owner and _owner_count(organisation) <= 1:
        raise DomainError(_l("The organisation must keep at least one owner. Make someone else "
                             "an owner first."))
    if not organisation.is_funding_authority and (call_manager or reviewer):
        raise DomainError(_l("Call roles (call manager, reviewer) exist only in funding "
                             "authorities."))
    old = membership.role
    membership.role = role
    if organisation.is_funding_authority:
        membership.is_call_manager = call_manager
        membership.is_reviewer = reviewer
    forget_memberships()
    audit.record("membership.role_changed", actor=actor, obj=membership, organisation=organisation,
                 user_id=membership.user_id, old=str(old), new=str(role),
                 call_manager=membership.is_call_manager, reviewer=membership.is_reviewer)


def remove_member(actor: User, membership: Membership) -> None:
    """An owner removes someone; the last owner cannot be removed."""
    organisation = membership.organisation
    if not can_manage_members(actor, organisation):
        raise NotAllowed()
    if membership.role == Role.owner and _owner_count(organisation) <= 1:
        raise DomainError(_l("The last owner cannot be removed."))
    audit.record("membership.removed", actor=actor, obj=membership, organisation=organisation,
                 user_id=membership.user_id)
    db.session.delete(membership)
    db.session.flush()
    forget_memberships()


def leave_organisation(user: User, membership: Membership) -> None:
    """A member leaves (only their own membership); the last owner must transfer the
    ownership first."""
    organisation = membership.organisation
    if not can_leave(user, organisation) or membership.user_id != user.id:
        raise NotAllowed()
    if membership.role == Role.owner and _owner_count(organisation) <= 1:
        raise DomainError(
            _l("You are the last owner. Transfer the ownership to another member before leaving.")
        )
    audit.record("membership.left", actor=user, obj=membership, organisation=organisation,
                 user_id=user.id)
    db.session.delete(membership)
    db.session.flush()
    forget_memberships()


def transfer_ownership(actor: User, organisation: Organisation, new_owner: Membership) -> None:
    """Make another member the owner; the current owner becomes an editor."""
    if not can_manage_members(actor, organisation):
        raise NotAllowed(_l("Only an owner can transfer the ownership."))
    current = memberships_by_organisation(actor)[organisation.id]
    if new_owner.organisation_id != organisation.id or new_owner.user_id == actor.id:
        raise DomainError(_l("Choose another member of the organisation."), field="member")
    new_owner.role = Role.owner
    current.role = Role.editor
    forget_memberships()
    audit.record("membership.ownership_transferred", actor=actor, obj=organisation,
                 organisation=organisation, to_user_id=new_owner.user_id)


# --- invitations ----------------------------------------------------------------------------


def invite_member(actor: User, organisation: Organisation, email: str, role: Role) -> Invitation:
    """Mail a signed, expiring invitation link."""
    if not can_manage_members(actor, organisation):
        raise NotAllowed()
    email = email.strip().lower()
    existing = db.session.scalar(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .where(Membership.organisation_id == organisation.id, User.email == email)
    )
    if existing is not None:
        raise DomainError(_l("This person is already a member."), field="email")
    now = utcnow()
    _check_invitation_limits(actor, organisation, now)
    invitation = Invitation(
        organisation=organisation,
        email=email,
        role=role,
        invited_by_id=actor.id,
        created_at=now,
        expires_at=now + timedelta(seconds=current_app.config["INVITATION_MAX_AGE"]),
    )
    db.session.add(invitation)
    db.session.flush()
    token = make_token("invite", {"iid": invitation.id, "n": secrets.token_hex(4)})
    invitee = db.session.scalar(select(User).where(User.email == email))
    queue_mail(email, "invitation", invitee.language if invitee else actor.language,
               organisation=organisation, inviter=actor, token=token, role=role, email=email,
               # Flattened to one line: the name may go into the Subject header.
               org_name=single_line(organisation.name), inviter_name=single_line(actor.name))
    audit.record("membership.invited", actor=actor, obj=invitation, organisation=organisation,
                 email=email, role=str(role))
    return invitation


INVITATION_LIMIT_MESSAGE = _l(
    "You have sent as many invitations as you can for now. Try again later; once the "
    "organisation is verified, it can send more.")


def _check_invitation_limits(actor: User, organisation: Organisation, now) -> None:
    """Invitations per organisation and per inviting user (counted in the database, so every
    worker agrees), tighter before the organisation is verified: an unverified organisation
    is a name anyone can choose, and its owner must not be able to mail any address freely."""
    from limits import parse_many

    key = "invite_verified" if organisation.is_verified else "invite_unverified"
    # Serialise the counts of one organisation (PostgreSQL; SQLite's writes are serial).
    db.session.execute(select(Organisation.id).where(Organisation.id == organisation.id)
                       .with_for_update())
    for item in parse_many(current_app.config["RATE_LIMITS"][key]):
        since = now - timedelta(seconds=item.get_expiry())
        for column, value in ((Invitation.organisation_id, organisation.id),
                              (Invitation.invited_by_id, actor.id)):
            sent = db.session.scalar(select(func.count()).select_from(Invitation).where(
                column == value, Invitation.created_at >= since))
            if sent >= item.amount:
                # Logged, not audited: the refusal rolls the transaction back.
                current_app.logger.info("invitation limit %s reached: organisation %s, user %s",
                                        item, organisation.id, actor.id)
                raise DomainError(INVITATION_LIMIT_MESSAGE, field="email")


def invitation_from_token(token: str) -> Invitation:
    """The open invitation behind a link; TokenError if expired, used or revoked."""
    payload = read_token("invite", token, current_app.config["INVITATION_MAX_AGE"])
    invitation = db.session.get(Invitation, payload.get("iid"))
    if invitation is None or invitation.revoked_at is not None:
        raise TokenError("invalid")
    if invitation.accepted_at is not None:
        raise TokenError("used")
    if utcnow() >= invitation.expires_at:
        raise TokenError("expired")
    return invitation


def accept_invitation(user: User, token: str) -> Membership:
    """The invitee joins with the invited role: the signed-in user with the address the link
    was sent to."""
    invitation = invitation_from_token(token)
    if not can_accept_invitation(user, invitation):
        raise NotAllowed(_l("This invitation was sent to another e-mail address. Sign in with "
                            "that address to accept it."))
    organisation = invitation.organisation
    if not user.is_verified:
        raise DomainError(_l("Verify your e-mail address before joining an organisation."))
    membership = memberships_by_organisation(user).get(organisation.id)
    if membership is None:
        membership = Membership(organisation=organisation, user=user, role=invitation.role)
        db.session.add(membership)
    invitation.accepted_at = utcnow()
    invitation.accepted_by_id = user.id
    db.session.flush()
    forget_memberships()
    audit.record("membership.joined_by_invitation", actor=user, obj=invitation,
                 organisation=organisation, role=str(invitation.role),
                 invited_email=invitation.email, joined_email=user.email)
    return membership


def revoke_invitation(actor: User, invitation: Invitation) -> None:
    """Cancel an invitation that has not been accepted; its link stops working."""
    if not can_manage_members(actor, invitation.organisation):
        raise NotAllowed()
    if invitation.accepted_at is not None:
        raise DomainError(_l("The invitation has already been accepted."))
    invitation.revoked_at = utcnow()
    audit.record("membership.invitation_revoked", actor=actor, obj=invitation,
                 organisation=invitation.organisation, email=invitation.email)


# --- join requests --------------------------------------------------------------------------


def request_to_join(user: User, organisation: Organisation, message: str) -> JoinRequest:
    """Ask the owners for membership; they get a mail and answer on the members page."""
    if not can_join_organisations(user):
        raise NotAllowed(_l("Verify your e-mail address before asking to join an organisation."))
    if memberships_by_organisation(user).get(organisation.id) is not None:
        raise DomainError(_l("You are already a member of this organisation."))
    if organisation.status == OrganisationStatus.rejected:
        raise DomainError(_l("This organisation does not take new members at the moment."))
    pending = db.session.scalar(
        select(JoinRequest).where(
            JoinRequest.organisation_id == organisation.id,
            JoinRequest.user_id == user.id,
            JoinRequest.state == JoinRequestState.pending,
        )
    )
    if pending is not None:
        raise DomainError(_l("You have already asked to join. The owners will answer soon."))
    join_request = JoinRequest(organisation=organisation, user=user, message=message.strip())
    db.session.add(join_request)
    db.session.flush()
    audit.record("membership.join_requested", actor=user, obj=join_request,
                 organisation=organisation)
    for owner in people_of([organisation.id], roles=OWNERS):
        queue_mail(owner.email, "join_request", owner.language, owner=owner, requester=user,
                   organisation=organisation, message=join_request.message)
    return join_request


def decide_join_request(actor: User, join_request: JoinRequest, approve: bool) -> None:
    """An owner approves (the requester becomes a member) or declines; the requester is told."""
    if not can_manage_members(actor, join_request.organisation):
        raise NotAllowed()
    if join_request.state != JoinRequestState.pending:
        raise DomainError(_l("This request has already been answered."))
    join_request.state = JoinRequestState.approved if approve else JoinRequestState.rejected
    join_request.decided_at = utcnow()
    join_request.decided_by_id = actor.id
    organisation = join_request.organisation
    if approve:
        already = db.session.scalar(select(Membership.id).where(
            Membership.organisation_id == organisation.id,
            Membership.user_id == join_request.user_id))
        if already is None:  # they may have joined by an invitation meanwhile
            db.session.add(Membership(organisation=organisation, user=join_request.user,
                                      role=Role.member))
            db.session.flush()
        forget_memberships()
    audit.record("membership.join_approved" if approve else "membership.join_rejected",
                 actor=actor, obj=join_request, organisation=organisation,
                 user_id=join_request.user_id)
    queue_mail(join_request.user.email, "join_decided", join_request.user.language,
               user=join_request.user, organisation=organisation, approved=approve)


# The account's download and deletion: see personal_data.py.


def verification_queue():
    """Organisations waiting for an administrator, oldest first."""
    return (
        select(Organisation)
        .where(Organisation.status == OrganisationStatus.unverified)
        .order_by(Organisation.created_at, Organisation.id)
    )
