"""The upload attack list against the upload routes, through HTTP (issue 12 §4).

tests/core/test_uploads.py checks validate_upload itself; this sends the same kinds of files
(and hostile names) to a real upload route and checks the answer: a message on the field,
no row, no file in UPLOAD_DIR; an accepted file is served as a download.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest

from tests.core.test_uploads import DOCX, EXE, HTML, PDF, PNG, SVG, _deflated_zeros, _zip
from tests.security.attack_support import row_counter

MiB = 1024 * 1024
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 56
SHELL = b"#!/bin/sh\nrm -rf /\n"
POLYGLOT = PNG + b"<script>alert(1)</script>"  # a PNG header, HTML after it, named .pdf

REFUSED = [
    ("ohjelma.pdf", ELF), ("ohjelma.docx", EXE), ("skripti.pdf", SHELL),
    ("sivu.html", HTML), ("kuva.svg", SVG), ("kuva.png", SVG), ("kuva.png", HTML),
    ("hakemus.pdf", POLYGLOT), ("tyhja.pdf", b""),
    ("pommi.docx", _deflated_zeros(120 * MiB)),
    ("monta.docx", _zip([("[Content_Types].xml", b"<Types/>")]
                        + [(f"word/{i}.xml", b"") for i in range(2001)])),
]
NAMES = ["../../etc/passwd.pdf", "/etc/passwd.pdf", "C:\\Windows\\win.ini.pdf", "a\x00b.pdf",
         "x" * 1000 + ".pdf", "raportti\u202efdp.exe.pdf", "CON.pdf", "nimi\r\nX-Evil: 1.pdf",
         "..pdf", " .pdf"]


def _files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file()) if folder.exists() else []


@pytest.fixture
def target(app, client, login_as, make_practice, db):
    """A draft service model whose author uploads (practices.attachment_upload)."""
    practice = make_practice()
    from tests.fixtures.practices import owner_of

    login_as(owner_of(db, practice.organisation))
    return f"/practices/{practice.id}/attachments"


def _post(client, url, name, data):
    return client.post(url, data={"file": (io.BytesIO(data), name)},
                       content_type="multipart/form-data")


@pytest.mark.parametrize("index", range(len(REFUSED)), ids=[n for n, _ in REFUSED])
def test_hostile_files_are_refused_with_a_message(app, client, target, db, index):
    name, data = REFUSED[index]
    folder = Path(app.config["UPLOAD_DIR"])
    files, rows = _files(folder), row_counter(db)(db.engines[None])
    response = _post(client, target, name, data)
    assert response.status_code == 422, response.status_code
    html = response.get_data(as_text=True)
    assert 'id="file-error"' in html or "file-error" in html
    assert row_counter(db)(db.engines[None]) == rows
    assert _files(folder) == files


@pytest.mark.parametrize("name", NAMES, ids=range(len(NAMES)))
def test_hostile_names_are_stored_safely_or_refused(app, client, target, db, name):
    folder = Path(app.config["UPLOAD_DIR"]).resolve()
    response = _post(client, target, name, PDF)
    assert response.status_code in (302, 422), response.status_code
    for path in _files(folder):
        assert path.resolve().is_relative_to(folder)
        assert path.name.isascii() and "\x00" not in path.name
    if response.status_code == 302:
        page = client.get(response.headers["Location"]).get_data(as_text=True)
        assert "\x00" not in page and "\u202e" not in page


def test_oversize_request_gets_the_413_page(app, client, target, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 64 * 1024)
    response = _post(client, target, "iso.pdf", PDF + b"x" * (128 * 1024))
    assert response.status_code == 413
    assert "larger than the limit" in response.get_data(as_text=True)


def test_an_accepted_file_is_a_download(app, client, target, db):
    response = _post(client, target, "../ohje<script>.pdf", PDF)
    assert response.status_code == 302
    from app.practices.models import PracticeAttachment

    attachment = db.session.query(PracticeAttachment).order_by(PracticeAttachment.id.desc()).first()
    practice_id = attachment.practice_id
    download = client.get(f"/practices/{practice_id}/attachments/{attachment.id}")
    assert download.status_code == 200
    assert download.headers["Content-Disposition"].startswith("attachment;")
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    assert "default-src 'none'" in download.headers["Content-Security-Policy"]
    assert "/" not in attachment.filename and "<" not in attachment.filename
    assert download.get_data() == PDF
    assert DOCX  # the accepted kinds are covered by tests/core/test_uploads.py


# --- every other upload route: a representative part of the list -------------------------------

SUBSET = [("ohjelma.pdf", ELF), ("sivu.html", HTML), ("kuva.png", SVG),
          ("pommi.docx", _deflated_zeros(120 * MiB)), ("../../etc/passwd", SHELL)]


@pytest.fixture(params=["application attachment", "call document"])
def route(request, app, client, login_as, make_call, make_application, db):
    """(url, extra form fields, how the refusal is shown) of an upload route, its user
    signed in."""
    from tests.fixtures.calls import call_manager_of

    if request.param == "application attachment":
        application = make_application(state="draft")
        login_as(application.created_by)
        # refused: a redirect to the attachments section, the message flashed there
        return f"/calls/applications/{application.id}/attachments", {}, "flash"
    call = make_call(phase="open")
    login_as(call_manager_of(call))
    return (f"/calls/{call.id}/documents",
            {"kind": "notice", "title": "Hakuilmoitus", "language": "fi"}, "document-file-error")


@pytest.mark.parametrize("index", range(len(SUBSET)), ids=[n for n, _ in SUBSET])
def test_other_upload_routes_refuse_hostile_files(app, client, route, db, index):
    url, fields, shown = route
    name, data = SUBSET[index]
    folder = Path(app.config["UPLOAD_DIR"])
    files, rows = _files(folder), row_counter(db)(db.engines[None])
    response = client.post(url, data={**fields, "file": (io.BytesIO(data), name)},
                           content_type="multipart/form-data")
    if shown == "flash":
        assert response.status_code == 302, response.status_code
        page = client.get(response.headers["Location"])
        assert page.status_code == 200
        markup = page.get_data(as_text=True)
        assert 'class="flash flash-error"' in markup
        assert "flash-success" not in markup and "has been attached" not in markup
    else:
        assert response.status_code == 422, response.status_code
        assert f'id="{shown}"' in response.get_data(as_text=True)
    assert row_counter(db)(db.engines[None]) == rows
    assert _files(folder) == files
