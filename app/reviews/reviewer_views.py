"""(placeholder: being built)"""

from app.reviews import bp  # noqa: F401

from flask import abort
from flask_login import login_required


@bp.get("/reviews/<int:review_id>")
@login_required
def review_detail(review_id: int):
    abort(404)
