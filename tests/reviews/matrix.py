"""Authorization-matrix rows of the reviews and notifications blueprints (see
tests/security/test_authorization_matrix.py), gathered from the files beside this one."""

from __future__ import annotations

from tests.notifications.matrix import MATRIX as NOTIFICATIONS
from tests.reviews.matrix_decisions import MATRIX as DECISIONS
from tests.reviews.matrix_officer import MATRIX as OFFICER
from tests.reviews.matrix_reviewer import MATRIX as REVIEWER

MATRIX: dict[str, dict[str, dict]] = {**REVIEWER, **NOTIFICATIONS, **DECISIONS, **OFFICER}

# The application's audit trail: the presenting officer (the call manager: none is named);
# the applicant's side sees the application but not its trail; everyone else 404.
MATRIX["reviews.application_trail"] = {"GET": {
    **REVIEWER["reviews.review_detail"]["GET"],
    "reviewer": 404, "call_manager": 200,
    "member_a": 403, "owner_a": 403, "conflicted_reviewer": 403}}
