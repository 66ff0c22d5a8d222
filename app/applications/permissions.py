"""Who may do what with applications: state-aware predicates for views, templates, services
and tests. Which action is allowed in which state, and for which role, is read from the table in
states.py; this module says what each role means (ACTORS) and what the clock's conditions mean
(GUARDS). The services check their actor with the same functions when the change is made."""

from __future__ import annotations

from datetime import datetime

from app.applications import states
from app.applications.models import (
    Application,
    ApplicationAttachment,
    ApplicationPartner,
)
from app.calls.models import CallPhase
from app.calls.permissions import is_call_manager_of
from app.core import clock
from app.organisations.models import Role
from app.organisations.partnership import PartnerState
from app.organisations.permissions import has_role, membership_of


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


# --- the roles of the states table ----------------------------------------------------------


def _in_lead(user, application: Application, role: Role = Role.member) -> bool:
    return has_role(user, application.organisation, role)


def _partner_memberships(user, application: Application, partner_states) -> bool:
    return any(
        p.state in partner_states and membership_of(user, p.organisation) is not None
        for p in application.partners
    )


def is_conflicted(user, application: Application) -> bool:
    """Members of the lead or of any partner organisation, and whoever has declared a conflict
    of interest on it, never act or see for the ELY-centre on it (no role bypasses this)."""
    from app.reviews.permissions import declared_conflict

    return (
        _in_lead(user, application)
        or _partner_memberships(user, application, tuple(PartnerState))
        or declared_conflict(user, application)
    )


def _manages(user, application: Application) -> bool:
    return is_call_manager_of(user, application.call.organisation)


def _lead_member(user, application, partner) -> bool:
    return _in_lead(user, application)


def _lead_editor(user, application, partner) -> bool:
    return _in_lead(user, application, Role.editor)


def _partner_member(user, application, partner) -> bool:
    return _partner_memberships(user, application, (PartnerState.invited, PartnerState.accepted))


def _accepted_partner_member(user, application, partner) -> bool:
    return _partner_memberships(user, application, (PartnerState.accepted,))


def _invited_partner_editor(user, application, partner) -> bool:
    return (
        partner is not None and partner.state == PartnerState.invited
        and has_role(user, partner.organisation, Role.editor)
    )


def _call_manager(user, application, partner) -> bool:
    return _manages(user, application)


def _call_manager_not_conflicted(user, application, partner) -> bool:
    return _manages(user, application) and not is_conflicted(user, application)


def _cleared_reviewer(user, application, partner) -> bool:
    from app.reviews.permissions import is_cleared_reviewer

    return is_cleared_reviewer(user, application)


def _decision_maker(user, application, partner) -> bool:
    from app.reviews.permissions import may_decide_in

    return may_decide_in(user, application.call) and not is_conflicted(user, application)


# role name of the states table -> (user, application, partner or None) -> bool
ACTORS = {
    states.LEAD_MEMBER: _lead_member,
    states.LEAD_EDITOR: _lead_editor,
    states.PARTNER_MEMBER: _partner_member,
    states.ACCEPTED_PARTNER_MEMBER: _accepted_partner_member,
    states.INVITED_PARTNER_EDITOR: _invited_partner_editor,
    states.CALL_MANAGER: _call_manager,
    states.CALL_MANAGER_NOT_CONFLICTED: _call_manager_not_conflicted,
    states.CLEARED_REVIEWER: _cleared_reviewer,
    states.DECISION_MAKER: _decision_maker,
}


def may(role: str, user, application: Application,
        partner: ApplicationPartner | None = None) -> bool:
    """Whether `user` has `role` (a `who` of the states table) for `application`."""
    return _signed_in(user) and ACTORS[role](user, application, partner)


def can(action: str, user, application: Application,
        partner: ApplicationPartner | None = None) -> bool:
    """The table allows `action` in the application's state and `user` has a role that may
    take it (the clock's guard is not checked here: see guard_blocker)."""
    return any(may(role, user, application, partner)
               for role in states.who(action, application.state))


# --- the clock's conditions of the states table ----------------------------------------------


def _call_open(application: Application, now: datetime | None) -> bool:
    return application.call.is_open(now)


def _before_info_deadline(application: Application, now: datetime | None) -> bool:
    deadline = application.info_deadline
    return deadline is None or clock.resolve(now) < deadline


def _call_closed(application: Application, now: datetime | None) -> bool:
    return application.call.phase(now) == CallPhase.closed


# guard name of the states table -> (the blocker it reports, the check)
GUARDS = {
    states.CALL_OPEN: ("closed", _call_open),
    states.CALL_CLOSED: ("not_closed", _call_closed),
    states.BEFORE_INFO_DEADLINE: ("info_deadline", _before_info_deadline),
}


def guard_blocker(action: str, application: Application, now: datetime | None = None) -> str | None:
    """Why the clock forbids `action` now ("closed", "info_deadline"), or None."""
    name = states.guard(action, application.state)
    if name is None:
        return None
    blocker, holds = GUARDS[name]
    return None if holds(application, now) else blocker


SEND_ACTIONS = ("submit", "supplement")


def send_action(application: Application) -> str | None:
    """The action by which the applicant sends the content in this state ("submit" a draft,
    "supplement" when information was requested), or None when the content is locked."""
    return next((a for a in SEND_ACTIONS if states.allowed(a, application.state)), None)


def submit_blocker(application: Application, now: datetime | None = None) -> str | None:
    """Why the clock forbids sending the content now ("closed", "info_deadline"), or None."""
    action = send_action(application)
    return None if action is None else guard_blocker(action, application, now)


# --- the predicates --------------------------------------------------------------------------


def can_view_application(user, application: Application) -> bool:
    """The lead's members, invited and accepted partners' members, and (once submitted) the
    call managers of the call's ELY-centre and its reviewers assigned to it who declared no
    conflict; never anyone conflicted on the ELY-centre's side. Everyone else gets a 404."""
    return can("view", user, application)


def can_edit_application(user, application: Application) -> bool:
    """Editors and owners of the lead, while the content is not locked."""
    return can("edit", user, application)


def can_submit_application(user, application: Application, now: datetime | None = None) -> bool:
    """Submit a draft while the call is open, or send a supplement before its deadline."""
    action = send_action(application)
    return (
        action is not None
        and can(action, user, application)
        and application.organisation.is_verified
        and guard_blocker(action, application, now) is None
    )


def can_withdraw_application(user, application: Application) -> bool:
    """The lead's editors take back a submitted application that is not decided."""
    return can("withdraw", user, application)


def can_start_review(user, application: Application) -> bool:
    """A call manager who is not conflicted, on a submitted or supplemented application."""
    return can("start_review", user, application)


def can_request_info(user, application: Application) -> bool:
    """A call manager who is not conflicted, before the decision."""
    return can("request_info", user, application)


def can_decide(user, application: Application, now: datetime | None = None) -> bool:
    """The call's decision maker, not conflicted, on an application in review, after the call
    has closed (the proposal by the presenting officer comes first: app.reviews)."""
    return can("decide", user, application) and guard_blocker("decide", application, now) is None


def can_view_revisions(user, application: Application) -> bool:
    """The applicant side and the call managers (partners who were only invited do not)."""
    return can_view_application(user, application) and can("view_revisions", user, application)


def can_respond_to_partnership(user, partner: ApplicationPartner) -> bool:
    """Editors of an invited organisation accept or decline while the content is editable."""
    return can("respond_to_partnership", user, partner.application, partner)


def can_download_attachment(user, attachment: ApplicationAttachment) -> bool:
    return can_view_application(user, attachment.application)


def can_list_own_applications(user) -> bool:
    return _signed_in(user)


# --- group projects: the parts of the budget --------------------------------------------------
#
# The lead's editors edit every part: the lead answers for the whole application it submits
# (as the päätoteuttaja does in EURA 2021), and a co-implementer's figures often come to it
# by mail. A co-implementer's editors see the whole application read-only and edit only their
# own part's lines, costs outside the flat rate and funding plan. A cooperation partner, or a
# co-implementer that has not accepted, has no part.


def has_part(application: Application, partner: ApplicationPartner | None) -> bool:
    """The lead's part (None) always; a partner's only once it is an accepted co-implementer."""
    return partner is None or (
        partner.application_id == application.id
        and partner.state == PartnerState.accepted and partner.is_co_implementer
    )


def can_edit_part(user, application: Application,
                  partner: ApplicationPartner | None = None) -> bool:
    """Edit one part of the budget (the lead's when `partner` is None) while the content is
    editable: the lead's editors every part, a co-implementer's editors their own."""
    if not has_part(application, partner):
        return False
    if can_edit_application(user, application):
        return True
    return (
        partner is not None and _signed_in(user) and application.is_editable
        and has_role(user, partner.organisation, Role.editor)
    )


def editable_parts(user, application: Application) -> list[ApplicationPartner | None]:
    """The parts `user` may edit now (None for the lead's)."""
    candidates = [None, *application.co_implementers]
    return [p for p in candidates if can_edit_part(user, application, p)]


def can_edit_budget(user, application: Application) -> bool:
    """Edit at least one part of the budget."""
    return bool(editable_parts(user, application))
