"""The budget editor: the staff-cost model, staff lines, the costs outside the flat rate and
live totals, for the lead's part and for each co-implementer's part of a group project.

The lead's part has the routes under /budget (loaded with `can_edit_application`); a
co-implementer's part those under /parts/<partner id> (loaded with `can_edit_part`: the lead's
editors and the co-implementer's own editors). The services check the same predicates.
"""

from __future__ import annotations

import re

from flask import abort, flash, make_response, redirect, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.applications import bp, permissions, sections
from app.applications import services as applications
from app.applications.forms import (
    FundingSectionForm,
    PartCostsForm,
    StaffLineForm,
    StaffModelForm,
)
from app.applications.loaders import get_application_or_404, get_part_or_404
from app.applications.models import PLAN_FIELDS, Application, ApplicationPartner, StaffLine
from app.applications.views import (
    costs_form,
    detail_url,
    line_form,
    render_fragment,
    render_page,
)
from app.core.domain import DomainError
from app.core.forms import ActionForm, show_domain_error
from app.core.htmx import is_htmx
from app.core.unit_of_work import perform, refuse

# --- budget ----------------------------------------------------------------------------------


def _budget_response(application: Application, message=None, status: int = 200, **forms):
    if not is_htmx():
        if status < 400:
            flash(message or _l("The budget has been saved."), "success")
            return redirect(detail_url(application, "section-budget"))
        if message:
            flash(message, "error")
        return render_page(application, status=status, **forms)
    return render_fragment("applications/_budget_response.html", application, status=status,
                           budget_message=message, budget_failed=status >= 400, **forms)


def live_totals(application: Application, partner: ApplicationPartner | None = None):
    """The project's totals with the unsaved values of one part (the lead's when `partner` is
    None) typed so far: a plan, a staff line or the costs outside the flat rate."""
    owner = application if partner is None else partner
    part_key = "lead" if partner is None else f"part-{partner.id}"
    plan, invalid = dict(owner.plan), False
    lines = sections.part_lines(application, None if partner is None else partner.id)
    participant_costs = revenue = None
    if partner is None and any(f"{name}_cents" in request.form for name in PLAN_FIELDS):
        form = FundingSectionForm(meta={"csrf": False})
        form.validate()
        for name in PLAN_FIELDS:
            field = form[f"{name}_cents"]
            if field.errors:
                invalid = True
            else:
                plan[name] = field.data or 0
    costs_prefix = f"{part_key}-costs"
    if any(key.startswith(f"{costs_prefix}-") for key in request.form):
        form = PartCostsForm(prefix=costs_prefix, meta={"csrf": False})
        form.validate()
        invalid = invalid or any(form[name].errors for name in form.COST_FIELDS
                                 + (form.PLAN_FIELDS if partner is not None else ()))
        if not form.participant_costs_cents.errors:
            participant_costs = form.participant_costs_cents.data or 0
        if not form.revenue_cents.errors:
            revenue = form.revenue_cents.data or 0
        if partner is not None:
            for name in PLAN_FIELDS:
                if not form[f"{name}_cents"].errors:
                    plan[name] = form[f"{name}_cents"].data or 0
    new_prefix = "new-line" if partner is None else f"part-{partner.id}-new-line"
    prefix = next((key[:-5] for key in request.form if key.endswith("-role")), None)
    if prefix and (prefix == new_prefix or re.fullmatch(r"line-[0-9]+", prefix)):
        form = StaffLineForm(prefix=prefix, meta={"csrf": False})
        form.validate()
        invalid = invalid or any(form[name].errors for name in
                                 ("months", "fte", "monthly_salary", "hours", "annual_salary"))
        values = form.values()
        if prefix == new_prefix:
            lines.append(values)
        else:
            lines = [values if f"line-{line.id}" == prefix else line for line in lines]
    totals = sections.totals(application, lines=lines, plan=plan, partner=partner,
                             participant_costs=participant_costs, revenue=revenue)
    response = make_response(
        render_template(
            "applications/_budget_totals.html",
            application=application,
            call=application.call,
            totals=totals,
            invalid=invalid,
            preview=True,
        )
    )
    response.vary.add("HX-Request")
    return response


@bp.post("/calls/applications/<int:application_id>/budget/totals")
@login_required
def application_budget_totals(application_id: int):
    """Live totals while someone types in the lead's part: nothing is saved."""
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    return live_totals(application)


@bp.post("/calls/applications/<int:application_id>/budget/model")
@login_required
def application_staff_model_save(application_id: int):
    """Choose the application's one staff-cost model."""
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = StaffModelForm()
    if not form.validate_on_submit():
        outcome = refuse(_l("Choose how the staff costs are calculated."))
    else:
        outcome = perform(lambda: applications.set_staff_cost_model(
            current_user, application, form.staff_cost_model.data), form=form)
    if outcome.ok:
        return _budget_response(application, _l("The staff-cost model has been saved."))
    return _budget_response(get_application_or_404(application_id), outcome.message,
                            status=outcome.status, model_form=form)


@bp.post("/calls/applications/<int:application_id>/budget/costs")
@login_required
def application_costs_save(application_id: int):
    """The lead's costs outside the flat rate: participants' wages and allowances, revenue."""
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = costs_form(application, None, formdata=True)
    if not form.validate_on_submit():
        outcome = refuse(_l("Check the amounts."))
    else:
        outcome = perform(lambda: applications.save_part_figures(
            current_user, application, None, form.values(with_plan=False)), form=form)
    if outcome.ok:
        return _budget_response(application, _l("The costs outside the flat rate have been "
                                                "saved."))
    return _budget_response(get_application_or_404(application_id), outcome.message,
                            status=outcome.status, costs_forms={"lead": form})


@bp.post("/calls/applications/<int:application_id>/budget/lines")
@login_required
def application_line_add(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    return _add_line(application, None)


def _add_line(application: Application, partner: ApplicationPartner | None):
    """Add a staff line to the lead's part (`partner` None) or a co-implementer's."""
    form = line_form(None, formdata=True, partner=partner)
    outcome = _line_outcome(form, lambda: applications.add_line(
        current_user, application, form.values(), partner=partner))
    if outcome.ok:
        return _budget_response(application, _l("The staff line has been added."))
    refused = ({"new_line_form": form} if partner is None
               else {"new_line_forms": {f"partner-{partner.id}": form}})
    return _budget_response(get_application_or_404(application.id), outcome.message,
                            status=outcome.status, **refused)


_LINE_FIELDS = {"months_centi": "months", "fte_centi": "fte", "monthly_salary_cents":
                "monthly_salary", "hours_centi": "hours", "annual_salary_cents": "annual_salary"}


def _line_outcome(form, action):
    """Validate a staff line form and run `action` in one unit of work; a refusal is shown on
    the line's own field (the service names its columns, the form its inputs)."""
    if not form.validate_on_submit():
        return refuse(_l("Check the fields of the staff line."))
    outcome = perform(action)
    if outcome.error is not None and not outcome.ok:
        error = outcome.error
        show_domain_error(form, DomainError(error.message, code=error.code,
                                            field=_LINE_FIELDS.get(error.field, error.field)))
    return outcome


def _save_line(application: Application, line: StaffLine):
    """Save one staff line (of any part) from the posted form."""
    form = line_form(line, formdata=True)
    outcome = _line_outcome(form, lambda: applications.update_line(current_user, line,
                                                                   form.values()))
    if outcome.ok:
        return _budget_response(application, _l("The staff line has been saved."))
    return _budget_response(get_application_or_404(application.id), outcome.message,
                            status=outcome.status, line_forms={line.id: form})


def _delete_line(application: Application, line: StaffLine):
    """Remove one staff line (of any part) after the posted confirmation."""
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(lambda: applications.delete_line(current_user, line))
    if outcome.ok:
        return _budget_response(application, _l("The staff line has been removed."))
    return _budget_response(get_application_or_404(application.id), outcome.message,
                            status=outcome.status)


@bp.post("/calls/applications/<int:application_id>/budget/lines/<int:line_id>")
@login_required
def application_line_save(application_id: int, line_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    return _save_line(application, get_part_or_404(StaffLine, line_id, application))


@bp.post("/calls/applications/<int:application_id>/budget/lines/<int:line_id>/delete")
@login_required
def application_line_delete(application_id: int, line_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    return _delete_line(application, get_part_or_404(StaffLine, line_id, application))


# --- a co-implementer's part -----------------------------------------------------------------


def _load_part(application_id: int, partner_id: int) -> tuple[Application, ApplicationPartner]:
    """The application (404 if not visible), its partner (404 if not its own) and 403 unless
    the user may edit that partner's part now."""
    application = get_application_or_404(application_id)
    partner = get_part_or_404(ApplicationPartner, partner_id, application)
    if not permissions.can_edit_part(current_user, application, partner):
        abort(403)
    return application, partner


def _part_line(application: Application, partner: ApplicationPartner, line_id: int) -> StaffLine:
    line = get_part_or_404(StaffLine, line_id, application)
    if line.partner_id != partner.id:
        abort(404)
    return line


@bp.post("/calls/applications/<int:application_id>/parts/<int:partner_id>/totals")
@login_required
def application_part_totals(application_id: int, partner_id: int):
    """Live totals while someone types in a co-implementer's part: nothing is saved."""
    application, partner = _load_part(application_id, partner_id)
    return live_totals(application, partner)


@bp.post("/calls/applications/<int:application_id>/parts/<int:partner_id>/lines")
@login_required
def application_part_line_add(application_id: int, partner_id: int):
    application, partner = _load_part(application_id, partner_id)
    return _add_line(application, partner)


@bp.post("/calls/applications/<int:application_id>/parts/<int:partner_id>/lines/<int:line_id>")
@login_required
def application_part_line_save(application_id: int, partner_id: int, line_id: int):
    application, partner = _load_part(application_id, partner_id)
    return _save_line(application, _part_line(application, partner, line_id))


@bp.post("/calls/applications/<int:application_id>/parts/<int:partner_id>/lines/<int:line_id>"
         "/delete")
@login_required
def application_part_line_delete(application_id: int, partner_id: int, line_id: int):
    application, partner = _load_part(application_id, partner_id)
    return _delete_line(application, _part_line(application, partner, line_id))


@bp.post("/calls/applications/<int:application_id>/parts/<int:partner_id>/figures")
@login_required
def application_part_figures_save(application_id: int, partner_id: int):
    """A co-implementer's costs outside the flat rate and its own funding plan."""
    application, partner = _load_part(application_id, partner_id)
    form = costs_form(partner, partner, formdata=True)
    if not form.validate_on_submit():
        outcome = refuse(_l("Check the amounts."))
    else:
        outcome = perform(lambda: applications.save_part_figures(
            current_user, application, partner, form.values(with_plan=True)), form=form)
    if outcome.ok:
        return _budget_response(application, _l("%(org)s: the figures have been saved.",
                                                org=partner.organisation.name))
    return _budget_response(get_application_or_404(application_id), outcome.message,
                            status=outcome.status, costs_forms={f"partner-{partner_id}": form})
