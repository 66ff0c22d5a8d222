"""The application workflow, declared once as data: from which state each action may be taken,
who may take it, and the state it leads to. The predicates (permissions.py), the services
(workflow.py), the templates and the tests read this table; no other module lists states.

    draft ──submit──▶ submitted ──start_review──▶ in_review ──decide──▶ approved | rejected
    undecided, submitted ──withdraw──▶ draft;  submitted | in_review | supplemented
    ──request_info──▶ more_info_requested ──supplement──▶ supplemented ──start_review──▶ ...

`who` names a role; permissions.ACTORS maps each name to the predicate that says whether a
user has that role for an application. `guard` names a condition of the clock that the
predicate and the service check as well (permissions.GUARDS). Rules whose `target` is None
take no step: they say in which states something may be done at all (edit the content, answer
a partner invitation, see the application or its revisions).
"""

from __future__ import annotations

import enum
from typing import NamedTuple


class ApplicationState(enum.StrEnum):
    draft = "draft"
    submitted = "submitted"
    in_review = "in_review"
    more_info_requested = "more_info_requested"
    supplemented = "supplemented"
    approved = "approved"
    rejected = "rejected"


S = ApplicationState

# Who may act (see permissions.ACTORS).
LEAD_MEMBER = "lead_member"  # any member of the lead organisation
LEAD_EDITOR = "lead_editor"  # an editor or owner of the lead organisation
PARTNER_MEMBER = "partner_member"  # a member of an invited or accepted partner organisation
ACCEPTED_PARTNER_MEMBER = "accepted_partner_member"  # a member of an accepted partner
INVITED_PARTNER_EDITOR = "invited_partner_editor"  # an editor or owner of the invited partner
CALL_MANAGER = "call_manager"  # a call manager of the call's ELY-centre
# ... who is not conflicted: not a member of the lead or of a partner, and has not declared
# a conflict on the application (is_conflicted).
CALL_MANAGER_NOT_CONFLICTED = "call_manager_not_conflicted"
# A reviewer assigned to the application who declared no conflict and is not conflicted.
CLEARED_REVIEWER = "cleared_reviewer"
# The call's decision maker (ratkaisija), not conflicted; never the one who presented
# (the proposal's rule, app.reviews.permissions.can_confirm).
DECISION_MAKER = "decision_maker"

# Conditions of the clock (see permissions.GUARDS).
CALL_OPEN = "call_open"
BEFORE_INFO_DEADLINE = "before_info_deadline"
CALL_CLOSED = "call_closed"  # decisions are made only after the call has closed


class Rule(NamedTuple):
    """One row of the table: `action` from `source`, by `who`, leads to `target`."""

    source: ApplicationState
    action: str
    who: str
    target: ApplicationState | None  # None: the state stays as it is
    outcome: str | None = None  # an action with several results names the one of this row
    guard: str | None = None


def _rows(action, sources, who, target=None, **extra) -> list[Rule]:
    return [Rule(source, action, who, target, **extra) for source in sources]


ALL = tuple(S)
UNDECIDED_SUBMITTED = (S.submitted, S.in_review, S.more_info_requested, S.supplemented)
OPEN_TO_APPLICANT = (S.draft, S.more_info_requested)  # the applicant's content is not locked

TABLE: tuple[Rule, ...] = (
    # the workflow
    *_rows("submit", [S.draft], LEAD_EDITOR, S.submitted, guard=CALL_OPEN),
    *_rows("supplement", [S.more_info_requested], LEAD_EDITOR, S.supplemented,
           guard=BEFORE_INFO_DEADLINE),
    *_rows("withdraw", UNDECIDED_SUBMITTED, LEAD_EDITOR, S.draft),
    *_rows("start_review", [S.submitted, S.supplemented], CALL_MANAGER_NOT_CONFLICTED,
           S.in_review),
    *_rows("request_info", [S.submitted, S.in_review, S.supplemented],
           CALL_MANAGER_NOT_CONFLICTED, S.more_info_requested),
    # The presenting officer proposes (app.reviews), the decision maker confirms: this step.
    *_rows("decide", [S.in_review], DECISION_MAKER, S.approved, outcome="approved",
           guard=CALL_CLOSED),
    *_rows("decide", [S.in_review], DECISION_MAKER, S.rejected, outcome="rejected",
           guard=CALL_CLOSED),
    # what may be done without a step
    *_rows("edit", OPEN_TO_APPLICANT, LEAD_EDITOR),
    *_rows("respond_to_partnership", OPEN_TO_APPLICANT, INVITED_PARTNER_EDITOR),
    *_rows("view", ALL, LEAD_MEMBER),
    *_rows("view", ALL, PARTNER_MEMBER),
    # Drafts are the applicant's; the ELY-centre's people who are conflicted see nothing.
    *_rows("view", [s for s in ALL if s != S.draft], CALL_MANAGER_NOT_CONFLICTED),
    *_rows("view", [s for s in ALL if s != S.draft], CLEARED_REVIEWER),
    # Revisions: whoever sees the application, except members of partners only invited.
    *_rows("view_revisions", ALL, LEAD_MEMBER),
    *_rows("view_revisions", ALL, ACCEPTED_PARTNER_MEMBER),
    *_rows("view_revisions", ALL, CALL_MANAGER_NOT_CONFLICTED),
    *_rows("view_revisions", ALL, CLEARED_REVIEWER),
)

_BY_KEY: dict[tuple[str, ApplicationState], tuple[Rule, ...]] = {}
for _rule in TABLE:
    _BY_KEY[_rule.action, _rule.source] = (*_BY_KEY.get((_rule.action, _rule.source), ()), _rule)
del _rule

ACTIONS = tuple(dict.fromkeys(rule.action for rule in TABLE))


def rules(action: str, state) -> tuple[Rule, ...]:
    """The rows of `action` from `state` (empty when the action is not allowed there)."""
    if action not in ACTIONS:
        raise KeyError(f"unknown action {action!r}")
    return _BY_KEY.get((action, S(state)), ())


def allowed(action: str, state) -> bool:
    """Whether the table allows `action` from `state` (for someone)."""
    return bool(rules(action, state))


def who(action: str, state) -> tuple[str, ...]:
    """The roles that may take `action` from `state`, any one of them suffices."""
    return tuple(dict.fromkeys(rule.who for rule in rules(action, state)))


def guard(action: str, state) -> str | None:
    """The clock's condition on `action` from `state`, if any."""
    return next((rule.guard for rule in rules(action, state) if rule.guard), None)


def next_state(action: str, state, outcome: str | None = None) -> ApplicationState:
    """The state that `action` (with `outcome`, for decide) leads to from `state`; the same
    state for an action that takes no step. ValueError when the table does not allow it."""
    found = [rule for rule in rules(action, state) if rule.outcome == outcome]
    if not found:
        raise ValueError(f"{action} ({outcome}) is not allowed from {state}")
    target = found[0].target
    return S(state) if target is None else target


def sources(action: str) -> frozenset[ApplicationState]:
    """The states from which `action` may be taken."""
    return frozenset(rule.source for rule in TABLE if rule.action == action)


def targets(action: str) -> frozenset[ApplicationState]:
    return frozenset(rule.target for rule in TABLE if rule.action == action and rule.target)


def actions_from(state) -> tuple[str, ...]:
    """The actions the table allows from `state`, in the table's order."""
    return tuple(action for action in ACTIONS if allowed(action, state))


# Names that other modules (models, queries, templates) use, derived from the table.
EDITABLE_STATES = sources("edit")  # the applicant may change the content
LOCKED_STATES = frozenset(ALL) - EDITABLE_STATES
DECIDED_STATES = targets("decide")
# What the call managers see and list: in the table's order of states.
MANAGER_STATES = tuple(s for s in ALL if CALL_MANAGER_NOT_CONFLICTED in who("view", s))
