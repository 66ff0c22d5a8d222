"""A progress report and its payment claim, the project's side: the report page (the form for
the lead's editors and owners while the report is editable, read-only for everyone else who
may follow the project), saving (a plain POST, or htmx's autosave), submitting, and the
report's revisions with what changed between them.

Every route loads the report with app/projects/loaders.py (404 for those who may not follow
the project, 403 for an action they may not take); each POST calls one service inside the
unit of work. `view_context(report)` gives what the read-only fragment
templates/projects/_report_view.html needs, for other pages that include it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from flask import flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.calls.models import FundingModel
from app.core import clock
from app.core.db import utcnow
from app.core.errors import htmx_error
from app.core.htmx import is_htmx
from app.core.unit_of_work import Outcome, perform, refuse
from app.projects import bp, claims, indicators, revisions, services
from app.projects import permissions as perms
from app.projects.loaders import get_report_or_404
from app.projects.models import ClaimLineKind, ClaimState, Report, ReportState
from app.projects.report_forms import (
    VOUCHER_LABELS,
    ReportForm,
    figure_layout,
    indented_keys,
    outcome_field,
    outcome_field_id,
)

STATE_LABELS = {
    ReportState.draft: _l("Draft"),
    ReportState.submitted: _l("Submitted"),
    ReportState.returned: _l("Returned for corrections"),
    ReportState.accepted: _l("Accepted"),
}
CLAIM_STATE_LABELS = {
    ClaimState.draft: _l("Not submitted"),
    ClaimState.submitted: _l("Submitted"),
    ClaimState.approved: _l("Approved"),
}


def report_title(report: Report) -> str:
    from flask_babel import gettext as _

    if report.is_final:
        return _("Final report")
    return _("Progress report %(number)s", number=report.number)


@dataclass
class ClaimRow:
    """One staff line of the claim with its approved budget and what is claimed to date."""

    line: object
    budget_cents: int | None
    to_date_cents: int

    @property
    def over_budget(self) -> bool:
        return self.budget_cents is not None and self.to_date_cents > self.budget_cents


@dataclass
class OutcomeRow:
    line: object
    count: int
    fee_cents: int


@dataclass
class ReportView:
    """What the report's pages show besides the form: figures, outcomes, vouchers, the claim
    with its totals and the advance, and the ELY-centre's comments."""

    report: Report
    project: object
    model: str
    overdue: bool
    figures: dict
    layout: list
    indented: frozenset
    outcome_rows: list[OutcomeRow] = field(default_factory=list)
    providers: list = field(default_factory=list)
    claim: object = None
    claim_rows: list[ClaimRow] = field(default_factory=list)
    totals: claims.ClaimTotals | None = None
    payment: claims.Payment | None = None
    advance_left_cents: int = 0
    comments: dict = field(default_factory=dict)

    @property
    def has_staff_claim(self) -> bool:
        return self.model in (FundingModel.grant, FundingModel.service_voucher)

    @property
    def returned(self) -> bool:
        return self.report.state == ReportState.returned


def report_view(report: Report) -> ReportView:
    """Everything the read-only fragment and the form's computed figures need, with a number
    of queries that does not depend on the number of claim lines."""
    project = report.project
    call = project.call
    model = str(call.funding_model)
    # The approved staff lines in one query: each claim line's budget comes from them.
    list(project.application.staff_lines)
    view = ReportView(report=report, project=project, model=model,
                      overdue=report.is_overdue(clock.local_date()),
                      figures=indicators.clean(report.figures), layout=figure_layout(),
                      indented=indented_keys(),
                      comments=dict(report.comments or {}) if report.state == ReportState.returned
                      else {})
    if model == FundingModel.service_voucher:
        view.providers = services.voucher_providers(project)
    claim = report.claim
    if claim is None:
        return view
    view.claim = claim
    counts = report.outcomes or {}
    for line in claim.lines:
        if line.kind == ClaimLineKind.outcome:
            count = int(counts.get(services.outcome_key(line)) or 0)
            view.outcome_rows.append(OutcomeRow(line, count, count * int(line.unit_fee_cents or 0)))
        else:
            view.claim_rows.append(ClaimRow(
                line, services.line_budget(line),
                services.claimed_to_date(project, line.staff_line_id, until=report)))
    view.totals = services.claim_totals(claim)
    view.payment = services.payment_of(claim, view.totals.support_cents)
    deducted_before = services.approved_before(project, claim)[1]
    view.advance_left_cents = max(project.advance_cents - deducted_before, 0)
    return view


def _helpers() -> dict:
    return {"state_labels": STATE_LABELS, "claim_state_labels": CLAIM_STATE_LABELS,
            "report_title": report_title, "FIELDS": indicators.FIELDS,
            "COMMENT_SECTIONS": services.COMMENT_SECTIONS,
            "NARRATIVE_LABELS": services.NARRATIVE_LABELS, "VOUCHER_LABELS": VOUCHER_LABELS,
            "VOUCHER_FIELDS": services.VOUCHER_FIELDS, "FundingModel": FundingModel,
            "ReportState": ReportState, "ClaimState": ClaimState,
            "outcome_field": outcome_field, "outcome_field_id": outcome_field_id,
            "flat_rate_percent": claims.budget.FLAT_RATE_PERCENT}


def view_context(report: Report) -> dict:
    """What a page needs to include the read-only report (projects/_report_view.html)."""
    return {**_helpers(), "report": report, "rv": report_view(report)}


def _stored_form(report: Report, view: ReportView) -> ReportForm:
    """The form with what is saved."""
    return ReportForm(formdata=None, report=report, providers=view.providers)


def report_context(report: Report, form: ReportForm | None = None, problems=()) -> dict:
    view = report_view(report)
    can_edit = perms.can_edit_report(current_user, report)
    today = clock.local_date()
    context = {**_helpers(), "report": report, "project": view.project,
               "call": view.project.call, "rv": view, "can_edit": can_edit,
               "can_submit": perms.can_submit_report(current_user, report, today),
               "period_ended": today > report.period_end, "problems": list(problems)}
    if can_edit:
        context["form"] = form or _stored_form(report, view)
    return context


def render_report(report: Report, status: int = 200, **context):
    response = make_response(render_template("projects/report.html",
                                             **report_context(report, **context)), status)
    response.vary.add("HX-Request")
    return response


def detail_url(report: Report, anchor: str = "") -> str:
    return url_for("projects.report_detail", report_id=report.id) + (f"#{anchor}" if anchor
                                                                     else "")


@bp.get("/reports/<int:report_id>")
@login_required
def report_detail(report_id: int):
    report = get_report_or_404(report_id)
    if perms.can_edit_report(current_user, report) and report.claim is None:
        # The claim's lines come from the approved staff lines (or the fee table) the first
        # time a writer opens the report. Two first visits at once: one of them creates it.
        perform(lambda: services.ensure_claim(report))
        report = get_report_or_404(report_id)
    return render_report(report)


def _save(report: Report, form: ReportForm) -> Outcome:
    """Validate the form and save it in one unit of work; the outcome's value is the version
    this save wrote."""
    if not form.validate_on_submit():
        return refuse(_l("Check the fields of the report."))

    def save():
        services.save_report(current_user, report, form.values(),
                             seen_version=form.seen_version)
        return report.lock_version

    return perform(save, form=form)


def _posted_form(report: Report) -> ReportForm:
    return ReportForm(report=report, providers=(
        services.voucher_providers(report.project)
        if report.project.call.funding_model == FundingModel.service_voucher else ()))


def _form_again(report_id: int, form: ReportForm, outcome: Outcome, version=None, problems=()):
    """The page again with the form as typed and its messages (422, or 409 after a conflict:
    the form then carries the stored version, so that Save replaces it with what is typed)."""
    report = get_report_or_404(report_id)
    if outcome.conflict:
        if outcome.message not in form.form_errors:
            form.form_errors = [*form.form_errors, outcome.message]
        version = report.lock_version
    if version is not None:
        form.version.data = str(version)
    return render_report(report, outcome.status, form=form, problems=problems)


@bp.post("/reports/<int:report_id>")
@login_required
def report_save(report_id: int):
    """Save the report: the Save button (a plain POST that comes back to the page) or htmx's
    autosave a moment after typing stops (the answer is the status line and, out of band, the
    version this save wrote and the claim's figures; the inputs are never replaced)."""
    report = get_report_or_404(report_id, check=perms.can_edit_report)
    form = _posted_form(report)
    outcome = _save(report, form)
    if is_htmx():
        return _autosave_answer(report_id, form, outcome)
    if outcome.ok:
        flash(_l("The report has been saved."), "success")
        return redirect(detail_url(report, "report-form"))
    return _form_again(report_id, form, outcome)


def _autosave_answer(report_id: int, form: ReportForm, outcome: Outcome):
    if outcome.status == 403:
        return htmx_error(403, outcome.message)
    error = None
    if not outcome.ok:
        error = next((f"{form.label_of(f)}: {f.errors[0]}" for f in form if f.errors),
                     outcome.message)
    report = get_report_or_404(report_id)
    context = {**_helpers(), "report": report, "error": error,
               "saved_at": format_time(utcnow(), "short") if outcome.ok else None,
               "version": outcome.value if outcome.ok else None,
               "rv": report_view(report) if outcome.ok else None}
    response = make_response(render_template("projects/_report_autosave.html", **context),
                             200 if outcome.ok else outcome.status)
    response.vary.add("HX-Request")
    return response


@bp.post("/reports/<int:report_id>/submit")
@login_required
def report_submit(report_id: int):
    """Submit the report (the form's Submit button saves what it holds first); a report with
    problems is refused with their list, each linked to its field."""
    report = get_report_or_404(report_id, check=perms.can_edit_report)
    posted = "version" in request.form
    form = _posted_form(report)
    version = None
    if posted:
        outcome = _save(report, form)
        if not outcome.ok:
            return _form_again(report_id, form, outcome)
        version = outcome.value
    elif not form.validate_on_submit():  # the CSRF token of the bare Submit button
        return _form_again(report_id, form, refuse(_l("Reload the page and try again.")))
    outcome = perform(lambda: services.submit_report(current_user, report))
    if outcome.ok:
        flash(_l("The report has been submitted to the funding authority. It can no longer be "
                 "changed unless the funding authority returns it for corrections."), "success")
        return redirect(detail_url(report))
    report = get_report_or_404(report_id)
    if not posted:
        form = _stored_form(report, report_view(report))
    problems = list(getattr(outcome.error, "problems", None) or [])
    for name, message in problems:
        if name and name in form:
            form[name].errors = [*form[name].errors, message]
    if not problems and outcome.message:
        form.form_errors = [*form.form_errors, outcome.message]
    return _form_again(report_id, form, outcome, version, problems)


@bp.get("/reports/<int:report_id>/revisions")
@login_required
def report_revisions(report_id: int):
    """The report's submitted revisions, newest first, each with what changed since the one
    before it."""
    report = get_report_or_404(report_id)
    project = report.project
    outcome_labels = {}
    for fee in project.call.fees:
        for index, stage in enumerate(fee.stage_list):
            outcome_labels[f"{fee.id}:{index}"] = fee.label + (
                f" – {stage.get('label')}" if stage.get("label") else "")
    provider_names = {str(org.id): org.name for org in services.voucher_providers(project)}
    entries = revisions.history(report.revisions, outcome_labels=outcome_labels,
                                provider_names=provider_names)
    return render_template("projects/report_revisions.html", **_helpers(), report=report,
                           project=project, call=project.call, entries=entries,
                           outcome_labels=outcome_labels, provider_names=provider_names)
