"""Every application predicate × every state × every role, against a table written out here.

The cast (tests.fixtures.calls.make_cast): organisation Hakija ry applies to an open call; its
application has an accepted partner and an invited one. The invitation is pending in the
states where the content is open to the applicant (draft, withdrawn, more_info_requested); in
the others the invited organisation declined before submission, as the checklist requires.
"withdrawn" is a draft that was submitted and withdrawn (it has a revision). Every state is
reached through the workflow services.

The expectations are written by hand, not derived from app.applications.states: the table is
what the states table must produce.
"""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.applications import permissions as p
from app.applications import workflow
from app.core.domain import DomainError, NotAllowed
from tests.fixtures.calls import CAST_ROLES, after_close, during

STATES = ["draft", "withdrawn", "submitted", "in_review", "more_info_requested",
          "supplemented", "approved", "rejected"]
PENDING = {"draft", "withdrawn", "more_info_requested"}  # the invitation is unanswered

WRITERS = {"lead_owner", "lead_editor"}
LEAD = WRITERS | {"lead_member"}
# Those who see the application because they belong to an organisation in it (the invited
# partner's editor apart); the two conflicted call managers are members of the lead or of the
# accepted partner.
APPLICANT_SIDE = LEAD | {"partner_editor", "conflicted_manager", "partner_conflicted_manager"}
MANAGER = {"call_manager"}
NOBODY: set[str] = set()


def _by_state(**expected):
    assert set(expected) == set(STATES), sorted(set(STATES) ^ set(expected))
    return expected


# expected[predicate][state] = the roles for which the predicate is true
EXPECTED = {
    "can_view_application": _by_state(
        draft=APPLICANT_SIDE | {"invited_partner_editor"},
        withdrawn=APPLICANT_SIDE | {"invited_partner_editor"},
        submitted=APPLICANT_SIDE | MANAGER,
        in_review=APPLICANT_SIDE | MANAGER,
        more_info_requested=APPLICANT_SIDE | MANAGER | {"invited_partner_editor"},
        supplemented=APPLICANT_SIDE | MANAGER,
        approved=APPLICANT_SIDE | MANAGER,
        rejected=APPLICANT_SIDE | MANAGER,
    ),
    "can_edit_application": _by_state(
        draft=WRITERS, withdrawn=WRITERS, submitted=NOBODY, in_review=NOBODY,
        more_info_requested=WRITERS, supplemented=NOBODY, approved=NOBODY, rejected=NOBODY,
    ),
    "can_submit_application": _by_state(
        draft=WRITERS, withdrawn=WRITERS, submitted=NOBODY, in_review=NOBODY,
        more_info_requested=WRITERS, supplemented=NOBODY, approved=NOBODY, rejected=NOBODY,
    ),
    "can_withdraw_application": _by_state(
        draft=NOBODY, withdrawn=NOBODY, submitted=WRITERS, in_review=WRITERS,
        more_info_requested=WRITERS, supplemented=WRITERS, approved=NOBODY, rejected=NOBODY,
    ),
    "can_start_review": _by_state(
        draft=NOBODY, withdrawn=NOBODY, submitted=MANAGER, in_review=NOBODY,
        more_info_requested=NOBODY, supplemented=MANAGER, approved=NOBODY, rejected=NOBODY,
    ),
    "can_request_info": _by_state(
        draft=NOBODY, withdrawn=NOBODY, submitted=MANAGER, in_review=MANAGER,
        more_info_requested=NOBODY, supplemented=MANAGER, approved=NOBODY, rejected=NOBODY,
    ),
    # Decisions only after the call has closed: nobody while it is open (see
    # test_after_the_close_a_decision_maker_may_decide).
    "can_decide": _by_state(**dict.fromkeys(STATES, NOBODY)),
    # Partners who were only invited never see revisions; call managers do once submitted.
    "can_view_revisions": _by_state(
        draft=APPLICANT_SIDE, withdrawn=APPLICANT_SIDE,
        submitted=APPLICANT_SIDE | MANAGER, in_review=APPLICANT_SIDE | MANAGER,
        more_info_requested=APPLICANT_SIDE | MANAGER, supplemented=APPLICANT_SIDE | MANAGER,
        approved=APPLICANT_SIDE | MANAGER, rejected=APPLICANT_SIDE | MANAGER,
    ),
    # The invited organisation's row: pending where PENDING, declined elsewhere.
    "can_respond_to_partnership(invited)": _by_state(
        draft={"invited_partner_editor"}, withdrawn={"invited_partner_editor"},
        submitted=NOBODY, in_review=NOBODY, more_info_requested={"invited_partner_editor"},
        supplemented=NOBODY, approved=NOBODY, rejected=NOBODY,
    ),
    "can_respond_to_partnership(accepted)": _by_state(**dict.fromkeys(STATES, NOBODY)),
    # Downloading an attachment is seeing the application.
    "can_download_attachment": _by_state(
        draft=APPLICANT_SIDE | {"invited_partner_editor"},
        withdrawn=APPLICANT_SIDE | {"invited_partner_editor"},
        submitted=APPLICANT_SIDE | MANAGER,
        in_review=APPLICANT_SIDE | MANAGER,
        more_info_requested=APPLICANT_SIDE | MANAGER | {"invited_partner_editor"},
        supplemented=APPLICANT_SIDE | MANAGER,
        approved=APPLICANT_SIDE | MANAGER,
        rejected=APPLICANT_SIDE | MANAGER,
    ),
    # The budget's parts: the lead's part is the lead's editors' (and only while editable);
    # the cast's accepted partner is a cooperation partner, which has no part at all.
    "can_edit_budget": _by_state(
        draft=WRITERS, withdrawn=WRITERS, submitted=NOBODY, in_review=NOBODY,
        more_info_requested=WRITERS, supplemented=NOBODY, approved=NOBODY, rejected=NOBODY,
    ),
    "can_edit_part(lead)": _by_state(
        draft=WRITERS, withdrawn=WRITERS, submitted=NOBODY, in_review=NOBODY,
        more_info_requested=WRITERS, supplemented=NOBODY, approved=NOBODY, rejected=NOBODY,
    ),
    "can_edit_part(accepted)": _by_state(**dict.fromkeys(STATES, NOBODY)),
    # Members of the lead or of any partner (invited, accepted or declined), in any state.
    "is_conflicted": _by_state(**dict.fromkeys(STATES, APPLICANT_SIDE
                                               | {"invited_partner_editor"})),
}


def _check(name: str, cast):
    """The predicate `name` as a function of the user, on the cast's application."""
    application = cast.application
    if name == "can_respond_to_partnership(invited)":
        return lambda user: p.can_respond_to_partnership(user, cast.invited_partner)
    if name == "can_respond_to_partnership(accepted)":
        return lambda user: p.can_respond_to_partnership(user, cast.accepted_partner)
    if name == "can_edit_part(lead)":
        return lambda user: p.can_edit_part(user, application, None)
    if name == "can_edit_part(accepted)":
        return lambda user: p.can_edit_part(user, application, cast.accepted_partner)
    if name == "can_download_attachment":
        return lambda user: p.can_download_attachment(user, application.attachments[0])
    return lambda user: getattr(p, name)(user, application)


@pytest.mark.parametrize("state", STATES)
def test_predicate_table(make_cast, state):
    cast = make_cast(state)
    assert cast.application.state == ("draft" if state == "withdrawn" else state)
    assert (cast.invited_partner.state == "invited") == (state in PENDING)
    wrong = []
    for name, by_state in EXPECTED.items():
        check = _check(name, cast)
        allowed = {role for role in CAST_ROLES if check(cast.people[role])}
        expected = by_state[state]
        if allowed != expected:
            wrong.append(f"{name} in {state}: also {sorted(allowed - expected)}, "
                         f"not {sorted(expected - allowed)}")
    assert not wrong, "\n".join(wrong)


def test_the_table_covers_every_predicate():
    names = {n for n in dir(p) if n.startswith("can_") and callable(getattr(p, n))}
    covered = {name.split("(")[0] for name in EXPECTED} | {"can_list_own_applications"}
    assert names - covered == set()


def test_listing_own_applications_needs_only_a_sign_in(make_cast):
    cast = make_cast(None)
    allowed = {role for role in CAST_ROLES if p.can_list_own_applications(cast.people[role])}
    assert allowed == set(CAST_ROLES) - {"anonymous"}


# --- the services take the same decisions as the predicates -----------------------------------

SERVICES = {
    # name: (predicate, service call)
    "submit": (p.can_submit_application,
               lambda u, a, now: workflow.submit_application(u, a, now=now)),
    "supplement": (p.can_submit_application,
                   lambda u, a, now: workflow.supplement_application(u, a, now=now)),
    "withdraw": (p.can_withdraw_application,
                 lambda u, a, now: workflow.withdraw_application(u, a, now=now)),
    "start_review": (p.can_start_review, lambda u, a, now: workflow.start_review(u, a, now=now)),
    "request_info": (p.can_request_info, lambda u, a, now: workflow.request_more_info(
        u, a, "Tarkenna.", now + timedelta(days=7), now=now)),
    # The workflow step that the decision maker's confirmation takes (app.reviews.services
    # .confirm_decision calls it with the confirmed proposal; tests/reviews test the rest).
    "approve": (p.can_decide, lambda u, a, now: workflow.decide_application(
        u, a, _decision(a, True), now=now)),
    "reject": (p.can_decide, lambda u, a, now: workflow.decide_application(
        u, a, _decision(a, False), now=now)),
}
# Decisions are taken after the call has closed: the predicate and the service are asked then.
AFTER_CLOSE = {"approve", "reject"}
TIMED = (p.can_submit_application, p.can_decide)


def _decision(application, approve: bool):
    from app.reviews.models import Decision, DecisionOutcome

    if approve:
        return Decision(outcome=DecisionOutcome.approved, granted_cents=application.support_cents,
                        justification="Myönnetään.")
    return Decision(outcome=DecisionOutcome.rejected, justification="Ei.")
# Submit and supplement share the applicant's one predicate; each service is for one state.
SERVICE_STATES = {"submit": {"draft", "withdrawn"}, "supplement": {"more_info_requested"}}


def _attempt(db, run, user, application, now) -> str | None:
    """Run a service inside a savepoint that is rolled back; the refusal's code, or None."""
    savepoint = db.session.begin_nested()
    try:
        run(user, application, now)
        return None
    except DomainError as error:
        return error.code or "refused"
    finally:
        savepoint.rollback()


@pytest.mark.parametrize("state", STATES)
def test_services_check_the_actor_like_the_predicates(make_cast, db, state):
    """Where a predicate says no, the service refuses for the state or the actor; where it says
    yes, the service goes ahead (or stops at the readiness checklist: a pending invitation)."""
    cast = make_cast(state)
    application = cast.application
    now = during(application.call)
    wrong = []
    for name, (predicate, run) in SERVICES.items():
        moment = after_close(application.call) if name in AFTER_CLOSE else now
        for role in CAST_ROLES:
            user = cast.people[role]
            allowed = (predicate(user, application, moment) if predicate in TIMED
                       else predicate(user, application))
            allowed = allowed and state in SERVICE_STATES.get(name, set(STATES))
            refusal = _attempt(db, run, user, application, moment)
            if allowed and refusal not in (None, "invalid"):
                wrong.append(f"{name} by {role} in {state}: allowed, but refused ({refusal})")
            if not allowed and refusal not in ("state", "actor"):
                wrong.append(f"{name} by {role} in {state}: not allowed, but {refusal}")
    assert not wrong, "\n".join(wrong)


@pytest.mark.parametrize("state", ["submitted", "in_review", "supplemented"])
@pytest.mark.parametrize("manager", ["conflicted_manager", "partner_conflicted_manager"])
def test_a_conflicted_call_manager_never_acts(make_cast, state, manager):
    cast = make_cast(state)
    application = cast.application
    user = cast.people[manager]
    now = during(application.call)
    assert not (p.can_start_review(user, application) or p.can_request_info(user, application)
                or p.can_decide(user, application))
    # the steps that an unconflicted call manager could take in this state
    steps = {"submitted": ("start_review", "request_info"), "in_review": ("request_info",
             "approve", "reject"), "supplemented": ("start_review", "request_info")}[state]
    for name in steps:
        run = SERVICES[name][1]
        with pytest.raises(NotAllowed) as error:
            run(user, application, now)
        assert "member of an applicant organisation" in str(error.value)
    assert application.state == state


# --- the clock ---------------------------------------------------------------------------------


def test_after_the_close_a_decision_maker_may_decide(make_cast):
    """Before the close nobody decides (the table above); after it, a call manager of the
    centre who is not conflicted (the proposer apart: tests/reviews), on an application in
    review only."""
    cast = make_cast("in_review")
    application = cast.application
    call = application.call
    deciders = {role for role in CAST_ROLES
                if p.can_decide(cast.people[role], application, after_close(call))}
    assert deciders == MANAGER
    assert not p.can_decide(cast.people["call_manager"], application,
                            call.closes_at - timedelta(microseconds=1))
    assert p.can_decide(cast.people["call_manager"], application, call.closes_at)
    closed = make_cast("in_review", phase="closed")
    assert {role for role in CAST_ROLES
            if p.can_decide(closed.people[role], closed.application)} == MANAGER



def test_the_call_window_decides_submitting_a_draft(make_cast):
    cast = make_cast("draft")
    application, owner = cast.application, cast.people["lead_owner"]
    call = application.call
    assert p.can_edit_application(owner, application)
    for moment, expected in ((call.opens_at - timedelta(seconds=1), False),
                             (call.opens_at, True),
                             (call.closes_at - timedelta(microseconds=1), True),
                             (call.closes_at, False)):
        assert p.can_submit_application(owner, application, moment) is expected, moment
        assert (p.submit_blocker(application, moment) is None) is expected


def test_a_draft_in_a_closed_call_stays_editable_but_cannot_be_submitted(make_cast):
    cast = make_cast("draft", phase="closed")
    application = cast.application
    for role in WRITERS:
        assert p.can_edit_application(cast.people[role], application)
        assert not p.can_submit_application(cast.people[role], application)
    assert p.submit_blocker(application) == "closed"


def test_a_supplement_can_be_sent_after_the_call_closed_until_its_deadline(make_cast):
    cast = make_cast("more_info_requested", phase="closed")
    application, owner = cast.application, cast.people["lead_owner"]
    deadline = application.info_deadline
    assert p.can_submit_application(owner, application, deadline - timedelta(seconds=1))
    assert not p.can_submit_application(owner, application, deadline)
    assert p.submit_blocker(application, deadline) == "info_deadline"
    assert p.can_withdraw_application(owner, application)


def test_an_unverified_lead_edits_but_does_not_submit(make_call, make_organisation, make_user,
                                                     make_application):
    owner = make_user()
    unverified = make_organisation(verified=False, owner=owner)
    application = make_application(call=make_call(), organisation=unverified)
    assert p.can_edit_application(owner, application)
    assert not p.can_submit_application(owner, application)
