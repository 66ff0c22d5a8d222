"""The outcome plan of an application in an outcome-based call: its form (a count per row of
the call's fee table), its save (htmx or plain POST; 422 with the messages at the fields) and
the live fee budget while someone types (nothing saved). The rules are in outcomes.py."""

from __future__ import annotations

from flask import make_response, redirect, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from flask_wtf.form import _Auto

from app.applications import bp, outcomes, permissions
from app.applications.loaders import get_application_or_404
from app.applications.models import Application
from app.core.fields import CountField
from app.core.forms import BaseForm
from app.core.htmx import is_htmx
from app.core.unit_of_work import perform, refuse


def field_name(fee) -> str:
    return f"fee-{fee.id}"


class OutcomePlanForm(BaseForm):
    """One count field per row of the call's fee table (named fee-<id>), built for one
    application; with `formdata=None` it shows the saved plan."""

    def __init__(self, formdata=_Auto, *, application: Application, **kwargs):
        super().__init__(formdata=formdata, **kwargs)
        submitted = self.meta.wrap_formdata(self, formdata)
        self.posted = set(submitted.keys()) if submitted is not None else set()
        translations = self.meta.get_translations(self)
        saved = outcomes.counts_of(application)
        self.fees = list(application.call.fees)
        for fee in self.fees:
            name = field_name(fee)
            unbound = CountField(_l("Planned outcomes: %(label)s", label=fee.label),
                                 maximum=outcomes.MAX_COUNT)
            bound = self.meta.bind_field(self, unbound, {"name": name, "prefix": "",
                                                         "translations": translations})
            self._fields[name] = bound
            bound.process(submitted, saved.get(fee.id, 0))

    def field_of(self, fee):
        return self[field_name(fee)]

    def counts(self) -> dict[int, int | None]:
        """{fee id: count} of the rows that were sent (an empty input counts as 0)."""
        return {fee.id: self[field_name(fee)].data or 0 for fee in self.fees
                if field_name(fee) in self.posted}

    def valid_counts(self) -> dict[int, int]:
        """The counts of the rows that parse (for the live total); others keep their saved
        count."""
        return {fee.id: self[field_name(fee)].data or 0 for fee in self.fees
                if field_name(fee) in self.posted and not self[field_name(fee)].errors}


@bp.app_context_processor
def _outcome_helpers() -> dict:
    """The outcome section builds its form from the saved plan unless a refused one is given."""
    return {"outcome_plan_form": lambda application: OutcomePlanForm(formdata=None,
                                                                     application=application),
            "outcome_budget": outcomes.budget_of}


def _render(application: Application, form: OutcomePlanForm, status: int = 200, *,
            message=None, failed: bool = False):
    """The outcome section (htmx) or the whole application page (plain POST refused)."""
    from app.applications.views import render_section

    return render_section("applications/_outcomes_response.html", application, status,
                          outcome_form=form, outcomes_message=message, outcomes_failed=failed)


@bp.post("/calls/applications/<int:application_id>/outcomes")
@login_required
def application_outcomes_save(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = OutcomePlanForm(application=application)
    if not form.validate_on_submit():
        outcome = refuse(_l("Check the planned numbers of outcomes."))
    else:
        outcome = perform(lambda: outcomes.save_outcome_plan(current_user, application,
                                                             form.counts()), form=form)
    if outcome.ok:
        message = _l("The outcome plan has been saved.")
        if not is_htmx():
            from flask import flash

            from app.applications.views import detail_url

            flash(message, "success")
            return redirect(detail_url(application, "section-outcomes"))
        return _render(application, OutcomePlanForm(formdata=None, application=application),
                       message=message)
    application = get_application_or_404(application_id)
    return _render(application, form, outcome.status, message=outcome.message, failed=True)


@bp.post("/calls/applications/<int:application_id>/outcomes/totals")
@login_required
def application_outcomes_totals(application_id: int):
    """The fee budget of what is being typed: nothing is saved."""
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = OutcomePlanForm(application=application, meta={"csrf": False})
    form.validate()
    invalid = any(form.field_of(fee).errors for fee in form.fees)
    budget = outcomes.budget_of(application, {**outcomes.counts_of(application),
                                              **form.valid_counts()})
    response = make_response(render_template(
        "applications/_outcomes_totals.html", application=application,
        fee_budget=budget, invalid=invalid, preview=True))
    response.vary.add("HX-Request")
    return response
