"""A call's documents (the official call notice and others) and its information sessions.
Plain functions: they flush; the view commits. Each checks its actor with the predicate the
views use and writes an audit entry (changes made by the authority's staff)."""

from __future__ import annotations

from datetime import datetime
from urllib.parse import urlsplit

from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.calls.models import LANGS, Call, CallDocument, CallInfoSession
from app.calls.permissions import can_manage_call_documents
from app.core import audit, clock
from app.core.domain import DomainError, NotAllowed
from app.extensions import db

DOCUMENT_KINDS = ("notice", "other")
MAX_DOCUMENTS = 20
MAX_SESSIONS = 20


def _require_manager(user: User, call: Call) -> None:
    if not can_manage_call_documents(user, call):
        raise NotAllowed(_l("Only the call managers of the funding authority change the "
                            "call's documents and information sessions."))


def add_document(user: User, call: Call, file_storage, kind: str, title: str, language: str,
                 now: datetime | None = None) -> CallDocument:
    """Check and store an uploaded call document (uploads.UploadError explains a refusal)."""
    from app.core.uploads import store_upload, validate_upload

    _require_manager(user, call)
    if kind not in DOCUMENT_KINDS:
        raise DomainError(_l("Choose the kind of document."), field="kind")
    title = " ".join((title or "").split())[:200]
    if not title:
        raise DomainError(_l("Give the document a title."), field="title")
    if language not in LANGS:
        raise DomainError(_l("Choose the language of the document."), field="language")
    if len(call.documents) >= MAX_DOCUMENTS:
        raise DomainError(_l("A call can have at most %(n)s documents.", n=MAX_DOCUMENTS))
    if file_storage is None:
        raise DomainError(_l("No file was chosen."), field="file")
    checked = validate_upload(file_storage)
    stored = store_upload(checked, file_storage)
    document = CallDocument(
        kind=kind, title=title, language=language, filename=checked.filename,
        stored_name=stored, content_type=checked.content_type, size=checked.size,
        sha256=checked.sha256, uploaded_by_id=user.id, created_at=clock.resolve(now))
    call.documents.append(document)
    db.session.flush()
    audit.record("call.document_added", actor=user, obj=call, organisation=call.organisation,
                 document=document.id, kind=kind, filename=checked.filename)
    return document


def delete_document(user: User, document: CallDocument) -> str:
    """Remove the document's row; returns the stored name for the view to delete after the
    commit (a failed commit then leaves the file in place)."""
    call = document.call
    _require_manager(user, call)
    stored_name = document.stored_name
    audit.record("call.document_removed", actor=user, obj=call, organisation=call.organisation,
                 document=document.id, filename=document.filename)
    call.documents.remove(document)
    db.session.flush()
    return stored_name


def _online_url(url: str) -> str:
    url = (url or "").strip()
    if not url:
        return ""
    parts = urlsplit(url)
    if parts.scheme != "https" or not parts.hostname or any(ch.isspace() for ch in url):
        raise DomainError(_l("Enter the link as an https:// address."), field="url")
    return url


def add_info_session(user: User, call: Call, starts_at: datetime | None,
                     ends_at: datetime | None = None, place: str = "", url: str = "",
                     description: str = "") -> CallInfoSession:
    """An information session: a start time, an optional end, a place or an online link."""
    _require_manager(user, call)
    if starts_at is None:
        raise DomainError(_l("Enter when the session starts."), field="starts_at")
    if ends_at is not None and ends_at <= starts_at:
        raise DomainError(_l("The session must end after it starts."), field="ends_at")
    place = " ".join((place or "").split())[:300]
    url = _online_url(url)
    if not place and not url:
        raise DomainError(_l("Give the place of the session or the link to join it online."),
                          field="place")
    description = (description or "").replace("\r\n", "\n").strip()
    if len(description) > 500:
        raise DomainError(_l("Keep the description under 500 characters."), field="description")
    if len(call.info_sessions) >= MAX_SESSIONS:
        raise DomainError(_l("A call can have at most %(n)s information sessions.",
                             n=MAX_SESSIONS))
    session = CallInfoSession(starts_at=starts_at, ends_at=ends_at, place=place, url=url,
                              description=description)
    call.info_sessions.append(session)
    db.session.flush()
    audit.record("call.info_session_added", actor=user, obj=call,
                 organisation=call.organisation, session=session.id)
    return session


def delete_info_session(user: User, session: CallInfoSession) -> None:
    """Remove an information session."""
    call = session.call
    _require_manager(user, call)
    audit.record("call.info_session_removed", actor=user, obj=call,
                 organisation=call.organisation, session=session.id)
    call.info_sessions.remove(session)
    db.session.flush()
