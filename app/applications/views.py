"""Writing an application: the start page, the application page, section saves (htmx or plain
POST), the budget editor with live totals, partners, service models and attachments.

Every POST here (and in part_views.py: partners, service models, attachments) changes content,
so every one loads the application with `can_edit_application` (or the partner's own
predicate): a locked application answers 403 on all of them.
"""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_time
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import inspect, select
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.exc import StaleDataError

from app.applications import bp, permissions, sections
from app.applications import services as applications
from app.applications.forms import (
    SECTION_FORMS,
    STAFF_KIND_LABELS,
    PartCostsForm,
    PartnerForm,
    PracticeLinkForm,
    StaffLineForm,
    StaffModelForm,
    StartApplicationForm,
)
from app.applications.loaders import get_application_or_404
from app.applications.models import (
    Application,
    ApplicationPartner,
    StaffLine,
    section_version,
)
from app.calls import budget
from app.calls import permissions as call_permissions
from app.calls.loaders import get_call_or_404
from app.calls.views import template_helpers
from app.core.db import utcnow
from app.core.errors import htmx_error
from app.core.fields import parse_int
from app.core.forms import ActionForm
from app.core.htmx import is_htmx
from app.core.i18n import FIGURES
from app.core.unit_of_work import perform, refuse
from app.extensions import db

# The budget templates' numbers and labels (also for pages of other blueprints that include
# them through page_context, e.g. the reviewer's page).
BUDGET_HELPERS = {
    "budget_hours": FIGURES.hours_per_year, "budget_flat_rate": budget.FLAT_RATE_PERCENT,
    "staff_model_labels": {k.value: v for k, v in STAFF_KIND_LABELS.items()},
}


@bp.context_processor
def _template_helpers() -> dict:
    """The call templates' helpers (application pages extend them) and the application ones."""
    from app.reviews import decision_views

    return {**template_helpers(), "application_perms": permissions,
            "state_labels": sections.STATE_LABELS, "send_action": permissions.send_action,
            "decision_links": decision_views.decision_links, **BUDGET_HELPERS}


def detail_url(application: Application, anchor: str = "") -> str:
    return url_for("applications.application_detail", application_id=application.id) + (
        f"#{anchor}" if anchor else "")


def line_form(line: StaffLine | None = None, formdata=False,
              partner: ApplicationPartner | None = None) -> StaffLineForm:
    """The form of one saved line (prefix line-<id>) or of a part's new line (new-line for the
    lead's, part-<partner id>-new-line for a co-implementer's)."""
    if line is not None:
        prefix = f"line-{line.id}"
    else:
        prefix = "new-line" if partner is None else f"part-{partner.id}-new-line"
    if formdata is not False:
        return StaffLineForm(prefix=prefix)
    if line is None:
        return StaffLineForm(formdata=None, prefix=prefix)
    return StaffLineForm(formdata=None, prefix=prefix, data={
        "role": line.role, "kind": str(line.kind), "months": line.months_centi,
        "fte": line.fte_centi, "monthly_salary": line.monthly_salary_cents,
        "hours": line.hours_centi, "annual_salary": line.annual_salary_cents,
    })


def costs_form(owner, partner: ApplicationPartner | None = None,
               formdata=False) -> PartCostsForm:
    """A part's costs outside the flat rate (and a co-implementer's plan): prefix lead-costs
    or part-<partner id>-costs."""
    prefix = "lead-costs" if partner is None else f"part-{partner.id}-costs"
    if formdata is not False:
        return PartCostsForm(prefix=prefix)
    return PartCostsForm(formdata=None, prefix=prefix, obj=owner)


def budget_parts(application: Application, result, new_line_forms=None,
                 costs_forms=None) -> list[dict]:
    """The parts of the budget for the page: the lead's, then each co-implementer's, with
    their lines, totals, forms and whether the viewer may edit them."""
    new_line_forms, costs_forms = new_line_forms or {}, costs_forms or {}
    partners = {p.id: p for p in application.co_implementers}
    rows = []
    for part in result.parts:
        partner = partners.get(part.partner_id)
        owner = application if partner is None else partner
        rows.append({
            "key": part.key, "name": part.name, "partner": partner, "totals": part.totals,
            "lines": sections.part_lines(application, part.partner_id),
            "editable": permissions.can_edit_part(current_user, application, partner),
            "new_line_form": new_line_forms.get(part.key) or line_form(None, partner=partner),
            "costs_form": costs_forms.get(part.key) or costs_form(owner, partner),
        })
    return rows


def _preload_partners(application: Application) -> None:
    """The partners and their organisations in one query (the budget's parts, the partners
    section and the permission checks read them), so the page's queries do not grow with the
    number of partners."""
    if "partners" in inspect(application).unloaded:
        db.session.scalars(select(Application).where(Application.id == application.id).options(
            selectinload(Application.partners).joinedload(ApplicationPartner.organisation)
        )).all()


def page_context(application: Application, forms: dict | None = None, line_forms=None,
                 new_line_form=None, partner_form=None, practice_form=None,
                 conflicts: dict | None = None, new_line_forms=None, costs_forms=None,
                 model_form=None) -> dict:
    """Everything the application page and its fragments need."""
    _preload_partners(application)
    forms = forms or {}
    editable = permissions.can_edit_application(current_user, application)
    section_forms = {key: forms.get(key) or cls(formdata=None, obj=application)
                     for key, cls in SECTION_FORMS.items()}
    line_forms = line_forms or {}
    new_line_forms = dict(new_line_forms or {})
    if new_line_form is not None:
        new_line_forms["lead"] = new_line_form
    result = sections.totals(application)
    return {
        "application": application,
        "call": application.call,
        "editable": editable,
        "section_forms": section_forms,
        "sections": sections.SECTIONS,
        "line_forms": {line.id: line_forms.get(line.id) or line_form(line)
                       for line in application.staff_lines},
        "new_line_form": new_line_forms.get("lead") or line_form(None),
        "budget_parts": budget_parts(application, result, new_line_forms, costs_forms),
        "model_form": model_form or StaffModelForm(formdata=None, obj=application),
        "partner_form": partner_form or PartnerForm(formdata=None),
        "practice_form": practice_form or PracticeLinkForm(formdata=None),
        "action_form": ActionForm(formdata=None),
        "totals": result,
        "progress": sections.progress(application),
        "problems": sections.checklist(application) if application.is_editable else [],
        "blocker": permissions.submit_blocker(application),
        "field_labels": sections.FIELD_LABELS,
        "conflicts": conflicts or {},
        "section_version": lambda key: section_version(application, key),
        **BUDGET_HELPERS,
    }


def render_page(application: Application, status: int = 200, **overrides):
    response = make_response(render_template("applications/application.html",
                                             **page_context(application, **overrides)), status)
    response.vary.add("HX-Request")
    return response


def render_section(fragment: str, application: Application, status: int = 200, **context):
    """One section's answer: the `fragment` for htmx, the whole page (with the section's
    refused form in `context`) for a plain POST."""
    template = fragment if is_htmx() else "applications/application.html"
    response = make_response(render_template(template, **page_context(application), **context),
                             status)
    response.vary.add("HX-Request")
    return response


def render_fragment(template: str, application: Application, status: int = 200, **context):
    ctx = page_context(application, **{k: v for k, v in context.items()
                                      if k in ("forms", "line_forms", "new_line_form",
                                               "partner_form", "practice_form", "conflicts",
                                               "new_line_forms", "costs_forms", "model_form")})
    ctx.update({k: v for k, v in context.items() if k not in ctx})
    response = make_response(render_template(template, **ctx), status)
    response.vary.add("HX-Request")
    return response


@bp.errorhandler(StaleDataError)
def _edit_conflict(_error):
    """Someone changed the application between our read and our write (e.g. a section save
    racing with a submit on PostgreSQL): nothing was saved; say so instead of a 500."""
    db.session.rollback()
    message = _l("Someone else changed the application at the same moment. Your change was not "
                 "saved: check the application and try again.")
    application_id = (request.view_args or {}).get("application_id")
    if is_htmx() or application_id is None:
        return htmx_error(409, message)
    flash(message, "error")
    return redirect(url_for("applications.application_detail", application_id=application_id))


# --- start -----------------------------------------------------------------------------------


@bp.route("/calls/<int:call_id>/apply", methods=["GET", "POST"])
@login_required
def application_new(call_id: int):
    call = get_call_or_404(call_id)
    organisations = call_permissions.applying_organisations(current_user, call)
    if not organisations:
        abort(403)
    form = StartApplicationForm(organisations=organisations)
    status = 200
    if form.validate_on_submit():
        organisation = next(o for o in organisations if str(o.id) == form.organisation_id.data)
        outcome = perform(lambda: applications.start_application(
            current_user, call, organisation, form.project_name.data), form=form)
        if outcome.ok:
            flash(_l("The application has been started. Each part is saved on its own; you "
                     "can come back to it any time before the call closes."), "success")
            return redirect(detail_url(outcome.value))
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("applications/apply.html", call=call, form=form), status


@bp.get("/calls/applications/<int:application_id>")
@login_required
def application_detail(application_id: int):
    application = get_application_or_404(application_id)
    return render_page(application)


# --- sections --------------------------------------------------------------------------------


SECTION_CONFLICT_MESSAGE = _l("Someone else saved this part at the same moment. Your text was "
                              "not saved: compare it with theirs below and save again.")


def _section_form(section: str):
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        abort(404)
    return form_class()


def _save_section(application: Application, section: str, form):
    """Validate and save one section in one unit of work; the version comes from the form
    (or, after a conflict, the version the writer chose to save on top of)."""
    if not form.validate_on_submit():
        return refuse(_l("Check the fields of this part."))
    seen = parse_int(request.form.get("keep_mine_version"))
    if seen is None:
        seen = parse_int(request.form.get("section_version"))
    data = {name: form[name].data for name in sections.BY_KEY[section].fields}
    return perform(lambda: applications.save_section(current_user, application, section, data,
                                                     seen_version=seen), form=form,
                   conflict_message=SECTION_CONFLICT_MESSAGE)


def _conflict_view(application_id: int, section: str, form, outcome) -> dict | None:
    """Both texts of every field that differs, after a conflict (from the service or caught by
    the database), and the version that "keep mine" saves on top of."""
    if outcome.status != 409:
        return None
    fresh = get_application_or_404(application_id)
    theirs = {name: getattr(fresh, name) for name in sections.BY_KEY[section].fields}
    rows = [{"name": name, "label": sections.FIELD_LABELS.get(name, name),
             "theirs": "" if theirs[name] is None else str(theirs[name]),
             "mine": "" if form[name].data is None else str(form[name].data)}
            for name in sections.BY_KEY[section].fields
            if theirs[name] != form[name].data]
    return {"rows": rows, "version": section_version(fresh, section),
            "message": outcome.message}


@bp.post("/calls/applications/<int:application_id>/sections/<section>")
@login_required
def application_section_save(application_id: int, section: str):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = _section_form(section)
    outcome = _save_section(application, section, form)
    label = sections.BY_KEY[section].label
    if outcome.ok:
        if not is_htmx():
            flash(_l("Saved: %(section)s.", section=label), "success")
            return redirect(detail_url(application, f"section-{section}"))
        return render_fragment("applications/_section_response.html", application,
                         section=sections.BY_KEY[section], saved=True)
    conflict = _conflict_view(application_id, section, form, outcome)
    status = 409 if conflict else outcome.status
    application = get_application_or_404(application_id)
    if not is_htmx():
        return render_page(application, status=status, forms={section: form},
                     conflicts={section: conflict} if conflict else None)
    return render_fragment("applications/_section_response.html", application, status=status,
                     forms={section: form}, section=sections.BY_KEY[section], saved=False,
                     conflicts={section: conflict} if conflict else None)


@bp.post("/calls/applications/<int:application_id>/sections/<section>/autosave")
@login_required
def application_section_autosave(application_id: int, section: str):
    """htmx saves a section a few seconds after typing stops: the answer is the section's
    status line and, out of band, the version this save wrote, or the conflict panel (the form
    and the text being typed are never replaced)."""
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = _section_form(section)
    outcome = _save_section(application, section, form)
    if not is_htmx():
        outcome.flash(_l("Saved: %(section)s.", section=sections.BY_KEY[section].label))
        return redirect(detail_url(application, f"section-{section}"))
    conflict = _conflict_view(application_id, section, form, outcome)
    if conflict:
        response = make_response(render_template(
            "applications/_section_conflict.html", section=sections.BY_KEY[section],
            application=application, conflict=conflict, autosaved=True), 409)
        response.headers["HX-Retarget"] = f"#conflict-{section}"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    error = None
    if not outcome.ok:
        error = next((e for errors in form.errors.values() for e in errors if e),
                     outcome.message)
    response = make_response(render_template(
        "applications/_autosave_status.html", section=sections.BY_KEY[section],
        saved_at=format_time(utcnow(), "short") if outcome.ok else None, error=error,
        version=outcome.value if outcome.ok else None), 200 if outcome.ok else outcome.status)
    response.vary.add("HX-Request")
    return response
