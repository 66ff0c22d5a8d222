"""The ELY-centre's actions on a project's report: accept it, return it for corrections with
comments per section, and approve the payment claim filed with it (line by line, a reason
for every cut, the payment previewed before it is confirmed).

Only the call's managers who are not conflicted act (permissions.can_handle_report and
can_approve_claim); others who may read the project get 403, everyone else 404. National
observers read and never act."""

from __future__ import annotations

from types import SimpleNamespace

from flask import flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.forms import ActionForm
from app.core.unit_of_work import perform
from app.extensions import db
from app.projects import bp, claims, services
from app.projects import permissions as perms
from app.projects.loaders import get_claim_or_404, get_report_or_404
from app.projects.models import ClaimLineKind, PaymentClaim, Report
from app.projects.officer_forms import ClaimForm, LineApprovalForm, ReturnForm


@bp.app_context_processor
def _project_predicates() -> dict:
    """The predicates the report page's officer fragment (_officer_actions.html) asks."""
    return {"project_perms": perms,
            "officer_return_form": lambda: ReturnForm(formdata=None)}


def officer_context(report: Report, return_form: ReturnForm | None = None) -> dict:
    """What templates/projects/_officer_actions.html needs besides `report`."""
    return {"project_perms": perms, "return_form": return_form or ReturnForm(formdata=None),
            "accept_form": ActionForm(formdata=None)}


def _back(report: Report):
    return redirect(url_for("projects.report_detail", report_id=report.id))


@bp.post("/reports/<int:report_id>/accept")
@login_required
def report_accept(report_id: int):
    """Accept a submitted report (the button asks for confirmation first)."""
    report = get_report_or_404(report_id, check=perms.can_handle_report)
    if not ActionForm().validate_on_submit():
        flash(_l("The form had expired. Please try again."), "error")
        return _back(report)
    final = report.is_final
    outcome = perform(lambda: services.accept_report(current_user, report))
    if outcome.ok:
        flash(_l("Progress report %(number)s has been accepted. The project has been closed.",
                 number=report.number) if final else
              _l("Progress report %(number)s has been accepted.", number=report.number),
              "success")
    else:
        outcome.flash()
    return _back(report)


@bp.post("/reports/<int:report_id>/return")
@login_required
def report_return(report_id: int):
    """Return a submitted report for corrections, with a comment per section (at least one)."""
    report = get_report_or_404(report_id, check=perms.can_handle_report)
    form = ReturnForm()
    status = 422
    if form.validate_on_submit():
        outcome = perform(lambda: services.return_report(current_user, report, form.comments()),
                          form=form)
        if outcome.ok:
            flash(_l("Progress report %(number)s has been returned for corrections. The "
                     "project's people were told.", number=report.number), "success")
            return _back(report)
        status = outcome.status
        report = db.session.get(Report, report_id)
    return render_template("projects/officer_return.html", report=report,
                           project=report.project, **officer_context(report, form)), status


# --- the payment claim ---------------------------------------------------------------------------


def _line_forms(claim: PaymentClaim, formdata=None) -> list[LineApprovalForm]:
    forms = []
    for line in claim.lines:
        if formdata is None:
            default = line.claimed_cents if line.approved_cents is None else line.approved_cents
            forms.append(LineApprovalForm(formdata=None, line=line,
                                          data={"approved": default,
                                                "reason": line.cut_reason or ""}))
        else:
            forms.append(LineApprovalForm(formdata, line=line))
    return forms


def _preview(claim: PaymentClaim, line_forms: list[LineApprovalForm]):
    """The totals and the payment with the amounts in the forms (the claimed amount where a
    form has none): nothing is saved."""
    staff, fees = [], []
    for form in line_forms:
        line = form.line
        amount = form.approved.data if form.approved.data is not None else line.claimed_cents
        amount = min(max(amount, 0), line.claimed_cents)
        (fees if line.kind == ClaimLineKind.outcome else staff).append(amount)
    totals = claims.totals(staff, fees, claim.project.support_basis_points)
    support_before, deducted_before = services.approved_before(claim.project, claim)
    return SimpleNamespace(totals=totals, payment=services.payment_of(claim, totals.support_cents),
                           support_before=support_before, deducted_before=deducted_before)


def _render_claim(claim: PaymentClaim, form: ClaimForm, line_forms, status: int = 200,
                  previewed: bool = False):
    report = claim.report
    return render_template(
        "projects/claim_approve.html", claim=claim, report=report, project=claim.project,
        form=form, line_forms=line_forms, preview=_preview(claim, line_forms),
        claimed=services.claim_totals(claim), previewed=previewed,
        line_errors=[(f, field) for f in line_forms for field in (f.approved, f.reason)
                     if field.errors]), status


def _service_error_on_line(line_forms, error) -> bool:
    """Put a service's refusal naming a line (approved-<id>, reason-<id>) on that input."""
    field = getattr(error, "field", None) or ""
    kind, _sep, line_id = field.partition("-")
    for form in line_forms:
        if kind in ("approved", "reason") and str(form.line.id) == line_id:
            target = form[kind]
            target.errors = [*target.errors, error.message]
            return True
    return False


@bp.route("/reports/<int:report_id>/claim", methods=["GET", "POST"])
@login_required
def claim_approve(report_id: int):
    """GET: the claim's lines with an approved amount each (the claimed amount by default).
    POST with confirm=0: the totals and the payment previewed; confirm=1: approved."""
    claim = get_claim_or_404(report_id, check=perms.can_approve_claim)
    if request.method == "GET":
        return _render_claim(claim, ClaimForm(formdata=None), _line_forms(claim))
    form = ClaimForm()
    line_forms = _line_forms(claim, request.form)
    form_ok = form.validate_on_submit()
    lines_ok = all([line_form.validate() for line_form in line_forms])
    if not (form_ok and lines_ok):
        return _render_claim(claim, form, line_forms, 422)
    if form.confirm.data != "1":
        return _render_claim(claim, form, line_forms, previewed=True)
    approvals = {f.line.id: services.LineApproval(f.approved.data, f.reason.data or "")
                 for f in line_forms}
    outcome = perform(lambda: services.approve_claim(current_user, claim, approvals))
    if outcome.ok:
        flash(_l("The payment claim has been approved: %(payable)s payable. The project's "
                 "people were told.", payable=_money(outcome.value.payable_cents)), "success")
        return redirect(url_for("projects.report_detail", report_id=report_id))
    claim = db.session.get(PaymentClaim, claim.id)
    line_forms = _line_forms(claim, request.form)
    for line_form in line_forms:
        line_form.validate()
    if outcome.error is not None and not _service_error_on_line(line_forms, outcome.error):
        form.form_errors = [*form.form_errors, outcome.message]
    return _render_claim(claim, form, line_forms, outcome.status)


def _money(cents: int) -> str:
    from app.core.money import format_money

    return format_money(cents)
