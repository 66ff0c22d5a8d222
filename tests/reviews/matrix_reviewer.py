"""Proposed authorization-matrix rows for the reviewer's routes (see
tests/security/test_authorization_matrix.py for the format and the codes).

The world these rows assume: `review_id` is the review of the world's `reviewer` (a member of
the ELY-centre with the reviewer role) on the matrix application (tests.fixtures.calls
.matrix_objects: submitted, in an open call), assigned by the call manager and not yet
declared. So only `reviewer` opens it (everyone else, administrators included: 404); before
the declaration the scoring routes answer 403 and an empty declaration is refused input (422).
/reviews is everyone's own list.
"""

from __future__ import annotations

from tests.security.test_authorization_matrix import signed_in


def reviewer_only(code):
    """The review's reviewer gets `code`; every other signed-in person 404."""
    return signed_in(404, reviewer=code)


MATRIX: dict[str, dict[str, dict]] = {
    "reviews.my_reviews": {"GET": signed_in(200)},
    "reviews.review_detail": {"GET": reviewer_only(200)},
    "reviews.review_declare": {"POST": reviewer_only(422)},
    "reviews.review_save": {"POST": reviewer_only(403)},
    "reviews.review_autosave": {"POST": reviewer_only(403)},
    "reviews.review_submit": {"POST": reviewer_only(403)},
    "reviews.review_reopen": {"POST": reviewer_only(403)},
}
