"""Who may do what in review and decisions: predicates for views, templates, services and
tests.

The conflict-of-interest rule (esteellisyys) is the one that no role bypasses, platform
administrators included: a person who is a member of the lead applicant or of any partner
organisation, or who has declared a conflict on an application, never sees its content through
the ELY-centre's routes and never changes one of its figures (app.applications.permissions
.is_conflicted reads `declared_conflict` below).
"""

from __future__ import annotations

from datetime import datetime

from flask import g, has_app_context
from sqlalchemy import select

from app.applications.models import Application
from app.applications.permissions import is_conflicted
from app.calls.models import Call, CallPhase, CallState
from app.calls.permissions import is_call_manager_of
from app.core import clock
from app.extensions import db
from app.organisations.models import Membership, Organisation, Role
from app.organisations.permissions import membership_of
from app.reviews.models import Decision, Declaration, ProposalState, Review


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _authority(call: Call) -> Organisation:
    return call.organisation


# --- roles -----------------------------------------------------------------------------------


def is_reviewer_of(user, organisation: Organisation) -> bool:
    """A member of a verified ELY-centre with the reviewer role."""
    membership = membership_of(user, organisation)
    return bool(membership is not None and membership.is_reviewer
                and organisation.is_funding_authority and organisation.is_verified)


def is_presenting_officer(user, call: Call) -> bool:
    """The call's named presenting officer; while none is named, every call manager of the
    call's ELY-centre presents."""
    if not _signed_in(user) or not is_call_manager_of(user, _authority(call)):
        return False
    return call.presenting_officer_id is None or call.presenting_officer_id == user.id


def may_decide_in(user, call: Call) -> bool:
    """The call's named decision maker (a call manager or the owner of the centre); while none
    is named, any of them. Never the person who presented the application (see can_confirm)."""
    if not _signed_in(user):
        return False
    membership = membership_of(user, _authority(call))
    authority = _authority(call)
    if membership is None or not authority.is_verified or not authority.is_funding_authority:
        return False
    if not (membership.is_call_manager or membership.role == Role.owner):
        return False
    return call.decision_maker_id is None or call.decision_maker_id == user.id


def decision_maker_candidates_query(call: Call):
    """Memberships of the centre that may be named decision maker."""
    return (select(Membership).where(
        Membership.organisation_id == call.organisation_id,
        (Membership.is_call_manager.is_(True)) | (Membership.role == Role.owner)))


# --- conflicts --------------------------------------------------------------------------------


def member_organisation_ids(user_ids) -> dict[int, set[int]]:
    """{user id: the ids of the organisations they belong to}, in one query."""
    result: dict[int, set[int]] = {uid: set() for uid in user_ids}
    if not result:
        return result
    rows = db.session.execute(select(Membership.user_id, Membership.organisation_id).where(
        Membership.user_id.in_(list(result))))
    for user_id, organisation_id in rows:
        result[user_id].add(organisation_id)
    return result


def party_organisation_ids(application: Application) -> set[int]:
    """The lead and every partner organisation (invited, accepted or declined)."""
    return {application.organisation_id, *(p.organisation_id for p in application.partners)}


def is_automatically_conflicted(user_id: int, application: Application,
                                memberships: dict[int, set[int]] | None = None) -> bool:
    """A member of the lead or of any partner organisation is always conflicted."""
    if memberships is None:
        memberships = member_organisation_ids([user_id])
    return bool(memberships.get(user_id, set()) & party_organisation_ids(application))


def review_is_conflicted(review: Review, memberships: dict[int, set[int]] | None = None) -> bool:
    """The reviewer declared a conflict, or is a member of a party."""
    return (review.declaration == Declaration.conflict
            or is_automatically_conflicted(review.reviewer_id, review.application, memberships))


def declared_conflicts(user) -> frozenset[int]:
    """The ids of the applications on which the user has declared a conflict (one query per
    request and person)."""
    if not _signed_in(user):
        return frozenset()
    cache = g.setdefault("_declared_conflicts", {}) if has_app_context() else {}
    if user.id not in cache:
        cache[user.id] = frozenset(db.session.scalars(select(Review.application_id).where(
            Review.reviewer_id == user.id, Review.declaration == Declaration.conflict)))
    return cache[user.id]


def forget_declared_conflicts() -> None:
    """After a declaration changes within a request."""
    if has_app_context():
        g.pop("_declared_conflicts", None)


def declared_conflict(user, application: Application) -> bool:
    """Whether the user has declared a conflict on the application (as a reviewer)."""
    return application.id is not None and application.id in declared_conflicts(user)


def review_of(user, application: Application) -> Review | None:
    if not _signed_in(user):
        return None
    return db.session.scalar(select(Review).where(
        Review.application_id == application.id, Review.reviewer_id == user.id))


def is_cleared_reviewer(user, application: Application) -> bool:
    """Assigned to the application, declared no conflict, and not a member of a party: may
    read the full content (read-only)."""
    review = review_of(user, application)
    return bool(review is not None and review.declaration == Declaration.no_conflict
                and is_reviewer_of(user, application.call.organisation)
                and not is_conflicted(user, application))


# --- reviews ---------------------------------------------------------------------------------


def reviewing_open(call: Call) -> bool:
    return call.reviewing_closed_at is None


def can_list_own_reviews(user) -> bool:
    return _signed_in(user)


def can_open_review(user, review: Review) -> bool:
    """The reviewer themself (the title and the declaration form, whatever the conflict)."""
    return _signed_in(user) and review.reviewer_id == user.id


def can_declare(user, review: Review) -> bool:
    """The reviewer, before declaring, while reviewing is open. A reviewer who declared no
    conflict may still declare one later (never the other way round)."""
    return (can_open_review(user, review) and reviewing_open(review.application.call)
            and review.declaration != Declaration.conflict and not review.is_submitted)


def can_read_review_content(user, review: Review) -> bool:
    """The application's content and the scoring form: the reviewer, once cleared."""
    return (can_open_review(user, review) and review.declaration == Declaration.no_conflict
            and not is_conflicted(user, review.application)
            and is_reviewer_of(user, review.application.call.organisation))


def can_score(user, review: Review) -> bool:
    return (can_read_review_content(user, review) and not review.is_submitted
            and reviewing_open(review.application.call))


def can_reopen_review(user, review: Review) -> bool:
    """Until the presenting officer closes reviewing."""
    return (can_read_review_content(user, review) and review.is_submitted
            and reviewing_open(review.application.call))


def can_see_other_reviews(user, review: Review) -> bool:
    """Blind until submitted: the others' scores and comments after one's own submission."""
    return can_read_review_content(user, review) and review.is_submitted


# --- the presenting officer ----------------------------------------------------------------


def can_manage_review(user, call: Call) -> bool:
    """Assign reviewers, see declarations, workload and the ranking: the presenting officer
    of a published call (a call manager while none is named)."""
    return call.state == CallState.published and is_presenting_officer(user, call)


def can_set_review_roles(user, call: Call) -> bool:
    """Any call manager of the centre names the presenting officer and the decision maker."""
    return call.state == CallState.published and is_call_manager_of(user, _authority(call))


def can_view_ranking(user, call: Call) -> bool:
    """The call managers and the decision makers of the call."""
    return call.state == CallState.published and (
        is_call_manager_of(user, _authority(call)) or may_decide_in(user, call))


def can_assign_on(user, application: Application) -> bool:
    """The presenting officer, not conflicted on the application, while reviewing is open and
    the application is submitted and undecided."""
    from app.applications.states import UNDECIDED_SUBMITTED

    return (can_manage_review(user, application.call) and reviewing_open(application.call)
            and application.state in UNDECIDED_SUBMITTED
            and not is_conflicted(user, application))


# --- decisions -------------------------------------------------------------------------------


def decisions_open(call: Call, now: datetime | None = None) -> bool:
    """Decisions are made only after the call has closed."""
    return call.phase(clock.resolve(now)) == CallPhase.closed


def can_propose(user, application: Application, now: datetime | None = None) -> bool:
    """The presenting officer, not conflicted, after the close, on an application in review
    with no proposal waiting or made."""
    from app.applications import states

    decision = application_decision(application)
    return (
        can_manage_review(user, application.call)
        and states.allowed("decide", application.state)
        and not is_conflicted(user, application)
        and decisions_open(application.call, now)
        and (decision is None or decision.state == ProposalState.returned)
    )


def can_confirm(user, decision: Decision, now: datetime | None = None) -> bool:
    """The decision maker, not conflicted, never the person who proposed, after the close."""
    application = decision.application
    return (
        decision.state == ProposalState.proposed
        and may_decide_in(user, application.call)
        and decision.proposed_by_id != user.id
        and not is_conflicted(user, application)
        and decisions_open(application.call, now)
    )


def can_return(user, decision: Decision, now: datetime | None = None) -> bool:
    return can_confirm(user, decision, now)


def can_read_decision(user, decision: Decision) -> bool:
    """The confirmed decision document: the applicant's side and the call's managers and
    decision makers who are not conflicted."""
    from app.applications.permissions import can_view_application

    if not decision.is_confirmed:
        return False
    return can_view_application(user, decision.application) or (
        (is_call_manager_of(user, _authority(decision.application.call))
         or may_decide_in(user, decision.application.call))
        and not is_conflicted(user, decision.application))


def application_decision(application: Application) -> Decision | None:
    return db.session.scalar(select(Decision).where(Decision.application_id == application.id))
