"""A call's documents and information sessions: the call managers' page to add and remove
them, and the download of a document (public for a published call)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.calls import bp, documents, permissions
from app.calls.forms import DocumentForm, InfoSessionForm
from app.calls.loaders import get_call_or_404
from app.calls.models import Call, CallDocument, CallInfoSession
from app.core.forms import ActionForm
from app.core.unit_of_work import perform
from app.core.uploads import ACCEPT, UploadError
from app.extensions import db


def _page(call: Call, document_form=None, session_form=None, file_errors=(), status=200):
    return render_template(
        "calls/documents.html", call=call,
        document_form=document_form or DocumentForm(formdata=None),
        session_form=session_form or InfoSessionForm(formdata=None),
        file_errors=list(file_errors), accept=ACCEPT,
        action_form=ActionForm(formdata=None)), status


def _part_or_404(model, part_id: int, call: Call):
    part = db.session.get(model, part_id)
    if part is None or part.call_id != call.id:
        abort(404)
    return part


@bp.get("/calls/<int:call_id>/documents")
@login_required
def documents_page(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_manage_call_documents)
    return _page(call)


@bp.post("/calls/<int:call_id>/documents")
@login_required
def document_add(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_manage_call_documents)
    form = DocumentForm()
    upload = request.files.get("file")
    file_errors = []
    if not upload or not upload.filename:
        file_errors.append(_l("No file was chosen."))
    if form.validate_on_submit() and not file_errors:
        outcome = perform(lambda: documents.add_document(
            current_user, call, upload, form.kind.data, form.title.data, form.language.data),
            form=form)
        if outcome.ok:
            flash(_l("%(name)s has been added to the call.", name=outcome.value.filename),
                  "success")
            return redirect(url_for("calls.documents_page", call_id=call.id))
        if isinstance(outcome.error, UploadError) or (
                outcome.error is not None and outcome.error.field == "file"):
            file_errors.append(outcome.error.message)
        return _page(get_call_or_404(call_id), document_form=form, file_errors=file_errors,
                     status=outcome.status)
    return _page(call, document_form=form, file_errors=file_errors, status=422)


@bp.get("/calls/<int:call_id>/documents/<int:document_id>")
def document_download(call_id: int, document_id: int):
    from app.core.uploads import send_upload

    call = get_call_or_404(call_id)
    if not permissions.can_download_call_document(current_user, call):
        abort(404)
    document = _part_or_404(CallDocument, document_id, call)
    try:
        return send_upload(document.stored_name, document.filename, document.content_type)
    except (FileNotFoundError, ValueError):
        abort(404)


@bp.post("/calls/<int:call_id>/documents/<int:document_id>/delete")
@login_required
def document_delete(call_id: int, document_id: int):
    from app.core.uploads import delete_upload

    call = get_call_or_404(call_id, check=permissions.can_manage_call_documents)
    document = _part_or_404(CallDocument, document_id, call)
    if not ActionForm().validate_on_submit():
        abort(400)
    outcome = perform(lambda: documents.delete_document(current_user, document))
    if outcome.ok:
        delete_upload(outcome.value)  # only after the commit: a rollback keeps the file
    outcome.flash(_l("The document has been removed."))
    return redirect(url_for("calls.documents_page", call_id=call.id))


@bp.post("/calls/<int:call_id>/sessions")
@login_required
def session_add(call_id: int):
    call = get_call_or_404(call_id, check=permissions.can_manage_call_documents)
    form = InfoSessionForm()
    if form.validate_on_submit():
        outcome = perform(lambda: documents.add_info_session(
            current_user, call, form.starts_at.data, form.ends_at.data, form.place.data,
            form.url.data, form.description.data), form=form)
        if outcome.ok:
            flash(_l("The information session has been added."), "success")
            return redirect(url_for("calls.documents_page", call_id=call.id))
        return _page(get_call_or_404(call_id), session_form=form, status=outcome.status)
    return _page(call, session_form=form, status=422)


@bp.post("/calls/<int:call_id>/sessions/<int:session_id>/delete")
@login_required
def session_delete(call_id: int, session_id: int):
    call = get_call_or_404(call_id, check=permissions.can_manage_call_documents)
    session = _part_or_404(CallInfoSession, session_id, call)
    if not ActionForm().validate_on_submit():
        abort(400)
    perform(lambda: documents.delete_info_session(current_user, session)).flash(
        _l("The information session has been removed."))
    return redirect(url_for("calls.documents_page", call_id=call.id))
