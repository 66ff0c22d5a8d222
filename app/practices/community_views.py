"""What other organisations do with a model: partners, validation by an ELY Centre, adoption."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.core.fields import parse_int
from app.core.unit_of_work import perform
from app.extensions import db
from app.organisations.models import Organisation
from app.practices import bp, community, queries
from app.practices.forms import (
    ActionForm,
    AdoptForm,
    PartnerInviteForm,
    PartnerResponseForm,
    PartnerSearchForm,
    ValidateForm,
    WithdrawForm,
)
from app.practices.permissions import (
    adopting_organisations,
    can_adopt_practice,
    can_edit_practice,
    can_remove_adoption,
    can_remove_partner,
    can_respond_to_partnership,
    can_validate_practice,
    can_view_partners,
    can_view_practice,
    can_withdraw_validation,
    has_partner_invitation,
    validating_organisations,
)
from app.practices.views import canonical_url, get_practice_or_404, render_detail


def _flash_form_errors(form) -> None:
    for errors in form.errors.values():
        for message in errors:
            flash(message, "error")


# --- partners ------------------------------------------------------------------------------


@bp.route("/practices/<int:practice_id>/partners", methods=["GET", "POST"])
@login_required
def partners(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_view_partners, full=True,
                                   allow=has_partner_invitation)
    can_manage = can_edit_practice(current_user, practice)
    search = PartnerSearchForm(request.args)
    form = None
    status = 200
    if request.method == "POST":
        if not can_manage:
            abort(403)
        posted = parse_int(request.form.get("organisation"))
        chosen = db.session.get(Organisation, posted) if posted is not None else None
        form = PartnerInviteForm(candidates=[chosen] if chosen else [])
        status = 422
        if form.validate_on_submit():
            outcome = perform(lambda: community.invite_partner(current_user, practice, chosen),
                              form=form)
            if outcome.ok:
                flash(_l("%(org)s has been invited as a partner. Its editors will accept or "
                         "decline.", org=chosen.name), "success")
                return redirect(url_for("practices.partners", practice_id=practice.id))
            status = outcome.status
            practice = get_practice_or_404(practice_id, full=True, allow=has_partner_invitation)
    candidates = queries.partner_candidates(practice, search.q.data or "") if can_manage else []
    if form is None or not form.errors:
        form = PartnerInviteForm(formdata=None, candidates=candidates)
    else:
        errors, form_errors = form.organisation.errors, form.form_errors
        form = PartnerInviteForm(formdata=None, candidates=candidates)
        form.organisation.errors = errors
        form.form_errors = form_errors
    return render_template(
        "practices/partners.html",
        practice=practice,
        can_manage=can_manage,
        search=search,
        form=form,
        candidates=candidates,
        response_form=PartnerResponseForm(formdata=None),
        action_form=ActionForm(formdata=None),
    ), status


def _partner_or_404(practice, partner_id: int):
    partner = next((p for p in practice.partners if p.id == partner_id), None)
    if partner is None:
        abort(404)
    return partner


@bp.post("/practices/<int:practice_id>/partners/<int:partner_id>/respond")
@login_required
def partner_respond(practice_id: int, partner_id: int):
    practice = get_practice_or_404(practice_id, full=True, allow=has_partner_invitation)
    partner = _partner_or_404(practice, partner_id)
    if not can_respond_to_partnership(current_user, partner):
        abort(403)
    form = PartnerResponseForm()
    if form.validate_on_submit():
        accept = form.decision.data == "accept"
        name = partner.organisation.name
        perform(lambda: community.respond_to_partnership(current_user, partner, accept)).flash(
            _l("%(org)s is now a partner of the service model.", org=name)
            if accept else _l("You declined the invitation."))
    else:
        _flash_form_errors(form)
    if can_view_practice(current_user, practice):
        return redirect(url_for("practices.partners", practice_id=practice.id))
    return redirect(url_for("organisations.dashboard"))


@bp.post("/practices/<int:practice_id>/partners/<int:partner_id>/remove")
@login_required
def partner_remove(practice_id: int, partner_id: int):
    practice = get_practice_or_404(practice_id, full=True)
    partner = _partner_or_404(practice, partner_id)
    if not can_remove_partner(current_user, partner):
        abort(403)
    form = ActionForm()
    if form.validate_on_submit():
        name = partner.organisation.name
        perform(lambda: community.remove_partner(current_user, partner)).flash(
            _l("%(org)s is no longer a partner.", org=name))
    if can_view_practice(current_user, practice):
        return redirect(url_for("practices.partners", practice_id=practice.id))
    return redirect(url_for("organisations.dashboard"))


# --- validation by an ELY Centre -------------------------------------------------------------


@bp.post("/practices/<int:practice_id>/validate")
@login_required
def validate(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_validate_practice, full=True)
    organisations = validating_organisations(current_user, practice)
    form = ValidateForm(organisations=organisations)
    status = 422
    if form.validate_on_submit():
        organisation = next(org for org in organisations if str(org.id) == form.organisation.data)
        outcome = perform(lambda: community.validate_practice(current_user, organisation, practice,
                                                              form.statement.data), form=form)
        if outcome.ok:
            flash(_l("The service model has been marked as validated."), "success")
            return redirect(canonical_url(practice, _anchor="validation-title"))
        status = outcome.status
        practice = get_practice_or_404(practice_id, full=True)
    return render_detail(practice, validate_form=form, status=status)


@bp.post("/practices/<int:practice_id>/validation/withdraw")
@login_required
def validation_withdraw(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_withdraw_validation, full=True)
    form = WithdrawForm()
    status = 422
    if form.validate_on_submit():
        outcome = perform(lambda: community.withdraw_validation(current_user, practice,
                                                                form.reason.data or ""))
        if outcome.ok:
            flash(_l("The validation has been withdrawn."), "success")
            return redirect(canonical_url(practice))
        outcome.flash()
        status = outcome.status
        practice = get_practice_or_404(practice_id, full=True)
    return render_detail(practice, withdraw_form=form, status=status)


# --- adoption ---------------------------------------------------------------------------------


@bp.route("/practices/<int:practice_id>/adopt", methods=["GET", "POST"])
@login_required
def adopt(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_adopt_practice, full=True)
    organisations = adopting_organisations(current_user, practice)
    form = AdoptForm(organisations=organisations)
    status = 200
    if form.validate_on_submit():
        organisation = next(org for org in organisations if str(org.id) == form.organisation.data)
        outcome = perform(lambda: community.record_adoption(
            current_user, organisation, practice, regions=form.regions.data or [],
            since=form.since.data, note=form.note.data or ""), form=form)
        if outcome.ok:
            flash(_l("Thank you: %(org)s is now listed as using this service model.",
                     org=organisation.name), "success")
            return redirect(canonical_url(practice, _anchor="adoptions-title"))
        status = outcome.status
        practice = get_practice_or_404(practice_id, full=True)
    elif form.errors:
        status = 422
    return render_template("practices/adopt.html", practice=practice, form=form,
                           content=practice.current_version.content), status


@bp.post("/practices/<int:practice_id>/adoptions/<int:adoption_id>/remove")
@login_required
def adoption_remove(practice_id: int, adoption_id: int):
    practice = get_practice_or_404(practice_id, full=True)
    adoption = next((a for a in practice.adoptions if a.id == adoption_id), None)
    if adoption is None:
        abort(404)
    if not can_remove_adoption(current_user, adoption):
        abort(403)
    form = ActionForm()
    if form.validate_on_submit():
        name = adoption.organisation.name
        perform(lambda: community.remove_adoption(current_user, adoption)).flash(
            _l("%(org)s is no longer listed as using this service model.", org=name))
    return redirect(canonical_url(practice, _anchor="adoptions-title"))
