"""Load-and-authorise helpers shared by the call and application views."""

from __future__ import annotations

from flask import abort, flash, redirect
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy.orm.exc import StaleDataError

from app.calls.models import Application, Call
from app.calls.permissions import can_view_application, can_view_call
from app.extensions import db
from app.organisations.permissions import membership_of


def get_call_or_404(call_id: int, check=None) -> Call:
    """A call the user may see (else 404); `check` failing gives 403 to members of the
    ELY-centre and 404 to everyone else."""
    call = db.session.get(Call, call_id)
    if call is None or not can_view_call(current_user, call):
        abort(404)
    if check is not None and not check(current_user, call):
        abort(403 if membership_of(current_user, call.organisation) is not None else 404)
    return call


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
