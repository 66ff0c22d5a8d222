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
