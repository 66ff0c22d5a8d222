"""Decisions: the presenting officer's proposal and the decision maker's confirmation or return,
one application at a time (/calls/applications/<id>/decision) or in a batch from the ranking
(/calls/<id>/decisions), and the decision document the applicant reads
(/calls/applications/<id>/decision/document).

Who opens the decision pages: the call managers and the decision makers of the call who are
not conflicted on the application (app.reviews.permissions.can_view_ranking, then
is_conflicted). Others who see the application (its applicants, a conflicted call manager who
is one of them) get 403, everyone else 404: a conflicted person never sees a proposal, a score
or an amount here. The services check the actor again (propose, confirm, return).
"""

from __future__ import annotations

from fractions import Fraction

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import force_locale
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from markupsafe import Markup

from app.applications import sections
from app.applications.models import Application, ApplicationState
from app.applications.outcomes import requested_cost_cents
from app.applications.permissions import can_view_application, is_conflicted
from app.calls.loaders import get_call_or_404
from app.calls.models import Call
from app.calls.views import template_helpers
from app.core import clock
from app.core.domain import DomainError, NotAllowed
from app.core.fields import parse_int
from app.core.forms import ActionForm
from app.core.unit_of_work import perform, refuse
from app.extensions import db
from app.reviews import bp, documents, exports, services
from app.reviews import permissions as perms
from app.reviews.decision_forms import (
    BatchProposalForm,
    ProposalForm,
    ReturnForm,
    batch_form,
)
from app.reviews.models import Decision, ProposalState
from app.reviews.ranking import call_ranking

MAX_BATCH = 1000  # more ids than any call has applications is not a batch


# --- loading and permissions -----------------------------------------------------------------


def can_open_decision(user, application: Application) -> bool:
    """The call's managers and decision makers who are not conflicted on the application, once
    it has been submitted."""
    return (application.state != ApplicationState.draft
            and perms.can_view_ranking(user, application.call)
            and not is_conflicted(user, application))


def _application_or_404(application_id: int) -> Application:
    application = db.session.get(Application, application_id)
    if application is None:
        abort(404)
    if not can_open_decision(current_user, application):
        abort(403 if can_view_application(current_user, application) else 404)
    return application


def decision_links(user, application: Application) -> dict:
    """For the application page: the decision (if any) and whether the user may open the
    decision page and the decision document."""
    if application.state == ApplicationState.draft:
        return {"decision": None, "page": False, "document": False}
    decision = perms.application_decision(application)
    return {"decision": decision, "page": can_open_decision(user, application),
            "document": decision is not None and perms.can_read_decision(user, decision)}


def _decision_or_404(application: Application) -> Decision:
    decision = perms.application_decision(application)
    if decision is None:
        abort(404)
    return decision


def _detail_url(application: Application) -> str:
    return url_for("reviews.decision_detail", application_id=application.id)


# --- figures and the form --------------------------------------------------------------------


def _ranking_row(application: Application):
    """The application's row of the call's ranking (as the viewer sees it) and the number of
    ranked applications."""
    ranking = call_ranking(application.call, current_user._get_current_object())
    row = next((r for r in ranking.all_rows if r.application.id == application.id), None)
    return row, sum(1 for r in ranking.all_rows if r.rank is not None), ranking


def _suggested_justification(row, count: int, approve: bool, language: str) -> str:
    if row is None or row.hidden:
        return ""
    template = documents.BATCH_TEMPLATES[language]["approve" if approve else "reject"]
    return documents.fill_template(template,
                                   documents.figures_for_template(row, count, language))


def _proposal_form(application: Application, decision: Decision | None, row,
                   count: int) -> ProposalForm:
    """A returned proposal as it was, or the defaults: approve within the budget line with the
    support applied for on the total eligible cost over the application's own period."""
    if decision is not None and decision.state == ProposalState.returned:
        return ProposalForm(formdata=None, data={
            "outcome": "approve" if decision.approves else "reject",
            "granted": decision.granted_cents, "approved_cost": decision.approved_cost_cents,
            "conditions": decision.conditions, "eligible_from": decision.eligible_from,
            "eligible_until": decision.eligible_until, "justification": decision.justification,
            "language": documents.language_of(decision.language)})
    approve = row is None or (row.within_budget and not row.ineligible)
    language = documents.default_language(application)
    return ProposalForm(formdata=None, data={
        "outcome": "approve" if approve else "reject",
        "granted": application.requested_support_cents,
        "approved_cost": requested_cost_cents(application),
        "eligible_from": application.start_date, "eligible_until": application.end_date,
        "justification": _suggested_justification(row, count, approve, language),
        "language": language})


def _preview(application: Application, form: ProposalForm | None) -> dict | None:
    """The support share and the approved funding plan of the amounts in the form, when they
    make sense (the service checks them for real)."""
    if form is None or form.outcome.data != "approve":
        return None
    granted, cost = form.granted.data, form.approved_cost.data
    if not isinstance(granted, int) or not isinstance(cost, int) or not 0 < granted <= cost:
        return None
    plan = services.approved_plan(application, cost, granted)
    return {"share": documents.percent(int(Fraction(granted * 10000, cost))),
            "plan": plan, "total": sum(plan.values())}


PLAN_LABELS = {name: sections.FIELD_LABELS[f"{name}_cents"] for name in
               ("support", "municipal", "other_public", "private", "own")}


def _render(application: Application, status: int = 200, form: ProposalForm | None = None,
            return_form: ReturnForm | None = None):
    call = application.call
    decision = perms.application_decision(application)
    row, count, _ranking = _ranking_row(application)
    can_propose = perms.can_propose(current_user, application)
    can_confirm = decision is not None and perms.can_confirm(current_user, decision)
    if can_propose and form is None:
        form = _proposal_form(application, decision, row, count)
    return render_template(
        "reviews/decision.html",
        **template_helpers(),
        application=application, call=call, decision=decision, row=row, ranked_count=count,
        state_labels=sections.STATE_LABELS,
        totals=sections.totals(application),
        decisions_open=perms.decisions_open(call),
        is_officer=perms.can_manage_review(current_user, call),
        can_propose=can_propose, can_confirm=can_confirm,
        can_read_document=decision is not None and perms.can_read_decision(current_user,
                                                                           decision),
        form=form if can_propose else None,
        return_form=return_form or ReturnForm(formdata=None),
        action_form=ActionForm(formdata=None),
        preview=_preview(application, form) if can_propose else None,
        plan_labels=PLAN_LABELS, fmt=exports.NumberFormat.current(),
        recommendation_labels=exports.RECOMMENDATION_LABELS,
        percent=documents.percent,
    ), status


# --- one application -------------------------------------------------------------------------


@bp.get("/calls/applications/<int:application_id>/decision")
@login_required
def decision_detail(application_id: int):
    """The decision page: the application's review figures; the proposal form for the
    presenting officer after the close; the proposal with Confirm and Return for the decision
    maker; the decision once made."""
    return _render(_application_or_404(application_id))


@bp.post("/calls/applications/<int:application_id>/decision/propose")
@login_required
def decision_propose(application_id: int):
    application = _application_or_404(application_id)
    if not perms.can_manage_review(current_user, application.call):
        abort(403)
    form = ProposalForm()
    if not form.validate_on_submit():
        return _render(application, 422, form=form)
    values = services.ProposalInput(
        approve=form.outcome.data == "approve",
        granted_cents=form.granted.data if form.outcome.data == "approve" else None,
        approved_cost_cents=form.approved_cost.data if form.outcome.data == "approve" else None,
        conditions=form.conditions.data or "", eligible_from=form.eligible_from.data,
        eligible_until=form.eligible_until.data, justification=form.justification.data or "",
        language=form.language.data)
    outcome = perform(lambda: services.propose_decision(current_user, application, values),
                      form=form)
    if outcome.ok:
        flash(_l("The proposal has been sent to the decision maker."), "success")
        return redirect(_detail_url(application))
    return _render(db.session.get(Application, application_id), outcome.status, form=form)


@bp.post("/calls/applications/<int:application_id>/decision/confirm")
@login_required
def decision_confirm(application_id: int):
    application = _application_or_404(application_id)
    if not perms.may_decide_in(current_user, application.call):
        abort(403)
    decision = _decision_or_404(application)
    if not ActionForm().validate_on_submit():
        return _render(application, 400)
    outcome = perform(lambda: services.confirm_decision(current_user, decision))
    if outcome.ok:
        flash(_l("The decision has been made, and the applicants have been notified."),
              "success")
        return redirect(_detail_url(application))
    outcome.flash()
    return _render(db.session.get(Application, application_id), outcome.status)


@bp.post("/calls/applications/<int:application_id>/decision/return")
@login_required
def decision_return(application_id: int):
    application = _application_or_404(application_id)
    if not perms.may_decide_in(current_user, application.call):
        abort(403)
    decision = _decision_or_404(application)
    form = ReturnForm()
    if not form.validate_on_submit():
        return _render(application, 422, return_form=form)
    outcome = perform(lambda: services.return_proposal(current_user, decision,
                                                       form.comment.data or ""), form=form)
    if outcome.ok:
        flash(_l("The proposal has been returned to the presenting officer."), "success")
        return redirect(_detail_url(application))
    return _render(db.session.get(Application, application_id), outcome.status,
                   return_form=form)


# --- the decision document -------------------------------------------------------------------


@bp.get("/calls/applications/<int:application_id>/decision/document")
@login_required
def decision_document(application_id: int):
    """The confirmed decision as a printable document (A4), in the decision's language
    whatever the language of the interface."""
    application = db.session.get(Application, application_id)
    decision = perms.application_decision(application) if application is not None else None
    if decision is None or not perms.can_read_decision(current_user, decision):
        abort(404)
    context = documents.document_context(decision)
    with force_locale(context["language"]):
        body = render_template("reviews/_decision_document.html", **context,
                               euros=documents.euros)
    return render_template("reviews/decision_document.html", application=application,
                           decision=decision,
                           document=Markup(body),  # noqa: S704 - our own rendered template
                           document_language=context["language"],
                           can_open_decision=can_open_decision(current_user, application))


# --- the batch -------------------------------------------------------------------------------


def _batch_rows(call: Call):
    """The ranking's rows with what the viewer can do with each: propose (the presenting
    officer, after the close, on an application in review with no proposal waiting or made)
    or confirm (the decision maker, not the proposer). Conflicted rows show their title only."""
    ranking = call_ranking(call, current_user._get_current_object())
    now = clock.now()
    open_ = perms.decisions_open(call, now)
    officer = open_ and perms.can_manage_review(current_user, call)
    decider = open_ and perms.may_decide_in(current_user, call)
    rows = []
    for row in ranking.all_rows:
        decision = row.decision
        proposable = (officer and not row.hidden
                      and row.application.state == ApplicationState.in_review
                      and (decision is None or decision.state == ProposalState.returned))
        confirmable = (decider and not row.hidden and decision is not None
                       and decision.state == ProposalState.proposed
                       and decision.proposed_by_id != current_user.id)
        default_approve = bool(row.rank is not None and row.within_budget and not row.ineligible)
        rows.append({"row": row, "proposable": proposable, "confirmable": confirmable,
                     "approve": default_approve,
                     "selected": proposable and row.group in ("scored", "ineligible")})
    return ranking, rows, open_, officer, decider


def _render_batch(call: Call, status: int = 200, form: BatchProposalForm | None = None,
                  chosen=None, outcomes=None):
    ranking, rows, open_, officer, decider = _batch_rows(call)
    if chosen is not None:
        for item in rows:
            item["selected"] = item["proposable"] and item["row"].application.id in chosen
            if outcomes and item["row"].application.id in outcomes:
                item["approve"] = outcomes[item["row"].application.id]
    return render_template(
        "reviews/decisions.html", **template_helpers(), call=call, ranking=ranking, rows=rows,
        state_labels=sections.STATE_LABELS,
        decisions_open=open_, is_officer=officer, is_decider=decider,
        form=form or batch_form(), languages=documents.LANGUAGES,
        action_form=ActionForm(formdata=None), fmt=exports.NumberFormat.current(),
        proposal_labels=exports.PROPOSAL_LABELS,
        any_proposable=any(item["proposable"] for item in rows),
        any_confirmable=any(item["confirmable"] for item in rows),
    ), status


def _ids(name: str) -> list[int] | None:
    """The ids sent as `name` (checkboxes), or None when they are not all numbers."""
    values = request.form.getlist(name)
    if len(values) > MAX_BATCH:
        return None
    ids = [parse_int(value, max_digits=12) for value in values]
    if any(i is None for i in ids):
        return None
    return list(dict.fromkeys(ids))


def _named(application: Application, error: DomainError) -> DomainError:
    """The refusal of one application of a batch, saying which one."""
    message = _l("“%(name)s”: %(reason)s Nothing in the batch was saved.",
                 name=application.project_name, reason=error.message)
    if isinstance(error, NotAllowed):
        return NotAllowed(message)
    return DomainError(message, code=error.code)


@bp.get("/calls/<int:call_id>/decisions")
@login_required
def call_decisions(call_id: int):
    """Decisions in a batch, in the ranking's order: the presenting officer proposes, the
    decision maker confirms the waiting proposals."""
    call = get_call_or_404(call_id, check=perms.can_view_ranking)
    return _render_batch(call)


@bp.post("/calls/<int:call_id>/decisions/propose")
@login_required
def call_decisions_propose(call_id: int):
    """Propose the chosen applications at once: each with its outcome, the support applied
    for on the total eligible cost when approved, and its own justification from the
    template of its outcome and language. All or nothing."""
    call = get_call_or_404(call_id, check=perms.can_manage_review)
    form = batch_form(request.form)
    chosen = _ids("application")
    if not form.validate_on_submit() or chosen is None:
        return _render_batch(call, 422, form)
    outcomes = {}
    for application_id in chosen:
        value = request.form.get(f"outcome-{application_id}")
        if value not in ("approve", "reject"):
            refuse(_l("Choose approve or reject for each chosen application.")).flash()
            return _render_batch(call, 422, form, set(chosen))
        outcomes[application_id] = value == "approve"
    if not chosen:
        refuse(_l("Choose at least one application.")).flash()
        return _render_batch(call, 422, form)
    ranking = call_ranking(call, current_user._get_current_object())
    by_id = {row.application.id: row for row in ranking.all_rows}
    count = sum(1 for row in ranking.all_rows if row.rank is not None)
    if any(i not in by_id for i in chosen):
        abort(404)

    def propose_all() -> int:
        for application_id in chosen:  # in the order sent: the page sends rank order
            row = by_id[application_id]
            application = row.application
            approve = outcomes[application_id]
            language = documents.default_language(application)
            text = documents.fill_template(
                form.template("approve" if approve else "reject", language),
                documents.figures_for_template(row, count, language))
            values = services.ProposalInput(
                approve=approve,
                granted_cents=application.requested_support_cents if approve else None,
                approved_cost_cents=(requested_cost_cents(application) if approve
                                     else None),
                justification=text, language=language)
            try:
                services.propose_decision(current_user, application, values)
            except DomainError as error:
                raise _named(application, error) from None
        return len(chosen)

    outcome = perform(propose_all)
    if outcome.ok:
        flash(_l("%(count)s proposals have been sent to the decision maker.",
                 count=outcome.value), "success")
        return redirect(url_for("reviews.call_decisions", call_id=call.id))
    outcome.flash()
    return _render_batch(call, outcome.status, form, set(chosen), outcomes)


@bp.post("/calls/<int:call_id>/decisions/confirm")
@login_required
def call_decisions_confirm(call_id: int):
    """The decision maker confirms the chosen proposals at once. All or nothing."""
    call = get_call_or_404(call_id, check=perms.may_decide_in)
    chosen = _ids("application")
    if not ActionForm().validate_on_submit() or chosen is None:
        return _render_batch(call, 400)
    if not chosen:
        refuse(_l("Choose at least one proposal.")).flash()
        return _render_batch(call, 422)
    ranking = call_ranking(call, current_user._get_current_object())
    by_id = {row.application.id: row for row in ranking.all_rows}
    if any(i not in by_id for i in chosen):
        abort(404)

    def confirm_all() -> int:
        for application_id in chosen:
            row = by_id[application_id]
            application = row.application
            if row.hidden or row.decision is None:
                raise _named(application, NotAllowed(_l("There is no proposal you can "
                                                        "decide on this application.")))
            try:
                services.confirm_decision(current_user, row.decision)
            except DomainError as error:
                raise _named(application, error) from None
        return len(chosen)

    outcome = perform(confirm_all)
    if outcome.ok:
        flash(_l("%(count)s decisions have been made, and the applicants have been notified.",
                 count=outcome.value), "success")
        return redirect(url_for("reviews.call_decisions", call_id=call.id))
    outcome.flash()
    return _render_batch(call, outcome.status)
