"""Read-side queries of the reviewer's pages: the reviewer's own list (filtered and sorted by
its derived state in SQL, a fixed number of statements per page) and the other reviews an
application has, for the reviewer who has submitted.

A review's state is derived, never stored (ReviewState): `review_state` says it for loaded
rows with the predicates of app.reviews.permissions; `state_expression` says the same in SQL
for filtering and sorting (tests/reviews/test_reviewer_views.py checks that the two agree).
"""

from __future__ import annotations

from fractions import Fraction

from sqlalchemy import Select, case, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.applications.models import Application, ApplicationPartner
from app.calls.models import Call
from app.core.codelists import current_language
from app.extensions import db
from app.organisations.models import Membership
from app.reviews import permissions as perms
from app.reviews import scoring
from app.reviews.models import Declaration, Review, ReviewScore, ReviewState

# What needs the reviewer first.
STATE_ORDER = (ReviewState.to_declare, ReviewState.in_progress, ReviewState.submitted,
               ReviewState.conflicted)
SORTS = ("due", "call", "state")


def review_state(review: Review, memberships: dict[int, set[int]] | None = None) -> ReviewState:
    """to_declare, conflicted (declared, or a member of the lead or a partner: whatever was
    declared), in_progress or submitted."""
    if perms.review_is_conflicted(review, memberships):
        return ReviewState.conflicted
    if review.declaration == Declaration.pending:
        return ReviewState.to_declare
    return ReviewState.submitted if review.is_submitted else ReviewState.in_progress


def state_expression():
    """review_state in SQL, over a query that joins Application to Review."""
    member_of_lead = exists().where(Membership.user_id == Review.reviewer_id,
                                    Membership.organisation_id == Application.organisation_id)
    member_of_partner = exists().where(
        ApplicationPartner.application_id == Review.application_id,
        Membership.organisation_id == ApplicationPartner.organisation_id,
        Membership.user_id == Review.reviewer_id)
    return case(
        (or_(Review.declaration == Declaration.conflict, member_of_lead, member_of_partner),
         ReviewState.conflicted.value),
        (Review.declaration == Declaration.pending, ReviewState.to_declare.value),
        (Review.submitted_at.is_not(None), ReviewState.submitted.value),
        else_=ReviewState.in_progress.value)


def _call_title(language: str):
    return func.coalesce(func.nullif(getattr(Call, f"title_{language}"), ""),
                         func.nullif(Call.title_fi, ""), func.nullif(Call.title_sv, ""),
                         Call.title_en)


def my_reviews(user, state: str | None = None, sort: str = "due") -> Select:
    """The reviews assigned to `user`, in every call; `state` filters by the derived state,
    `sort` is one of SORTS (by due date, by call, or what needs the reviewer first). Loads
    what the list shows: the application, its lead, partners (for the state) and call."""
    state_sql = state_expression()
    due_last = (Review.due_at.is_(None), Review.due_at)
    order = {
        "due": (*due_last, Review.id),
        "call": (_call_title(current_language()), Call.id, *due_last, Review.id),
        "state": (case({s.value: rank for rank, s in enumerate(STATE_ORDER)}, value=state_sql),
                  *due_last, Review.id),
    }[sort if sort in SORTS else "due"]
    stmt = (
        select(Review)
        .join(Application, Application.id == Review.application_id)
        .join(Call, Call.id == Application.call_id)
        .options(contains_eager(Review.application).options(
            contains_eager(Application.call),
            joinedload(Application.organisation),
            selectinload(Application.partners)))
        .where(Review.reviewer_id == user.id)
    )
    if state in {s.value for s in ReviewState}:
        stmt = stmt.where(state_sql == state)
    return stmt.order_by(*order)


def review_total(review: Review, criteria) -> tuple[Fraction, int, int]:
    """The running total of a review (unscored criteria count 0), how many scored criteria
    have a score and how many there are."""
    return scoring.running_total(scoring.specs(criteria),
                                 {s.criterion_id: s.score for s in review.scores})


def other_reviews(review: Review) -> list[Review]:
    """The other reviewers' submitted reviews of the application that count: never one whose
    reviewer is conflicted (declared, or a member of the lead or a partner). Only for a
    reviewer who may see them (permissions.can_see_other_reviews)."""
    reviews = list(db.session.scalars(
        select(Review)
        .options(selectinload(Review.scores), joinedload(Review.reviewer))
        .where(Review.application_id == review.application_id, Review.id != review.id,
               Review.submitted_at.is_not(None), Review.declaration == Declaration.no_conflict)
        .order_by(Review.submitted_at, Review.id)))
    memberships = perms.member_organisation_ids([r.reviewer_id for r in reviews])
    return [r for r in reviews if not perms.review_is_conflicted(r, memberships)]


def scores_by_criterion(review: Review) -> dict[int, ReviewScore]:
    return {s.criterion_id: s for s in review.scores}
