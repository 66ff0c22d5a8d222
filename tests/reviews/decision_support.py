"""Shared helpers of the decision tests: a cast around an application in review, its
ELY-centre's owner (the decision maker), and reviews made through the services."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select

from app.applications.models import Application
from app.auth.models import User
from app.calls.models import Call
from app.core.outbox import OutboundMail
from app.extensions import db
from app.organisations.models import Membership, Role
from app.organisations.services import forget_memberships
from app.reviews import services as reviews
from app.reviews.services import ScoreInput
from tests.fixtures.calls import Cast, after_close


@dataclass
class Scene:
    cast: Cast
    application: Application
    call: Call
    officer: User  # the presenting officer (the call's first call manager)
    maker: User  # the decision maker: the ELY-centre's owner
    now: object  # a moment after the close

    def person(self, role: str) -> User:
        return self.cast.people[role]


def owner_of(organisation_id: int) -> User:
    return db.session.scalar(select(Membership).where(
        Membership.organisation_id == organisation_id, Membership.role == Role.owner)).user


def scene(make_cast, phase: str = "open") -> Scene:
    cast = make_cast("in_review", phase)
    call = cast.call
    return Scene(cast, cast.application, call, cast.people["call_manager"],
                 owner_of(call.organisation_id), after_close(call))


def applicant_emails(application: Application) -> set[str]:
    """Members of the lead and of the accepted partners."""
    ids = [application.organisation_id, *(p.organisation_id for p in application.accepted_partners)]
    return set(db.session.scalars(select(User.email).join(
        Membership, Membership.user_id == User.id).where(Membership.organisation_id.in_(ids))))


def outbox_to(subject_start: str = "") -> list[str]:
    return list(db.session.scalars(select(OutboundMail.recipient).where(
        OutboundMail.subject.startswith(subject_start))))


def review(officer: User, reviewer: User, application: Application, points: dict[str, int],
           recommendation: str = "fund"):
    """Assign `reviewer`, declare no conflict, score every criterion (points by kind: e.g.
    {"content": 5, "horizontal": 3, "call_specific": 5}; general criteria pass) and submit."""
    forget_memberships()
    made = reviews.assign_reviewer(officer, application, reviewer)
    reviews.declare(reviewer, made, conflict=False)
    scores = {}
    for criterion in application.call.criteria:
        if criterion.is_scored:
            scores[criterion.id] = ScoreInput(score=points[str(criterion.kind)], comment="Ok.")
        else:
            scores[criterion.id] = ScoreInput(passed=True, comment="Täyttyy.")
    reviews.save_review(reviewer, made, scores, recommendation, None, "Yleisarvio.")
    reviews.submit_review(reviewer, made)
    db.session.commit()
    return made


TOP = {"content": 5, "horizontal": 3, "call_specific": 5}  # 100 / 100
LOW = {"content": 1, "horizontal": 0, "call_specific": 1}  # 8 + 6 + 4 = 18 / 100
