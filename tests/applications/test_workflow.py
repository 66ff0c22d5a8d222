"""Every transition allowed and refused: wrong state, wrong actor, the clock, the organisation."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.applications import permissions, workflow
from app.applications import services as applications
from app.applications.models import ApplicationRevision, ApplicationState
from app.applications.revisions import diff_revisions
from app.core.domain import DomainError
from app.core.outbox import flush_outbox
from app.extensions import db as _db
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from tests.fixtures.calls import (
    after_close,
    call_manager_of,
    decide,
    decision_maker_for,
    proposal_values,
)

S = ApplicationState
ALL_STATES = ["draft", "submitted", "in_review", "more_info_requested", "supplemented",
              "approved", "rejected"]


def _during(call):
    return call.opens_at + timedelta(hours=1)


def _lead_owner(application):
    from app.extensions import db
    from app.organisations.models import Membership

    return db.session.scalar(select(Membership).where(
        Membership.organisation_id == application.organisation_id,
        Membership.role == Role.owner)).user


TRANSITIONS = {
    # name: (allowed from-states, actor: "lead" or "manager", call)
    "submit": ({"draft"}, "lead",
               lambda u, a, now: workflow.submit_application(u, a, now=now)),
    "supplement": ({"more_info_requested"}, "lead",
                   lambda u, a, now: workflow.supplement_application(u, a, now=now)),
    "withdraw": ({"submitted", "in_review", "more_info_requested", "supplemented"}, "lead",
                 lambda u, a, now: workflow.withdraw_application(u, a, now=now)),
    "start_review": ({"submitted", "supplemented"}, "manager",
                     lambda u, a, now: workflow.start_review(u, a, now=now)),
    "request_info": ({"submitted", "in_review", "supplemented"}, "manager",
                     lambda u, a, now: workflow.request_more_info(
                         u, a, "Tarkenna budjettia.", now + timedelta(days=7), now=now)),
    # The presenting officer proposes and another decision maker confirms, after the close.
    "approve": ({"in_review"}, "manager",
                lambda u, a, now: decide(a, True, proposer=u, granted_cents=1000_00)),
    "reject": ({"in_review"}, "manager", lambda u, a, now: decide(a, False, proposer=u)),
}
RESULT = {"submit": S.submitted, "supplement": S.supplemented, "withdraw": S.draft,
          "start_review": S.in_review, "request_info": S.more_info_requested,
          "approve": S.approved, "reject": S.rejected}


@pytest.mark.parametrize("name", list(TRANSITIONS))
@pytest.mark.parametrize("state", ALL_STATES)
def test_each_transition_from_each_state(make_application, name, state):
    application = make_application(state=state)
    allowed, actor_kind, run = TRANSITIONS[name]
    actor = _lead_owner(application) if actor_kind == "lead" else call_manager_of(application.call)
    forget_memberships()
    now = _during(application.call)
    if state in allowed:
        run(actor, application, now)
        assert application.state == RESULT[name]
    else:
        with pytest.raises(DomainError) as error:
            run(actor, application, now)
        assert error.value.code == "state"
        assert application.state == S(state)


@pytest.fixture
def cast(make_call, make_application, make_user, make_organisation, add_member):
    """An open call and a complete draft by A, with people in every role around it."""
    call = make_call()
    owner = make_user()
    a = make_organisation(name="A ry", owner=owner)
    people = {"owner": owner, "manager": call_manager_of(call)}
    for role in ("editor", "member"):
        people[role] = make_user()
        add_member(a, people[role], Role(role))
    partner_org = make_organisation(name="Kumppani ry")
    people["partner_editor"] = make_user()
    add_member(partner_org, people["partner_editor"], Role.editor)
    people["outsider"] = make_user()
    add_member(make_organisation(name="B ry"), people["outsider"], Role.owner)
    people["reviewer"] = make_user()
    add_member(call.organisation, people["reviewer"], Role.member, reviewer=True)
    people["conflicted_manager"] = make_user()
    add_member(call.organisation, people["conflicted_manager"], Role.member, call_manager=True)
    add_member(a, people["conflicted_manager"], Role.member)
    people["admin"] = make_user(admin=True)
    application = make_application(call=call, organisation=a)
    forget_memberships()
    partner = applications.invite_partner(owner, application, partner_org, now=_during(call),
                                          kind="cooperation")
    forget_memberships()
    applications.respond_to_partnership(people["partner_editor"], partner, True,
                                        now=_during(call))
    return people, application


LEAD_WRITERS = {"owner", "editor"}
MANAGERS = {"manager"}


@pytest.mark.parametrize("role", ["owner", "editor", "member", "partner_editor", "outsider",
                                  "reviewer", "manager", "conflicted_manager", "admin"])
def test_who_may_submit(cast, role):
    people, application = cast
    now = _during(application.call)
    if role in LEAD_WRITERS:
        workflow.submit_application(people[role], application, now=now)
        assert application.state == S.submitted
        return
    assert not permissions.can_submit_application(people[role], application, now)
    with pytest.raises(DomainError) as error:
        workflow.submit_application(people[role], application, now=now)
    assert error.value.code == "actor"


@pytest.mark.parametrize("role", ["owner", "editor", "member", "partner_editor", "outsider",
                                  "reviewer", "manager", "conflicted_manager", "admin"])
def test_who_may_act_for_the_ely_centre(cast, role):
    people, application = cast
    now = _during(application.call)
    workflow.submit_application(people["owner"], application, now=now)
    forget_memberships()
    if role in MANAGERS:
        assert permissions.can_start_review(people[role], application)
        workflow.start_review(people[role], application, now=now)
        workflow.request_more_info(people[role], application, "Lisää.", now + timedelta(days=3),
                                   now=now)
        return
    assert not permissions.can_start_review(people[role], application)
    assert not permissions.can_request_info(people[role], application)
    with pytest.raises(DomainError) as error:
        workflow.start_review(people[role], application, now=now)
    assert error.value.code == "actor"
    with pytest.raises(DomainError):
        workflow.request_more_info(people[role], application, "Lisää.", now + timedelta(days=3),
                                   now=now)


@pytest.mark.parametrize("role", ["owner", "editor", "member", "partner_editor", "outsider",
                                  "manager", "admin"])
def test_who_may_withdraw(cast, role):
    people, application = cast
    now = _during(application.call)
    workflow.submit_application(people["owner"], application, now=now)
    forget_memberships()
    if role in LEAD_WRITERS:
        workflow.withdraw_application(people[role], application, now=now)
        assert application.state == S.draft
    else:
        assert not permissions.can_withdraw_application(people[role], application)
        with pytest.raises(DomainError):
            workflow.withdraw_application(people[role], application, now=now)


def test_submit_only_while_the_call_is_open(make_call, make_application):
    for phase in ("upcoming", "closed"):
        call = make_call(phase="open")
        application = make_application(call=call)
        owner = _lead_owner(application)
        moment = call.opens_at - timedelta(seconds=1) if phase == "upcoming" else call.closes_at
        assert not permissions.can_submit_application(owner, application, moment)
        with pytest.raises(DomainError, match="not open"):
            workflow.submit_application(owner, application, now=moment)
        assert application.state == S.draft and application.revision_count == 0
        # one microsecond before closing is still in time
        just_in_time = call.closes_at - timedelta(microseconds=1)
        workflow.submit_application(owner, application, now=just_in_time)
        assert application.state == S.submitted


def test_draft_still_open_at_the_deadline_can_no_longer_be_submitted(make_call, make_application,
                                                                      monkeypatch):
    from app.applications import sections
    from app.core import clock

    call = make_call()
    application = make_application(call=call)
    monkeypatch.setattr(clock, "now", lambda: call.closes_at + timedelta(minutes=5))
    assert permissions.submit_blocker(application) == "closed"
    assert any("not open" in str(p.message) for p in sections.checklist(application))
    with pytest.raises(DomainError):
        workflow.submit_application(_lead_owner(application), application)


def test_unverified_or_ineligible_lead_cannot_submit(make_call, make_application,
                                                     make_organisation, make_user, db):
    call = make_call(eligible=("ngo",))
    owner = make_user()
    unverified = make_organisation(verified=False, owner=owner)
    application = make_application(call=call, organisation=unverified)
    with pytest.raises(DomainError, match="verified"):
        workflow.submit_application(owner, application, now=_during(call))
    owner2 = make_user()
    firm = make_organisation(type="staffing_firm", owner=owner2)
    application2 = make_application(call=call, organisation=firm)
    with pytest.raises(DomainError, match="type"):
        workflow.submit_application(owner2, application2, now=_during(call))


def test_incomplete_draft_cannot_be_submitted(make_application):
    application = make_application(complete=False)
    with pytest.raises(DomainError) as error:
        workflow.submit_application(_lead_owner(application), application,
                                    now=_during(application.call))
    assert error.value.code == "invalid"
    assert application.revision_count == 0


def test_submit_locks_content_makes_a_revision_and_mails(cast, mailbox, db):
    people, application = cast
    now = _during(application.call)
    revision = workflow.submit_application(people["editor"], application, now=now)
    db.session.commit()
    flush_outbox()
    assert (revision.number, revision.kind) == (1, "submission")
    budget = revision.content["budget"]
    assert budget["staff_cents"] == 96_000_00 and budget["flat_rate_cents"] == 38_400_00
    assert budget["total_cents"] == 134_400_00
    assert sum(budget["plan"].values()) == budget["total_cents"]
    assert [p["name"] for p in revision.content["partners"]] == ["Kumppani ry"]
    recipients = {m["To"] for m in mailbox.messages()}
    for role in ("owner", "editor", "member", "partner_editor"):
        assert people[role].email in recipients
    for role in ("outsider", "reviewer"):
        assert people[role].email not in recipients
    # the call manager is told as the ELY-centre (issue 9: notifications)
    assert [m["Subject"] for m in mailbox.messages(to=people["manager"].email)] == [
        f"New application in {application.call.title('en')}: {application.project_name}"]
    with pytest.raises(DomainError) as error:
        applications.save_section(people["owner"], application, "background", {"background": "X"})
    assert error.value.code == "locked"


def test_revisions_are_immutable(make_application, db):
    application = make_application(state="submitted")
    revision = db.session.scalar(select(ApplicationRevision).where(
        ApplicationRevision.application_id == application.id))
    revision.kind = "changed"
    with pytest.raises(ValueError, match="immutable"):
        db.session.flush()
    db.session.rollback()


def test_more_information_round_trip(make_application, mailbox, db):
    application = make_application(state="in_review")
    owner, manager = _lead_owner(application), call_manager_of(application.call)
    now = _during(application.call)
    with pytest.raises(DomainError) as error:
        workflow.request_more_info(manager, application, "Lisää.", now - timedelta(hours=1),
                                   now=now)
    assert error.value.field == "deadline"
    with pytest.raises(DomainError):
        workflow.request_more_info(manager, application, "  ", now + timedelta(days=1), now=now)
    deadline = now + timedelta(days=7)
    workflow.request_more_info(manager, application, "Tarkenna budjettia.", deadline, now=now)
    assert application.state == S.more_info_requested and application.is_editable
    _db.session.commit()
    flush_outbox()
    assert owner.email in {m["To"] for m in mailbox.messages()}
    applications.save_section(owner, application, "background",
                              {"background": "Uusi perustelu tarpeelle."}, now=now)
    revision = workflow.supplement_application(owner, application, now=now)
    assert (revision.number, revision.kind, application.state) == (2, "supplement", S.supplemented)
    first = db.session.scalar(select(ApplicationRevision).where(
        ApplicationRevision.application_id == application.id, ApplicationRevision.number == 1))
    diff = diff_revisions(first.content, revision.content)
    assert any(d.name == "background" and d.changed for d in diff.texts)


def test_supplement_after_the_deadline_is_refused(make_application):
    application = make_application(state="more_info_requested")
    owner = _lead_owner(application)
    with pytest.raises(DomainError, match="deadline"):
        workflow.supplement_application(owner, application,
                                        now=application.info_deadline + timedelta(seconds=1))
    assert permissions.submit_blocker(application, application.info_deadline) == "info_deadline"


def test_supplement_works_after_the_call_closed(make_call, make_application):
    call = make_call(phase="closed")
    application = make_application(call=call, state="more_info_requested")
    owner = _lead_owner(application)
    revision = workflow.supplement_application(owner, application,
                                               now=application.info_deadline - timedelta(hours=1))
    assert revision.number == 2


def test_withdraw_returns_to_draft_and_resubmits_only_while_open(make_application):
    application = make_application(state="in_review")
    owner = _lead_owner(application)
    call = application.call
    workflow.withdraw_application(owner, application, now=_during(call))
    assert application.state == S.draft and application.withdrawn_at is not None
    assert application.revision_count == 1
    with pytest.raises(DomainError):
        workflow.submit_application(owner, application, now=call.closes_at)
    revision = workflow.submit_application(owner, application, now=_during(call))
    assert revision.number == 2


def test_decision_rules(make_application):
    """Decided only after the close, by a decision maker who did not present it, within what
    was applied for; the decided application is final."""
    from app.core.domain import NotAllowed
    from app.reviews import services as reviews

    application = make_application(state="in_review")
    call = application.call
    officer = call_manager_of(call)
    with pytest.raises(DomainError) as error:
        reviews.propose_decision(officer, application, proposal_values(application),
                                 now=_during(call))
    assert "after the call has closed" in str(error.value)
    now = after_close(call)
    with pytest.raises(DomainError) as error:
        reviews.propose_decision(officer, application, proposal_values(
            application, granted_cents=application.support_cents + 1), now=now)
    assert error.value.field == "granted"
    with pytest.raises(DomainError) as error:
        reviews.propose_decision(officer, application, proposal_values(
            application, justification="  "), now=now)
    assert error.value.field == "justification"
    decision = reviews.propose_decision(officer, application, proposal_values(application),
                                        now=now)
    assert application.state == S.in_review  # a proposal decides nothing
    with pytest.raises(NotAllowed):
        reviews.confirm_decision(officer, decision, now=now)  # the proposer never confirms
    assert application.state == S.in_review
    reviews.confirm_decision(decision_maker_for(application, officer), decision, now=now)
    assert application.state == S.approved
    assert application.granted_cents == application.support_cents
    assert application.decided_at == now
    with pytest.raises(DomainError):
        workflow.withdraw_application(_lead_owner(application), application, now=now)


def test_decide_application_is_refused_before_the_close_even_with_a_decision(make_application):
    """The workflow step itself checks the clock (CALL_CLOSED) and the actor."""
    from app.reviews.models import Decision, DecisionOutcome

    application = make_application(state="in_review")
    call = application.call
    decision = Decision(outcome=DecisionOutcome.rejected, justification="Ei.")
    maker = decision_maker_for(application, call_manager_of(call))
    with pytest.raises(DomainError) as error:
        workflow.decide_application(maker, application, decision, now=_during(call))
    assert error.value.code == "state" and application.state == S.in_review
    with pytest.raises(DomainError) as error:
        workflow.decide_application(_lead_owner(application), application, decision,
                                    now=after_close(call))
    assert error.value.code == "actor" and application.state == S.in_review
    workflow.decide_application(maker, application, decision, now=after_close(call))
    assert application.state == S.rejected


def test_the_approved_total_never_exceeds_the_budget(make_call, make_application):
    call = make_call(total_budget_cents=150_000_00)
    first = make_application(call=call, state="in_review")
    second = make_application(call=call, state="in_review")
    decide(first, True)  # 107 520 € of 150 000 €
    with pytest.raises(DomainError) as error:
        decide(second, True)
    message = str(error.value).replace("\u00a0", " ").replace("\u202f", " ")
    assert "65,040.00" in message or "65 040,00" in message  # 107 520 × 2 − 150 000
    assert second.state == S.in_review
    decide(second, True, granted_cents=42_480_00)  # exactly what is left
    assert second.state == S.approved
