"""Organisation pages: directory, profile, create and edit, join requests, dashboard.

Members and invitations are in member_views.py, verification in admin_views.py.
"""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from sqlalchemy import func, select

from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.pagination import page_arg
from app.core.unit_of_work import perform
from app.extensions import db
from app.organisations import bp, lifecycle, permissions, queries, services
from app.organisations.directory import DirectoryFilter, directory_query
from app.organisations.forms import (
    ROLE_LABELS,
    ActionForm,
    DirectoryForm,
    JoinRequestForm,
    OrganisationForm,
)
from app.organisations.models import JoinRequest, JoinRequestState, Organisation, OrganisationStatus
from app.organisations.permissions import (
    can_create_organisation,
    can_edit_organisation,
    can_request_to_join,
    can_view_organisation,
    is_admin,
    membership_of,
)

DIRECTORY_PER_PAGE = 20


@bp.context_processor
def _template_helpers():
    return {"perms": permissions, "OrganisationStatus": OrganisationStatus}


@bp.app_template_filter("role_label")
def role_label(role) -> str:
    return str(ROLE_LABELS.get(role, role))


def get_organisation_or_404(org_id: int, check=None) -> Organisation:
    """Load an organisation the current user may see (else 404), then apply `check`:
    members and administrators who fail it get 403, everyone else 404."""
    organisation = db.session.get(Organisation, org_id)
    if organisation is None or not can_view_organisation(current_user, organisation):
        abort(404)
    if check is not None and not check(current_user, organisation):
        if membership_of(current_user, organisation) is not None or is_admin(current_user):
            abort(403)
        abort(404)
    return organisation


# --- public pages ----------------------------------------------------------------------------


@bp.get("/organisations")
def directory():
    flt = DirectoryFilter.from_args(request.args)
    form = DirectoryForm(request.args)
    pagination = db.paginate(directory_query(flt), page=page_arg(), per_page=DIRECTORY_PER_PAGE,
                             error_out=False)
    return render_page_or_fragment(
        "organisations/directory.html",
        "organisations/_directory_results.html",
        form=form,
        flt=flt,
        pagination=pagination,
        htmx_request=is_htmx(),
    )


@bp.get("/organisations/<int:org_id>")
def detail(org_id: int):
    organisation = get_organisation_or_404(org_id)
    pending_request = None
    join_form = None
    if current_user.is_authenticated and membership_of(current_user, organisation) is None:
        pending_request = db.session.scalar(
            select(JoinRequest).where(
                JoinRequest.organisation_id == organisation.id,
                JoinRequest.user_id == current_user.id,
                JoinRequest.state == JoinRequestState.pending,
            )
        )
        if pending_request is None and can_request_to_join(current_user, organisation):
            join_form = JoinRequestForm(formdata=None)
    return render_template(
        "organisations/detail.html",
        organisation=organisation,
        membership=membership_of(current_user, organisation),
        pending_request=pending_request,
        join_form=join_form,
        former_names=lifecycle.former_names(organisation),
        other_units=[unit for unit in lifecycle.other_units(organisation)
                     if can_view_organisation(current_user, unit)],
    )


# --- create and edit ---------------------------------------------------------------------


@bp.route("/organisations/new", methods=["GET", "POST"])
@login_required
def create():
    if not can_create_organisation(current_user):
        flash(_l("Verify your e-mail address before registering an organisation. "
                 "Open the link we sent you, or ask for a new one on this page."), "warning")
        return redirect(url_for("auth.account"))
    form = OrganisationForm()
    status = 200
    if form.validate_on_submit():
        outcome = perform(lambda: services.create_organisation(current_user, form.service_data()),
                          form=form)
        if outcome.ok:
            organisation = outcome.value
            flash(_l("%(org)s has been registered. An administrator will verify it; we will "
                     "e-mail you when it is done. Meanwhile you can invite members and write "
                     "drafts.", org=organisation.name), "success")
            return redirect(url_for("organisations.detail", org_id=organisation.id))
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("organisations/form.html", form=form, organisation=None,
                           existing=_registered_with(form)), status


def _registered_with(form: OrganisationForm, organisation: Organisation | None = None):
    """After a refused Business ID: the organisations already registered with it that the user
    may see, to ask to join (or to register a unit of)."""
    if not form.business_id.errors and not form.unit_name.errors:
        return []
    from app.organisations import business_id as bid

    normalised = bid.normalise(form.business_id.data or "")
    if not bid.is_valid(normalised):
        return []
    return [org for org in lifecycle.organisations_with_business_id(normalised)
            if (organisation is None or org.id != organisation.id)
            and can_view_organisation(current_user, org)]


@bp.route("/organisations/<int:org_id>/edit", methods=["GET", "POST"])
@login_required
def edit(org_id: int):
    organisation = get_organisation_or_404(org_id, check=can_edit_organisation)
    form = OrganisationForm(obj=organisation)
    status = 200
    if form.validate_on_submit():
        was_verified = organisation.is_verified
        outcome = perform(lambda: services.update_organisation(current_user, organisation,
                                                               form.service_data()), form=form)
        if outcome.ok:
            if was_verified and not organisation.is_verified:
                flash(_l("The changes have been saved. Because the Business ID or the type "
                         "changed, an administrator will verify the organisation again."),
                      "warning")
            else:
                flash(_l("The changes have been saved."), "success")
            return redirect(url_for("organisations.detail", org_id=organisation.id))
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("organisations/form.html", form=form, organisation=organisation,
                           existing=_registered_with(form, organisation)), status


@bp.post("/organisations/<int:org_id>/resubmit")
@login_required
def resubmit(org_id: int):
    organisation = get_organisation_or_404(org_id, check=permissions.can_resubmit)
    form = ActionForm()
    if form.validate_on_submit():
        perform(lambda: services.resubmit_for_verification(current_user, organisation)).flash(
            _l("The organisation has been sent for verification again."))
    return redirect(url_for("organisations.detail", org_id=organisation.id))


# --- joining -----------------------------------------------------------------------------


@bp.post("/organisations/<int:org_id>/join")
@login_required
def join_request(org_id: int):
    organisation = get_organisation_or_404(org_id)
    if not current_user.is_verified:
        flash(_l("Verify your e-mail address before asking to join an organisation."), "warning")
        return redirect(url_for("organisations.detail", org_id=organisation.id))
    if membership_of(current_user, organisation) is not None:
        flash(_l("You are already a member of this organisation."), "info")
        return redirect(url_for("organisations.detail", org_id=organisation.id))
    if not can_request_to_join(current_user, organisation):
        abort(403)
    form = JoinRequestForm()
    if form.validate_on_submit():
        perform(lambda: services.request_to_join(current_user, organisation,
                                                 form.message.data or "")).flash(
            _l("Your request has been sent to the owners of %(org)s. We will e-mail you "
               "their answer.", org=organisation.name))
    else:
        for errors in form.errors.values():
            for message in errors:
                flash(message, "error")
    return redirect(url_for("organisations.detail", org_id=organisation.id))


# --- my work -----------------------------------------------------------------------------


@bp.get("/dashboard")
@login_required
def dashboard():
    memberships = sorted(services.memberships_by_organisation(current_user).values(),
                         key=lambda m: m.organisation.name.lower())
    invitations = []
    if current_user.is_verified:
        joined = {m.organisation_id for m in memberships}
        invitations = [invitation for invitation in queries.open_invitations_for(current_user.email)
                       if invitation.organisation_id not in joined]
    awaiting = None
    if permissions.can_verify_organisations(current_user):
        awaiting = db.session.scalar(
            select(func.count()).select_from(Organisation)
            .where(Organisation.status == OrganisationStatus.unverified)
        )
    return render_template(
        "organisations/dashboard.html",
        memberships=memberships,
        invitations=invitations,
        awaiting=awaiting,
    )

