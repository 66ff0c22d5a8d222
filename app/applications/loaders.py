"""Load-and-authorise helpers of the application views."""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

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


def commit_or_conflict(redirect_to: str | None = None):
    """Commit; if someone changed the application at the same moment (its lock_version moved),
    roll back and say so. Returns None on success, else a response (or raises 409)."""
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        message = _l("Someone else changed the application at the same moment. Your change was "
                     "not saved: check the application and try again.")
        if redirect_to:
            flash(message, "error")
            return redirect(redirect_to)
        abort(409)
    return None
