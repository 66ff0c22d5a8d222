"""The reviewer's services as plain functions: declaring (no) conflict of interest, scoring,
submitting, reopening; what is refused and what is written to the audit log."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.core.audit import AuditLog
from app.core.domain import Conflict, DomainError, NotAllowed
from app.extensions import db
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.reviews import queries, services
from app.reviews.models import ConflictGround, Declaration, ReviewState
from tests.reviews.support_reviewer import (
    complete_review,
    review_row,
    review_world,
    scores_for,
)


@pytest.fixture
def world(make_organisation, make_user, add_member, make_call, make_application):
    return review_world(make_organisation, make_user, add_member, make_call, make_application)


def _criterion(review, kind):
    return next(c for c in review.application.call.criteria if c.kind == kind)


def _audit(action):
    return list(db.session.scalars(select(AuditLog).where(AuditLog.action == action)))


# --- declaring -------------------------------------------------------------------------------


def test_declaring_no_conflict_clears_the_reviewer(world):
    reviewer = world.reviewers[0]
    review = world.review(reviewer)
    assert queries.review_state(review) == ReviewState.to_declare
    services.declare(reviewer, review, conflict=False)
    db.session.commit()
    review = world.review(reviewer)
    assert review.declaration == Declaration.no_conflict
    assert review.declared_at is not None
    assert queries.review_state(review) == ReviewState.in_progress
    [entry] = _audit("review.declared")
    assert entry.actor_id == reviewer.id and entry.details["declaration"] == "no_conflict"


def test_declaring_a_conflict_records_its_ground_and_note(world):
    reviewer = world.reviewers[0]
    services.declare(reviewer, world.review(reviewer), conflict=True,
                     ground="service_or_board", note="Hallituksen jäsen.")
    db.session.commit()
    review = world.review(reviewer)
    assert review.declaration == Declaration.conflict
    assert review.conflict_ground == ConflictGround.service_or_board
    assert review.conflict_note == "Hallituksen jäsen."
    assert queries.review_state(review) == ReviewState.conflicted
    [entry] = _audit("review.declared")
    assert entry.details == {**entry.details, "declaration": "conflict",
                             "ground": "service_or_board"}


@pytest.mark.parametrize("ground", [None, "", "membership", "nonsense"])
def test_a_conflict_needs_a_declarable_ground(world, ground):
    reviewer = world.reviewers[0]
    before = review_row(world.reviews[reviewer.id])
    with pytest.raises(DomainError) as refused:
        services.declare(reviewer, world.review(reviewer), conflict=True, ground=ground)
    db.session.rollback()
    assert refused.value.field == "ground"
    assert review_row(world.reviews[reviewer.id]) == before


def test_another_reason_needs_a_note(world):
    reviewer = world.reviewers[0]
    before = review_row(world.reviews[reviewer.id])
    with pytest.raises(DomainError) as refused:
        services.declare(reviewer, world.review(reviewer), conflict=True, ground="other",
                         note="   ")
    db.session.rollback()
    assert refused.value.field == "note"
    assert review_row(world.reviews[reviewer.id]) == before
    services.declare(reviewer, world.review(reviewer), conflict=True, ground="other",
                     note="Entinen työnantaja.")
    assert world.review(reviewer).conflict_ground == ConflictGround.other


def test_a_member_of_the_lead_cannot_declare_no_conflict(world, add_member):
    reviewer = world.reviewers[0]
    add_member(world.application.organisation, reviewer, Role.member)
    review = world.review(reviewer)
    assert queries.review_state(review) == ReviewState.conflicted
    with pytest.raises(DomainError):
        services.declare(reviewer, review, conflict=False)
    db.session.rollback()
    assert world.review(reviewer).declaration == Declaration.pending


def test_a_member_of_a_partner_is_conflicted_whatever_was_declared(world, add_member):
    reviewer = world.reviewers[0]
    complete_review(reviewer, world.review(reviewer))
    add_member(world.partner, reviewer, Role.member)
    forget_memberships()
    review = world.review(reviewer)
    assert queries.review_state(review) == ReviewState.conflicted
    with pytest.raises(NotAllowed):
        services.reopen_review(reviewer, review)


def test_declaring_no_conflict_again_is_refused_once_a_member_of_a_party(world, add_member):
    reviewer = world.reviewers[0]
    services.declare(reviewer, world.review(reviewer), conflict=False)
    add_member(world.partner, reviewer, Role.member)
    forget_memberships()
    with pytest.raises(DomainError, match="disqualified"):
        services.declare(reviewer, world.review(reviewer), conflict=False)


def test_a_declared_conflict_is_final(world):
    reviewer = world.reviewers[0]
    services.declare(reviewer, world.review(reviewer), conflict=True, ground="benefit_or_harm")
    db.session.commit()
    before = review_row(world.reviews[reviewer.id])
    for conflict in (False, True):
        with pytest.raises(DomainError):
            services.declare(reviewer, world.review(reviewer), conflict=conflict,
                             ground="party_or_relative")
        db.session.rollback()
    assert review_row(world.reviews[reviewer.id]) == before


def test_only_the_reviewer_declares(world):
    other = world.reviewers[1]
    with pytest.raises(NotAllowed):
        services.declare(other, world.review(world.reviewers[0]), conflict=False)
    with pytest.raises(NotAllowed):
        services.declare(world.manager, world.review(world.reviewers[0]), conflict=False)


# --- scoring ---------------------------------------------------------------------------------


def test_a_conflicted_reviewer_cannot_score_or_submit(world):
    reviewer = world.reviewers[0]
    review = world.review(reviewer)
    services.declare(reviewer, review, conflict=True, ground="party_or_relative")
    db.session.commit()
    before = review_row(review.id)
    with pytest.raises(NotAllowed):
        services.save_review(reviewer, world.review(reviewer), scores_for(review), "fund", None,
                             "")
    db.session.rollback()
    with pytest.raises(NotAllowed):
        services.submit_review(reviewer, world.review(reviewer))
    db.session.rollback()
    assert review_row(review.id) == before


def test_a_reviewer_who_has_not_declared_cannot_score(world):
    reviewer = world.reviewers[0]
    review = world.review(reviewer)
    with pytest.raises(NotAllowed):
        services.save_review(reviewer, review, scores_for(review), "fund", None, "")


@pytest.mark.parametrize(("kind", "score"), [("content", 6), ("horizontal", 4),
                                             ("call_specific", 99)])
def test_scores_outside_the_scale_are_refused_on_their_field(world, kind, score):
    reviewer = world.reviewers[0]
    services.declare(reviewer, world.review(reviewer), conflict=False)
    db.session.commit()
    review = world.review(reviewer)
    criterion = _criterion(review, kind)
    before = review_row(review.id)
    values = scores_for(review)
    values[criterion.id] = services.ScoreInput(score=score, comment="Liian suuri.")
    with pytest.raises(DomainError) as refused:
        services.save_review(reviewer, review, values, "fund", None, "")
    db.session.rollback()
    assert refused.value.field == f"criterion-{criterion.id}-score"
    assert f"0 to {criterion.scale_max}" in str(refused.value.message)
    assert review_row(review.id) == before


def test_a_partial_save_is_kept_and_the_problems_name_the_rest(world):
    reviewer = world.reviewers[0]
    services.declare(reviewer, world.review(reviewer), conflict=False)
    review = world.review(reviewer)
    content = _criterion(review, "content")
    changed = services.save_review(reviewer, review, {
        content.id: services.ScoreInput(score=3, comment="Kohtalainen.")}, None, None, "")
    db.session.commit()
    assert changed == [f"criterion-{content.id}"]
    review = world.review(reviewer)
    assert review.score_for(content.id).score == 3
    total, done, count = queries.review_total(review, review.application.call.criteria)
    assert (done, count) == (1, 4)
    assert total == 40 * 3 / 5  # weight 40, 3 of 5
    fields = [f for f, _m in services.review_problems(review)]
    assert f"criterion-{content.id}-score" not in fields
    assert f"criterion-{content.id}-comment" not in fields
    assert "recommendation" in fields
    assert len(fields) == 2 * 4 + 1  # the other four criteria (mark + comment), recommendation


def test_an_unchanged_save_writes_nothing(world):
    reviewer = world.reviewers[0]
    complete_review(reviewer, world.review(reviewer), submit=False)
    review = world.review(reviewer)
    version, entries = review.lock_version, len(_audit("review.scored"))
    assert services.save_review(reviewer, review, scores_for(review), "fund", None,
                                "Perusteltu arvio.") == []
    db.session.commit()
    assert world.review(reviewer).lock_version == version
    assert len(_audit("review.scored")) == entries


def test_a_proposed_amount_above_the_support_applied_for_is_refused(world):
    reviewer = world.reviewers[0]
    services.declare(reviewer, world.review(reviewer), conflict=False)
    review = world.review(reviewer)
    with pytest.raises(DomainError) as refused:
        services.save_review(reviewer, review, {}, None, review.application.support_cents + 1, "")
    assert refused.value.field == "proposed_amount"


def test_a_save_from_an_older_version_is_a_conflict(world):
    reviewer = world.reviewers[0]
    complete_review(reviewer, world.review(reviewer), score=2, submit=False)
    review = world.review(reviewer)
    before = review_row(review.id)
    with pytest.raises(Conflict):
        services.save_review(reviewer, review, scores_for(review, 5), "fund", None, "",
                             seen_version=review.lock_version - 1)
    db.session.rollback()
    assert review_row(review.id) == before


# --- submitting and reopening --------------------------------------------------------------


def test_an_incomplete_review_cannot_be_submitted(world):
    reviewer = world.reviewers[0]
    services.declare(reviewer, world.review(reviewer), conflict=False)
    review = world.review(reviewer)
    values = scores_for(review)
    values.popitem()
    services.save_review(reviewer, review, values, "fund", None, "")
    db.session.commit()
    with pytest.raises(DomainError) as refused:
        services.submit_review(reviewer, world.review(reviewer))
    db.session.rollback()
    assert refused.value.field.startswith("criterion-")
    review = world.review(reviewer)
    assert review.submitted_at is None and review.scored_revision is None
    assert not _audit("review.submitted")


def test_submitting_records_the_revision_scored(world):
    reviewer = world.reviewers[0]
    complete_review(reviewer, world.review(reviewer))
    review = world.review(reviewer)
    assert review.is_submitted
    assert review.scored_revision == world.application.revision_count >= 1
    assert queries.review_state(review) == ReviewState.submitted
    [entry] = _audit("review.submitted")
    assert entry.actor_id == reviewer.id
    assert entry.details["revision"] == review.scored_revision
    # A submitted review is not changed by a save: reopen it first.
    with pytest.raises(DomainError):
        services.save_review(reviewer, review, scores_for(review, 1), "do_not_fund", None, "")


def test_every_score_change_is_in_the_audit_log(world):
    reviewer = world.reviewers[0]
    complete_review(reviewer, world.review(reviewer), score=2, submit=False)
    review = world.review(reviewer)
    content = _criterion(review, "content")
    services.save_review(reviewer, review, {
        content.id: services.ScoreInput(score=5, comment="Erinomainen.")}, "fund", None,
        "Perusteltu arvio.")
    db.session.commit()
    entries = _audit("review.scored")
    assert len(entries) == 2
    assert entries[-1].details["fields"] == [f"criterion-{content.id}"]
    assert entries[-1].details["scores"][str(content.id)] == 5


def test_a_reopened_review_can_be_changed_and_submitted_again(world):
    reviewer = world.reviewers[0]
    complete_review(reviewer, world.review(reviewer), score=2)
    services.reopen_review(reviewer, world.review(reviewer))
    db.session.commit()
    review = world.review(reviewer)
    assert review.submitted_at is None
    assert queries.review_state(review) == ReviewState.in_progress
    services.save_review(reviewer, review, scores_for(review, 5), "fund", None, "")
    services.submit_review(reviewer, review)
    db.session.commit()
    assert world.review(reviewer).is_submitted
    assert [e.action for e in db.session.scalars(select(AuditLog).where(
        AuditLog.action.in_(["review.submitted", "review.reopened"])).order_by(AuditLog.id))
    ] == ["review.submitted", "review.reopened", "review.submitted"]


def test_closed_reviewing_blocks_saving_submitting_and_reopening(world):
    first, second = world.reviewers[:2]
    complete_review(first, world.review(first))
    complete_review(second, world.review(second), submit=False)
    services.close_reviewing(world.manager, world.call)
    db.session.commit()
    before = review_row(world.reviews[second.id])
    with pytest.raises(DomainError, match="closed"):
        services.save_review(second, world.review(second), scores_for(world.review(second), 1),
                             "fund", None, "")
    db.session.rollback()
    with pytest.raises(DomainError):
        services.submit_review(second, world.review(second))
    db.session.rollback()
    with pytest.raises(DomainError, match="closed"):
        services.reopen_review(first, world.review(first))
    db.session.rollback()
    assert review_row(world.reviews[second.id]) == before
    assert world.review(first).is_submitted


def test_the_list_state_in_sql_agrees_with_the_helper(world, add_member):
    """queries.state_expression (filters and sorting) and queries.review_state (what each row
    shows) say the same for each state, automatic conflicts included."""
    first, second, third = world.reviewers
    complete_review(first, world.review(first))
    services.declare(second, world.review(second), conflict=False)
    db.session.commit()
    add_member(world.partner, third, Role.member)  # pending, but a member of a partner
    db.session.commit()
    forget_memberships()
    expected = {first: ReviewState.submitted, second: ReviewState.in_progress,
                third: ReviewState.conflicted}
    for reviewer, state in expected.items():
        assert queries.review_state(world.review(reviewer)) == state
        for value in ReviewState:
            rows = list(db.session.scalars(queries.my_reviews(reviewer, value.value)))
            assert (len(rows) == 1) == (value == state), (reviewer.name, value)



def test_only_the_presenting_officer_closes_and_reopens_reviewing(world):
    """The services check their actor: a reviewer of the centre cannot close or reopen."""
    reviewer = world.reviewers[0]
    with pytest.raises(NotAllowed):
        services.close_reviewing(reviewer, world.call)
    db.session.rollback()
    assert world.call.reviewing_closed_at is None
    services.close_reviewing(world.manager, world.call)
    db.session.commit()
    with pytest.raises(NotAllowed):
        services.reopen_reviewing(reviewer, world.call)
    db.session.rollback()
    assert world.call.reviewing_closed_at is not None
