"""Proposals and decisions through app.reviews.services: after the close only, by the presenting
officer and then another decision maker, within what was applied for and the call's budget;
the decided application, its notifications and its audit trail; the approved funding plan of a
partial grant."""

from __future__ import annotations

from fractions import Fraction

import pytest
from sqlalchemy import select

from app.applications.models import ApplicationState
from app.core.audit import AuditLog
from app.core.domain import DomainError, NotAllowed
from app.core.templating import local_datetime
from app.extensions import db as _db
from app.notifications.models import Notification
from app.organisations.services import forget_memberships
from app.reviews import permissions as perms
from app.reviews import services as reviews
from app.reviews.models import ProposalState
from tests.fixtures.calls import advance, decide, proposal_values
from tests.reviews.decision_support import applicant_emails, outbox_to, scene

S = ApplicationState


@pytest.fixture
def world(make_cast):
    return scene(make_cast)


def _text(error) -> str:
    return str(error.value).replace("\u00a0", " ").replace("\u202f", " ")


def test_propose_is_refused_before_the_close_and_says_when(world):
    application, call = world.application, world.call
    before = call.closes_at.replace(microsecond=0) - (call.closes_at - call.opens_at) / 2
    assert not perms.can_propose(world.officer, application, before)
    with pytest.raises(DomainError) as error:
        reviews.propose_decision(world.officer, application, proposal_values(application),
                                 now=before)
    assert "only after the call has closed" in str(error.value)
    assert local_datetime(call.closes_at) in str(error.value)
    assert perms.application_decision(application) is None
    # at the close it opens
    assert perms.can_propose(world.officer, application, call.closes_at)


@pytest.mark.parametrize("role", ["reviewer", "lead_owner", "outsider", "admin"])
def test_only_the_presenting_officer_proposes(world, role):
    with pytest.raises(NotAllowed):
        reviews.propose_decision(world.person(role), world.application,
                                 proposal_values(world.application), now=world.now)
    assert perms.application_decision(world.application) is None


def test_the_decision_maker_who_is_not_a_call_manager_does_not_propose(world):
    with pytest.raises(NotAllowed) as error:
        reviews.propose_decision(world.maker, world.application,
                                 proposal_values(world.application), now=world.now)
    assert "presenting officer" in str(error.value)


def test_a_named_presenting_officer_excludes_the_other_call_managers(world, make_user,
                                                                    add_member):
    other = make_user()
    add_member(world.call.organisation, other, "member", call_manager=True)
    reviews.set_review_roles(world.officer, world.call, other.id, None, None)
    _db.session.commit()
    with pytest.raises(NotAllowed):
        reviews.propose_decision(world.officer, world.application,
                                 proposal_values(world.application), now=world.now)
    reviews.propose_decision(other, world.application, proposal_values(world.application),
                             now=world.now)


@pytest.mark.parametrize("role", ["conflicted_manager", "partner_conflicted_manager"])
def test_a_conflicted_officer_never_proposes(world, role):
    with pytest.raises(NotAllowed) as error:
        reviews.propose_decision(world.person(role), world.application,
                                 proposal_values(world.application), now=world.now)
    assert "conflicted" in str(error.value)
    assert perms.application_decision(world.application) is None


def test_an_officer_who_declared_a_conflict_never_proposes(world, make_user, add_member):
    """A call manager of the centre who is also its reviewer, assigned, declares a conflict:
    from then on they cannot act on the application."""
    officer = make_user()
    add_member(world.call.organisation, officer, "member", call_manager=True, reviewer=True)
    forget_memberships()
    review = reviews.assign_reviewer(world.officer, world.application, officer)
    reviews.declare(officer, review, conflict=True, ground="benefit_or_harm")
    _db.session.commit()
    with pytest.raises(NotAllowed):
        reviews.propose_decision(officer, world.application,
                                 proposal_values(world.application), now=world.now)


@pytest.mark.parametrize("values,field,words", [
    ({"granted_cents": 107_520_01}, "granted", "cannot exceed the support applied for"),
    ({"approved_cost_cents": 134_400_01}, "approved_cost", "cannot exceed the total eligible"),
    ({"granted_cents": 100_000_00, "approved_cost_cents": 110_000_00}, "granted",
     "more than the call's maximum"),
    ({"granted_cents": 0}, "granted", "Enter the granted amount"),
    ({"justification": "   "}, "justification", "justification"),
    ({"eligible_from": None, "eligible_until": __import__("datetime").date(2020, 1, 1)},
     "eligible_until", "must end after it starts"),
])
def test_the_proposal_is_checked_field_by_field(world, values, field, words):
    with pytest.raises(DomainError) as error:
        reviews.propose_decision(world.officer, world.application,
                                 proposal_values(world.application, **values), now=world.now)
    assert error.value.field == field
    assert words in str(error.value)
    assert perms.application_decision(world.application) is None


def test_the_share_message_shows_the_share(world):
    with pytest.raises(DomainError) as error:
        reviews.propose_decision(world.officer, world.application, proposal_values(
            world.application, granted_cents=100_000_00, approved_cost_cents=110_000_00),
            now=world.now)
    assert "90,91 %" in str(error.value) and "80 %" in str(error.value)


def test_the_budget_counts_proposals_and_decisions_and_says_by_how_much(world,
                                                                       make_application):
    call = world.call
    call.total_budget_cents = 150_000_00
    _db.session.commit()
    second = make_application(call=call, project_name="Toinen hanke", state="in_review")
    third = make_application(call=call, project_name="Kolmas hanke", state="in_review")
    # A proposal (not yet confirmed) already takes its share of the budget.
    reviews.propose_decision(world.officer, world.application,
                             proposal_values(world.application), now=world.now)
    with pytest.raises(DomainError) as error:
        reviews.propose_decision(world.officer, second, proposal_values(second),
                                 now=world.now)
    message = _text(error)
    assert "exceeded by 65,040.00 €" in message  # 2 × 107 520 − 150 000
    assert "107,520.00 € has already been granted or proposed" in message
    assert error.value.field == "granted"
    assert perms.application_decision(second) is None
    # once confirmed it still counts; what is left fits exactly
    decision = perms.application_decision(world.application)
    reviews.confirm_decision(world.maker, decision, now=world.now)
    reviews.propose_decision(world.officer, second,
                             proposal_values(second, granted_cents=42_480_00,
                                             approved_cost_cents=53_100_00), now=world.now)
    with pytest.raises(DomainError) as error:
        reviews.propose_decision(world.officer, third,
                                 proposal_values(third, granted_cents=1), now=world.now)
    assert "exceeded by 0.01 €" in _text(error)
    # a rejection never touches the budget
    reviews.propose_decision(world.officer, third, proposal_values(third, approve=False),
                             now=world.now)
    assert reviews.granted_in_call(call, confirmed_only=False) == 150_000_00


def test_confirming_never_exceeds_the_budget_even_after_a_racing_proposal(world,
                                                                        make_application):
    """Two proposals that each fitted when made (say, by two officers at the same moment)
    cannot both be confirmed beyond the budget: the confirmation checks again."""
    from app.reviews.models import Decision

    call = world.call
    call.total_budget_cents = 150_000_00
    _db.session.commit()
    second = make_application(call=call, project_name="Kilpaileva hanke", state="in_review")
    first = reviews.propose_decision(world.officer, world.application,
                                     proposal_values(world.application), now=world.now)
    # the racing proposal, as if its budget check had run before the first was saved
    racing = Decision(application_id=second.id, call_id=call.id, outcome="approved",
                      granted_cents=107_520_00, justification="Kilpa.",
                      proposed_by_id=world.officer.id, proposed_by_name=world.officer.name)
    racing.application = second
    _db.session.add(racing)
    _db.session.commit()
    reviews.confirm_decision(world.maker, first, now=world.now)
    _db.session.commit()
    with pytest.raises(DomainError) as error:
        reviews.confirm_decision(world.maker, racing, now=world.now)
    assert "exceeded by 65,040.00 €" in _text(error)
    _db.session.rollback()
    assert second.state == S.in_review
    assert reviews.granted_in_call(call, confirmed_only=True) == 107_520_00


def test_the_proposer_can_never_confirm(world):
    decision = reviews.propose_decision(world.officer, world.application,
                                        proposal_values(world.application), now=world.now)
    # While no decision maker is named, every call manager may decide, the officer too ...
    assert perms.may_decide_in(world.officer, world.call)
    # ... but never what they presented.
    assert not perms.can_confirm(world.officer, decision, world.now)
    for act in (lambda: reviews.confirm_decision(world.officer, decision, now=world.now),
                lambda: reviews.return_proposal(world.officer, decision, "Ei.", now=world.now)):
        with pytest.raises(NotAllowed) as error:
            act()
        assert "cannot both present and decide" in str(error.value)
    assert decision.state == ProposalState.proposed
    assert world.application.state == S.in_review


def test_confirmation_decides_notifies_the_applicants_and_is_audited(world, mailbox):
    application = world.application
    decision = reviews.propose_decision(world.officer, application,
                                        proposal_values(application), now=world.now)
    # the decision maker is told, in the app and by mail
    assert outbox_to("A decision is proposed") == [world.maker.email]
    assert _db.session.scalar(select(Notification).where(
        Notification.user_id == world.maker.id)) is not None
    reviews.confirm_decision(world.maker, decision, now=world.now)
    _db.session.commit()
    assert application.state == S.approved
    assert application.granted_cents == 107_520_00
    assert application.decided_by_id == world.maker.id and application.decided_at == world.now
    assert decision.state == ProposalState.confirmed
    assert (decision.proposed_by_name, decision.decided_by_name) == (world.officer.name,
                                                                    world.maker.name)
    assert decision.authority_name == world.call.organisation.name
    recipients = outbox_to("Decision on the application")
    assert len(recipients) == len(set(recipients))
    assert set(recipients) == applicant_emails(application)
    assert world.person("partner_editor").email in recipients
    assert world.person("invited_partner_editor").email not in recipients  # declined
    actions = list(_db.session.scalars(select(AuditLog.action).where(
        AuditLog.action.in_(("decision.proposed", "decision.confirmed",
                             "application.decided"))).order_by(AuditLog.id)))
    assert sorted(actions) == ["application.decided", "decision.confirmed", "decision.proposed"]
    assert actions[0] == "decision.proposed"
    with pytest.raises(DomainError):  # decided once
        reviews.confirm_decision(world.maker, decision, now=world.now)


def test_a_rejection_is_decided_without_amounts(world):
    decision = decide(world.application, approve=False, proposer=world.officer,
                      decision_maker=world.maker)
    assert world.application.state == S.rejected
    assert world.application.granted_cents is None
    assert decision.granted_cents is None and decision.approved_plan is None


def test_return_with_a_comment_and_propose_again(world):
    application = world.application
    decision = reviews.propose_decision(world.officer, application,
                                        proposal_values(application), now=world.now)
    with pytest.raises(DomainError) as error:
        reviews.return_proposal(world.maker, decision, "  ", now=world.now)
    assert error.value.field == "comment"
    reviews.return_proposal(world.maker, decision, "Perustele pisteillä.", now=world.now)
    assert decision.state == ProposalState.returned
    assert decision.returned_comment == "Perustele pisteillä."
    assert outbox_to("Your proposal on") == [world.officer.email]
    assert _db.session.scalar(select(Notification).where(
        Notification.user_id == world.officer.id)) is not None
    # a returned proposal cannot be confirmed; the officer proposes again
    with pytest.raises(DomainError):
        reviews.confirm_decision(world.maker, decision, now=world.now)
    assert perms.can_propose(world.officer, application, world.now)
    again = reviews.propose_decision(world.officer, application, proposal_values(
        application, justification="Keskiarvo 82 / 100, sija 1 / 3."), now=world.now)
    assert again.id == decision.id and again.state == ProposalState.proposed
    assert again.returned_comment == "" and again.justification.startswith("Keskiarvo 82")
    reviews.confirm_decision(world.maker, again, now=world.now)
    assert application.state == S.approved
    assert _db.session.scalar(select(AuditLog.id).where(
        AuditLog.action == "decision.returned")) is not None


def test_a_partial_grant_gives_a_plan_that_balances_to_the_cent(make_cast, make_application):
    world = scene(make_cast)
    application = make_application(call=world.call, state="draft", project_name="Osittain")
    # 134 400 € in all: support 75 %, municipal, private and own funding in odd amounts
    application.support_cents = 100_800_00
    application.municipal_cents = 20_000_00
    application.private_cents = 3_333_33
    application.own_cents = 10_266_67
    _db.session.commit()
    advance(application, "in_review", application.created_by, manager=world.officer)
    _db.session.commit()
    cost, granted = 99_999_99, 70_000_00
    decision = reviews.propose_decision(world.officer, application, proposal_values(
        application, granted_cents=granted, approved_cost_cents=cost), now=world.now)
    plan = decision.approved_plan
    assert sum(plan.values()) == cost
    assert plan["support"] == granted and plan["other_public"] == 0
    rest, others = cost - granted, 20_000_00 + 3_333_33 + 10_266_67
    for name, applied in (("municipal", 20_000_00), ("private", 3_333_33),
                          ("own", 10_266_67)):
        assert abs(plan[name] - Fraction(applied * rest, others)) < 1, name
    assert decision.support_basis_points == 7000  # 70,00 %
    reviews.confirm_decision(world.maker, decision, now=world.now)
    assert application.granted_cents == granted


def test_decisions_in_two_calls_do_not_share_a_budget(world, make_call, make_application):
    world.call.total_budget_cents = 107_520_00
    _db.session.commit()
    other = make_application(call=make_call(total_budget_cents=107_520_00),
                             state="in_review")
    decide(world.application, proposer=world.officer, decision_maker=world.maker)
    decide(other)
    assert other.state == S.approved and world.application.state == S.approved
