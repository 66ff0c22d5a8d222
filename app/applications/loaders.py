"""Load-and-authorise helpers of the application views."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.applications.models import Application
from app.applications.permissions import can_view_application
from app.extensions import db


def get_application_or_404(application_id: int, check=None) -> Application:
    """An application the user may see (else 404); `check` failing gives 403."""
    application = db.session.get(Application, application_id)
    if application is None or not can_view_application(current_user, application):
        abort(404)
    if check is not None and not check(current_user, application):
        abort(403)
    return application


def get_part_or_404(model, part_id: int, application: Application):
    """A row of `model` (a staff line, partner, linked model, attachment) that belongs to
    `application`, else 404: ids of other applications' parts are not found."""
    part = db.session.get(model, part_id)
    if part is None or part.application_id != application.id:
        abort(404)
    return part
