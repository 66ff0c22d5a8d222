"""Review of applications by the ELY-centre and decisions: reviewers' assignments and
declarations of conflict of interest, scoring, the ranking, proposals and decisions."""

from flask import Blueprint

bp = Blueprint("reviews", __name__)

from app.reviews import (  # noqa: E402,F401
    decision_views,
    officer_views,
    reviewer_views,
    trail_views,
)
