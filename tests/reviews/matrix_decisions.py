"""Proposed authorization-matrix rows for the decision routes (see
tests/security/test_authorization_matrix.py for the format and the codes).

The world: the matrix application is SUBMITTED in an OPEN call of the world's ELY-centre, whose
only call manager (`call_manager`) presents and may decide while nobody is named; no decision
has been proposed. The decision page is for the call's managers and decision makers who are
not conflicted: the others who see the application (its lead's members, `conflicted_reviewer`
among them) get 403, everyone else 404. With no proposal, confirm, return and the document
answer 404. An empty proposal is refused input (422); so is an empty batch.
"""

from __future__ import annotations

from tests.security.test_authorization_matrix import signed_in

APPLICATION_VIEWERS = ("member_a", "owner_a", "conflicted_reviewer")


def decision_page(code):
    """The call manager gets `code`, the application's other viewers 403, the rest 404."""
    return signed_in(404, call_manager=code, **dict.fromkeys(APPLICATION_VIEWERS, 403))


def centre(code):
    """Call pages: the call manager gets `code`, the centre's other members 403, the rest 404
    (app.calls.loaders.get_call_or_404)."""
    return signed_in(404, call_manager=code, reviewer=403, conflicted_reviewer=403)


MATRIX: dict[str, dict[str, dict]] = {
    "reviews.decision_detail": {"GET": decision_page(200)},
    "reviews.decision_propose": {"POST": decision_page(422)},
    "reviews.decision_confirm": {"POST": decision_page(404)},  # nothing proposed
    "reviews.decision_return": {"POST": decision_page(404)},
    "reviews.decision_document": {"GET": signed_in(404)},  # nothing decided
    "reviews.call_decisions": {"GET": centre(200)},
    "reviews.call_decisions_propose": {"POST": centre(422)},  # nothing chosen
    "reviews.call_decisions_confirm": {"POST": centre(422)},
}
