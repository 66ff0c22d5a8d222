"""What service models hold about a person: the models they wrote or are the contact person
of, the versions they published, and what they did in their organisation's name (adoptions,
validations, partner invitations, attachments).

Registered with app.core.personal_data, which the account's download and deletion read.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.auth.models import User
from app.core import audit, personal_data
from app.extensions import db
from app.practices.models import (
    Adoption,
    Practice,
    PracticeAttachment,
    PracticePartner,
    PracticeVersion,
)


def _roles(practice: Practice, user: User) -> list[str]:
    roles = {"creator": practice.created_by_id, "contact_person": practice.contact_user_id,
             "last_editor": practice.updated_by_id}
    return [role for role, user_id in roles.items() if user_id == user.id]


def _practice(practice: Practice) -> dict:
    return {"id": practice.id, "title": practice.title,
            "organisation": practice.organisation.name}


def export_practices(user: User) -> dict:
    """The person's part in service models, section by section."""
    practices = db.session.scalars(
        select(Practice).options(selectinload(Practice.organisation))
        .where(or_(Practice.created_by_id == user.id, Practice.contact_user_id == user.id,
                   Practice.updated_by_id == user.id))
        .order_by(Practice.id)
    )
    adoptions = db.session.scalars(
        select(Adoption).options(selectinload(Adoption.practice).selectinload(Practice.organisation),
                                 selectinload(Adoption.organisation))
        .where(Adoption.created_by_id == user.id).order_by(Adoption.id)
    )
    validations = db.session.scalars(
        select(Practice).options(selectinload(Practice.organisation),
                                 selectinload(Practice.validated_by_organisation))
        .where(Practice.validated_by_id == user.id).order_by(Practice.id)
    )
    partners = db.session.scalars(
        select(PracticePartner)
        .options(selectinload(PracticePartner.practice).selectinload(Practice.organisation),
                 selectinload(PracticePartner.organisation))
        .where(PracticePartner.invited_by_id == user.id).order_by(PracticePartner.id)
    )
    attachments = db.session.scalars(
        select(PracticeAttachment)
        .options(selectinload(PracticeAttachment.practice).selectinload(Practice.organisation))
        .where(PracticeAttachment.uploaded_by_id == user.id).order_by(PracticeAttachment.id)
    )
    return {
        "service_models": [
            {**_practice(p), "state": p.state, "roles": _roles(p, user),
             "created_at": p.created_at, "updated_at": p.updated_at}
            for p in practices
        ],
        "service_model_versions": _versions(user),
        "service_model_attachments": [
            {"service_model": _practice(a.practice), "filename": a.filename,
             "content_type": a.content_type, "size": a.size, "uploaded_at": a.created_at}
            for a in attachments
        ],
        "adoptions_recorded": [
            {"service_model": _practice(a.practice), "organisation": a.organisation.name,
             "regions": a.regions, "since": a.since, "note": a.note, "created_at": a.created_at}
            for a in adoptions
        ],
        "validations": [
            {"service_model": _practice(p), "organisation": p.validated_by_organisation.name
             if p.validated_by_organisation else None,
             "statement": p.validation_statement, "validated_at": p.validated_at}
            for p in validations
        ],
        "partner_invitations_sent": [
            {"service_model": _practice(p.practice), "partner": p.organisation.name,
             "state": p.state, "created_at": p.created_at}
            for p in partners
        ],
    }


def _versions(user: User):
    # Streamed: a prolific writer may have published many versions.
    statement = select(
        PracticeVersion.id, PracticeVersion.practice_id, PracticeVersion.number,
        PracticeVersion.change_note, PracticeVersion.created_at,
    ).where(PracticeVersion.created_by_id == user.id)
    for row in personal_data.in_chunks(statement, PracticeVersion.id):
        del row["id"]
        yield row


def erase_practices(user: User) -> None:
    """A removed person cannot be contacted: models they were the contact person of are left
    without one (their editors choose a new one). What they wrote stays with the model."""
    for practice in db.session.scalars(select(Practice).where(Practice.contact_user_id == user.id)):
        practice.contact_user_id = None
        audit.record("practice.contact_removed_with_account", actor=user, obj=practice,
                     organisation=practice.organisation)
    db.session.flush()


personal_data.register("practices", exporter=export_practices, eraser=erase_practices)
