"""An application's audit trail, for the presenting officer."""

from __future__ import annotations

from flask import render_template
from flask_login import login_required
from sqlalchemy import select

from app.applications.loaders import get_application_or_404
from app.applications.permissions import is_conflicted
from app.auth.models import User
from app.core.pagination import page_arg
from app.extensions import db
from app.reviews import bp, trail
from app.reviews.permissions import can_manage_review

PER_PAGE = 50


def can_read_trail(user, application) -> bool:
    """The presenting officer of the call (the call managers while none is named), never
    anyone conflicted on the application."""
    return can_manage_review(user, application.call) and not is_conflicted(user, application)


@bp.get("/calls/applications/<int:application_id>/trail")
@login_required
def application_trail(application_id: int):
    application = get_application_or_404(application_id, check=can_read_trail)
    pagination = db.paginate(trail.trail_query(application), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    actor_ids = {entry.actor_id for entry in pagination.items if entry.actor_id}
    actor_ids |= {entry.details.get("reviewer") for entry in pagination.items
                  if isinstance((entry.details or {}).get("reviewer"), int)}
    actors = {user.id: user for user in db.session.scalars(
        select(User).where(User.id.in_(actor_ids)))} if actor_ids else {}
    return render_template("reviews/trail.html", application=application,
                           call=application.call, pagination=pagination, actors=actors,
                           label=trail.label, details=trail.details)
