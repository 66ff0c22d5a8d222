"""The reviewer's pages: the list of one's assigned applications (/reviews, a stable URL) and
one review (/reviews/<id>): first the declaration of (no) conflict of interest, then, cleared,
the application's content read-only with the scoring form (autosaved, with the live weighted
total), submit and reopen; after submitting, the other reviewers' submitted reviews (blind
until then). A conflicted reviewer sees the title and nothing else.

Every route loads the review with a predicate of app.reviews.permissions: anyone but its
reviewer gets 404, an action the reviewer may not take 403; each POST calls one service
inside the unit of work.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import select

from app.applications import permissions as application_permissions
from app.applications import sections
from app.applications.views import page_context
from app.calls.models import Criterion
from app.calls.views import template_helpers
from app.core.db import utcnow
from app.core.errors import htmx_error
from app.core.forms import ActionForm
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.money import format_scaled
from app.core.pagination import page_arg
from app.core.unit_of_work import Outcome, perform, refuse
from app.extensions import db
from app.reviews import bp, queries, scoring, services
from app.reviews import permissions as perms
from app.reviews.forms import (
    GROUND_LABELS,
    PASSED_CHOICES,
    RECOMMENDATION_LABELS,
    STATE_LABELS,
    DeclarationForm,
    ReviewFilterForm,
    ReviewForm,
)
from app.reviews.models import Review, ReviewState

PER_PAGE = 25


def get_review_or_404(review_id: int, check=None) -> Review:
    """A review of the signed-in reviewer (anyone else: 404); `check` failing gives 403."""
    review = db.session.get(Review, review_id)
    if review is None or not perms.can_open_review(current_user, review):
        abort(404)
    if check is not None and not check(current_user, review):
        abort(403)
    return review


def detail_url(review: Review, anchor: str = "") -> str:
    return url_for("reviews.review_detail", review_id=review.id) + (f"#{anchor}" if anchor
                                                                     else "")


def _helpers() -> dict:
    """What the reviewer templates and the application's read-only partials use."""
    return {**template_helpers(), "application_perms": application_permissions,
            "state_labels": sections.STATE_LABELS,
            "send_action": application_permissions.send_action,
            "review_state_labels": STATE_LABELS, "ground_labels": GROUND_LABELS,
            "recommendation_labels": RECOMMENDATION_LABELS,
            "passed_labels": dict(PASSED_CHOICES), "ReviewState": ReviewState}


# --- the list --------------------------------------------------------------------------------


@bp.get("/reviews")
@login_required
def my_reviews():
    """The signed-in person's assigned applications across calls (only their own reviews)."""
    form = ReviewFilterForm(request.args)
    state = request.args.get("state") or None
    if state not in {s.value for s in ReviewState}:
        state = None
    sort = request.args.get("sort") if request.args.get("sort") in queries.SORTS else "due"
    pagination = db.paginate(queries.my_reviews(current_user, state, sort), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    memberships = perms.member_organisation_ids([current_user.id])
    rows = [(review, queries.review_state(review, memberships)) for review in pagination.items]
    return render_page_or_fragment("reviews/reviewer_list.html", "reviews/_review_list.html",
                                   form=form, pagination=pagination, rows=rows, state=state,
                                   sort=sort, **_helpers())


# --- one review ------------------------------------------------------------------------------


def live_total(criteria, scores: dict[int, int | None]) -> dict:
    """The weighted total so far (0–100, two decimals) and how many criteria are scored.
    Scores outside a criterion's scale (refused input) do not count."""
    valid = {c.id: scores.get(c.id) for c in criteria if c.is_scored
             and scores.get(c.id) is not None and 0 <= scores[c.id] <= c.scale_max}
    total, done, count = scoring.running_total(scoring.specs(criteria), valid)
    return {"value": format_scaled(int(scoring.rounded(total) * 100), 2, trim=False),
            "done": done, "count": count}


def _saved_scores(review: Review) -> dict[int, int | None]:
    return {s.criterion_id: s.score for s in review.scores}


def review_context(review: Review, form: ReviewForm | None = None,
                   declaration_form: DeclarationForm | None = None, missing=()) -> dict:
    """Everything the review page and its fragments need. The application's content, the
    scoring form and the other reviews are computed only for a reviewer who may read them."""
    application = review.application
    state = queries.review_state(review)
    context = {**_helpers(), "review": review, "application": application,
               "call": application.call, "review_state": state, "cleared": False}
    if state == ReviewState.to_declare:
        context["declaration_form"] = declaration_form or DeclarationForm(formdata=None)
        context["can_declare"] = perms.can_declare(current_user, review)
        return context
    if state == ReviewState.conflicted or not perms.can_read_review_content(current_user, review):
        return context
    criteria = application.call.criteria
    form = form or ReviewForm(formdata=None, criteria=criteria, review=review)
    changed = (review.scored_revision is not None
               and application.revision_count > review.scored_revision)
    can_see_others = perms.can_see_other_reviews(current_user, review)
    context.update(page_context(application))
    context.update(
        review=review, cleared=True, criteria=criteria, form=form, missing=list(missing),
        live_total=live_total(criteria, form.scored_values() if form.is_submitted()
                              else _saved_scores(review)),
        own_total=live_total(criteria, _saved_scores(review)),
        can_score=perms.can_score(current_user, review),
        can_reopen=perms.can_reopen_review(current_user, review),
        reviewing_open=perms.reviewing_open(application.call),
        changed_since_scored=changed,
        can_compare=changed and application_permissions.can_view_revisions(current_user,
                                                                           application),
        others=[(other, live_total(criteria, _saved_scores(other)))
                for other in queries.other_reviews(review)] if can_see_others else [],
        can_see_others=can_see_others,
        action_form=ActionForm(formdata=None),
    )
    return context


def render_review(review: Review, status: int = 200, template: str = "reviews/reviewer_review.html",
                  **context):
    response = make_response(render_template(template, **review_context(review, **context)),
                             status)
    response.vary.add("HX-Request")
    return response


@bp.get("/reviews/<int:review_id>")
@login_required
def review_detail(review_id: int):
    return render_review(get_review_or_404(review_id))


@bp.post("/reviews/<int:review_id>/declare")
@login_required
def review_declare(review_id: int):
    review = get_review_or_404(review_id)
    form = DeclarationForm()
    if not form.validate_on_submit():
        outcome = refuse(_l("Check the declaration."))
    else:
        outcome = perform(lambda: services.declare(current_user, review, form.conflict,
                                                   form.ground.data, form.note.data or ""),
                          form=form)
    if outcome.ok:
        if form.conflict:
            flash(_l("Your conflict of interest has been recorded. You are disqualified from "
                     "reviewing this application; the presenting officer sees your "
                     "declaration."), "success")
        else:
            flash(_l("Your declaration has been recorded. You can now read and score the "
                     "application."), "success")
        return redirect(detail_url(review))
    return render_review(get_review_or_404(review_id), outcome.status, declaration_form=form)


def _posted_form(review: Review) -> ReviewForm:
    return ReviewForm(criteria=review.application.call.criteria, review=review)


def _save(review: Review, form: ReviewForm) -> Outcome:
    """Validate the scoring form and save it in one unit of work; the outcome's value is the
    review's version this save wrote (the same when nothing changed)."""
    if not form.validate_on_submit():
        return refuse(_l("Check the fields of the review."))

    def save():
        services.save_review(current_user, review, form.scores(),
                             form.recommendation.data or None, form.proposed_amount.data,
                             form.overall_comment.data or "", seen_version=form.seen_version)
        return review.lock_version

    return perform(save, form=form)


def _form_answer(review_id: int, form: ReviewForm, outcome: Outcome, version: int | None,
                 missing=()):
    """The scoring form again (the htmx fragment, or the page without JavaScript), with the
    messages on their fields and what was typed kept. After a conflict the form carries the
    stored version, so that Save replaces the stored review with what is in the form."""
    if outcome.status == 403 and is_htmx():
        return htmx_error(403, outcome.message)
    review = get_review_or_404(review_id)
    if outcome.conflict:
        if outcome.message not in form.form_errors:
            form.form_errors = [*form.form_errors, outcome.message]
        version = review.lock_version
    if version is not None:
        form.version.data = str(version)
    status = 200 if outcome.ok else outcome.status
    if not is_htmx():
        return render_review(review, status, form=form, missing=missing)
    return render_review(review, status, template="reviews/_review_form.html", form=form,
                         missing=missing)


@bp.post("/reviews/<int:review_id>/save")
@login_required
def review_save(review_id: int):
    """Save the whole scoring form (the Save button, with or without JavaScript)."""
    review = get_review_or_404(review_id, check=perms.can_read_review_content)
    form = _posted_form(review)
    outcome = _save(review, form)
    if outcome.ok and not is_htmx():
        flash(_l("The review has been saved."), "success")
        return redirect(detail_url(review, "scoring"))
    if outcome.ok:
        form = ReviewForm(formdata=None, criteria=review.application.call.criteria,
                          review=get_review_or_404(review_id))
    return _form_answer(review_id, form, outcome, outcome.value)


@bp.post("/reviews/<int:review_id>/autosave")
@login_required
def review_autosave(review_id: int):
    """htmx saves the form a moment after a score is chosen or typing stops: the answer is the
    status line and, out of band, the new total and the version this save wrote (the inputs
    being typed in are never replaced)."""
    review = get_review_or_404(review_id, check=perms.can_read_review_content)
    call_id = review.application.call_id
    form = _posted_form(review)
    scored = form.scored_values() if form.is_submitted() else {}
    outcome = _save(review, form)
    # The commit (or the rollback) expired the criteria: one query for all, not one each.
    criteria = db.session.scalars(select(Criterion).where(Criterion.call_id == call_id)
                                  .order_by(Criterion.position, Criterion.id)).all()
    if not is_htmx():
        outcome.flash(_l("The review has been saved."))
        return redirect(detail_url(review, "scoring"))
    if outcome.status == 403:
        return htmx_error(403, outcome.message)
    error = None
    if not outcome.ok:
        error = next((e for errors in form.errors.values() for e in errors if e),
                     outcome.message)
    response = make_response(render_template(
        "reviews/_review_autosave.html", review=review, error=error,
        saved_at=format_time(utcnow(), "short") if outcome.ok else None,
        version=outcome.value if outcome.ok else None,
        live_total=live_total(criteria, scored)),
        200 if outcome.ok else outcome.status)
    response.vary.add("HX-Request")
    return response


@bp.post("/reviews/<int:review_id>/submit")
@login_required
def review_submit(review_id: int):
    """Save what the form holds, then submit the review; an incomplete review is refused with
    the list of what is missing, each linked to its field (what was saved stays saved)."""
    review = get_review_or_404(review_id, check=perms.can_read_review_content)
    form = _posted_form(review)
    outcome = _save(review, form)
    version, missing = outcome.value, []
    if outcome.ok:
        outcome = perform(lambda: services.submit_review(current_user, review))
        if outcome.ok:
            flash(_l("Your review has been submitted. The other reviewers' submitted reviews "
                     "are shown below."), "success")
            if is_htmx():
                response = make_response("", 200)
                response.headers["HX-Redirect"] = detail_url(review)
                return response
            return redirect(detail_url(review))
        if outcome.status == 422:
            missing = services.review_problems(get_review_or_404(review_id))
            for field, message in missing:
                if field in form:
                    form[field].errors = [*form[field].errors, message]
            if not missing:
                form.form_errors = [*form.form_errors, outcome.message]
    return _form_answer(review_id, form, outcome, version, missing)


@bp.post("/reviews/<int:review_id>/reopen")
@login_required
def review_reopen(review_id: int):
    review = get_review_or_404(review_id, check=perms.can_read_review_content)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(lambda: services.reopen_review(current_user, review)).flash(
        _l("The review has been reopened. It does not count until you submit it again."))
    return redirect(detail_url(review, "scoring"))
