"""The search index's state for platform administrators (`/admin/search`): what
`flask search status` says, with the last indexing error and when it happened."""

from __future__ import annotations

from datetime import UTC, datetime

from flask import Blueprint, abort, render_template
from flask_login import current_user, login_required

from app.extensions import db
from app.search import indexer, store

bp = Blueprint("search_status", __name__)


def can_see_search_status(user) -> bool:
    """Platform administrators see the search index's state."""
    from app.organisations.permissions import is_admin

    return is_admin(user)


def _when(value) -> datetime | None:
    return datetime.fromtimestamp(float(value), UTC) if value else None


@bp.get("/admin/search")
@login_required
def index():
    if not can_see_search_status(current_user):
        abort(403)
    info = indexer.status(store.index_root())
    db.session.rollback()  # read only
    error = info["last_error"].get("error") or {}
    return render_template(
        "admin/search_status.html", info=info, error=error,
        error_at=_when(error.get("at")), ok_at=_when(info["last_error"].get("ok_at")),
        built_at=_when(info.get("built_at")), updated_at=_when(info.get("updated_at")),
        current_error=info["last_error"].get("current", False))
