"""Helpers of the presenting officer's tests: a call of an ELY-centre with its officer and
reviewers, submitted applications, reviews made through the services (assign, declare, score,
submit), and a bulk fixture of rows inserted directly for the query-count and speed tests."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import insert, select

from app.applications.models import Application, ApplicationState
from app.auth.models import User
from app.calls.models import Call, Criterion
from app.core.db import utcnow
from app.extensions import db
from app.organisations.models import Membership, Organisation, OrganisationStatus, Role
from app.organisations.services import forget_memberships
from app.reviews import services
from app.reviews.models import Declaration, Review, ReviewScore

# (kind, title, weight): 40/30/10/20 over content, content, horizontal (0-3), call-specific
CRITERIA = (
    ("general", "Hakija on rahoituskelpoinen", 0),
    ("content", "Toteutettavuus", 40),
    ("content", "Työnantajayhteistyö", 30),
    ("horizontal", "Yhdenvertaisuus", 10),
    ("call_specific", "Työpaikkalähtöisyys", 20),
)


@dataclass
class World:
    call: Call
    ely: Organisation
    officer: User  # a call manager: presents while no presenting officer is named
    owner: User  # the centre's owner (may decide)
    reviewers: list[User] = field(default_factory=list)

    @property
    def criteria(self) -> list[Criterion]:
        return list(self.call.criteria)


def make_world(make_call, make_organisation, make_user, add_member, reviewers: int = 3,
               budget_cents: int = 300_000_00, phase: str = "open") -> World:
    owner = make_user(name="Keskuksen Omistaja")
    ely = make_organisation(name="Arvioinnin ELY-keskus", type="regional_authority", owner=owner)
    officer = make_user(name="Esittelijä Eeva")
    add_member(ely, officer, Role.member, call_manager=True)
    call = make_call(ely=ely, manager=None, phase=phase, criteria=CRITERIA,
                     total_budget_cents=budget_cents)
    world = World(call, ely, officer, owner)
    for n in range(reviewers):
        person = make_user(name=f"Arvioija {chr(65 + n)}")
        add_member(ely, person, Role.member, reviewer=True)
        world.reviewers.append(person)
    return world


def submitted(make_application, call: Call, name: str, support_cents: int | None = None,
              **kwargs) -> Application:
    application = make_application(call=call, state="submitted", project_name=name, **kwargs)
    if support_cents is not None:
        total = application.support_cents + application.own_cents
        application.support_cents = support_cents
        application.own_cents = max(total - support_cents, 0)
        db.session.commit()
    return application


def review(world: World, application: Application, reviewer: User, scores=(4, 3, 2, 5),
           passed: bool = True, recommendation: str = "fund", proposed_cents: int | None = None,
           submit: bool = True, conflict: str | None = None) -> Review:
    """Assign, declare and score through the services: `scores` in the order of the scored
    criteria; `conflict` a ground to declare a conflict instead."""
    forget_memberships()
    assigned = services.assign_reviewer(world.officer, application, reviewer)
    if conflict:
        services.declare(reviewer, assigned, True, conflict, "Hallituksen jäsen.")
        db.session.commit()
        return assigned
    services.declare(reviewer, assigned, False)
    given = {}
    scored = iter(scores)
    for criterion in world.call.criteria:
        if criterion.is_scored:
            given[criterion.id] = services.ScoreInput(score=next(scored), comment="Perustelu.")
        else:
            given[criterion.id] = services.ScoreInput(passed=passed, comment="Perustelu.")
    services.save_review(reviewer, assigned, given, recommendation, proposed_cents, "Yhteenveto.")
    if submit:
        services.submit_review(reviewer, assigned)
    db.session.commit()
    forget_memberships()
    return assigned


# --- bulk rows, inserted directly (a fixture for counting queries and measuring speed) -------


def bulk_call(call: Call, applications: int, reviewers: list[int], lead_ids: list[int],
              criteria: list[Criterion], seed: int = 7, start_id: int | None = None) -> None:
    """`applications` submitted applications of `call`, each with three submitted reviews by
    `reviewers` (user ids) scoring every criterion; leads taken in turn from `lead_ids`."""
    import random

    rng = random.Random(seed)
    now = utcnow()
    first_app = start_id or (db.session.scalar(select(db.func.max(Application.id))) or 0) + 1
    first_review = (db.session.scalar(select(db.func.max(Review.id))) or 0) + 1
    apps, reviews, scores = [], [], []
    review_id = first_review
    for n in range(applications):
        app_id = first_app + n
        submitted_at = now - timedelta(days=10, minutes=n)
        apps.append({
            "id": app_id, "call_id": call.id, "organisation_id": lead_ids[n % len(lead_ids)],
            "state": ApplicationState.in_review, "project_name": f"Hanke {n:04d}",
            "support_cents": rng.randint(20, 200) * 1000_00, "own_cents": 10_000_00,
            "first_submitted_at": submitted_at, "submitted_at": submitted_at,
            "revision_count": 1, "created_at": submitted_at, "updated_at": submitted_at,
            "section_versions": {}, "lock_version": 1,
        })
        for k in range(3):
            reviewer = reviewers[(n + k) % len(reviewers)]
            reviews.append({
                "id": review_id, "application_id": app_id, "call_id": call.id,
                "reviewer_id": reviewer, "assigned_at": submitted_at,
                "declaration": Declaration.no_conflict, "declared_at": submitted_at,
                "recommendation": rng.choice(["fund", "fund_with_conditions", "do_not_fund"]),
                "proposed_cents": rng.randint(10, 100) * 1000_00, "overall_comment": "",
                "conflict_note": "", "scored_revision": 1, "submitted_at": submitted_at,
                "updated_at": submitted_at, "lock_version": 1,
            })
            for criterion in criteria:
                scores.append({
                    "review_id": review_id, "criterion_id": criterion.id,
                    "score": rng.randint(0, criterion.scale_max) if criterion.is_scored else None,
                    "passed": None if criterion.is_scored else rng.random() > 0.02,
                    "comment": "",
                })
            review_id += 1
    for chunk in range(0, len(apps), 500):
        db.session.execute(insert(Application), apps[chunk:chunk + 500])
    for chunk in range(0, len(reviews), 1000):
        db.session.execute(insert(Review), reviews[chunk:chunk + 1000])
    for chunk in range(0, len(scores), 2000):
        db.session.execute(insert(ReviewScore), scores[chunk:chunk + 2000])
    db.session.commit()


TEN_CRITERIA = (
    ("general", "Rahoituskelpoisuus", 0),
    ("general", "Kohderyhmä", 0),
    ("content", "Toteutettavuus", 20),
    ("content", "Työnantajat", 20),
    ("content", "Tulokset", 15),
    ("content", "Kustannukset", 10),
    ("horizontal", "Yhdenvertaisuus", 5),
    ("horizontal", "Kestävä kehitys", 5),
    ("call_specific", "Työpaikkalähtöisyys", 15),
    ("call_specific", "Levittäminen", 10),
)


def bulk_organisations(count: int) -> list[int]:
    """Verified applicant organisations inserted directly; their ids."""
    first = (db.session.scalar(select(db.func.max(Organisation.id))) or 0) + 1
    now = utcnow()
    rows = [{"id": first + n, "name": f"Hakijajärjestö {n} ry", "business_id": f"9{n:06d}-{n % 10}",
             "type": "ngo", "description": "", "status": OrganisationStatus.verified,
             "verified_at": now} for n in range(count)]
    db.session.execute(insert(Organisation), rows)
    db.session.commit()
    return [r["id"] for r in rows]


def owner_of(organisation: Organisation) -> User:
    return db.session.scalar(select(User).join(Membership, Membership.user_id == User.id).where(
        Membership.organisation_id == organisation.id, Membership.role == Role.owner))
