"""The workflow pages: check and submit (or send a supplement), confirmation, withdraw, the call
manager's review and information request, revisions and their comparison, print. Decisions
are proposed and confirmed in app.reviews.decision_views."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.applications import bp, permissions, revisions, sections, workflow
from app.applications.forms import InfoRequestForm
from app.applications.loaders import get_application_or_404
from app.applications.models import Application
from app.applications.views import page_context
from app.core.fields import parse_int
from app.core.forms import ActionForm
from app.core.unit_of_work import perform


def _detail(application: Application) -> str:
    return url_for("applications.application_detail", application_id=application.id)


def _can_open_submit_page(user, application: Application) -> bool:
    return permissions.can_edit_application(user, application)


@bp.route("/calls/applications/<int:application_id>/submit", methods=["GET", "POST"])
@login_required
def application_submit(application_id: int):
    """The validation summary and the submit button; POST submits a draft or sends the
    supplement of an application whose information was requested."""
    application = get_application_or_404(application_id)
    if (request.method == "GET" and not application.is_editable
            and not _can_open_submit_page(current_user, application)):
        # Back after submitting (the content is locked now): show what was submitted, not 403.
        if permissions.can_view_revisions(current_user, application):
            return redirect(url_for("applications.application_submitted",
                                    application_id=application.id))
        return redirect(_detail(application))
    if not _can_open_submit_page(current_user, application):
        abort(403)
    form = ActionForm()
    if request.method == "POST" and form.validate_on_submit():
        outcome = perform(lambda: workflow.send_application(current_user, application))
        if outcome.ok:
            return redirect(url_for("applications.application_submitted",
                                    application_id=application.id, revision=outcome.value.number))
        outcome.flash()
        application = get_application_or_404(application_id)
    problems = sections.checklist(application)
    status = 422 if request.method == "POST" else 200
    return render_template(
        "applications/submit.html",
        application=application,
        call=application.call,
        problems=problems,
        totals=sections.totals(application),
        can_submit=permissions.can_submit_application(current_user, application) and not problems,
        blocker=permissions.submit_blocker(application),
        action_form=ActionForm(formdata=None),
    ), status


@bp.get("/calls/applications/<int:application_id>/submitted")
@login_required
def application_submitted(application_id: int):
    application = get_application_or_404(application_id)
    if application.is_editable or not permissions.can_view_revisions(current_user, application):
        return redirect(_detail(application))
    number = parse_int(request.args.get("revision"), max_digits=6)
    revision = revisions.revision_by_number(
        application, number if number is not None else application.revision_count)
    recipients = workflow.applicant_recipients(application)
    return render_template(
        "applications/submitted.html",
        application=application,
        call=application.call,
        revision=revision,
        recipients=recipients,
    )


@bp.post("/calls/applications/<int:application_id>/withdraw")
@login_required
def application_withdraw(application_id: int):
    application = get_application_or_404(application_id,
                                         check=permissions.can_withdraw_application)
    if ActionForm().validate_on_submit():
        perform(lambda: workflow.withdraw_application(current_user, application)).flash(
            _l("The application has been withdrawn and is a draft again. It can be submitted "
               "again only while the call is open."))
    return redirect(_detail(application))


@bp.post("/calls/applications/<int:application_id>/review")
@login_required
def application_review(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_start_review)
    if ActionForm().validate_on_submit():
        perform(lambda: workflow.start_review(current_user, application)).flash(
            _l("The application is now in review."))
    return redirect(_detail(application))


@bp.route("/calls/applications/<int:application_id>/request-info", methods=["GET", "POST"])
@login_required
def application_request_info(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_request_info)
    form = InfoRequestForm()
    status = 422 if form.is_submitted() else 200
    if form.validate_on_submit():
        outcome = perform(lambda: workflow.request_more_info(
            current_user, application, form.message.data, form.deadline.data), form=form)
        if outcome.ok:
            flash(_l("The request has been sent to the applicant."), "success")
            return redirect(_detail(application))
        status = outcome.status
        application = get_application_or_404(application_id)
    return render_template("applications/request_info.html", application=application,
                           call=application.call, form=form), status


@bp.get("/calls/applications/<int:application_id>/decide")
@login_required
def application_decide(application_id: int):
    """The former one-person decision page: decisions are proposed and confirmed on the
    decision page now (app.reviews.decision_views)."""
    application = get_application_or_404(application_id)
    return redirect(url_for("reviews.decision_detail", application_id=application.id))


@bp.get("/calls/applications/<int:application_id>/print")
@login_required
def application_print(application_id: int):
    application = get_application_or_404(application_id)
    context = page_context(application)
    context["editable"] = False
    for part in context["budget_parts"]:  # the printout has no forms
        part["editable"] = False
    return render_template("applications/print.html", **context)


@bp.get("/calls/applications/<int:application_id>/revisions")
@login_required
def application_revisions(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_view_revisions)
    return render_template(
        "applications/revisions.html",
        application=application,
        call=application.call,
        revisions=revisions.revisions_of(application),
    )


def _revision_arg(name: str) -> int | None:
    return parse_int(request.args.get(name), max_digits=6)


@bp.get("/calls/applications/<int:application_id>/compare")
@login_required
def application_compare(application_id: int):
    """Differences between revisions rev_a and rev_b (default: the two latest)."""
    application = get_application_or_404(application_id, check=permissions.can_view_revisions)
    latest = application.revision_count
    number_a = _revision_arg("rev_a") or max(1, latest - 1)
    number_b = _revision_arg("rev_b") or latest
    old = revisions.revision_by_number(application, number_a)
    new = revisions.revision_by_number(application, number_b)
    if old is None or new is None:
        abort(404)
    return render_template(
        "applications/compare.html",
        application=application,
        call=application.call,
        old=old,
        new=new,
        diff=revisions.diff_revisions(old.content, new.content),
        revisions=revisions.revisions_of(application),
        field_labels=sections.FIELD_LABELS,
    )
