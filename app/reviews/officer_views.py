"""The presenting officer's pages: the call's ranking with the budget line (and its CSV and
XLSX exports), and the review management page (review roles, assignment one by one, in bulk
or balanced, declarations, workload, closing reviewing).

The call's other managers see the management page without its assignment forms; the
decision makers see the ranking. An application on which the viewer is conflicted shows its
title only, on every page and in every export."""

from __future__ import annotations

import gc
from collections import Counter
from contextlib import contextmanager
from dataclasses import dataclass, field
from types import SimpleNamespace

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext
from flask_login import current_user, login_required
from sqlalchemy import select
from sqlalchemy.orm import joinedload, selectinload
from werkzeug.routing import BuildError

from app.applications.models import Application, ApplicationPartner
from app.applications.permissions import is_conflicted
from app.applications.sections import STATE_LABELS
from app.applications.states import MANAGER_STATES
from app.auth.models import User
from app.calls.loaders import get_call_or_404
from app.calls.models import Call
from app.core import clock
from app.core.codelists import current_language
from app.core.forms import ActionForm
from app.core.htmx import render_page_or_fragment
from app.core.pagination import ListPage, page_arg, per_page_arg
from app.core.unit_of_work import perform
from app.extensions import db
from app.organisations.models import Membership
from app.reviews import bp, exports, services
from app.reviews import permissions as perms
from app.reviews.models import ConflictGround, Declaration, Review, ReviewState
from app.reviews.officer_forms import AssignForm, AutoAssignForm, BulkAssignForm, ReviewRolesForm
from app.reviews.ranking import SORTS, RankingFilters, call_ranking

GROUND_LABELS = {
    ConflictGround.party_or_relative: _l("Party, or a close relative of a party"),
    ConflictGround.service_or_board: _l("In the service of, or on the board of, a party"),
    ConflictGround.benefit_or_harm: _l("Can expect particular benefit or harm"),
    ConflictGround.other: _l("Another reason that endangers impartiality"),
    ConflictGround.membership: _l("Member of the lead applicant or of a partner"),
}
REVIEW_STATE_LABELS = {
    ReviewState.to_declare: _l("Not declared"),
    ReviewState.conflicted: _l("Conflicted"),
    ReviewState.in_progress: _l("In progress"),
    ReviewState.submitted: _l("Submitted"),
}


def _url_pattern(endpoint: str, key: str):
    """`id -> url` of an endpoint with one integer argument, built once (the ranking links
    every row); None while the endpoint does not exist."""
    marker = 987654321
    try:
        template = url_for(endpoint, **{key: marker})
    except BuildError:
        return None
    return lambda value: template.replace(str(marker), str(int(value)))


def _call_context(call: Call) -> dict:
    # Labels translated once per request (not once per row of a long table).
    return {"call": call, "lang": current_language(), "now": clock.now(),
            "state_labels": {state: str(label) for state, label in STATE_LABELS.items()}}


# --- the ranking -----------------------------------------------------------------------------


def _ranking_of(call: Call):
    order = request.args.get("order")
    # the user itself, not the request-local proxy: the ranking asks about it per row
    return call_ranking(call, current_user._get_current_object(), sort=request.args.get("sort"),
                        filters=RankingFilters.from_args(request.args),
                        descending={"asc": False, "desc": True}.get(order))


@contextmanager
def _no_collection():
    """Without the cyclic garbage collector for the length of one big page. Its thousands of
    short-lived objects (freed by reference counting when the page is done) would otherwise be
    promoted to the oldest generation, and every few requests a full collection of the whole
    process would stop one for a hundred milliseconds or more."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@bp.get("/calls/<int:call_id>/ranking")
@login_required
def ranking(call_id: int):
    """The call's applications in rank order with the budget line; sortable and filterable
    by query arguments (sort, order, eligible, state, recommendation)."""
    call = get_call_or_404(call_id, check=perms.can_view_ranking)
    with _no_collection():
        return _ranking_page(call)


RANKING_PER_PAGE = 100


def _ranking_page(call: Call):
    result = _ranking_of(call)
    context = _call_context(call)
    fmt = exports.NumberFormat.current()
    # The figures, running totals and budget line are computed over the whole call; a page
    # shows RANKING_PER_PAGE rows of it (the exports have them all).
    pager = ListPage.of(len(result.rows), page_arg(), per_page_arg(RANKING_PER_PAGE))
    return render_page_or_fragment(
        "reviews/ranking.html", "reviews/_ranking_table.html",
        **context, ranking=result, fmt=fmt, sorts=SORTS, pager=pager,
        line_page=(None if result.line_index is None
                   else max(0, result.line_index) // pager.per_page + 1),
        rows=exports.row_views(
            result, fmt, context["state_labels"], pager.slice(result.rows),
            _url_pattern("applications.application_detail", "application_id"),
            _url_pattern("reviews.decision_detail", "application_id")),
        recommendation_labels=exports.RECOMMENDATION_LABELS, manager_states=MANAGER_STATES,
        can_manage=perms.can_manage_review(current_user, call))


@bp.get("/calls/<int:call_id>/ranking.csv")
@login_required
def ranking_csv(call_id: int):
    call = get_call_or_404(call_id, check=perms.can_view_ranking)
    return exports.ranking_csv(_ranking_of(call))


@bp.get("/calls/<int:call_id>/ranking.xlsx")
@login_required
def ranking_xlsx(call_id: int):
    call = get_call_or_404(call_id, check=perms.can_view_ranking)
    return exports.ranking_xlsx(_ranking_of(call))


# --- review management -----------------------------------------------------------------------


def can_open_reviewers(user, call: Call) -> bool:
    """The presenting officer, and (to read, and to name the roles) the call managers."""
    return perms.can_manage_review(user, call) or perms.can_set_review_roles(user, call)


@bp.app_context_processor
def _officer_links() -> dict:
    """For the call page's links to the ranking and the management page."""
    return {"officer_perms": SimpleNamespace(can_open_reviewers=can_open_reviewers,
                                             can_view_ranking=perms.can_view_ranking)}


def review_state(review: Review, memberships) -> ReviewState:
    if perms.review_is_conflicted(review, memberships):
        return ReviewState.conflicted
    if review.submitted_at is not None:
        return ReviewState.submitted
    if review.declaration == Declaration.pending:
        return ReviewState.to_declare
    return ReviewState.in_progress


@dataclass
class AssignedReview:
    review: Review
    state: ReviewState
    automatic: bool  # conflicted as a member of the lead or of a partner
    overdue: bool


@dataclass
class ApplicationReviews:
    application: Application
    hidden: bool  # the viewer is conflicted: the title only
    can_assign: bool = False
    reviews: list[AssignedReview] = field(default_factory=list)

    @property
    def counted(self) -> int:
        return sum(1 for r in self.reviews if r.state != ReviewState.conflicted)


@dataclass
class Workload:
    reviewer: User
    eligible: bool
    counts: Counter = field(default_factory=Counter)


def _centre_people(call: Call) -> tuple[list[User], list[User]]:
    """The call managers (presenting officer candidates) and the decision maker candidates."""
    memberships = list(db.session.scalars(
        perms.decision_maker_candidates_query(call).options(joinedload(Membership.user))))
    people = sorted(memberships, key=lambda m: (m.user.name.casefold(), m.user_id))
    return ([m.user for m in people if m.is_call_manager], [m.user for m in people])


def reviewers_context(call: Call, viewer, now=None) -> dict:
    """What the management page shows, in a fixed number of queries."""
    now = clock.resolve(now)
    applications = list(db.session.scalars(
        select(Application)
        .where(Application.call_id == call.id, Application.state.in_(list(MANAGER_STATES)))
        .options(joinedload(Application.organisation),
                 selectinload(Application.partners).joinedload(ApplicationPartner.organisation))
        .order_by(Application.first_submitted_at, Application.id)))
    reviews = list(db.session.scalars(
        select(Review).join(Application, Application.id == Review.application_id)
        .where(Review.call_id == call.id, Application.state.in_(list(MANAGER_STATES)))
        .options(joinedload(Review.reviewer)).order_by(Review.id)))
    eligible = services.eligible_reviewers(call)
    memberships = perms.member_organisation_ids(
        {r.reviewer_id for r in reviews} | {u.id for u in eligible})
    rows = {a.id: ApplicationReviews(a, is_conflicted(viewer, a)) for a in applications}
    for row in rows.values():
        row.can_assign = not row.hidden and perms.can_assign_on(viewer, row.application)
    workloads = {u.id: Workload(u, True) for u in eligible}
    for review in reviews:
        state = review_state(review, memberships)
        automatic = perms.is_automatically_conflicted(review.reviewer_id, review.application,
                                                      memberships)
        overdue = (state in (ReviewState.to_declare, ReviewState.in_progress)
                   and review.due_at is not None and review.due_at < now)
        rows[review.application_id].reviews.append(
            AssignedReview(review, state, automatic, overdue))
        load = workloads.setdefault(review.reviewer_id, Workload(review.reviewer, False))
        load.counts["assigned"] += 1
        load.counts[state.value] += 1
        load.counts["overdue"] += overdue
    managers, deciders = _centre_people(call)
    assignable = [r.application for r in rows.values() if r.can_assign]
    return {
        "rows": list(rows.values()), "eligible": eligible, "assignable": assignable,
        "workloads": sorted(workloads.values(),
                            key=lambda w: (not w.eligible, w.reviewer.name.casefold())),
        "managers": managers, "deciders": deciders,
        "can_manage": perms.can_manage_review(viewer, call),
        "can_set_roles": perms.can_set_review_roles(viewer, call),
        "reviewing_open": perms.reviewing_open(call),
    }


def _render_reviewers(call: Call, status: int = 200, **forms):
    context = reviewers_context(call, current_user._get_current_object())
    if "roles_form" not in forms:
        forms["roles_form"] = ReviewRolesForm(formdata=None, managers=context["managers"],
                                              deciders=context["deciders"], data={
                                                  "presenting_officer":
                                                      str(call.presenting_officer_id or ""),
                                                  "decision_maker":
                                                      str(call.decision_maker_id or ""),
                                                  "reviews_due_at": call.reviews_due_at})
    forms.setdefault("assign_form", AssignForm(formdata=None, applications=context["assignable"],
                                               reviewers=context["eligible"]))
    forms.setdefault("bulk_form", BulkAssignForm(formdata=None,
                                                 applications=context["assignable"],
                                                 reviewers=context["eligible"]))
    forms.setdefault("auto_form", AutoAssignForm(formdata=None, data={"per_application": 3}))
    return render_template(
        "reviews/officer_reviewers.html", **_call_context(call), **context, **forms,
        ground_labels=GROUND_LABELS, review_state_labels=REVIEW_STATE_LABELS,
        application_url=_url_pattern("applications.application_detail", "application_id"),
    ), status


def _back(call: Call, anchor: str = ""):
    return redirect(url_for("reviews.call_reviewers", call_id=call.id)
                    + (f"#{anchor}" if anchor else ""))


@bp.get("/calls/<int:call_id>/reviewers")
@login_required
def call_reviewers(call_id: int):
    call = get_call_or_404(call_id, check=can_open_reviewers)
    return _render_reviewers(call)


@bp.post("/calls/<int:call_id>/reviewers/roles")
@login_required
def call_review_roles(call_id: int):
    call = get_call_or_404(call_id, check=perms.can_set_review_roles)
    managers, deciders = _centre_people(call)
    form = ReviewRolesForm(managers=managers, deciders=deciders)
    if form.validate_on_submit():
        outcome = perform(lambda: services.set_review_roles(
            current_user, call, int(form.presenting_officer.data or 0) or None,
            int(form.decision_maker.data or 0) or None, form.reviews_due_at.data), form=form)
        if outcome.ok:
            flash(_l("The review roles have been saved."), "success")
            return _back(call, "roles")
        return _render_reviewers(db.session.get(Call, call_id), outcome.status, roles_form=form)
    return _render_reviewers(call, 422, roles_form=form)


def _assign_forms(call: Call):
    context = reviewers_context(call, current_user)
    return context["assignable"], context["eligible"]


@bp.post("/calls/<int:call_id>/reviewers/assign")
@login_required
def call_reviewer_assign(call_id: int):
    call = get_call_or_404(call_id, check=perms.can_manage_review)
    applications, reviewers = _assign_forms(call)
    form = AssignForm(applications=applications, reviewers=reviewers)
    if form.validate_on_submit():
        application = next(a for a in applications if str(a.id) == form.application.data)
        reviewer = next(u for u in reviewers if str(u.id) == form.reviewer.data)
        outcome = perform(lambda: services.assign_reviewer(
            current_user, application, reviewer, form.due_at.data), form=form)
        if outcome.ok:
            flash(_l("%(name)s has been assigned to “%(title)s”.", name=reviewer.name,
                     title=application.project_name), "success")
            return _back(call, "applications")
        return _render_reviewers(db.session.get(Call, call_id), outcome.status, assign_form=form)
    return _render_reviewers(call, 422, assign_form=form)


@bp.post("/calls/<int:call_id>/reviewers/assign-many")
@login_required
def call_reviewers_assign_many(call_id: int):
    call = get_call_or_404(call_id, check=perms.can_manage_review)
    applications, reviewers = _assign_forms(call)
    form = BulkAssignForm(applications=applications, reviewers=reviewers)
    if form.validate_on_submit():
        chosen = set(form.applications.data)
        targets = [a for a in applications if str(a.id) in chosen]
        reviewer = next(u for u in reviewers if str(u.id) == form.reviewer.data)
        outcome = perform(lambda: services.assign_many(
            current_user, targets, [reviewer], form.due_at.data), form=form)
        if outcome.ok:
            made = len(outcome.value)
            flash(ngettext("%(name)s was assigned to %(num)s application.",
                           "%(name)s was assigned to %(num)s applications.", made,
                           name=reviewer.name), "success")
            if made < len(targets):
                flash(ngettext(
                    "%(num)s ticked application was skipped: %(name)s was already assigned "
                    "to it or is a member of an applicant organisation.",
                    "%(num)s ticked applications were skipped: %(name)s was already assigned "
                    "to them or is a member of an applicant organisation.",
                    len(targets) - made, name=reviewer.name), "warning")
            return _back(call, "applications")
        return _render_reviewers(db.session.get(Call, call_id), outcome.status, bulk_form=form)
    return _render_reviewers(call, 422, bulk_form=form)


@bp.post("/calls/<int:call_id>/reviewers/auto")
@login_required
def call_reviewers_auto(call_id: int):
    call = get_call_or_404(call_id, check=perms.can_manage_review)
    form = AutoAssignForm()
    if form.validate_on_submit():
        outcome = perform(lambda: services.auto_assign(
            current_user, call, form.per_application.data, form.due_at.data), form=form)
        if outcome.ok:
            result = outcome.value
            flash(ngettext("%(num)s assignment was made.", "%(num)s assignments were made.",
                           len(result.made)), "success")
            if result.short:
                flash(_l("Too few reviewers without a conflict for: %(titles)s.",
                         titles="; ".join(a.project_name for a in result.short)), "error")
            return _back(call, "workload")
        return _render_reviewers(db.session.get(Call, call_id), outcome.status, auto_form=form)
    return _render_reviewers(call, 422, auto_form=form)


def _confirm_page(call: Call, title, question, action: str, button, status: int = 200,
                  details=None):
    return render_template("reviews/officer_confirm.html", **_call_context(call),
                           title=title, question=question, action=action, button=button,
                           details=details or [], form=ActionForm(formdata=None)), status


@bp.route("/calls/<int:call_id>/reviewers/<int:review_id>/unassign", methods=["GET", "POST"])
@login_required
def call_reviewer_unassign(call_id: int, review_id: int):
    """GET asks for confirmation; POST takes the reviewer off the application."""
    call = get_call_or_404(call_id, check=perms.can_manage_review)
    review = db.session.get(Review, review_id)
    if review is None or review.call_id != call.id:
        abort(404)
    if not perms.can_assign_on(current_user, review.application):
        abort(403)
    application, reviewer = review.application, review.reviewer
    if request.method == "POST" and ActionForm().validate_on_submit():
        outcome = perform(lambda: services.unassign(current_user, review))
        if outcome.ok:
            flash(_l("%(name)s is no longer assigned to “%(title)s”.", name=reviewer.name,
                     title=application.project_name), "success")
            return _back(call, "applications")
        outcome.flash()
        return _back(call, "applications")
    return _confirm_page(
        call, _l("Unassign a reviewer"),
        _l("Take %(name)s off “%(title)s”? Their declaration and any scores they have saved "
           "on it are removed.", name=reviewer.name, title=application.project_name),
        url_for("reviews.call_reviewer_unassign", call_id=call.id, review_id=review.id),
        _l("Unassign"), status=422 if request.method == "POST" else 200)


def _confirmed_call_action(call: Call, action, done, title, question, endpoint: str,
                           button):
    """GET asks `question`; a confirmed POST runs `action(user, call)` in a unit of work."""
    if request.method == "POST" and ActionForm().validate_on_submit():
        perform(lambda: action(current_user, call)).flash(done)
        return _back(call)
    return _confirm_page(call, title, question, url_for(endpoint, call_id=call.id), button,
                         status=422 if request.method == "POST" else 200)


@bp.route("/calls/<int:call_id>/reviewing/close", methods=["GET", "POST"])
@login_required
def call_reviewing_close(call_id: int):
    call = get_call_or_404(call_id, check=perms.can_manage_review)
    return _confirmed_call_action(
        call, services.close_reviewing,
        _l("Reviewing has been closed: reviews can no longer be changed or reopened."),
        _l("Close reviewing"),
        _l("Close reviewing in this call? Reviewers can no longer declare, score, submit or "
           "reopen their reviews, and no reviewer can be assigned."),
        "reviews.call_reviewing_close", _l("Close reviewing"))


@bp.route("/calls/<int:call_id>/reviewing/reopen", methods=["GET", "POST"])
@login_required
def call_reviewing_reopen(call_id: int):
    call = get_call_or_404(call_id, check=perms.can_manage_review)
    return _confirmed_call_action(
        call, services.reopen_reviewing, _l("Reviewing is open again."),
        _l("Reopen reviewing"),
        _l("Reopen reviewing in this call? Reviewers can change and reopen their reviews "
           "again until you close it."),
        "reviews.call_reviewing_reopen", _l("Reopen reviewing"))
