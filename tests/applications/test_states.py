"""The states table's answers (app.applications.states), written out by hand."""

from __future__ import annotations

import pytest

from app.applications import states
from app.applications.models import DECIDED_STATES, EDITABLE_STATES

ALL = {"draft", "submitted", "in_review", "more_info_requested", "supplemented", "approved",
       "rejected"}

# action: {from state: next state}
STEPS = {
    "submit": {"draft": "submitted"},
    "supplement": {"more_info_requested": "supplemented"},
    "withdraw": {"submitted": "draft", "in_review": "draft", "more_info_requested": "draft",
                 "supplemented": "draft"},
    "start_review": {"submitted": "in_review", "supplemented": "in_review"},
    "request_info": {"submitted": "more_info_requested", "in_review": "more_info_requested",
                     "supplemented": "more_info_requested"},
}


@pytest.mark.parametrize("action", list(STEPS))
def test_steps(action):
    for state in ALL:
        if state in STEPS[action]:
            assert states.allowed(action, state)
            assert states.next_state(action, state) == STEPS[action][state]
        else:
            assert not states.allowed(action, state), (action, state)
            with pytest.raises(ValueError):
                states.next_state(action, state)


def test_decide_has_two_outcomes_only_in_review():
    assert states.next_state("decide", "in_review", outcome="approved") == "approved"
    assert states.next_state("decide", "in_review", outcome="rejected") == "rejected"
    with pytest.raises(ValueError):
        states.next_state("decide", "in_review")  # an outcome is required
    assert states.sources("decide") == {"in_review"}


def test_who_and_guards():
    assert states.who("submit", "draft") == ("lead_editor",)
    assert states.who("supplement", "more_info_requested") == ("lead_editor",)
    assert states.who("withdraw", "in_review") == ("lead_editor",)
    for action in ("start_review", "request_info"):
        for state in states.sources(action):
            assert states.who(action, state) == ("call_manager_not_conflicted",)
    # The decision maker confirms the presenting officer's proposal, after the call closed.
    assert states.who("decide", "in_review") == ("decision_maker",)
    assert states.guard("decide", "in_review") == "call_closed"
    assert states.who("view", "draft") == ("lead_member", "partner_member")
    # Conflicted people of the ELY-centre see nothing; a cleared reviewer reads the content.
    assert states.who("view", "submitted") == ("lead_member", "partner_member",
                                               "call_manager_not_conflicted",
                                               "cleared_reviewer")
    assert "partner_member" not in states.who("view_revisions", "submitted")
    assert states.guard("submit", "draft") == "call_open"
    assert states.guard("supplement", "more_info_requested") == "before_info_deadline"
    assert states.guard("withdraw", "submitted") is None
    assert states.who("decide", "approved") == ()


def test_derived_sets():
    assert EDITABLE_STATES == states.EDITABLE_STATES == {"draft", "more_info_requested"}
    assert states.LOCKED_STATES == ALL - {"draft", "more_info_requested"}
    assert DECIDED_STATES == states.DECIDED_STATES == {"approved", "rejected"}
    assert list(states.MANAGER_STATES) == ["submitted", "in_review", "more_info_requested",
                                           "supplemented", "approved", "rejected"]
    assert states.actions_from("approved") == ("view", "view_revisions")


def test_every_role_and_guard_has_a_meaning():
    from app.applications import permissions

    # "call_manager" is not in the table: the services use it to tell a conflicted call
    # manager why they are refused.
    assert {rule.who for rule in states.TABLE} == set(permissions.ACTORS) - {"call_manager"}
    assert {rule.guard for rule in states.TABLE if rule.guard} == set(permissions.GUARDS)


def test_an_unknown_action_is_an_error():
    with pytest.raises(KeyError):
        states.allowed("approve", "in_review")
