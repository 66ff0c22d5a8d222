"""What other organisations do with a model: partner, validate, adopt; and attachments."""

from __future__ import annotations

from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from app.auth.models import User
from app.core import audit
from app.core.changes import record_change
from app.core.codelists import REGIONS
from app.core.db import utcnow
from app.core.domain import DomainError, NotAllowed
from app.core.outbox import queue_mail
from app.extensions import db
from app.organisations.models import Membership, Organisation, Role
from app.organisations.partnership import WRITERS, PartnerState, people_of
from app.organisations.permissions import can_act_for
from app.practices.models import (
    Adoption,
    Practice,
    PracticeAttachment,
    PracticePartner,
    PracticeState,
)
from app.practices.permissions import (
    can_edit_practice,
    can_manage_validation,
    can_remove_adoption,
    can_remove_partner,
    validator_memberships,
)

MAX_ATTACHMENTS = 20


# --- validation by an ELY-centre ------------------------------------------------------------


def validate_practice(user: User, organisation: Organisation, practice: Practice,
                      statement: str) -> None:
    """An ELY-centre vouches for the published version of a model with a short statement;
    `user` acts in the centre's name, so must be one of its reviewers or call managers. The
    validation belongs to that version: a later version is validated again."""
    if not can_act_for(user, organisation):
        raise NotAllowed()
    if not organisation.is_funding_authority or not organisation.is_verified:
        raise DomainError(_l("Only a verified funding authority can validate service models."))
    if not any(m.organisation_id == organisation.id for m in validator_memberships(user)):
        raise NotAllowed(_l("Only the reviewers and call managers of a funding authority "
                            "can validate service models."))
    if organisation.id == practice.organisation_id:
        raise DomainError(_l("An organisation cannot validate its own service model."))
    if db.session.scalar(select(Membership.id).where(
            Membership.organisation_id == practice.organisation_id, Membership.user_id == user.id)):
        # Conflict of interest: no one vouches for their own organisation's model.
        raise DomainError(_l("You are a member of the organisation that owns the model, so you "
                             "cannot validate it."))
    if practice.state != PracticeState.published:
        raise DomainError(_l("Only a published service model can be validated."))
    if practice.validated_current_version:
        raise DomainError(_l("This version of the service model has already been validated."))
    statement = (statement or "").strip()
    if not statement:
        raise DomainError(_l("Write a short statement on why the model is validated."),
                          field="statement")
    previous = practice.validated_version
    practice.validated_at = utcnow()
    practice.validated_version = practice.version_count
    practice.validated_by_id = user.id
    practice.validated_by_organisation_id = organisation.id
    practice.validation_statement = statement[:2000]
    record_change("practice", practice.id)
    audit.record("practice.validated", actor=user, obj=practice, organisation=organisation,
                 practice_organisation_id=practice.organisation_id,
                 version=practice.version_count, previous_version=previous)


def withdraw_validation(user: User, practice: Practice, reason: str = "") -> None:
    """The validating ELY Centre's reviewers and call managers (or an administrator) take the
    validation back, whichever version it was of."""
    if not can_manage_validation(user, practice):
        raise NotAllowed()
    if not practice.is_validated:
        raise DomainError(_l("The service model is not validated."))
    audit.record("practice.validation_withdrawn", actor=user, obj=practice,
                 organisation=practice.validated_by_organisation, reason=reason.strip() or None)
    practice.validated_at = None
    practice.validated_version = None
    practice.validated_by_id = None
    practice.validated_by_organisation_id = None
    practice.validation_statement = ""
    record_change("practice", practice.id)


# --- adoption -----------------------------------------------------------------------------------


def record_adoption(user: User, organisation: Organisation, practice: Practice, *,
                    regions: list[str], since: date | None, note: str) -> Adoption:
    """`organisation` says it uses the model; the owners are told by mail. `user` acts in the
    organisation's name, so must be one of its members."""
    if not can_act_for(user, organisation):
        raise NotAllowed()
    if practice.state != PracticeState.published:
        raise DomainError(_l("Only a published service model can be adopted."))
    if not organisation.is_verified:
        raise DomainError(_l("Only verified organisations can record an adoption."))
    if organisation.id == practice.organisation_id:
        raise DomainError(_l("The organisation that owns the model cannot adopt it."))
    if any(a.organisation_id == organisation.id for a in practice.adoptions):
        raise DomainError(_l("Your organisation has already recorded that it uses this model."))
    if since and since > utcnow().date():
        raise DomainError(_l("The start date cannot be in the future."), field="since")
    adoption = Adoption(practice=practice, organisation=organisation,
                        regions=REGIONS.clean(regions), since=since,
                        note=(note or "").strip()[:2000], created_by_id=user.id)
    db.session.add(adoption)
    practice.adoption_count = len(practice.adoptions)
    db.session.flush()
    record_change("practice", practice.id)
    audit.record("practice.adopted", actor=user, obj=practice, organisation=organisation)
    for person in people_of([practice.organisation_id], roles=WRITERS):
        queue_mail(person.email, "practice_adopted", person.language, user=person,
                   practice=practice, adopter=organisation, adoption=adoption)
    return adoption


def remove_adoption(user: User, adoption: Adoption) -> None:
    """A member of the adopting organisation takes the adoption back."""
    if not can_remove_adoption(user, adoption):
        raise NotAllowed()
    practice = adoption.practice
    audit.record("practice.adoption_removed", actor=user, obj=practice,
                 organisation=adoption.organisation)
    practice.adoptions.remove(adoption)
    db.session.delete(adoption)
    practice.adoption_count = len(practice.adoptions)
    record_change("practice", practice.id)


# --- partner organisations ----------------------------------------------------------------------


def invite_partner(user: User, practice: Practice, organisation: Organisation) -> PracticePartner:
    """Name another organisation as a partner; its editors accept or decline."""
    if not can_edit_practice(user, practice):
        raise NotAllowed()
    if organisation.id == practice.organisation_id:
        raise DomainError(_l("The owning organisation is not its own partner."),
                          field="organisation")
    if not organisation.is_verified:
        raise DomainError(_l("Only verified organisations can be named as partners."),
                          field="organisation")
    if any(p.organisation_id == organisation.id for p in practice.partners):
        raise DomainError(_l("This organisation has already been invited."), field="organisation")
    partner = PracticePartner(practice=practice, organisation=organisation, invited_by_id=user.id)
    db.session.add(partner)
    db.session.flush()
    audit.record("practice.partner_invited", actor=user, obj=practice,
                 organisation=practice.organisation, partner_id=organisation.id)
    for person in people_of([organisation.id], roles=WRITERS):
        queue_mail(person.email, "practice_partner_invited", person.language, user=person,
                   practice=practice, organisation=practice.organisation, partner=organisation)
    return partner


def respond_to_partnership(user: User, partner: PracticePartner, accept: bool) -> None:
    """An editor of the invited organisation accepts or declines, once."""
    if not can_act_for(user, partner.organisation, Role.editor):
        raise NotAllowed()
    if partner.state != PartnerState.invited:
        raise DomainError(_l("This invitation has already been answered."))
    partner.answer(accept)
    if partner.practice.state == PracticeState.published:
        record_change("practice", partner.practice_id)
    audit.record("practice.partner_accepted" if accept else "practice.partner_declined",
                 actor=user, obj=partner.practice, organisation=partner.organisation)


def remove_partner(user: User, partner: PracticePartner) -> None:
    """The owning organisation drops a partner, or the partner leaves."""
    if not can_remove_partner(user, partner):
        raise NotAllowed()
    practice = partner.practice
    audit.record("practice.partner_removed", actor=user, obj=practice,
                 organisation=practice.organisation, partner_id=partner.organisation_id)
    practice.partners.remove(partner)
    db.session.delete(partner)
    if practice.state == PracticeState.published:
        record_change("practice", practice.id)


# --- attachments --------------------------------------------------------------------------------


def add_attachment(user: User, practice: Practice, file_storage) -> PracticeAttachment:
    """Check and store an uploaded file (SECURITY.md uploads) and attach it."""
    from app.core.uploads import store_upload, validate_upload

    if not can_edit_practice(user, practice):
        raise NotAllowed()
    if len(practice.working_attachments) >= MAX_ATTACHMENTS:
        raise DomainError(
            _l("A service model can have at most %(n)s attachments.", n=MAX_ATTACHMENTS),
            field="file")
    checked = validate_upload(file_storage)
    stored = store_upload(checked, file_storage)
    attachment = PracticeAttachment(
        practice=practice, filename=checked.filename, stored_name=stored,
        content_type=checked.content_type, size=checked.size, sha256=checked.sha256,
        uploaded_by_id=user.id,
    )
    db.session.add(attachment)
    # Public with the next published version only (added_in_version stays None until then).
    _working_copy_changed(practice)
    db.session.flush()
    audit.record("practice.attachment_added", actor=user, obj=practice,
                 organisation=practice.organisation, filename=checked.filename)
    return attachment


def remove_attachment(user: User, attachment: PracticeAttachment) -> str | None:
    """Detach the file. A draft attachment goes at once: returns its stored name for the
    caller to delete after commit. One that is in a published version stays public until the
    next version is published, and stays in the versions that had it: returns None."""
    practice = attachment.practice
    if not can_edit_practice(user, practice):
        raise NotAllowed()
    if attachment.removal_pending:
        raise DomainError(_l("The attachment has already been removed."), field="file")
    audit.record("practice.attachment_removed", actor=user, obj=practice,
                 organisation=practice.organisation, filename=attachment.filename)
    if not attachment.is_draft:
        attachment.removed_in_version = practice.version_count + 1
        _working_copy_changed(practice)
        return None
    stored = attachment.stored_name
    practice.attachments.remove(attachment)
    db.session.delete(attachment)
    return stored


def _working_copy_changed(practice: Practice) -> None:
    """An attachment change of a published model waits for the next publish, like the text."""
    if practice.current_version_id is not None:
        practice.has_unpublished_changes = True
    practice.updated_at = utcnow()
