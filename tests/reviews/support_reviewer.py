"""Helpers of the reviewer-side tests (plain functions over the fixtures of tests/fixtures).

    world = review_world(make_organisation, make_user, add_member, make_call, make_application)
    world.review(world.reviewers[0])  -> that reviewer's Review of world.application
"""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import select

from app.extensions import db
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.reviews import services
from app.reviews.models import Review
from tests.fixtures.calls import add_partner, advance

# A distinctive text of the application's sections: a page that shows content shows this.
SECRET_BACKGROUND = "Tausta-salaisuus-RV93"
OTHER_COMMENT = "Toisen-arvioijan-kommentti-KM58"


@dataclass
class ReviewWorld:
    ely: object
    manager: object
    call: object
    application: object
    reviewers: list
    partner: object  # an accepted partner organisation of the application
    reviews: dict = field(default_factory=dict)  # reviewer id -> Review

    def review(self, reviewer) -> Review:
        return db.session.get(Review, self.reviews[reviewer.id])


def review_world(make_organisation, make_user, add_member, make_call, make_application,
                 reviewers: int = 3, assign: bool = True, phase: str = "open",
                 ely=None, manager=None, call=None) -> ReviewWorld:
    """An ELY-centre with a call manager and `reviewers` reviewers, an open call and one
    submitted application with an accepted partner (its background is SECRET_BACKGROUND),
    each reviewer assigned."""
    if ely is None:
        manager = make_user(name="Esittelijä Essi")
        ely = make_organisation(name="Arvioinnin ELY-keskus", type="regional_authority")
        add_member(ely, manager, Role.member, call_manager=True)
    people = []
    for _ in range(reviewers):
        person = make_user(name=f"Arvioija {len(people) + 1} {ely.id}")
        add_member(ely, person, Role.member, reviewer=True)
        people.append(person)
    call = call or make_call(ely=ely, phase=phase)
    application = make_application(call=call, state="draft")
    application.background = SECRET_BACKGROUND  # (fill_application writes its own first)
    partner_owner = make_user(name=f"Kumppanin omistaja {ely.id}")
    partner = make_organisation(name=f"Kumppani {application.id} ry", owner=partner_owner)
    add_partner(application.created_by, application, partner, responder=partner_owner)
    advance(application, "submitted", application.created_by)
    db.session.commit()
    forget_memberships()
    world = ReviewWorld(ely, manager, call, application, people, partner)
    if assign:
        for person in people:
            world.reviews[person.id] = services.assign_reviewer(manager, application, person).id
        db.session.commit()
        forget_memberships()
    return world


def scores_for(review: Review, score: int = 4, passed: bool = True,
               comment: str = "Perusteltu arvio.") -> dict[int, services.ScoreInput]:
    """A ScoreInput for every criterion of the review's call (scores capped at each scale)."""
    values = {}
    for criterion in review.application.call.criteria:
        if criterion.is_scored:
            values[criterion.id] = services.ScoreInput(score=min(score, criterion.scale_max),
                                                       comment=comment)
        else:
            values[criterion.id] = services.ScoreInput(passed=passed, comment=comment)
    return values


def complete_review(reviewer, review: Review, score: int = 4, comment: str = "Perusteltu arvio.",
                    submit: bool = True) -> None:
    """Declare no conflict, score every criterion, recommend, and (by default) submit."""
    services.declare(reviewer, review, conflict=False)
    services.save_review(reviewer, review, scores_for(review, score, comment=comment), "fund",
                         None, comment)
    if submit:
        services.submit_review(reviewer, review)
    db.session.commit()


def form_data(review: Review, score: int = 4, comment: str = "Perusteltu arvio.",
              **overrides) -> dict:
    """A POST body of the scoring form with every criterion filled in."""
    data = {"version": str(review.lock_version), "recommendation": "fund",
            "proposed_amount": "", "overall_comment": "Hyvä hakemus."}
    for criterion in review.application.call.criteria:
        key = f"criterion-{criterion.id}"
        if criterion.is_scored:
            data[f"{key}-score"] = str(min(score, criterion.scale_max))
        else:
            data[f"{key}-passed"] = "yes"
        data[f"{key}-comment"] = comment
    data.update(overrides)
    return data


def review_row(review_id: int) -> tuple:
    """What a review holds, to compare before and after a refused request."""
    db.session.expire_all()
    review = db.session.get(Review, review_id)
    return (str(review.declaration), review.conflict_ground, review.recommendation,
            review.proposed_cents, review.overall_comment, review.submitted_at,
            review.lock_version,
            sorted((s.criterion_id, s.score, s.passed, s.comment) for s in review.scores))


def reviews_of(reviewer) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.reviewer_id == reviewer.id)))
