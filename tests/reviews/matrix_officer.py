"""Authorization-matrix rows of the presenting officer's routes (see
tests/security/test_authorization_matrix.py). In the world the call manager presents (no
presenting officer is named); reviewer and conflicted_reviewer are members of the ELY-centre
without the role (403); everyone else, administrators included, 404. `review_id` is the
reviewer's undeclared review (tests.security.test_authorization_matrix.review_args)."""

from __future__ import annotations

from tests.security.test_authorization_matrix import signed_in

ELY_MEMBERS = ("reviewer", "conflicted_reviewer")


def officer(code, members=403):
    """The call manager gets `code`, the centre's other members `members`, others 404."""
    return signed_in(404, call_manager=code, **{role: members for role in ELY_MEMBERS})


MATRIX: dict[str, dict[str, dict]] = {
    "reviews.ranking": {"GET": officer(200)},
    "reviews.ranking_csv": {"GET": officer(200)},
    "reviews.ranking_xlsx": {"GET": officer(200)},
    "reviews.call_reviewers": {"GET": officer(200)},
    # Empty forms are refused input.
    "reviews.call_review_roles": {"POST": officer(422)},
    "reviews.call_reviewer_assign": {"POST": officer(422)},
    "reviews.call_reviewers_assign_many": {"POST": officer(422)},
    "reviews.call_reviewers_auto": {"POST": officer(422)},
    "reviews.call_reviewer_unassign": {"GET": officer(200), "POST": officer(302)},
    "reviews.call_reviewing_close": {"GET": officer(200), "POST": officer(302)},
    "reviews.call_reviewing_reopen": {"GET": officer(200), "POST": officer(302)},
}
