"""Who may do what with a service model: state-aware predicates for views, templates, tests."""

from __future__ import annotations

from app.organisations.models import Role
from app.organisations.partnership import PartnerState
from app.organisations.permissions import can_act_for, has_role, is_admin, membership_of
from app.practices.models import Practice, PracticePartner, PracticeState


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _is_partner_member(user, practice: Practice) -> bool:
    return any(
        p.state == PartnerState.accepted and membership_of(user, p.organisation) is not None
        for p in practice.partners
    )


def can_view_practice(user, practice: Practice) -> bool:
    """Published models are public; drafts and archived ones only to their organisations."""
    if practice.state == PracticeState.published and practice.current_version_id:
        return True
    return (
        is_admin(user)
        or membership_of(user, practice.organisation) is not None
        or _is_partner_member(user, practice)
    )


def can_view_working_copy(user, practice: Practice) -> bool:
    """The editable text (with unpublished changes) is for the owning organisation."""
    return membership_of(user, practice.organisation) is not None or is_admin(user)


def can_create_practice(user, organisation) -> bool:
    """Editors and owners write models, also in unverified organisations (as drafts)."""
    return has_role(user, organisation, Role.editor)


def can_manage_practice(user, practice: Practice) -> bool:
    """Editors and owners of the owning organisation act on the model, whatever its state:
    the predicates below add the state, the services say what the state forbids."""
    return has_role(user, practice.organisation, Role.editor)


def can_edit_practice(user, practice: Practice) -> bool:
    """The working copy, its contact person, attachments and partners: not while archived."""
    return practice.state != PracticeState.archived and can_manage_practice(user, practice)


def can_publish_practice(user, practice: Practice) -> bool:
    """Only verified organisations publish; there must be something new to publish."""
    return (
        can_edit_practice(user, practice)
        and practice.organisation.is_verified
        and (practice.state == PracticeState.draft or practice.has_unpublished_changes)
    )


def can_archive_practice(user, practice: Practice) -> bool:
    """A published model is taken off the public pages by its organisation's editors."""
    return practice.state == PracticeState.published and can_manage_practice(user, practice)


def can_restore_practice(user, practice: Practice) -> bool:
    """An archived model is brought back by its organisation's editors."""
    return practice.state == PracticeState.archived and can_manage_practice(user, practice)


def _ely_memberships(user):
    if not _signed_in(user):
        return []
    from app.organisations.services import memberships_by_organisation

    return [
        m for m in memberships_by_organisation(user).values()
        if m.organisation.is_funding_authority and m.organisation.is_verified
    ]


def validator_memberships(user):
    """The user's memberships of verified ELY-centres that carry the reviewer or the
    call-manager role: only they evaluate service models in the centre's name."""
    return [m for m in _ely_memberships(user) if m.is_reviewer or m.is_call_manager]


def validating_organisations(user, practice: Practice):
    """The user's verified ELY-centres in which they are a reviewer or a call manager and that
    may validate this model (not its own author). A member of the owning organisation has a
    conflict of interest and validates nothing."""
    if membership_of(user, practice.organisation) is not None:
        return []
    return [
        m.organisation for m in validator_memberships(user)
        if m.organisation_id != practice.organisation_id
    ]


def can_validate_practice(user, practice: Practice) -> bool:
    """A published model whose current version is not validated (never validated, or only an
    earlier version was): a reviewer or call manager of an ELY-centre validates it."""
    return (
        practice.state == PracticeState.published
        and not practice.validated_current_version
        and bool(validating_organisations(user, practice))
    )


def can_manage_validation(user, practice: Practice) -> bool:
    """Administrators and the reviewers and call managers of the ELY Centre that validated the
    model answer for its validation (there is none to answer for when it is not validated)."""
    return is_admin(user) or (
        practice.validated_by_organisation_id is not None
        and any(m.organisation_id == practice.validated_by_organisation_id
                for m in validator_memberships(user))
    )


def can_withdraw_validation(user, practice: Practice) -> bool:
    """A validation (of the current or of an earlier version) is withdrawn by those who
    answer for it."""
    return practice.is_validated and can_manage_validation(user, practice)


def adopting_organisations(user, practice: Practice):
    """The user's verified organisations (other than the owner) that have not adopted it yet."""
    if not _signed_in(user) or practice.state != PracticeState.published:
        return []
    from app.organisations.services import memberships_by_organisation

    adopted = {a.organisation_id for a in practice.adoptions}
    return [
        m.organisation for m in memberships_by_organisation(user).values()
        if m.organisation.is_verified
        and m.organisation_id != practice.organisation_id
        and m.organisation_id not in adopted
    ]


def can_adopt_practice(user, practice: Practice) -> bool:
    return bool(adopting_organisations(user, practice))


def can_remove_adoption(user, adoption) -> bool:
    """Any member of the adopting organisation takes its adoption back."""
    return can_act_for(user, adoption.organisation)


def can_respond_to_partnership(user, partner: PracticePartner) -> bool:
    """The invited organisation's editors accept or decline, once."""
    return partner.state == PartnerState.invited and can_act_for(
        user, partner.organisation, Role.editor
    )


def can_download_attachment(user, practice: Practice) -> bool:
    return can_view_practice(user, practice)


def can_download_this_attachment(user, practice: Practice, attachment) -> bool:
    """Readers get the files of published versions; a draft attachment (not yet in any
    published version) only those who see the working copy."""
    return can_download_attachment(user, practice) and (
        not attachment.is_draft or can_view_working_copy(user, practice))


def can_remove_partner(user, partner: PracticePartner) -> bool:
    """The owning organisation's editors remove a partner; a partner's editors can leave."""
    return has_role(user, partner.practice.organisation, Role.editor) or has_role(
        user, partner.organisation, Role.editor
    )


def has_partner_invitation(user, practice: Practice) -> bool:
    """An editor of an invited organisation may answer, even while the model is a draft."""
    return any(can_respond_to_partnership(user, p) for p in practice.partners)


def can_view_partners(user, practice: Practice) -> bool:
    """The partner list (with pending and declined invitations) is for the owning
    organisation, administrators and the editors of the organisations named in it."""
    return can_view_working_copy(user, practice) or any(
        has_role(user, p.organisation, Role.editor) for p in practice.partners
    )
