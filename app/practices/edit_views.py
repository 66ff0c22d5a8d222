"""Writing service models: create, edit (with autosave, preview and edit conflicts), publish,
archive and restore, the contact person and attachments."""

from __future__ import annotations

from flask import abort, flash, make_response, redirect, render_template, request, url_for
from flask_babel import format_decimal, format_time
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.auth.models import User
from app.core.codelists import LANGUAGES
from app.core.db import utcnow
from app.core.htmx import is_htmx, render_page_or_fragment
from app.core.unit_of_work import perform, refuse
from app.extensions import db
from app.organisations.services import memberships_by_organisation
from app.practices import bp, community, queries, services
from app.practices.forms import (
    FIELD_LABELS,
    SECTION_MAX,
    ActionForm,
    AttachmentForm,
    ContactForm,
    CreateForm,
    PracticeForm,
    PublishForm,
)
from app.practices.models import SECTIONS, Practice, PracticeAttachment
from app.practices.permissions import (
    can_archive_practice,
    can_create_practice,
    can_edit_practice,
    can_restore_practice,
)
from app.practices.services import EditConflict
from app.practices.views import DIFF_FIELDS, canonical_url, diff_display, get_practice_or_404

PREVIEW_FIELDS = ("summary", *SECTIONS)


# --- create --------------------------------------------------------------------------------


def _writable_organisations():
    return sorted(
        (m.organisation for m in memberships_by_organisation(current_user).values()
         if can_create_practice(current_user, m.organisation)),
        key=lambda org: org.name.lower(),
    )


@bp.route("/practices/new", methods=["GET", "POST"])
@login_required
def create():
    organisations = _writable_organisations()
    if request.method == "POST" and not organisations:
        abort(403)
    form = CreateForm(organisations=organisations)
    if request.method == "GET":
        wanted = request.args.get("org", "")
        if any(str(org.id) == wanted for org in organisations):
            form.organisation.data = wanted
        form.language.data = current_user.language if current_user.language in LANGUAGES else "fi"
    status = 200
    if form.validate_on_submit():
        organisation = next(org for org in organisations if str(org.id) == form.organisation.data)
        outcome = perform(lambda: services.create_practice(current_user, organisation, {
            "title": form.title.data, "language": form.language.data,
            "summary": form.summary.data or "",
        }), form=form)
        if outcome.ok:
            flash(_l("The draft has been created. Write the rest of the model; it is saved as "
                     "you type."), "success")
            return redirect(url_for("practices.edit", practice_id=outcome.value.id))
        status = outcome.status
    elif form.errors:
        status = 422
    return render_template("practices/create.html", form=form, organisations=organisations), status


# --- edit, autosave, conflicts ---------------------------------------------------------------


def _normalised(data: dict) -> dict:
    """The writer's values as the service would store them (to compare with theirs)."""
    from app.practices.services import CHOICE_FIELDS, LIST_FIELDS, clean_tags

    clean = {}
    for name, value in data.items():
        if name in LIST_FIELDS:
            clean[name] = LIST_FIELDS[name].clean(value or [])
        elif name == "tags":
            clean[name] = clean_tags(value or [])
        elif name in CHOICE_FIELDS:
            clean[name] = value or ""
        else:
            clean[name] = (value or "").replace("\r\n", "\n").strip()
    return clean


def conflict_view(conflict: EditConflict, mine: dict, lock_version: int) -> dict:
    """Both texts of every field that differs, and what "keep mine" resubmits."""
    mine = _normalised(mine)
    theirs_shown, mine_shown = diff_display(conflict.theirs), diff_display(mine)
    rows = []
    for name in DIFF_FIELDS:
        if name not in mine:
            continue
        if (conflict.theirs.get(name) or "") != (mine.get(name) or ""):
            rows.append({"name": name, "label": FIELD_LABELS.get(name, name),
                         "theirs": _as_text(theirs_shown[name]),
                         "mine": _as_text(mine_shown[name])})
    hidden = []
    for name, value in mine.items():
        for item in value if isinstance(value, list) else [value]:
            hidden.append((name, item))
    if "tags" in mine:
        hidden = [(n, v) for n, v in hidden if n != "tags"] + [("tags", ", ".join(mine["tags"]))]
    return {"rows": rows, "hidden": hidden, "lock_version": lock_version}


def _as_text(value) -> str:
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return "" if value is None else str(value)


def render_edit(practice: Practice, form: PracticeForm | None = None, *, attachment_form=None,
                contact_form=None, conflict: dict | None = None, status: int = 200):
    members = queries.organisation_members(practice.organisation_id)
    if contact_form is None:
        contact_form = ContactForm(formdata=None, members=members,
                                   contact=str(practice.contact_user_id or ""))
    return render_template(
        "practices/edit.html",
        practice=practice,
        form=form or PracticeForm.for_practice(practice),
        attachment_form=attachment_form or AttachmentForm(formdata=None),
        contact_form=contact_form,
        action_form=ActionForm(formdata=None),
        conflict=conflict,
        missing=services.publish_checklist(practice),
    ), status


@bp.route("/practices/<int:practice_id>/edit", methods=["GET", "POST"])
@login_required
def edit(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_edit_practice, full=True)
    if request.method == "GET":
        return render_edit(practice)
    form = PracticeForm()
    if not form.validate_on_submit():
        return render_edit(practice, form, status=422)
    outcome = perform(lambda: services.save_practice(current_user, practice, form.service_data(),
                                                     form.lock_version_value()), form=form)
    if isinstance(outcome.error, EditConflict):
        view = conflict_view(outcome.error, form.service_data(), outcome.error.theirs_version)
        return render_template("practices/conflict.html", practice=practice, conflict=view), 409
    if not outcome.ok:
        return render_edit(get_practice_or_404(practice_id, full=True), form,
                           status=outcome.status)
    flash(_l("The changes have been saved.") if outcome.value else
          _l("There were no changes to save."), "success")
    return redirect(url_for("practices.edit", practice_id=practice.id))


@bp.post("/practices/<int:practice_id>/autosave")
@login_required
def autosave(practice_id: int):
    """htmx saves the draft a few seconds after typing stops; the answer updates the status
    line and the form's lock_version (out of band) with the version THIS save wrote, or shows
    the conflict."""
    practice = get_practice_or_404(practice_id, check=can_edit_practice)
    form = PracticeForm()
    if not form.validate_on_submit():
        message = next(iter(e for errors in form.errors.values() for e in errors), "")
        return _autosave_answer(practice, error=message, status=422)

    def save():
        services.save_practice(current_user, practice, form.service_data(),
                               form.lock_version_value())
        return practice.lock_version  # read before the commit: the version this save wrote

    outcome = perform(save)
    if isinstance(outcome.error, EditConflict):
        view = conflict_view(outcome.error, form.service_data(), outcome.error.theirs_version)
        if not is_htmx():
            return render_template("practices/conflict.html", practice=practice, conflict=view), 409
        response = make_response(render_template("practices/_conflict.html", practice=practice,
                                                  conflict=view, autosaved=True), 409)
        response.headers["HX-Retarget"] = "#edit-conflict"
        response.headers["HX-Reswap"] = "innerHTML"
        return response
    if not outcome.ok:
        return _autosave_answer(practice, error=outcome.message, status=outcome.status)
    return _autosave_answer(practice, saved_at=format_time(utcnow(), "short"),
                            version=outcome.value)


def _autosave_answer(practice: Practice, *, saved_at: str | None = None, error=None,
                     version: int | None = None, status: int = 200):
    if not is_htmx():
        if error:
            flash(error, "error")
        else:
            flash(_l("Saved at %(time)s.", time=saved_at), "success")
        return redirect(url_for("practices.edit", practice_id=practice.id))
    response = make_response(render_template("practices/_autosave_status.html", practice=practice,
                                             saved_at=saved_at, error=error, oob=True,
                                             version=version), status)
    response.vary.add("HX-Request")
    return response


@bp.post("/practices/preview")
@login_required
def preview():
    """Markdown as readers will see it: rendered and sanitised."""
    name = request.form.get("preview_field", "text")
    text = request.form.get(name, "") if name in (*PREVIEW_FIELDS, "text") else ""
    error = None
    limit = _preview_limit(name)
    if len(text) > limit:
        # The field would refuse it too; nothing is rendered (render_markdown bounds the work of
        # what is). The lengths are those of the browser's text, CRLF line breaks counted.
        error = _l("The text is too long to preview. It can be at most %(n)s characters long.",
                   n=format_decimal(limit))
        text = ""
    language = request.form.get("language", "")
    response = render_page_or_fragment(
        "practices/preview.html", "practices/_preview.html",
        text=text, error=error, field_name=name, label=FIELD_LABELS.get(name, _l("Preview")),
        language=language if language in LANGUAGES else None,
    )
    if error:
        response.status_code = 422
    return response


def _preview_limit(name: str) -> int:
    """The maximum length of the field being previewed (a section's for the generic "text")."""
    from wtforms.validators import Length

    unbound = getattr(PracticeForm, name if name in PREVIEW_FIELDS else "method")
    for validator in unbound.kwargs.get("validators", ()):
        if isinstance(validator, Length) and validator.max and validator.max > 0:
            return validator.max
    return SECTION_MAX


# --- publish, archive, restore -----------------------------------------------------------------


@bp.route("/practices/<int:practice_id>/publish", methods=["GET", "POST"])
@login_required
def publish(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_edit_practice)
    form = PublishForm()
    error = None
    status = 422 if request.method == "POST" else 200
    if form.validate_on_submit():
        outcome = perform(lambda: services.publish_practice(current_user, practice,
                                                            form.change_note.data or ""))
        if outcome.ok:
            flash(_l("Version %(n)s has been published.", n=outcome.value.number), "success")
            return redirect(canonical_url(practice))
        error, status = outcome.message, outcome.status
        practice = get_practice_or_404(practice_id)
    return render_template("practices/publish.html", practice=practice, form=form, error=error,
                           missing=services.publish_checklist(practice)), status


def _state_change(practice_id: int, check, change, done_message):
    practice = get_practice_or_404(practice_id, check=check)
    form = ActionForm()
    if form.validate_on_submit():
        perform(lambda: change(current_user, practice)).flash(done_message)
    return redirect(canonical_url(practice))


@bp.post("/practices/<int:practice_id>/archive")
@login_required
def archive(practice_id: int):
    return _state_change(practice_id, can_archive_practice, services.archive_practice,
                         _l("The service model has been archived. It is no longer public."))


@bp.post("/practices/<int:practice_id>/restore")
@login_required
def restore(practice_id: int):
    return _state_change(practice_id, can_restore_practice, services.restore_practice,
                         _l("The service model has been restored."))


# --- contact person and attachments -------------------------------------------------------------


@bp.post("/practices/<int:practice_id>/contact")
@login_required
def contact(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_edit_practice, full=True)
    members = queries.organisation_members(practice.organisation_id)
    form = ContactForm(members=members)
    status = 422
    if form.validate_on_submit():
        person = db.session.get(User, int(form.contact.data))
        if person is None:
            outcome = refuse(_l("The contact person must be a member of the organisation."),
                             form=form, field="contact")
        else:
            outcome = perform(lambda: services.set_contact(current_user, practice, person),
                              form=form)
        if outcome.ok:
            flash(_l("The contact person has been changed."), "success")
            return redirect(url_for("practices.edit", practice_id=practice.id,
                                    _anchor="contact-title"))
        status = outcome.status
        practice = get_practice_or_404(practice_id, full=True)
    return render_edit(practice, contact_form=form, status=status)


@bp.post("/practices/<int:practice_id>/attachments")
@login_required
def attachment_upload(practice_id: int):
    practice = get_practice_or_404(practice_id, check=can_edit_practice, full=True)
    form = AttachmentForm()
    status = 422
    if form.validate_on_submit():
        outcome = perform(lambda: community.add_attachment(current_user, practice, form.file.data))
        if outcome.ok:
            flash(_l("%(file)s has been attached.", file=outcome.value.filename), "success")
            return redirect(url_for("practices.edit", practice_id=practice.id,
                                    _anchor="attachments-title"))
        form.file.errors = [*form.file.errors, outcome.message]
        status = outcome.status
        practice = get_practice_or_404(practice_id, full=True)
    return render_edit(practice, attachment_form=form, status=status)


@bp.post("/practices/<int:practice_id>/attachments/<int:attachment_id>/delete")
@login_required
def attachment_delete(practice_id: int, attachment_id: int):
    from app.core.uploads import delete_upload

    practice = get_practice_or_404(practice_id, check=can_edit_practice, full=True)
    attachment = db.session.get(PracticeAttachment, attachment_id)
    if attachment is None or attachment.practice_id != practice.id:
        abort(404)
    form = ActionForm()
    if form.validate_on_submit():
        filename = attachment.filename
        outcome = perform(lambda: community.remove_attachment(current_user, attachment))
        if outcome.ok and outcome.value:
            delete_upload(outcome.value)  # only after the commit: a rollback keeps the file
        outcome.flash(_l("%(file)s has been removed.", file=filename) if outcome.value else
                      _l("%(file)s has been removed. It leaves the public page when you publish "
                         "a new version.", file=filename))
    return redirect(url_for("practices.edit", practice_id=practice.id, _anchor="attachments-title"))
