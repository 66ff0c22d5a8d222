"""(placeholder: being built)"""

from app.reviews import bp  # noqa: F401

from flask import abort
from flask_login import login_required


@bp.get("/calls/applications/<int:application_id>/decision")
@login_required
def decision_detail(application_id: int):
    abort(404)
