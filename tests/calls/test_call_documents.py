"""Call documents (the official call notice and others) and information sessions: call managers
add and remove them (audit-logged); a published call's documents are public, a draft's only for
its call managers; the call page shows upcoming and past sessions in Finnish time."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import pytest

from app.calls import documents
from app.core.db import utcnow
from app.core.domain import NotAllowed
from app.extensions import db
from tests.fixtures.calls import PDF, call_manager_of


def _upload(client, call, data=None, content=PDF, filename="hakuilmoitus.pdf"):
    form = {"kind": "notice", "title": "Hakuilmoitus", "language": "fi", **(data or {})}
    if content is not None:
        form["file"] = (io.BytesIO(content), filename)
    return client.post(f"/calls/{call.id}/documents", data=form,
                       content_type="multipart/form-data")


@pytest.fixture
def managed(make_call, login_as):
    call = make_call(phase="open")
    login_as(call_manager_of(call))
    return call


def test_a_manager_adds_the_call_notice_and_anyone_downloads_it(client, app, managed,
                                                                audit_actions):
    response = _upload(client, managed)
    assert response.status_code == 302
    document = managed.documents[0]
    assert (document.kind, document.title, document.language) == ("notice", "Hakuilmoitus", "fi")
    assert "call.document_added" in audit_actions(managed.organisation)
    anonymous = app.test_client()
    page = anonymous.get(f"/calls/{managed.id}").get_data(as_text=True)
    assert "Official call notice" in page and "Hakuilmoitus" in page
    download = anonymous.get(f"/calls/{managed.id}/documents/{document.id}")
    assert download.status_code == 200 and download.data == PDF
    assert "attachment" in download.headers["Content-Disposition"]


def test_a_refused_file_is_shown_at_the_file_input(client, managed):
    response = _upload(client, managed, content=b"MZ not a pdf", filename="ohje.exe")
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert 'id="document-file-error"' in html and "file type is not allowed" in html
    assert 'value="Hakuilmoitus"' in html  # the title typed is kept
    mismatch = _upload(client, managed, content=b"just text", filename="ilmoitus.pdf")
    assert mismatch.status_code == 422
    assert "does not match" in mismatch.get_data(as_text=True)
    missing = _upload(client, managed, content=None)
    assert missing.status_code == 422 and "No file was chosen." in missing.get_data(as_text=True)
    untitled = _upload(client, managed, data={"title": ""})
    assert untitled.status_code == 422 and 'id="title-error"' in untitled.get_data(as_text=True)
    assert managed.documents == []


def test_removing_a_document_asks_first_and_deletes_the_file(client, app, managed,
                                                            audit_actions):
    _upload(client, managed)
    document = managed.documents[0]
    stored, document_id = document.stored_name, document.id
    page = client.get(f"/calls/{managed.id}/documents").get_data(as_text=True)
    assert "data-confirm=" in page.split(f"/documents/{document.id}/delete", 1)[1][:300]
    response = client.post(f"/calls/{managed.id}/documents/{document.id}/delete", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert managed.documents == []
    from app.core.uploads import _path

    assert not _path(stored).exists()
    assert "call.document_removed" in audit_actions(managed.organisation)
    assert app.test_client().get(f"/calls/{managed.id}/documents/{document_id}").status_code == 404


def test_a_draft_calls_documents_are_for_its_call_managers_only(client, app, make_call,
                                                                login_as, make_user):
    call = make_call(phase="draft")
    manager = call_manager_of(call)
    login_as(manager)
    _upload(client, call)
    document = call.documents[0]
    assert client.get(f"/calls/{call.id}/documents/{document.id}").status_code == 200
    assert app.test_client().get(f"/calls/{call.id}/documents/{document.id}").status_code == 404
    outsider = app.test_client()
    login_as(make_user(), outsider)
    assert outsider.get(f"/calls/{call.id}/documents/{document.id}").status_code == 404


def test_only_call_managers_change_documents_and_sessions(client, managed, make_user,
                                                          add_member, login_as, db):
    reviewer = make_user()
    from app.organisations.models import Role

    add_member(managed.organisation, reviewer, Role.member, reviewer=True)
    login_as(reviewer)
    assert _upload(client, managed).status_code == 403
    assert client.post(f"/calls/{managed.id}/sessions", data={
        "starts_at": "2030-01-10T10:00", "place": "Mikkeli"}).status_code == 403
    with pytest.raises(NotAllowed):
        documents.add_info_session(reviewer, managed, utcnow() + timedelta(days=3),
                                   place="Mikkeli")
    assert managed.info_sessions == []


def test_information_sessions_are_added_checked_and_shown_in_finnish_time(client, app, managed,
                                                                          audit_actions):
    bad = client.post(f"/calls/{managed.id}/sessions", data={
        "starts_at": "2030-01-10T10:00", "url": "http://example.fi/teams"})
    assert bad.status_code == 422
    assert "https://" in bad.get_data(as_text=True).split('id="url-error"', 1)[1][:200]
    backwards = client.post(f"/calls/{managed.id}/sessions", data={
        "starts_at": "2030-01-10T10:00", "ends_at": "2030-01-10T09:00", "place": "Mikkeli"})
    assert backwards.status_code == 422 and 'id="ends_at-error"' in backwards.get_data(
        as_text=True)
    nowhere = client.post(f"/calls/{managed.id}/sessions", data={"starts_at": "2030-01-10T10:00"})
    assert nowhere.status_code == 422 and 'id="place-error"' in nowhere.get_data(as_text=True)
    assert managed.info_sessions == []

    ok = client.post(f"/calls/{managed.id}/sessions", data={
        "starts_at": "2030-01-10T10:00", "ends_at": "2030-01-10T11:30",
        "url": "https://teams.example.fi/info", "description": "Haun infotilaisuus"})
    assert ok.status_code == 302
    session = managed.info_sessions[0]
    assert session.starts_at == datetime(2030, 1, 10, 8, 0, tzinfo=UTC)  # 10.00 in Helsinki
    assert "call.info_session_added" in audit_actions(managed.organisation)
    documents.add_info_session(call_manager_of(managed), managed, utcnow() - timedelta(days=2),
                               place="Mikkelin kirjasto")
    db.session.commit()
    html = app.test_client().get(f"/calls/{managed.id}").get_data(as_text=True)
    upcoming, past = html.split("Past sessions", 1)
    assert "https://teams.example.fi/info" in upcoming and "Mikkelin kirjasto" in past
    assert "Mikkelin kirjasto" not in upcoming
    assert "10:00" in upcoming or "10.00" in upcoming

    response = client.post(f"/calls/{managed.id}/sessions/{session.id}/delete", data={})
    assert response.status_code == 302
    db.session.expire_all()
    assert len(managed.info_sessions) == 1
    assert "call.info_session_removed" in audit_actions(managed.organisation)


def test_parts_of_another_call_are_not_found(client, managed, make_call):
    other = make_call(phase="open")
    documents.add_info_session(call_manager_of(other), other, utcnow() + timedelta(days=3),
                               place="Tampere")
    db.session.commit()
    session = other.info_sessions[0]
    response = client.post(f"/calls/{managed.id}/sessions/{session.id}/delete", data={})
    assert response.status_code == 404
