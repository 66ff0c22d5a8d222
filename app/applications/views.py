"""Writing an application: the start page, the application page, section saves (htmx or plain
POST), the budget editor with live totals, partners, service models and attachments.

Every POST here (and in part_views.py: partners, service models, attachments) changes content,
so every one loads the application with `can_edit_application` (or the partner's own
predicate): a locked application answers 403 on all of them.
"""

from __future__ import annotations

import re

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy.orm.exc import StaleDataError

from app.applications import bp, permissions, sections
from app.applications import services as applications
from app.applications.forms import (
    SECTION_FORMS,
    FundingSectionForm,
    PartnerForm,
    PracticeLinkForm,
    StaffLineForm,
    StartApplicationForm,
)
from app.applications.loaders import commit_or_conflict, get_application_or_404
from app.applications.models import PLAN_FIELDS, Application, StaffLine
from app.calls import permissions as call_permissions
from app.calls.loaders import get_call_or_404
from app.calls.views import template_helpers
from app.core.domain import DomainError
from app.core.forms import ActionForm, show_domain_error
from app.core.htmx import is_htmx
from app.extensions import db


@bp.context_processor
def _template_helpers() -> dict:
    """The call templates' helpers (application pages extend them) and the application ones."""
    return {**template_helpers(), "application_perms": permissions,
            "state_labels": sections.STATE_LABELS}


def _detail_url(application: Application, anchor: str = "") -> str:
    return url_for("applications.application_detail", application_id=application.id) + (
        f"#{anchor}" if anchor else "")


def line_form(line: StaffLine | None = None, formdata=False) -> StaffLineForm:
    """The form of one saved line (prefix line-<id>) or of the new line."""
    prefix = f"line-{line.id}" if line is not None else "new-line"
    if formdata is not False:
        return StaffLineForm(prefix=prefix)
    if line is None:
        return StaffLineForm(formdata=None, prefix=prefix)
    return StaffLineForm(formdata=None, prefix=prefix, data={
        "role": line.role, "kind": str(line.kind), "months": line.months_centi,
        "fte": line.fte_centi, "monthly_salary": line.monthly_salary_cents,
        "hours": line.hours_centi, "annual_salary": line.annual_salary_cents,
    })


def page_context(application: Application, forms: dict | None = None, line_forms=None,
                 new_line_form=None, partner_form=None, practice_form=None) -> dict:
    """Everything the application page and its fragments need."""
    forms = forms or {}
    editable = permissions.can_edit_application(current_user, application)
    section_forms = {key: forms.get(key) or cls(formdata=None, obj=application)
                     for key, cls in SECTION_FORMS.items()}
    line_forms = line_forms or {}
    return {
        "application": application,
        "call": application.call,
        "editable": editable,
        "section_forms": section_forms,
        "sections": sections.SECTIONS,
        "line_forms": {line.id: line_forms.get(line.id) or line_form(line)
                       for line in application.staff_lines},
        "new_line_form": new_line_form or line_form(None),
        "partner_form": partner_form or PartnerForm(formdata=None),
        "practice_form": practice_form or PracticeLinkForm(formdata=None),
        "action_form": ActionForm(formdata=None),
        "totals": sections.totals(application),
        "progress": sections.progress(application),
        "problems": sections.checklist(application) if application.is_editable else [],
        "blocker": permissions.submit_blocker(application),
        "field_labels": sections.FIELD_LABELS,
    }


def _page(application: Application, status: int = 200, **overrides):
    response = make_response(render_template("applications/application.html",
                                             **page_context(application, **overrides)), status)
    response.vary.add("HX-Request")
    return response


def _fragment(template: str, application: Application, status: int = 200, **context):
    ctx = page_context(application, **{k: v for k, v in context.items()
                                      if k in ("forms", "line_forms", "new_line_form",
                                               "partner_form", "practice_form")})
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
        response = make_response(str(message), 409)
        response.headers["HX-Reswap"] = "none"
        return response
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
    if form.validate_on_submit():
        organisation = next(o for o in organisations if str(o.id) == form.organisation_id.data)
        try:
            application = applications.start_application(current_user, call, organisation,
                                                         form.project_name.data)
        except DomainError as error:
            db.session.rollback()
            show_domain_error(form, error)
        else:
            db.session.commit()
            flash(_l("The application has been started. Each part is saved on its own; you "
                     "can come back to it any time before the call closes."), "success")
            return redirect(_detail_url(application))
    status = 400 if form.errors else 200
    return render_template("applications/apply.html", call=call, form=form), status


@bp.get("/calls/applications/<int:application_id>")
@login_required
def application_detail(application_id: int):
    application = get_application_or_404(application_id)
    return _page(application)


# --- sections --------------------------------------------------------------------------------


@bp.post("/calls/applications/<int:application_id>/sections/<section>")
@login_required
def application_section_save(application_id: int, section: str):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form_class = SECTION_FORMS.get(section)
    if form_class is None:
        abort(404)
    form = form_class()
    saved = False
    if form.validate_on_submit():
        data = {name: form[name].data for name in sections.BY_KEY[section].fields}
        try:
            applications.save_section(current_user, application, section, data)
        except DomainError as error:
            db.session.rollback()
            application = get_application_or_404(application_id)
            show_domain_error(form, error)
        else:
            conflict = commit_or_conflict(_detail_url(application, f"section-{section}"))
            if conflict is not None:
                return conflict
            saved = True
            form = None
    if not is_htmx():
        if saved:
            flash(_l("Saved: %(section)s.", section=sections.BY_KEY[section].label), "success")
            return redirect(_detail_url(application, f"section-{section}"))
        return _page(application, status=400, forms={section: form})
    return _fragment("applications/_section_response.html", application, status=200 if saved else 400,
                     forms={section: form} if form is not None else None,
                     section=sections.BY_KEY[section], saved=saved)


# --- budget ----------------------------------------------------------------------------------


def _budget_response(application: Application, message=None, status: int = 200, **forms):
    if not is_htmx():
        if status < 400:
            flash(message or _l("The budget has been saved."), "success")
            return redirect(_detail_url(application, "section-budget"))
        return _page(application, status=status, **forms)
    return _fragment("applications/_budget_response.html", application, status=status,
                     budget_message=message, **forms)


@bp.post("/calls/applications/<int:application_id>/budget/totals")
@login_required
def application_budget_totals(application_id: int):
    """Live totals while someone types: nothing is saved."""
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    plan, lines, invalid = dict(application.plan), list(application.staff_lines), False
    if any(f"{name}_cents" in request.form for name in PLAN_FIELDS):
        form = FundingSectionForm(meta={"csrf": False})
        form.validate()
        for name in PLAN_FIELDS:
            field = form[f"{name}_cents"]
            if field.errors:
                invalid = True
            else:
                plan[name] = field.data or 0
    prefix = next((key[:-5] for key in request.form if key.endswith("-role")), None)
    if prefix and (prefix == "new-line" or re.fullmatch(r"line-[0-9]+", prefix)):
        form = StaffLineForm(prefix=prefix, meta={"csrf": False})
        form.validate()
        invalid = invalid or any(form[name].errors for name in
                                 ("months", "fte", "monthly_salary", "hours", "annual_salary"))
        values = form.values()
        if prefix == "new-line":
            lines.append(values)
        else:
            lines = [values if f"line-{line.id}" == prefix else line for line in lines]
    totals = sections.totals(application, lines=lines, plan=plan)
    response = make_response(render_template("applications/_budget_totals.html", application=application,
                                             call=application.call, totals=totals,
                                             invalid=invalid, preview=True))
    response.vary.add("HX-Request")
    return response


def _line_or_404(application: Application, line_id: int) -> StaffLine:
    line = db.session.get(StaffLine, line_id)
    if line is None or line.application_id != application.id:
        abort(404)
    return line


@bp.post("/calls/applications/<int:application_id>/budget/lines")
@login_required
def application_line_add(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = line_form(None, formdata=True)
    if form.validate_on_submit():
        try:
            applications.add_line(current_user, application, form.values())
        except DomainError as error:
            db.session.rollback()
            application = get_application_or_404(application_id)
            show_domain_error(form, _line_error(error))
        else:
            conflict = commit_or_conflict(_detail_url(application, "section-budget"))
            return conflict or _budget_response(application, _l("The staff line has been added."))
    return _budget_response(application, status=400, new_line_form=form)


def _line_error(error: DomainError) -> DomainError:
    names = {"months_centi": "months", "fte_centi": "fte", "monthly_salary_cents":
             "monthly_salary", "hours_centi": "hours", "annual_salary_cents": "annual_salary"}
    return DomainError(error.message, field=names.get(error.field, error.field), code=error.code)


@bp.post("/calls/applications/<int:application_id>/budget/lines/<int:line_id>")
@login_required
def application_line_save(application_id: int, line_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    line = _line_or_404(application, line_id)
    form = line_form(line, formdata=True)
    if form.validate_on_submit():
        try:
            applications.update_line(current_user, line, form.values())
        except DomainError as error:
            db.session.rollback()
            application = get_application_or_404(application_id)
            show_domain_error(form, _line_error(error))
        else:
            conflict = commit_or_conflict(_detail_url(application, "section-budget"))
            return conflict or _budget_response(application, _l("The staff line has been saved."))
    return _budget_response(application, status=400, line_forms={line_id: form})


@bp.post("/calls/applications/<int:application_id>/budget/lines/<int:line_id>/delete")
@login_required
def application_line_delete(application_id: int, line_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    line = _line_or_404(application, line_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    applications.delete_line(current_user, line)
    conflict = commit_or_conflict(_detail_url(application, "section-budget"))
    return conflict or _budget_response(application, _l("The staff line has been removed."))
