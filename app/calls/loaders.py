"""Load-and-authorise helper of the call views."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.calls.models import Call
from app.calls.permissions import can_view_call
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
