"""The review demo (app/demo/reviews_data.py): the open call in review with three reviewers who
disagree, one declared and one automatic conflict of interest, an ineligible application and
the budget line inside the ranking; the closed call's decisions follow its ranking; and a demo
reviewer can do by hand what the issue's "done when" asks."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.applications.models import Application, ApplicationState
from app.auth.models import User
from app.calls.models import Call
from app.core.audit import AuditLog
from app.core.domain import DomainError
from app.core.outbox import OutboundMail
from app.demo import reviews_data
from app.demo.seed import seed_demo
from app.notifications.models import Notification, NotificationKind
from app.reviews import permissions as perms
from app.reviews import services
from app.reviews.models import (
    ConflictGround,
    Decision,
    DecisionOutcome,
    Declaration,
    ProposalState,
    Review,
)
from app.reviews.ranking import call_ranking
from app.reviews.scoring import rounded
from app.reviews.services import ProposalInput, ScoreInput


@pytest.fixture
def seeded(db):
    seed_demo(db.session)
    db.session.commit()


def _user(db, email) -> User:
    return db.session.scalar(select(User).where(User.email == email))


def _call(db, prefix) -> Call:
    return db.session.scalar(select(Call).where(Call.title_fi.like(f"{prefix}%")))


def _open_call(db) -> Call:
    return _call(db, "Uusia työmahdollisuuksia")


def _closed_call(db) -> Call:
    return _call(db, "Nuorten työelämäpolut")


def _reviews(db, call) -> list[Review]:
    return list(db.session.scalars(select(Review).where(Review.call_id == call.id)
                                   .order_by(Review.id)))


def test_the_open_call_is_in_review(seeded, db):
    call = _open_call(db)
    officer = _user(db, reviews_data.OFFICER)
    decision_maker = _user(db, reviews_data.DECISION_MAKER)
    assert call.presenting_officer_id == officer.id
    assert call.decision_maker_id == decision_maker.id != officer.id
    assert call.reviews_due_at is not None
    assert perms.is_presenting_officer(officer, call) and perms.may_decide_in(decision_maker, call)

    reviews = _reviews(db, call)
    # Three reviewers of the centre, each with assignments in the call.
    reviewers = {r.reviewer_id for r in reviews}
    assert reviewers == {_user(db, e).id for e in reviews_data.REVIEWERS}
    for reviewer_id in reviewers:
        assert perms.is_reviewer_of(db.session.get(User, reviewer_id), call.organisation)

    # One declared conflict of interest, with its ground and a note.
    declared = [r for r in reviews if r.declaration == Declaration.conflict]
    assert len(declared) == 1
    assert declared[0].conflict_ground == ConflictGround.party_or_relative
    assert declared[0].conflict_note
    # One automatic conflict: the reviewer is now a member of a partner organisation.
    automatic = [r for r in reviews if r.declaration != Declaration.conflict
                 and perms.is_automatically_conflicted(r.reviewer_id, r.application)]
    assert len(automatic) == 1
    conflicted = automatic[0]
    partner_ids = {p.organisation_id for p in conflicted.application.partners}
    assert perms.member_organisation_ids([conflicted.reviewer_id])[conflicted.reviewer_id] \
        & partner_ids
    assert not conflicted.is_submitted
    with pytest.raises(DomainError):  # nobody could assign him there now
        services.assign_reviewer(officer, conflicted.application, conflicted.reviewer)

    ranking = call_ranking(call, officer)
    rows = {row.application.project_name: row for row in ranking.all_rows}
    # The reviewers disagree: 82 against 55 on one application.
    disagreement = rows["Työkykykoordinaattori yrityksiin"]
    assert disagreement.submitted_count == 2
    assert (round(disagreement.minimum), round(disagreement.maximum)) == (55, 82)
    # Conflicted reviewers are left out of the figures.
    assert rows["Työkokeilusta palkkatyöhön"].conflicted_count == 1
    assert rows["Työpaikat mukaan – osatyökykyisten polku Etelä-Savossa"].conflicted_count == 1
    # Exactly one ineligible application: its reviewers failed the general criterion.
    ineligible = [row for row in ranking.all_rows if row.ineligible]
    assert [row.application.project_name for row in ineligible] == [
        "Osaajapolku – maahan muuttaneet asiantuntijat töihin"]
    # The budget line falls inside the list: some ranked applications fit, some do not.
    ranked = [row for row in ranking.rows if row.rank is not None]
    assert len(ranked) >= 5
    fits = [row.within_budget for row in ranked]
    assert fits[0] and not fits[-1] and fits == sorted(fits, reverse=True)
    assert ranking.line_index is not None and 0 <= ranking.line_index < len(ranked) - 1
    assert ranking.requested_total_cents > call.total_budget_cents
    # The states an officer meets: a fresh submission without reviewers, one waiting for
    # information, one supplemented after its reviews (they scored the earlier revision).
    states = {row.application.project_name: row.application.state for row in ranking.all_rows}
    assert states["Rekrytointikoulutuksella konepajoihin"] == ApplicationState.submitted
    assert rows["Rekrytointikoulutuksella konepajoihin"].assigned_count == 0
    assert ApplicationState.more_info_requested in states.values()
    supplemented = rows["Työkokeilusta palkkatyöhön"].application
    assert supplemented.state == ApplicationState.supplemented
    assert supplemented.revision_count == 2
    assert {r.scored_revision for r in _reviews(db, call)
            if r.application_id == supplemented.id and r.is_submitted} == {1}


def test_a_demo_reviewer_declares_scores_submits_and_sees_the_others(seeded, db):
    """The issue's "done when", through the services the pages use."""
    leena = _user(db, reviews_data.LEENA)
    mine = [r for r in db.session.scalars(select(Review).where(Review.reviewer_id == leena.id))]
    to_declare = [r for r in mine if r.declaration == Declaration.pending]
    assert len(to_declare) == 1
    review = to_declare[0]
    assert review.application.call.phase().value == "open"
    # Before declaring: the title only.
    assert not perms.can_read_review_content(leena, review)
    others = [r for r in _reviews(db, review.application.call)
              if r.application_id == review.application_id and r.id != review.id]
    assert sum(r.is_submitted for r in others) == 2

    services.declare(leena, review, False)
    assert perms.can_score(leena, review) and not perms.can_see_other_reviews(leena, review)
    scores = {}
    for criterion in review.application.call.criteria:
        scores[criterion.id] = (ScoreInput(score=criterion.scale_max, comment="Hyvä.")
                                if criterion.is_scored else ScoreInput(passed=True, comment="Ok."))
    services.save_review(leena, review, scores, "fund", None, "Rahoitettava.")
    services.submit_review(leena, review)
    assert perms.can_see_other_reviews(leena, review)
    db.session.commit()


def test_the_closed_call_is_decided_as_ranked(seeded, db):
    call = _closed_call(db)
    officer = _user(db, reviews_data.OFFICER)
    decision_maker = _user(db, reviews_data.DECISION_MAKER)
    assert call.phase().value == "closed" and call.reviewing_closed_at > call.closes_at
    reviews = _reviews(db, call)
    assert reviews and all(r.is_submitted for r in reviews)
    # Balanced automatic assignment: every reviewer on every reviewed application.
    assert {r.reviewer.email for r in reviews} == set(reviews_data.REVIEWERS)

    ranking = call_ranking(call, officer)
    decisions = {d.application_id: d for d in db.session.scalars(
        select(Decision).where(Decision.call_id == call.id))}
    ranked = [row for row in ranking.all_rows if row.rank is not None]
    assert len(ranked) >= 3
    # Down the ranking: approved while the budget lasts (the one at the line with what is
    # left), then no more approvals; ineligible applications are rejected.
    outcomes = []
    left = call.total_budget_cents
    for row in ranked:
        decision = decisions.get(row.application.id)
        if decision is None:
            outcomes.append(None)
            continue
        outcomes.append(decision.outcome)
        if decision.approves:
            assert decision.granted_cents == min(row.requested_cents, left)
            left -= decision.granted_cents
    approved = [o == DecisionOutcome.approved for o in outcomes]
    assert approved[0] and approved == sorted(approved, reverse=True)
    assert not approved[-1]
    assert ranked[0].within_budget and not ranked[1].within_budget  # the line is inside
    assert services.granted_in_call(call, confirmed_only=False) <= call.total_budget_cents
    for row in ranking.all_rows:
        if row.ineligible:
            assert decisions[row.application.id].outcome == DecisionOutcome.rejected

    for decision in decisions.values():
        assert decision.proposed_by_id == officer.id
        assert decision.proposed_at > call.closes_at
        # The justification refers to the scores (the mean, as the ranking shows it).
        row = next(r for r in ranking.all_rows if r.application.id == decision.application_id)
        if not row.ineligible:
            assert str(rounded(row.mean)).replace(".", ",") in decision.justification
        if decision.state == ProposalState.confirmed:
            assert decision.decided_by_id == decision_maker.id != decision.proposed_by_id
            assert decision.decided_at > decision.proposed_at
            assert decision.application.state == str(decision.outcome)
    confirmed = [d for d in decisions.values() if d.is_confirmed]
    assert {d.language for d in confirmed} == {"fi", "sv"}
    swedish = next(d for d in confirmed if d.language == "sv")
    assert swedish.application.project_name == "Ungdomar till arbetslivet i Österbotten"
    assert "Ansökan" in swedish.justification
    # The old claim without scores behind it is gone.
    assert not db.session.scalar(select(func.count(Application.id)).where(
        Application.decision_justification.like("%parhaan pistemäärän%")))

    # Left for the demo: a proposal for the decision maker, an application for the officer.
    waiting = [d for d in decisions.values() if d.state == ProposalState.proposed]
    assert len(waiting) == 1 and perms.can_confirm(decision_maker, waiting[0])
    assert not perms.can_confirm(officer, waiting[0])
    undecided = [row.application for row in ranked if row.application.id not in decisions]
    assert len(undecided) == 1 and perms.can_propose(officer, undecided[0])
    # Approving it too would break the budget: the officer proposes a rejection.
    with pytest.raises(DomainError, match="exceeded"):
        services.propose_decision(officer, undecided[0], ProposalInput(
            approve=True, granted_cents=undecided[0].support_cents,
            approved_cost_cents=undecided[0].support_cents * 100 // 75,
            justification="Pisteet riittävät."))


def test_seeding_reviews_mails_no_one_but_notifies_and_audits(seeded, db):
    assert db.session.scalar(select(func.count(OutboundMail.id))) == 0
    leena = _user(db, reviews_data.LEENA)
    kinds = set(db.session.scalars(select(Notification.kind).where(
        Notification.user_id == leena.id)))
    assert NotificationKind.reviewer_assigned in kinds
    actions = set(db.session.scalars(select(AuditLog.action)))
    assert {"review.assigned", "review.auto_assigned", "review.declared", "review.scored",
            "review.submitted", "call.reviewing_closed", "decision.proposed",
            "decision.confirmed"} <= actions
    # Seeding again adds nothing.
    before = (db.session.scalar(select(func.count(Review.id))),
              db.session.scalar(select(func.count(Decision.id))))
    again = seed_demo(db.session)
    assert again.created["reviews"] == 0
    assert before == (db.session.scalar(select(func.count(Review.id))),
                      db.session.scalar(select(func.count(Decision.id))))
