"""Who may do what with an organisation: state-aware predicates for views, templates and tests."""

from __future__ import annotations

from app.organisations.models import ROLE_RANK, Membership, Organisation, OrganisationStatus, Role


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
    return has_role(user, organisation, Role.owner)


def can_resubmit(user, organisation: Organisation) -> bool:
    """Owners of a rejected organisation send it for verification again."""
    return (organisation.status == OrganisationStatus.rejected
            and has_role(user, organisation, Role.owner))


def can_manage_members(user, organisation: Organisation) -> bool:
    return has_role(user, organisation, Role.owner)


def can_write_content(user, organisation: Organisation) -> bool:
    """Editors and owners write drafts (service models, applications, reports)."""
    return has_role(user, organisation, Role.editor)


def can_publish(user, organisation: Organisation) -> bool:
    """Only verified organisations publish, apply or partner."""
    return organisation.is_verified and has_role(user, organisation, Role.editor)


def can_request_to_join(user, organisation: Organisation) -> bool:
    return (
        _signed_in(user)
        and user.is_verified
        and organisation.status != OrganisationStatus.rejected
        and membership_of(user, organisation) is None
    )


def can_leave(user, organisation: Organisation) -> bool:
    return membership_of(user, organisation) is not None


def can_verify_organisations(user) -> bool:
    return is_admin(user)


def can_hold_call_roles(organisation: Organisation) -> bool:
    return organisation.is_ely_centre
