"""Call pages: the public list and call page, and the call manager's editing and criteria.

Applications are in application_views.py, lists and the CSV export in list_views.py, the Atom
feed in feeds.py.
"""

from __future__ import annotations

from datetime import timedelta

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import format_timedelta
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.calls import bp, budget, permissions, services
from app.calls.forms import (
    CRITERION_KIND_LABELS,
    FILING_LABELS,
    FUNDING_MODEL_LABELS,
    LANGUAGE_LABELS,
    CallForm,
    CriterionForm,
)
from app.calls.loaders import get_call_or_404
from app.calls.models import SCALE_MAX, Call, CallPhase, Criterion
from app.core import clock, money
from app.core.codelists import current_language
from app.core.errors import htmx_error
from app.core.forms import ActionForm
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.markdown import render_markdown
from app.core.pagination import page_arg
from app.core.unit_of_work import FORBIDDEN, perform
from app.extensions import db

PER_PAGE = 20
TABS = {"open": CallPhase.open, "upcoming": CallPhase.upcoming, "closed": CallPhase.closed}
PHASE_LABELS = {
    CallPhase.draft: _l("Draft"),
    CallPhase.upcoming: _l("Upcoming"),
    CallPhase.open: _l("Open"),
    CallPhase.closed: _l("Closed"),
}


@bp.context_processor
def template_helpers() -> dict:
    """What the call templates (and the application templates, which extend them) use."""
    return {
        "call_perms": permissions,
        "phase_labels": PHASE_LABELS,
        "kind_labels": CRITERION_KIND_LABELS,
        "funding_model_labels": FUNDING_MODEL_LABELS,
        "scale_max": SCALE_MAX,
        "lang": current_language(),
        "now": clock.now(),
        "time_left": time_left,
        "md": render_markdown,
        "budget_rate": hourly_rate_text,
        "fallback_note": fallback_note,
        "fallback_tag": fallback_tag,
        "filing_labels": FILING_LABELS,
        "language_labels": LANGUAGE_LABELS,
    }


# "Not available in <reader's language>; shown in <language>." Whole sentences per pair: in
# Finnish and Swedish a language name takes a different form in each place.
_FALLBACK_NOTES = {
    ("fi", "sv"): _l("Not available in Finnish; shown in Swedish."),
    ("fi", "en"): _l("Not available in Finnish; shown in English."),
    ("sv", "fi"): _l("Not available in Swedish; shown in Finnish."),
    ("sv", "en"): _l("Not available in Swedish; shown in English."),
    ("en", "fi"): _l("Not available in English; shown in Finnish."),
    ("en", "sv"): _l("Not available in English; shown in Swedish."),
}
_FALLBACK_TAGS = {"fi": _l("(in Finnish)"), "sv": _l("(in Swedish)"), "en": _l("(in English)")}


def fallback_note(shown: str, reader: str | None = None):
    """The note shown above a call text that is not in the reader's language, or ""."""
    reader = reader or current_language()
    return "" if shown == reader else _FALLBACK_NOTES.get((reader, shown), "")


def fallback_tag(shown: str, reader: str | None = None):
    """A short "(in Finnish)" after a title that is not in the reader's language, or ""."""
    reader = reader or current_language()
    return "" if shown == reader else _FALLBACK_TAGS.get(shown, "")


def hourly_rate_text(annual_salary_cents: int) -> str:
    """The hourly unit cost (annual salary / 1 720 h) for display, rounded to the cent."""
    return money.format_money(int(budget.hourly_rate(annual_salary_cents) * 100))


def time_left(until) -> str:
    """"3 days" until `until` (at least a minute), for people."""
    delta = until - clock.now()
    return format_timedelta(max(delta, timedelta(minutes=1)), granularity="minute", threshold=1)


# --- public ----------------------------------------------------------------------------------


@bp.get("/calls")
def index():
    tab = request.args.get("tab", "open")
    if tab not in TABS:
        tab = "open"
    pagination = db.paginate(services.public_calls(TABS[tab]), page=page_arg(), per_page=PER_PAGE,
                             error_out=False)
    return render_page_or_fragment("calls/index.html", "calls/_call_list.html",
                                   pagination=pagination, tab=tab, tabs=TABS,
                                   can_create=permissions.can_create_call(current_user))


@bp.get("/calls/<int:call_id>")
def detail(call_id: int):
    call = get_call_or_404(call_id)
    organisations = permissions.applying_organisations(current_user, call)
    now = clock.now()
    sessions = list(call.info_sessions)
    return render_template("calls/detail.html", call=call, phase=call.phase(),
                           applying_organisations=organisations,
                           outside_territory=permissions.organisations_outside_territory(
                               current_user, call) if not organisations else [],
                           upcoming_sessions=[s for s in sessions if (s.ends_at or s.starts_at)
                                              >= now],
                           past_sessions=[s for s in sessions if (s.ends_at or s.starts_at)
                                          < now],
                           action_form=ActionForm(formdata=None),
                           checklist=services.publish_checklist(call)
                           if permissions.can_publish_call(current_user, call) else [])


# --- call managers ---------------------------------------------------------------------------


@bp.get("/calls/manage")
@login_required
def manage():
    organisations = permissions.managed_organisations(current_user)
    if not organisations:
        abort(403)
    pagination = db.paginate(services.managed_calls(organisations), page=page_arg(),
                             per_page=PER_PAGE, error_out=False)
    return render_template("calls/manage.html", pagination=pagination)


@bp.route("/calls/new", methods=["GET", "POST"])
@login_required
def call_new():
    organisations = permissions.managed_organisations(current_user)
    if not organisations:
        abort(403)
    form = CallForm(organisations=organisations)
    if request.method == "GET":
        form.report_interval_months.data = 6
        form.max_support_percent.data = 80
        form.final_report.data = True
        form.funding_model.data = "grant"
        form.territory.data = "national"
        form.filing.data = "platform"
    status = 200
    if form.validate_on_submit():
        organisation = next(o for o in organisations if str(o.id) == form.organisation_id.data)
        outcome = perform(lambda: services.create_call(current_user, organisation,
                                                       form.service_data(services.CALL_FIELDS)),
                          form=form)
        if outcome.ok:
            flash(_l("The call has been saved as a draft. Add the selection criteria next."),
                  "success")
            return redirect(url_for("calls.criteria", call_id=outcome.value.id))
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("calls/form.html", form=form, call=None,
                           editable=services.CALL_FIELDS), status


@bp.route("/calls/<int:call_id>/edit", methods=["GET", "POST"])
@login_required
def call_edit(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_edit_call)
    editable = services.editable_fields(call)
    form = CallForm(obj=call, organisations=[call.organisation])
    form.organisation_id.data = str(call.organisation_id)
    status = 200
    if form.validate_on_submit():
        outcome = perform(lambda: services.update_call(current_user, call,
                                                       form.service_data(editable)), form=form)
        if outcome.ok:
            flash(_l("The changes have been saved."), "success")
            return redirect(url_for("calls.detail", call_id=call.id))
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("calls/form.html", form=form, call=call, editable=editable), status


@bp.post("/calls/<int:call_id>/publish")
@login_required
def call_publish(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_publish_call)
    if ActionForm().validate_on_submit():
        perform(lambda: services.publish_call(current_user, call)).flash(
            _l("The call has been published."))
    return redirect(url_for("calls.detail", call_id=call.id))


@bp.post("/calls/<int:call_id>/unpublish")
@login_required
def call_unpublish(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_unpublish_call)
    if ActionForm().validate_on_submit():
        perform(lambda: services.unpublish_call(current_user, call)).flash(
            _l("The call is a draft again and no longer public."))
    return redirect(url_for("calls.detail", call_id=call.id))


# --- criteria --------------------------------------------------------------------------------


def _criteria_response(call: Call, forms: dict | None = None, add_form=None, status: int = 200,
                       problems=(), weights: dict | None = None, weight_errors: dict | None = None):
    """The criteria page, or for htmx its panel. A refused change (422) or a conflict (409)
    answers with the panel too, with the messages and what was typed (`forms`, `add_form`,
    `weights`: the typed weight of each criterion id, `weight_errors`: its message)."""
    forms = forms or {}
    criterion_forms = {
        c.id: forms.get(c.id) or CriterionForm(formdata=None, obj=c, prefix=f"criterion-{c.id}")
        for c in call.criteria
    }
    response = render_page_or_fragment(
        "calls/criteria.html", "calls/_criteria.html", call=call, criterion_forms=criterion_forms,
        add_form=add_form or CriterionForm(formdata=None, prefix="new-criterion"),
        editable=permissions.can_edit_criteria(current_user, call),
        action_form=ActionForm(formdata=None), problems=list(problems),
        weights=weights or {}, weight_errors=weight_errors or {},
    )
    response.status_code = status
    return response


@bp.get("/calls/<int:call_id>/criteria")
@login_required
def criteria(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_manage_call)
    return _criteria_response(call)


def _criterion_data(form: CriterionForm) -> dict:
    return {"kind": form.kind.data, "title": form.title.data, "guidance": form.guidance.data,
            "weight": form.weight.data or 0}


def _criteria_refused(call_id: int, outcome, **context):
    """The answer to a change the unit of work refused (422) or found in conflict (409): the
    panel again, with the messages and what was typed. A service's own permission check (403)
    is not swapped for htmx: the page's script shows its message."""
    if outcome.status == FORBIDDEN and is_htmx():
        return htmx_error(FORBIDDEN, outcome.message)
    return _criteria_response(get_call_or_404(call_id), status=outcome.status, **context)


def _after_criteria_change(call: Call, message):
    """The answer to a saved change (the unit of work has committed it)."""
    if is_htmx():
        return _criteria_response(call)
    flash(message, "success")
    return redirect(url_for("calls.criteria", call_id=call.id))


@bp.post("/calls/<int:call_id>/criteria")
@login_required
def criterion_add(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_edit_criteria)
    form = CriterionForm(prefix="new-criterion")
    if form.validate_on_submit():
        outcome = perform(lambda: services.add_criterion(current_user, call, _criterion_data(form)),
                          form=form)
        if outcome.ok:
            return _after_criteria_change(call, _l("The criterion has been added."))
        return _criteria_refused(call_id, outcome, add_form=form)
    return _criteria_response(call, add_form=form, status=422)


def _criterion_or_404(call: Call, criterion_id: int) -> Criterion:
    criterion = db.session.get(Criterion, criterion_id)
    if criterion is None or criterion.call_id != call.id:
        abort(404)
    return criterion


@bp.post("/calls/<int:call_id>/criteria/<int:criterion_id>")
@login_required
def criterion_save(call_id: int, criterion_id: int):
    call = get_call_or_404(call_id, check=permissions.can_edit_criteria)
    criterion = _criterion_or_404(call, criterion_id)
    form = CriterionForm(prefix=f"criterion-{criterion.id}")
    if form.validate_on_submit():
        outcome = perform(lambda: services.update_criterion(current_user, criterion,
                                                            _criterion_data(form)), form=form)
        if outcome.ok:
            return _after_criteria_change(call, _l("The criterion has been saved."))
        return _criteria_refused(call_id, outcome, forms={criterion_id: form})
    return _criteria_response(call, forms={criterion_id: form}, status=422)


@bp.post("/calls/<int:call_id>/criteria/<int:criterion_id>/delete")
@login_required
def criterion_delete(call_id: int, criterion_id: int):
    call = get_call_or_404(call_id, check=permissions.can_edit_criteria)
    criterion = _criterion_or_404(call, criterion_id)
    if ActionForm().validate_on_submit():
        outcome = perform(lambda: services.delete_criterion(current_user, criterion))
        if outcome.ok:
            return _after_criteria_change(call, _l("The criterion has been removed."))
        return _criteria_refused(call_id, outcome, problems=[outcome.message])
    abort(400)


@bp.post("/calls/<int:call_id>/criteria/weights")
@login_required
def criteria_weights(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_edit_criteria)
    if not ActionForm().validate_on_submit():
        abort(400)
    weights, typed, weight_errors = {}, {}, {}
    for criterion in call.scored_criteria:
        raw = request.form.get(f"weight-{criterion.id}", "")
        typed[criterion.id] = raw
        try:
            value = money.parse_scaled(raw, places=0, maximum=100)
        except money.ParseError as error:
            weight_errors[criterion.id] = error.message
            continue
        weights[criterion.id] = value or 0
    if weight_errors:
        return _criteria_response(call, status=422, weights=typed, weight_errors=weight_errors)
    outcome = perform(lambda: services.set_weights(current_user, call, weights))
    if outcome.ok:
        return _after_criteria_change(call, _l("The weights have been saved."))
    return _criteria_refused(call_id, outcome, problems=[outcome.message], weights=typed)
