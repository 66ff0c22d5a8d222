"""Who may do what with an organisation: state-aware predicates for views, templates and tests."""

from __future__ import annotations

from app.organisations.models import (
    ROLE_RANK,
    Invitation,
    Membership,
    Organisation,
    OrganisationStatus,
    Role,
)


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def membership_of(user, organisation: Organisation) -> Membership | None:
    """The user's membership in `organisation` (memberships are loaded once per request)."""
    if not _signed_in(user):
        return None
    from app.organisations.services import memberships_by_organisation

    return memberships_by_organisation(user).get(organisation.id)


def has_role(user, organisation: Organisation, role: Role) -> bool:
    membership = membership_of(user, organisation)
    return membership is not None and ROLE_RANK[membership.role] >= ROLE_RANK[role]


def is_admin(user) -> bool:
    return _signed_in(user) and bool(user.is_admin)


def can_create_organisation(user) -> bool:
    """Any signed-in person with a verified e-mail address."""
    return _signed_in(user) and user.is_verified


def can_view_organisation(user, organisation: Organisation) -> bool:
    """Verified organisations are public; others only to their members and administrators."""
    if organisation.status == OrganisationStatus.verified:
        return True
    return is_admin(user) or membership_of(user, organisation) is not None


def can_view_members(user, organisation: Organisation) -> bool:
    return is_admin(user) or membership_of(user, organisation) is not None


def can_edit_organisation(user, organisation: Organisation) -> bool:
    """Owners edit the profile (and answer for the organisation to the administrators)."""
    return has_role(user, organisation, Role.owner)


def can_resubmit(user, organisation: Organisation) -> bool:
    """Owners of a rejected organisation send it for verification again."""
    return (organisation.status == OrganisationStatus.rejected
            and can_edit_organisation(user, organisation))


def can_manage_members(user, organisation: Organisation) -> bool:
    """Owners change roles, remove members, invite, and answer join requests."""
    return has_role(user, organisation, Role.owner)


def can_act_for(user, organisation: Organisation, role: Role = Role.member) -> bool:
    """The user acts in the organisation's name with at least `role`: any member records an
    adoption or a validation, an editor answers a partner invitation. The action's own rules
    say what the organisation and the object must be."""
    return has_role(user, organisation, role)


def can_write_content(user, organisation: Organisation) -> bool:
    """Editors and owners write drafts (service models, applications, reports)."""
    return has_role(user, organisation, Role.editor)


def can_publish(user, organisation: Organisation) -> bool:
    """Only verified organisations publish, apply or partner."""
    return organisation.is_verified and has_role(user, organisation, Role.editor)


def can_join_organisations(user) -> bool:
    """A signed-in person with a verified e-mail address asks to join organisations."""
    return _signed_in(user) and user.is_verified


def can_request_to_join(user, organisation: Organisation) -> bool:
    """Someone who is not a member yet asks to join an organisation that takes members."""
    return (
        can_join_organisations(user)
        and organisation.status != OrganisationStatus.rejected
        and membership_of(user, organisation) is None
    )


def can_accept_invitation(user, invitation: Invitation) -> bool:
    """Only the invitee accepts: the signed-in person with the address it was sent to."""
    return _signed_in(user) and user.email == invitation.email


def can_leave(user, organisation: Organisation) -> bool:
    """Members leave (the last owner is stopped by the service, with the reason)."""
    return membership_of(user, organisation) is not None


def can_verify_organisations(user) -> bool:
    """Administrators verify and reject organisations."""
    return is_admin(user)


def can_hold_call_roles(organisation: Organisation) -> bool:
    return organisation.is_funding_authority
