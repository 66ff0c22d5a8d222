"""The fee table of an outcome-based call: the call managers' page that lists, adds, changes
and removes its rows (app/calls/fees.py), and the helpers with which the public call page
explains the funding model."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.calls import bp, fees, permissions
from app.calls.fee_forms import FeeForm
from app.calls.loaders import get_call_or_404
from app.calls.models import Call, OutcomeFee
from app.core.fields import parse_int
from app.core.forms import ActionForm
from app.core.unit_of_work import perform
from app.extensions import db


@bp.context_processor
def fee_helpers() -> dict:
    """What the call pages use to show a fee table and the reporting terms."""
    from app.calls.budget import FLAT_RATE_PERCENT
    from app.core.i18n import FIGURES
    from app.projects.schedule import REPORT_DUE_DAYS  # imported late: projects import calls

    return {"outcome_type_labels": fees.OUTCOME_TYPE_LABELS,
            "stage_fee": fees.stage_fee_cents, "stage_amounts": fees.stage_amounts,
            "report_due_days": REPORT_DUE_DAYS, "flat_rate_percent": FLAT_RATE_PERCENT,
            # formatted in the reader's language (1 720 / 1,720), read from the constant
            "hours_per_year": FIGURES.hours_per_year}


def _fee_or_404(call: Call, fee_id: int | None) -> OutcomeFee:
    fee = db.session.get(OutcomeFee, fee_id) if fee_id is not None else None
    if fee is None or fee.call_id != call.id:
        abort(404)
    return fee


def _page(call: Call, form: FeeForm | None, editing: OutcomeFee | None = None,
          status: int = 200, confirming: OutcomeFee | None = None):
    """The fee table page; `confirming`: the row whose removal is asked about."""
    return render_template("calls/fees.html", call=call, form=form, editing=editing,
                           confirming=confirming, action_form=ActionForm(formdata=None),
                           editable=fees.can_edit_fees(current_user, call),
                           max_fees=fees.MAX_FEES), status


@bp.route("/calls/<int:call_id>/fees", methods=["GET", "POST"], endpoint="fees")
@login_required
def fees_page(call_id: int):
    """GET lists the rows (with ?edit=<id>, that row in the form); POST adds a row, or changes
    the one named by the form's fee_id."""
    if request.method == "GET":
        call = get_call_or_404(call_id, check=permissions.can_manage_call)
        form = FeeForm(formdata=None)
        editing = None
        edit = request.args.get("edit")
        if edit is not None and fees.can_edit_fees(current_user, call):
            editing = _fee_or_404(call, parse_int(edit))
            form.fill(editing)
        return _page(call, form, editing)
    call = get_call_or_404(call_id, check=fees.can_edit_fees)
    form = FeeForm()
    editing = None
    if form.fee_id.data:
        editing = _fee_or_404(call, parse_int(form.fee_id.data))
    if not form.validate_on_submit():
        return _page(call, form, editing, 422)
    if editing is None:
        outcome = perform(lambda: fees.add_fee(current_user, call, form.values()), form=form)
        done = _l("The row has been added to the fee table.")
    else:
        outcome = perform(lambda: fees.update_fee(current_user, editing, form.values()),
                          form=form)
        done = _l("The row has been saved.")
    if outcome.ok:
        flash(done, "success")
        return redirect(url_for("calls.fees", call_id=call_id))
    call = db.session.get(Call, call_id)
    editing = db.session.get(OutcomeFee, editing.id) if editing is not None else None
    return _page(call, form, editing, outcome.status)


@bp.post("/calls/<int:call_id>/fees/<int:fee_id>/delete")
@login_required
def fee_delete(call_id: int, fee_id: int):
    """The first POST asks for confirmation (also without JavaScript); the confirmed one
    removes the row."""
    call = get_call_or_404(call_id, check=fees.can_edit_fees)
    fee = _fee_or_404(call, fee_id)
    form = ActionForm()
    if not form.validate_on_submit():
        abort(400)
    if request.form.get("confirmed") != "yes":
        return _page(call, None, confirming=fee)
    outcome = perform(lambda: fees.delete_fee(current_user, fee))
    outcome.flash(_l("The row has been removed from the fee table."))
    return redirect(url_for("calls.fees", call_id=call_id))
