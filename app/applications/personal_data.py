"""What applications hold about a person: the applications they started, the partner
invitations they sent or answered, the attachments they uploaded and the decisions they made.
What they wrote stays with the application (it is the organisation's record).

Registered with app.core.personal_data, which the account's download and deletion read.
"""

from __future__ import annotations

from sqlalchemy import or_, select
from sqlalchemy.orm import selectinload

from app.applications.models import Application, ApplicationAttachment, ApplicationPartner
from app.auth.models import User
from app.core import personal_data
from app.extensions import db


def _application(application: Application) -> dict:
    return {"id": application.id, "project_name": application.project_name,
            "organisation": application.organisation.name}


def export_applications(user: User) -> dict:
    """The person's part in applications, section by section."""
    started = db.session.scalars(
        select(Application).options(selectinload(Application.organisation))
        .where(or_(Application.created_by_id == user.id, Application.decided_by_id == user.id))
        .order_by(Application.id)
    )
    partners = db.session.scalars(
        select(ApplicationPartner)
        .options(selectinload(ApplicationPartner.application)
                 .selectinload(Application.organisation),
                 selectinload(ApplicationPartner.organisation))
        .where(or_(ApplicationPartner.invited_by_id == user.id,
                   ApplicationPartner.responded_by_id == user.id))
        .order_by(ApplicationPartner.id)
    )
    attachments = db.session.scalars(
        select(ApplicationAttachment)
        .options(selectinload(ApplicationAttachment.application)
                 .selectinload(Application.organisation))
        .where(ApplicationAttachment.uploaded_by_id == user.id)
        .order_by(ApplicationAttachment.id)
    )
    return {
        "applications": [
            {**_application(a), "state": a.state,
             "roles": [role for role, who in (("started", a.created_by_id),
                                              ("decided", a.decided_by_id)) if who == user.id],
             "created_at": a.created_at, "decided_at": a.decided_at}
            for a in started
        ],
        "application_partner_invitations": [
            {"application": _application(p.application), "partner": p.organisation.name,
             "state": p.state, "invited_by_me": p.invited_by_id == user.id,
             "answered_by_me": p.responded_by_id == user.id, "created_at": p.created_at,
             "responded_at": p.responded_at}
            for p in partners
        ],
        "application_attachments": [
            {"application": _application(a.application), "filename": a.filename,
             "content_type": a.content_type, "size": a.size, "uploaded_at": a.created_at}
            for a in attachments
        ],
    }


personal_data.register("applications", exporter=export_applications)
