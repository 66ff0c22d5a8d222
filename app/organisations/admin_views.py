"""Platform administration of organisations: the verification queue, and one organisation's
funding-authority capability and lifecycle (admin_detail)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.core.pagination import page_arg
from app.core.unit_of_work import perform
from app.extensions import db
from app.organisations import bp, lifecycle, queries, services
from app.organisations.forms import ActionForm, AdminOrganisationForm, RejectForm
from app.organisations.models import Organisation
from app.organisations.permissions import can_verify_organisations

QUEUE_PER_PAGE = 20


def _require_admin() -> None:
    if not can_verify_organisations(current_user):
        abort(403)


def _organisation_or_404(org_id: int) -> Organisation:
    organisation = db.session.get(Organisation, org_id)
    if organisation is None:
        abort(404)
    return organisation


def _queue_url() -> str:
    page = page_arg()
    return url_for("organisations.admin_queue", page=page if page > 1 else None)


def _reject_form(organisation: Organisation, **kwargs) -> RejectForm:
    form = RejectForm(prefix=f"r{organisation.id}", **kwargs)
    # One form per row: the label says which organisation it is about.
    form.reason.label.text = _l("Reason for rejecting %(org)s", org=organisation.name)
    return form


def _queue_page(failed: tuple[int, RejectForm] | None = None, status: int = 200):
    pagination = db.paginate(services.verification_queue(), page=page_arg(),
                             per_page=QUEUE_PER_PAGE, error_out=False)
    owners = queries.owners_by_organisation([org.id for org in pagination.items])
    reject_forms = {org.id: _reject_form(org, formdata=None) for org in pagination.items}
    if failed is not None:
        if failed[0] in reject_forms:
            reject_forms[failed[0]] = failed[1]
        else:  # not on this page any more: say what was wrong in a message instead
            for message in failed[1].reason.errors:
                flash(message, "error")
    return render_template(
        "admin/organisations.html",
        pagination=pagination,
        owners=owners,
        reject_forms=reject_forms,
    ), status


@bp.get("/admin/organisations")
@login_required
def admin_queue():
    _require_admin()
    return _queue_page()


@bp.post("/admin/organisations/<int:org_id>/verify")
@login_required
def admin_verify(org_id: int):
    _require_admin()
    organisation = _organisation_or_404(org_id)
    if ActionForm().validate_on_submit():
        name = organisation.name
        perform(lambda: services.verify_organisation(current_user, organisation)).flash(
            _l("%(org)s has been verified. Its owners were told by e-mail.", org=name))
    return redirect(_queue_url())


@bp.post("/admin/organisations/<int:org_id>/reject")
@login_required
def admin_reject(org_id: int):
    _require_admin()
    organisation = _organisation_or_404(org_id)
    form = _reject_form(organisation)
    status = 422
    if form.validate_on_submit():
        outcome = perform(lambda: services.reject_organisation(current_user, organisation,
                                                               form.reason.data))
        if outcome.ok:
            flash(_l("%(org)s has been rejected. Its owners were told the reason by e-mail.",
                     org=organisation.name), "success")
            return redirect(_queue_url())
        if outcome.error is not None and outcome.error.field == "reason":
            form.reason.errors = [*form.reason.errors, outcome.message]
        else:
            outcome.flash()  # a rule refused it: the reason is said on the queue page
        status = outcome.status
    if not form.reason.errors:
        return redirect(_queue_url())
    return _queue_page(failed=(organisation.id, form), status=status)


# --- one organisation: the funding-authority capability and the lifecycle ---------------------


def _lifecycle_form(organisation: Organisation, **kwargs) -> AdminOrganisationForm:
    choices = db.session.scalars(
        select(Organisation).where(Organisation.id != organisation.id)
        .order_by(func.lower(Organisation.name), Organisation.unit_name, Organisation.id)
    ).all()
    return AdminOrganisationForm(organisations=choices, **kwargs)


@bp.route("/admin/organisations/<int:org_id>", methods=["GET", "POST"])
@login_required
def admin_detail(org_id: int):
    _require_admin()
    organisation = _organisation_or_404(org_id)
    form = _lifecycle_form(organisation, obj=organisation)
    status = 200
    if form.validate_on_submit():
        predecessor = (db.session.get(Organisation, int(form.predecessor.data))
                       if form.predecessor.data else None)
        outcome = perform(lambda: lifecycle.administer_organisation(
            current_user, organisation, name=form.name.data or "",
            renamed_on=form.renamed_on.data, valid_from=form.valid_from.data,
            valid_to=form.valid_to.data, predecessor=predecessor), form=form)
        if outcome.ok:
            flash(_l("The details of %(org)s have been saved.", org=organisation.name), "success")
            return redirect(url_for("organisations.admin_detail", org_id=organisation.id))
        status = outcome.status
    elif form.is_submitted():
        status = 422
    return render_template("organisations/admin_detail.html", organisation=organisation,
                           form=form, former_names=lifecycle.former_names(organisation)), status


@bp.post("/admin/organisations/<int:org_id>/funding-authority")
@login_required
def admin_funding_authority(org_id: int):
    _require_admin()
    organisation = _organisation_or_404(org_id)
    form = ActionForm()
    enable = request.form.get("enable")
    if not form.validate_on_submit() or enable not in ("0", "1"):
        flash(_l("Choose whether to grant or revoke the role."), "error")
    else:
        perform(lambda: lifecycle.set_funding_authority(current_user, organisation,
                                                        enable == "1")).flash(
            _l("%(org)s is now a funding authority: its call managers can open calls.",
               org=organisation.name) if enable == "1" else
            _l("%(org)s is no longer a funding authority. Its calls and decisions are kept; "
               "its call roles no longer work.", org=organisation.name))
    return redirect(url_for("organisations.admin_detail", org_id=organisation.id))
