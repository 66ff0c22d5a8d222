"""Review and decisions: assigning reviewers, declaring conflicts of interest, scoring,
submitting and reopening reviews, closing reviewing, proposing and confirming decisions.

Every function checks its actor with the predicates of app.reviews.permissions (the views use
the same), flushes, writes the audit log and notifies through app.notifications; none commits.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime
from fractions import Fraction

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.applications import workflow
from app.applications.models import Application, ApplicationState
from app.applications.permissions import is_conflicted
from app.applications.states import UNDECIDED_SUBMITTED
from app.auth.models import User
from app.calls.models import Call
from app.core import audit, clock
from app.core.domain import Conflict, DomainError, NotAllowed
from app.core.money import format_money as format_eur
from app.extensions import db
from app.notifications.models import NotificationKind
from app.notifications.services import notify, path_for
from app.organisations.models import Membership
from app.reviews import documents
from app.reviews import permissions as perms
from app.reviews.models import (
    ConflictGround,
    Decision,
    DecisionOutcome,
    Declaration,
    ProposalState,
    Recommendation,
    Review,
    ReviewScore,
)

MAX_TEXT = 10_000
DECLARABLE_GROUNDS = tuple(g for g in ConflictGround if g != ConflictGround.membership)


def _text(value, limit: int = MAX_TEXT) -> str:
    return (value or "").replace("\r\n", "\n").strip()[:limit]


def _url(endpoint: str, **values) -> str:
    # Also outside a request (the demo seed, a CLI): the notice still leads somewhere.
    return path_for(endpoint, **values)


# --- roles of a call -------------------------------------------------------------------------


def set_review_roles(actor: User, call: Call, presenting_officer_id: int | None,
                     decision_maker_id: int | None, reviews_due_at: datetime | None) -> None:
    """Name the presenting officer (a call manager) and the decision maker (another call
    manager or the centre's owner), and the due date of the reviews."""
    if not perms.can_set_review_roles(actor, call):
        raise NotAllowed(_l("Only the call managers of the funding authority can do this."))
    centre = {m.user_id: m for m in db.session.scalars(
        select(Membership).where(Membership.organisation_id == call.organisation_id))}
    if presenting_officer_id is not None:
        member = centre.get(presenting_officer_id)
        if member is None or not member.is_call_manager:
            raise DomainError(_l("The presenting officer must be a call manager of the "
                                 "funding authority."), field="presenting_officer")
    if decision_maker_id is not None:
        member = centre.get(decision_maker_id)
        if member is None or not (member.is_call_manager or member.role == "owner"):
            raise DomainError(_l("The decision maker must be a call manager or the owner of "
                                 "the funding authority."), field="decision_maker")
    if presenting_officer_id is not None and presenting_officer_id == decision_maker_id:
        raise DomainError(_l("The same person cannot both present and decide."),
                          field="decision_maker")
    call.presenting_officer_id = presenting_officer_id
    call.decision_maker_id = decision_maker_id
    call.reviews_due_at = reviews_due_at
    db.session.flush()
    audit.record("call.review_roles_set", actor=actor, obj=call, organisation=call.organisation,
                 presenting_officer=presenting_officer_id, decision_maker=decision_maker_id)


# --- assignment ------------------------------------------------------------------------------


def eligible_reviewers(call: Call) -> list[User]:
    """Members of the call's ELY-centre with the reviewer role, by name."""
    return list(db.session.scalars(
        select(User).join(Membership, Membership.user_id == User.id)
        .where(Membership.organisation_id == call.organisation_id,
               Membership.is_reviewer.is_(True))
        .order_by(User.name, User.id)))


def _require_assign(actor: User, application: Application) -> None:
    if not perms.can_assign_on(actor, application):
        if not perms.reviewing_open(application.call):
            raise DomainError(_l("Reviewing has been closed in this call."))
        if application.state not in UNDECIDED_SUBMITTED:
            raise DomainError(_l("Reviewers can be assigned only to a submitted application "
                                 "that has not been decided."))
        raise NotAllowed(_l("Only the presenting officer of the call can assign reviewers."))


def assign_reviewer(actor: User, application: Application, reviewer: User,
                    due_at: datetime | None = None, now: datetime | None = None,
                    memberships: dict[int, set[int]] | None = None) -> Review:
    """Assign one reviewer (a member of the centre with the reviewer role, never a member of
    the lead or of a partner). Assigning takes a submitted application into review."""
    now = clock.resolve(now)
    _require_assign(actor, application)
    call = application.call
    if reviewer.id not in {u.id for u in eligible_reviewers(call)}:
        raise DomainError(_l("%(name)s is not a reviewer of %(authority)s.",
                             name=reviewer.name, authority=call.organisation.name),
                          field="reviewer")
    if perms.is_automatically_conflicted(reviewer.id, application, memberships):
        raise DomainError(_l("%(name)s is a member of an applicant organisation and cannot "
                             "review this application.", name=reviewer.name), field="reviewer")
    existing = db.session.scalar(select(Review).where(
        Review.application_id == application.id, Review.reviewer_id == reviewer.id))
    if existing is not None:
        raise DomainError(_l("%(name)s is already assigned to this application.",
                             name=reviewer.name), field="reviewer")
    review = Review(application_id=application.id, call_id=call.id, reviewer_id=reviewer.id,
                    assigned_by_id=actor.id, assigned_at=now,
                    due_at=due_at or call.reviews_due_at, updated_at=now)
    review.application = application
    review.reviewer = reviewer
    db.session.add(review)
    if application.state in (ApplicationState.submitted, ApplicationState.supplemented):
        workflow.start_review(actor, application, now=now)
    db.session.flush()
    audit.record("review.assigned", actor=actor, obj=review, organisation=call.organisation,
                 application=application.id, reviewer=reviewer.id)
    notify([reviewer], NotificationKind.reviewer_assigned,
           url=_url("reviews.review_detail", review_id=review.id), subject=application,
           params={"title": application.project_name, "call": call.title(reviewer.language)},
           mail_template="review_assigned", review=review, application=application, call=call)
    return review


def assign_many(actor: User, applications: list[Application], reviewers: list[User],
                due_at: datetime | None = None, now: datetime | None = None) -> list[Review]:
    """Assign each of `reviewers` to each of `applications`, skipping pairs that are already
    assigned or conflicted by membership (bulk assignment from the list)."""
    memberships = perms.member_organisation_ids([r.id for r in reviewers])
    existing = _existing_pairs([a.id for a in applications])
    made = []
    for application in applications:
        for reviewer in reviewers:
            if ((application.id, reviewer.id) in existing
                    or perms.is_automatically_conflicted(reviewer.id, application, memberships)):
                continue
            made.append(assign_reviewer(actor, application, reviewer, due_at, now, memberships))
    return made


def _existing_pairs(application_ids) -> set[tuple[int, int]]:
    if not application_ids:
        return set()
    return {(application_id, reviewer_id) for application_id, reviewer_id in db.session.execute(
        select(Review.application_id, Review.reviewer_id).where(
            Review.application_id.in_(list(application_ids))))}


@dataclass
class AutoAssignResult:
    made: list[Review]
    short: list[Application]  # applications that could not get N reviewers


def auto_assign(actor: User, call: Call, per_application: int, due_at: datetime | None = None,
                now: datetime | None = None) -> AutoAssignResult:
    """Balanced automatic assignment: every submitted, undecided application gets reviewers
    until it has `per_application` who are not conflicted; each pick is the eligible reviewer
    with the fewest assignments in the call (ties by name), never a member of the lead or of a
    partner, never one who declared a conflict on it."""
    if per_application < 1 or per_application > 10:
        raise DomainError(_l("Choose between 1 and 10 reviewers per application."),
                          field="per_application")
    if not perms.can_manage_review(actor, call):
        raise NotAllowed(_l("Only the presenting officer of the call can assign reviewers."))
    if not perms.reviewing_open(call):
        raise DomainError(_l("Reviewing has been closed in this call."))
    reviewers = eligible_reviewers(call)
    if not reviewers:
        raise DomainError(_l("%(authority)s has no members with the reviewer role.",
                             authority=call.organisation.name))
    applications = list(db.session.scalars(
        select(Application).where(Application.call_id == call.id,
                                  Application.state.in_(list(UNDECIDED_SUBMITTED)))
        .order_by(Application.submitted_at, Application.id)))
    applications = [a for a in applications if not is_conflicted(actor, a)]
    memberships = perms.member_organisation_ids([r.id for r in reviewers])
    reviews = list(db.session.scalars(select(Review).where(Review.call_id == call.id)))
    load = Counter(r.reviewer_id for r in reviews)
    by_application: dict[int, list[Review]] = {}
    for review in reviews:
        by_application.setdefault(review.application_id, []).append(review)
    made, short = [], []
    for application in applications:
        current = by_application.get(application.id, [])
        assigned = {r.reviewer_id for r in current}
        counted = sum(1 for r in current if r.declaration != Declaration.conflict)
        candidates = [r for r in reviewers if r.id not in assigned
                      and not perms.is_automatically_conflicted(r.id, application, memberships)]
        while counted < per_application and candidates:
            candidates.sort(key=lambda r: (load[r.id], r.name.casefold(), r.id))
            reviewer = candidates.pop(0)
            made.append(assign_reviewer(actor, application, reviewer, due_at, now, memberships))
            load[reviewer.id] += 1
            counted += 1
        if counted < per_application:
            short.append(application)
    audit.record("review.auto_assigned", actor=actor, obj=call, organisation=call.organisation,
                 per_application=per_application, made=len(made))
    return AutoAssignResult(made, short)


def unassign(actor: User, review: Review, now: datetime | None = None) -> None:
    """Take a reviewer off an application (to reassign it): not once the review is submitted,
    unless the reviewer is conflicted."""
    application = review.application
    _require_assign(actor, application)
    if review.declaration == Declaration.conflict:
        raise DomainError(_l("A declared conflict of interest stays on record: the reviewer "
                             "does not count, so assign another reviewer instead."))
    if review.is_submitted and not perms.review_is_conflicted(review):
        raise DomainError(_l("A submitted review cannot be removed."))
    audit.record("review.unassigned", actor=actor, obj=review,
                 organisation=application.call.organisation, application=application.id,
                 reviewer=review.reviewer_id, declaration=str(review.declaration))
    db.session.delete(review)
    db.session.flush()


# --- declaration -----------------------------------------------------------------------------


def declare(user: User, review: Review, conflict: bool, ground: str | None = None,
            note: str = "", now: datetime | None = None) -> None:
    """The reviewer declares no conflict, or a conflict on a ground of section 28 of the
    Administrative Procedure Act. A member of the lead or a partner cannot declare no
    conflict. A declared conflict is final (the presenting officer reassigns)."""
    now = clock.resolve(now)
    if not perms.can_declare(user, review):
        if not perms.can_open_review(user, review):
            raise NotAllowed()
        raise DomainError(_l("The declaration can no longer be changed."))
    note = _text(note, 2000)
    if conflict:
        try:
            chosen = ConflictGround(ground or "")
        except ValueError:
            raise DomainError(_l("Choose the ground of the conflict of interest."),
                              field="ground") from None
        if chosen not in DECLARABLE_GROUNDS:
            raise DomainError(_l("Choose the ground of the conflict of interest."),
                              field="ground")
        if chosen == ConflictGround.other and not note:
            raise DomainError(_l("Describe the other reason in the note."), field="note")
        review.declaration = Declaration.conflict
        review.conflict_ground = chosen
    else:
        if perms.is_automatically_conflicted(user.id, review.application):
            raise DomainError(_l("You are a member of an organisation that applies in this "
                                 "application, so you are disqualified (esteellinen) and "
                                 "cannot review it."))
        if review.declaration == Declaration.no_conflict:
            return
        review.declaration = Declaration.no_conflict
        review.conflict_ground = None
    review.conflict_note = note
    review.declared_at = now
    review.updated_at = now
    db.session.flush()
    perms.forget_declared_conflicts()
    audit.record("review.declared", actor=user, obj=review,
                 organisation=review.application.call.organisation,
                 application=review.application_id, declaration=str(review.declaration),
                 ground=str(review.conflict_ground) if review.conflict_ground else None)


# --- scoring ---------------------------------------------------------------------------------


@dataclass
class ScoreInput:
    """What the form sends for one criterion (None: not given)."""

    score: int | None = None
    passed: bool | None = None
    comment: str = ""


def save_review(user: User, review: Review, scores: dict[int, ScoreInput],
                recommendation: str | None, proposed_cents: int | None, overall_comment: str,
                now: datetime | None = None, seen_version: int | None = None) -> list[str]:
    """Save (autosave) a draft review. Values out of range are refused with the criterion's
    field named. Returns the names of the fields whose values changed (for the audit log).
    A save from a form older than the stored review (`seen_version`, its lock_version) raises
    Conflict; the version_id_col makes the database refuse the second of two concurrent saves."""
    now = clock.resolve(now)
    if not perms.can_score(user, review):
        if review.is_submitted:
            raise DomainError(_l("The review has been submitted. Reopen it to change it."))
        if not perms.reviewing_open(review.application.call):
            raise DomainError(_l("Reviewing has been closed in this call."))
        raise NotAllowed(_l("You cannot score this application."))
    if seen_version is not None and seen_version != review.lock_version:
        raise Conflict(_l("This review was changed in another window since you opened it, so "
                          "your changes were not saved. They are still in the form: press Save "
                          "to replace the saved review with them, or reload the page to see "
                          "the saved review."))
    criteria = {c.id: c for c in review.application.call.criteria}
    changed: list[str] = []
    for criterion_id, given in scores.items():
        criterion = criteria.get(criterion_id)
        if criterion is None:
            raise DomainError(_l("Unknown criterion."))
        field = f"criterion-{criterion_id}"
        if criterion.is_scored:
            if given.score is not None and not 0 <= given.score <= criterion.scale_max:
                raise DomainError(_l("Give a score from 0 to %(max)s.", max=criterion.scale_max),
                                  field=f"{field}-score")
        row = review.score_for(criterion_id)
        if row is None:
            row = ReviewScore(criterion_id=criterion_id)
            review.scores.append(row)
        comment = _text(given.comment, 5000)
        new = (given.score if criterion.is_scored else None,
               given.passed if not criterion.is_scored else None, comment)
        if (row.score, row.passed, row.comment or "") != new:
            changed.append(field)
            row.score, row.passed, row.comment = new
    if recommendation:
        try:
            recommendation = Recommendation(recommendation)
        except ValueError:
            raise DomainError(_l("Choose a recommendation."), field="recommendation") from None
    else:
        recommendation = None
    if proposed_cents is not None and proposed_cents < 0:
        raise DomainError(_l("The amount cannot be negative."), field="proposed_amount")
    requested = review.application.requested_support_cents
    if proposed_cents is not None and proposed_cents > requested:
        raise DomainError(_l("The proposed amount cannot exceed the support applied for "
                             "(%(amount)s).", amount=format_eur(requested)),
                          field="proposed_amount")
    for name, value in (("recommendation", recommendation), ("proposed_cents", proposed_cents),
                        ("overall_comment", _text(overall_comment))):
        if getattr(review, name) != value:
            changed.append(name)
            setattr(review, name, value)
    if changed:
        review.updated_at = now
        db.session.flush()
        audit.record("review.scored", actor=user, obj=review,
                     organisation=review.application.call.organisation,
                     application=review.application_id, fields=changed,
                     scores={str(s.criterion_id): s.score if s.passed is None else s.passed
                             for s in review.scores})
    return changed


def review_problems(review: Review) -> list[tuple[str, object]]:
    """What a review still lacks before it can be submitted: (field, message) pairs."""
    problems = []
    for criterion in review.application.call.criteria:
        row = review.score_for(criterion.id)
        field = f"criterion-{criterion.id}"
        if criterion.is_scored and (row is None or row.score is None):
            problems.append((f"{field}-score", _l("Score “%(title)s”.", title=criterion.title)))
        elif not criterion.is_scored and (row is None or row.passed is None):
            problems.append((f"{field}-passed", _l("Say whether “%(title)s” is met.",
                                                   title=criterion.title)))
        if row is None or not (row.comment or "").strip():
            problems.append((f"{field}-comment", _l("Comment on “%(title)s”.",
                                                    title=criterion.title)))
    if review.recommendation is None:
        problems.append(("recommendation", _l("Choose a recommendation.")))
    return problems


def submit_review(user: User, review: Review, now: datetime | None = None) -> None:
    """Submit a complete review; it records the application's revision it scored."""
    now = clock.resolve(now)
    if not perms.can_score(user, review):
        if review.is_submitted:
            raise DomainError(_l("The review has already been submitted."))
        raise NotAllowed(_l("You cannot score this application."))
    problems = review_problems(review)
    if problems:
        field, message = problems[0]
        raise DomainError(_l("The review is not complete: %(items)s",
                             items=" ".join(str(m) for _f, m in problems)), field=field)
    review.submitted_at = now
    review.scored_revision = review.application.revision_count
    review.updated_at = now
    db.session.flush()
    audit.record("review.submitted", actor=user, obj=review,
                 organisation=review.application.call.organisation,
                 application=review.application_id, revision=review.scored_revision)


def reopen_review(user: User, review: Review, now: datetime | None = None) -> None:
    """The reviewer reopens a submitted review, until the presenting officer closes
    reviewing; it no longer counts until submitted again."""
    now = clock.resolve(now)
    if not perms.can_reopen_review(user, review):
        if not perms.reviewing_open(review.application.call):
            raise DomainError(_l("Reviewing has been closed in this call."))
        raise NotAllowed(_l("You cannot reopen this review."))
    review.submitted_at = None
    review.updated_at = now
    db.session.flush()
    audit.record("review.reopened", actor=user, obj=review,
                 organisation=review.application.call.organisation,
                 application=review.application_id)


def close_reviewing(actor: User, call: Call, now: datetime | None = None) -> None:
    now = clock.resolve(now)
    if not perms.can_manage_review(actor, call):
        raise NotAllowed(_l("Only the presenting officer of the call can do this."))
    if call.reviewing_closed_at is not None:
        raise DomainError(_l("Reviewing has already been closed."))
    call.reviewing_closed_at = now
    db.session.flush()
    audit.record("call.reviewing_closed", actor=actor, obj=call, organisation=call.organisation)


def reopen_reviewing(actor: User, call: Call) -> None:
    if not perms.can_manage_review(actor, call):
        raise NotAllowed(_l("Only the presenting officer of the call can do this."))
    if call.reviewing_closed_at is None:
        raise DomainError(_l("Reviewing is open."))
    if db.session.scalar(select(func.count(Decision.id)).where(Decision.call_id == call.id)):
        raise DomainError(_l("Decisions have been proposed: reviewing cannot be reopened."))
    call.reviewing_closed_at = None
    db.session.flush()
    audit.record("call.reviewing_reopened", actor=actor, obj=call, organisation=call.organisation)


# --- decisions -------------------------------------------------------------------------------


@dataclass
class ProposalInput:
    approve: bool
    granted_cents: int | None = None
    approved_cost_cents: int | None = None
    conditions: str = ""
    eligible_from: date | None = None
    eligible_until: date | None = None
    justification: str = ""
    language: str | None = None  # fi or sv; None: the applicant's (documents.default_language)


def granted_in_call(call: Call, *, confirmed_only: bool, exclude_application: int | None = None,
                    lock: bool = False) -> int:
    """The support granted (confirmed) or also proposed for approval in the call, in cents.
    With `lock`, the call's row is locked first so that two decisions at the same moment
    cannot both fit under the budget (PostgreSQL; SQLite writes one at a time anyway)."""
    if lock:
        db.session.execute(select(Call.id).where(Call.id == call.id).with_for_update())
    states = [ProposalState.confirmed] if confirmed_only else [ProposalState.confirmed,
                                                               ProposalState.proposed]
    query = select(func.coalesce(func.sum(Decision.granted_cents), 0)).where(
        Decision.call_id == call.id, Decision.outcome == DecisionOutcome.approved,
        Decision.state.in_(states))
    if exclude_application is not None:
        query = query.where(Decision.application_id != exclude_application)
    return int(db.session.scalar(query) or 0)


def _check_budget(call: Call, granted: int, already: int, field: str = "granted") -> None:
    over = already + granted - (call.total_budget_cents or 0)
    if over > 0:
        raise DomainError(_l("The call's budget (%(budget)s) would be exceeded by %(over)s: "
                             "%(already)s has already been granted or proposed.",
                             budget=format_eur(call.total_budget_cents or 0),
                             over=format_eur(over), already=format_eur(already)), field=field)


def approved_plan(application: Application, approved_cost: int, granted: int) -> dict[str, int]:
    """The approved funding plan: the granted support, and the rest of the approved cost
    shared among the application's other sources in proportion (largest remainder), so that
    it balances to the cent. With no other sources, the rest is own funding."""
    rest = approved_cost - granted
    others = {name: cents for name, cents in application.group_plan.items()
              if name != "support" and cents > 0}
    plan = {name: 0 for name in application.group_plan}
    plan["support"] = granted
    total = sum(others.values())
    if rest <= 0 or total == 0:
        plan["own"] += max(rest, 0)
        return plan
    shares = {name: Fraction(cents * rest, total) for name, cents in others.items()}
    for name, share in shares.items():
        plan[name] = int(share)
    left = rest - sum(plan[name] for name in others)
    for name in sorted(others, key=lambda n: (-(shares[n] - int(shares[n])), n))[:left]:
        plan[name] += 1
    return plan


def _validate_proposal(application: Application, values: ProposalInput) -> dict:
    justification = _text(values.justification)
    if not justification:
        raise DomainError(_l("Write the justification of the decision, referring to the "
                             "scores."), field="justification")
    language = (values.language if values.language in ("fi", "sv")
                else documents.default_language(application))
    result = {"justification": justification, "conditions": _text(values.conditions),
              "language": language, "granted_cents": None, "approved_cost_cents": None,
              "support_basis_points": None, "approved_plan": None,
              "eligible_from": None, "eligible_until": None}
    if not values.approve:
        return result
    from app.applications.outcomes import requested_cost_cents

    # By the funding model: a grant's total eligible cost, an outcome plan's fee budget (all
    # of it is support: no share applies), or nothing for a voucher provider, whose approval
    # grants no support (the vouchers pay it).
    model = application.call.funding_model.value
    total_cost = requested_cost_cents(application)
    requested = application.requested_support_cents
    cost = 0 if model == "service_voucher" else values.approved_cost_cents
    granted = 0 if model == "service_voucher" else values.granted_cents
    if (granted is None or granted <= 0) and model != "service_voucher":
        raise DomainError(_l("Enter the granted amount."), field="granted")
    if granted > requested:
        raise DomainError(_l("The granted amount cannot exceed the support applied for "
                             "(%(amount)s).", amount=format_eur(requested)), field="granted")
    if (cost is None or cost <= 0) and model != "service_voucher":
        raise DomainError(_l("Enter the approved eligible cost."), field="approved_cost")
    if cost > total_cost:
        raise DomainError(_l("The approved eligible cost cannot exceed the total eligible cost "
                             "applied for (%(amount)s).", amount=format_eur(total_cost)),
                          field="approved_cost")
    if granted > cost:
        raise DomainError(_l("The granted amount cannot exceed the approved eligible cost."),
                          field="granted")
    basis_points = int(Fraction(granted * 10000, cost)) if cost else 0
    max_share = application.call.max_support_percent
    if model == "grant" and Fraction(granted * 100, cost) > max_share:
        raise DomainError(_l("The support share would be %(share)s %%, more than the call's "
                             "maximum of %(max)s %%.",
                             share=f"{float(Fraction(granted * 100, cost)):.2f}".replace(".", ","),
                             max=max_share), field="granted")
    start = values.eligible_from or application.start_date
    end = values.eligible_until or application.end_date
    if start is None or end is None:
        raise DomainError(_l("Enter the eligibility period."), field="eligible_from")
    if end < start:
        raise DomainError(_l("The eligibility period must end after it starts."),
                          field="eligible_until")
    result.update(granted_cents=granted, approved_cost_cents=cost,
                  support_basis_points=basis_points,
                  approved_plan=approved_plan(application, cost, granted),
                  eligible_from=start, eligible_until=end)
    return result


def _not_closed(call: Call):
    """The refusal before the close, saying when decisions can be made (Finnish time)."""
    from app.core.templating import local_datetime

    return _l("Decisions can be made only after the call has closed, from %(when)s.",
              when=local_datetime(call.closes_at))


def propose_decision(actor: User, application: Application, values: ProposalInput,
                     now: datetime | None = None) -> Decision:
    """The presenting officer proposes approval (with the granted amount, approved eligible
    cost, conditions and eligibility period) or rejection, with a justification. Only after
    the call has closed; the approved total in the call, proposals included, stays within the
    budget. The decision maker is notified."""
    now = clock.resolve(now)
    call = application.call
    if not perms.can_propose(actor, application, now):
        if not perms.decisions_open(call, now):
            raise DomainError(_not_closed(call))
        if is_conflicted(actor, application):
            raise NotAllowed(_l("You are conflicted on this application, so you cannot act "
                                "on it."))
        if not perms.can_manage_review(actor, call):
            raise NotAllowed(_l("Only the presenting officer of the call can propose "
                                "decisions."))
        raise workflow.WrongState(_l("A decision can be proposed only on an application in "
                                     "review that has no decision proposed."))
    fields = _validate_proposal(application, values)
    if values.approve:
        _check_budget(call, fields["granted_cents"],
                      granted_in_call(call, confirmed_only=False,
                                      exclude_application=application.id, lock=True))
    decision = perms.application_decision(application)
    if decision is None:
        decision = Decision(application_id=application.id, call_id=call.id)
        decision.application = application
        db.session.add(decision)
    decision.state = ProposalState.proposed
    decision.outcome = DecisionOutcome.approved if values.approve else DecisionOutcome.rejected
    for name, value in fields.items():
        setattr(decision, name, value)
    decision.proposed_by_id = actor.id
    decision.proposed_by_name = actor.name
    decision.proposed_at = now
    decision.returned_comment = ""
    decision.returned_at = None
    decision.authority_name = call.organisation.name
    db.session.flush()
    audit.record("decision.proposed", actor=actor, obj=decision, organisation=call.organisation,
                 application=application.id, outcome=str(decision.outcome),
                 granted=decision.granted_cents)
    notify(_decision_makers(call, exclude=actor), NotificationKind.decision_proposed,
           url=_url("reviews.decision_detail", application_id=application.id),
           subject=application, conflicted_on=application,
           params={"title": application.project_name},
           mail_template="decision_proposed", decision=decision, application=application,
           call=call)
    return decision


def _decision_makers(call: Call, exclude: User | None = None) -> list[User]:
    if call.decision_maker_id is not None:
        users = [db.session.get(User, call.decision_maker_id)]
    else:
        users = [m.user for m in db.session.scalars(perms.decision_maker_candidates_query(call))]
    return [u for u in users if u is not None and (exclude is None or u.id != exclude.id)]


def confirm_decision(actor: User, decision: Decision, now: datetime | None = None) -> None:
    """The decision maker confirms the proposal: the application is decided (approved or
    rejected) and its lead's and partners' members are notified. Never by the person who
    proposed it, never before the close, never above the call's budget."""
    now = clock.resolve(now)
    application = decision.application
    call = application.call
    _require_decider(actor, decision, now)
    if decision.approves:
        _check_budget(call, decision.granted_cents or 0,
                      granted_in_call(call, confirmed_only=True,
                                      exclude_application=application.id, lock=True))
    decision.state = ProposalState.confirmed
    decision.decided_by_id = actor.id
    decision.decided_by_name = actor.name
    decision.decided_at = now
    workflow.decide_application(actor, application, decision, now=now)
    db.session.flush()
    audit.record("decision.confirmed", actor=actor, obj=decision,
                 organisation=call.organisation, application=application.id,
                 outcome=str(decision.outcome), granted=decision.granted_cents)


def _require_decider(actor: User, decision: Decision, now: datetime) -> None:
    if perms.can_confirm(actor, decision, now):
        return
    call = decision.application.call
    if decision.state != ProposalState.proposed:
        raise DomainError(_l("There is no proposal waiting for a decision."))
    if decision.proposed_by_id == actor.id:
        raise NotAllowed(_l("You presented this application, so you cannot decide it: the "
                            "same person cannot both present and decide."))
    if not perms.decisions_open(call, now):
        raise DomainError(_not_closed(call))
    if is_conflicted(actor, decision.application):
        raise NotAllowed(_l("You are conflicted on this application, so you cannot act on it."))
    raise NotAllowed(_l("Only the decision maker of the call can decide."))


def return_proposal(actor: User, decision: Decision, comment: str,
                    now: datetime | None = None) -> None:
    """The decision maker sends the proposal back to the presenting officer with a comment."""
    now = clock.resolve(now)
    _require_decider(actor, decision, now)
    comment = _text(comment, 5000)
    if not comment:
        raise DomainError(_l("Say why the proposal is returned."), field="comment")
    decision.state = ProposalState.returned
    decision.returned_comment = comment
    decision.returned_at = now
    db.session.flush()
    application = decision.application
    audit.record("decision.returned", actor=actor, obj=decision,
                 organisation=application.call.organisation, application=application.id)
    proposer = db.session.get(User, decision.proposed_by_id) if decision.proposed_by_id else None
    notify([proposer], NotificationKind.decision_proposed,
           url=_url("reviews.decision_detail", application_id=application.id),
           subject=application, conflicted_on=application,
           params={"title": application.project_name, "returned": True},
           mail_template="decision_returned", decision=decision, application=application,
           call=application.call)
