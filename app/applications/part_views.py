"""Partners, linked service models and attachments of an application (the parts of the
application page that are not sections or the budget)."""

from __future__ import annotations

import re

from flask import abort, flash, redirect, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.applications import bp, permissions
from app.applications import services as applications
from app.applications.forms import PartnerForm, PracticeLinkForm
from app.applications.loaders import get_application_or_404, get_part_or_404
from app.applications.models import (
    Application,
    ApplicationAttachment,
    ApplicationPartner,
    ApplicationPractice,
)
from app.applications.views import detail_url, render_fragment, render_page
from app.core.fields import parse_int
from app.core.forms import ActionForm
from app.core.htmx import is_htmx
from app.core.unit_of_work import perform, refuse
from app.extensions import db
from app.partners import finder
from app.practices.models import Practice

_PRACTICE_NUMBER = re.compile(r"(?:/practices/)?([0-9]{1,9})(?:-[^/]*)?/?")


# --- partners, service models, attachments ---------------------------------------------------


def _part_response(application: Application, part: str, message=None, status: int = 200,
                   **forms):
    if not is_htmx():
        if status < 400:
            flash(message, "success")
            return redirect(detail_url(application, f"section-{part}"))
        if message and not any(f.errors for f in forms.values() if f is not None):
            flash(message, "error")
        return render_page(application, status=status, **forms)
    return render_fragment(f"applications/_{part}_response.html", application, status=status,
                     part_message=message, part_failed=status >= 400, **forms)


@bp.post("/calls/applications/<int:application_id>/partners")
@login_required
def application_partner_invite(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = PartnerForm()
    if not form.validate_on_submit():
        outcome = refuse(_l("Check the partner's details."))
    else:
        # Picked by id (the picker or a listed choice), else a Business ID, else a name.
        pick = finder.resolve_pick(parse_int(request.form.get("organisation_id"), max_digits=9),
                                   form.business_id.data or "")
        organisation = form.chosen = pick.organisation
        if organisation is None:
            form.candidates = pick.candidates
            outcome = refuse(pick.message, form=form, field="business_id")
        else:
            outcome = perform(lambda: applications.invite_partner(
                current_user, application, organisation, form.role_description.data or "",
                kind=form.kind.data), form=form)
            if form.business_id.errors:
                form.chosen = None  # refused: the choice is made again
        if outcome.ok:
            return _part_response(application, "partners", _l(
                "%(org)s has been invited. It becomes a partner when its editors accept.",
                org=organisation.display_name))
    return _part_response(get_application_or_404(application_id), "partners",
                          outcome.message, status=outcome.status, partner_form=form)


@bp.post("/calls/applications/<int:application_id>/partners/<int:partner_id>/remove")
@login_required
def application_partner_remove(application_id: int, partner_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    partner = get_part_or_404(ApplicationPartner, partner_id, application)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(lambda: applications.remove_partner(current_user, partner))
    if outcome.ok:
        return _part_response(application, "partners", _l("The partner has been removed."))
    return _part_response(get_application_or_404(application_id), "partners", outcome.message,
                          status=outcome.status)


def _respond(application_id: int, partner_id: int, accept: bool):
    application = get_application_or_404(application_id)
    partner = get_part_or_404(ApplicationPartner, partner_id, application)
    if not permissions.can_respond_to_partnership(current_user, partner):
        abort(403)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(lambda: applications.respond_to_partnership(current_user, partner, accept)).flash(
        _l("You have accepted the invitation.") if accept
        else _l("You have declined the invitation."))
    if accept:
        return redirect(detail_url(application))
    return redirect(url_for("applications.applications_mine"))


@bp.post("/calls/applications/<int:application_id>/partners/<int:partner_id>/accept")
@login_required
def application_partner_accept(application_id: int, partner_id: int):
    return _respond(application_id, partner_id, True)


@bp.post("/calls/applications/<int:application_id>/partners/<int:partner_id>/decline")
@login_required
def application_partner_decline(application_id: int, partner_id: int):
    return _respond(application_id, partner_id, False)


@bp.post("/calls/applications/<int:application_id>/practices")
@login_required
def application_practice_link(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    form = PracticeLinkForm()
    if not form.validate_on_submit():
        outcome = refuse(_l("Check the service model."))
    else:
        match = _PRACTICE_NUMBER.search(form.practice.data.strip())
        practice = db.session.get(Practice, int(match.group(1))) if match else None
        outcome = perform(lambda: applications.link_practice(current_user, application, practice),
                          form=form)
        if outcome.ok:
            return _part_response(application, "practices",
                                  _l("The service model has been linked."))
    return _part_response(get_application_or_404(application_id), "practices", outcome.message,
                          status=outcome.status, practice_form=form)


@bp.post("/calls/applications/<int:application_id>/practices/<int:link_id>/remove")
@login_required
def application_practice_unlink(application_id: int, link_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    link = get_part_or_404(ApplicationPractice, link_id, application)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(lambda: applications.unlink_practice(current_user, link))
    if outcome.ok:
        return _part_response(application, "practices", _l("The service model has been removed."))
    return _part_response(get_application_or_404(application_id), "practices", outcome.message,
                          status=outcome.status)


@bp.post("/calls/applications/<int:application_id>/attachments")
@login_required
def application_attachment_add(application_id: int):
    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    if not ActionForm().validate_on_submit():
        abort(400)
    upload = request.files.get("file")
    if upload is None:
        outcome = refuse(_l("No file was chosen."))
    else:
        outcome = perform(lambda: applications.add_attachment(current_user, application, upload))
    outcome.flash(outcome.ok and _l("%(name)s has been attached.", name=outcome.value.filename))
    return redirect(detail_url(application, "section-attachments"))


@bp.get("/calls/applications/<int:application_id>/attachments/<int:attachment_id>")
@login_required
def application_attachment_download(application_id: int, attachment_id: int):
    from app.core.uploads import send_upload

    application = get_application_or_404(application_id)
    attachment = get_part_or_404(ApplicationAttachment, attachment_id, application)
    if not permissions.can_download_attachment(current_user, attachment):
        abort(404)
    try:
        return send_upload(attachment.stored_name, attachment.filename, attachment.content_type)
    except (FileNotFoundError, ValueError):
        abort(404)


@bp.post("/calls/applications/<int:application_id>/attachments/<int:attachment_id>/delete")
@login_required
def application_attachment_delete(application_id: int, attachment_id: int):
    from app.core.uploads import delete_upload

    application = get_application_or_404(application_id, check=permissions.can_edit_application)
    attachment = get_part_or_404(ApplicationAttachment, attachment_id, application)
    if not ActionForm().validate_on_submit():
        abort(400)
    keep_file = application.revision_count > 0  # an earlier revision still refers to it
    outcome = perform(lambda: applications.delete_attachment(current_user, attachment))
    if outcome.ok and not keep_file:
        delete_upload(outcome.value)  # only after the commit: a rollback keeps the file
    outcome.flash(_l("The attachment has been removed."))
    return redirect(detail_url(application, "section-attachments"))
