"""Uploads are checked by name and content, zip bombs are refused, storage is by random name."""

from __future__ import annotations

import hashlib
import io
import re
import struct
import time
import zipfile
import zlib

import pytest
from flask_babel import force_locale
from werkzeug.datastructures import FileStorage

from app.core.uploads import (
    ACCEPT,
    UploadError,
    delete_upload,
    display_name,
    open_upload,
    send_upload,
    store_upload,
    validate_upload,
)

MiB = 1024 * 1024
PDF = (
    b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
    b"2 0 obj<</Type/Pages/Kids[]/Count 0>>endobj\n"
    b"trailer<</Root 1 0 R>>\n%%EOF\n"
)
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x01\x00\x01\x00\x00" + b"\xff\xd9"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
HTML = b"<!doctype html><script>alert(1)</script>"
EXE = b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 56


def _png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + data))
        return struct.pack(">I", len(data)) + kind + data + crc

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1×1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xff\x00\x00")  # filter byte + one red pixel
    body = chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    return b"\x89PNG\r\n\x1a\n" + body


PNG = _png()


def _zip(entries: list[tuple[str, bytes]], stored_first: bool = False) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for index, (name, data) in enumerate(entries):
            method = zipfile.ZIP_STORED if stored_first and index == 0 else zipfile.ZIP_DEFLATED
            zf.writestr(name, data, compress_type=method)
    return buffer.getvalue()


CONTENT_TYPES = ("[Content_Types].xml", b'<?xml version="1.0"?><Types/>')
DOCX = _zip([CONTENT_TYPES, ("_rels/.rels", b"<Relationships/>"), ("word/document.xml", b"<w/>")])
XLSX = _zip([CONTENT_TYPES, ("_rels/.rels", b"<Relationships/>"), ("xl/workbook.xml", b"<x/>")])


def _odf(kind: str) -> bytes:
    mimetype = f"application/vnd.oasis.opendocument.{kind}".encode()
    return _zip([("mimetype", mimetype), ("content.xml", b"<office/>")], stored_first=True)


ODT, ODS = _odf("text"), _odf("spreadsheet")


OOXML = "application/vnd.openxmlformats-officedocument"


def upload(name: str, data: bytes) -> FileStorage:
    return FileStorage(stream=io.BytesIO(data), filename=name)


def refused(name: str, data: bytes) -> UploadError:
    with pytest.raises(UploadError) as info:
        validate_upload(upload(name, data))
    return info.value


@pytest.fixture
def ctx(app):
    with app.test_request_context():
        yield app


@pytest.mark.parametrize(
    ("name", "data", "content_type"),
    [
        ("hakemus.pdf", PDF, "application/pdf"),
        ("kuva.png", PNG, "image/png"),
        ("kuva.jpg", JPEG, "image/jpeg"),
        ("KUVA.JPEG", JPEG, "image/jpeg"),
        ("budjetti.docx", DOCX, f"{OOXML}.wordprocessingml.document"),
        ("budjetti.xlsx", XLSX, f"{OOXML}.spreadsheetml.sheet"),
        ("teksti.odt", ODT, "application/vnd.oasis.opendocument.text"),
        ("taulukko.ods", ODS, "application/vnd.oasis.opendocument.spreadsheet"),
    ],
)
def test_allowed_files_are_accepted(ctx, name, data, content_type):
    checked = validate_upload(upload(name, data))
    assert checked.filename == name
    assert checked.extension == name.rsplit(".", 1)[1].lower()
    assert checked.content_type == content_type
    assert checked.size == len(data)
    assert checked.sha256 == hashlib.sha256(data).hexdigest()


@pytest.mark.parametrize(
    ("name", "data", "code"),
    [
        ("logo.svg", SVG, "type"),
        ("sivu.html", HTML, "type"),
        ("sivu.htm", HTML, "type"),
        ("ohjelma.exe", EXE, "type"),
        ("ilman-paatetta", PDF, "type"),
        ("kuva.png", PDF, "mismatch"),  # a PDF renamed .png
        ("hakemus.pdf", PNG, "mismatch"),  # a PNG renamed .pdf
        ("hakemus.pdf", SVG, "mismatch"),
        ("kuva.jpg", HTML, "mismatch"),
        ("budjetti.docx", PDF, "mismatch"),
        ("budjetti.docx", XLSX, "mismatch"),  # a zip, but not a Word document
        ("budjetti.xlsx", DOCX, "mismatch"),
        ("teksti.odt", ODS, "mismatch"),
        ("teksti.odt", DOCX, "mismatch"),
        ("tyhja.pdf", b"", "empty"),
        ("", PDF, "missing"),
    ],
)
def test_refused_files(ctx, name, data, code):
    assert refused(name, data).code == code


def test_refusals_explain_themselves(ctx):
    with force_locale("en"):
        assert str(refused("logo.svg", SVG).message) == (
            "This file type is not allowed. Allowed types: PDF, Word (DOCX), Excel (XLSX), "
            "OpenDocument text and spreadsheet (ODT, ODS), PNG and JPEG images."
        )
        assert str(refused("tyhja.pdf", b"").message) == "The file is empty."
        assert str(refused("hakemus.pdf", PNG).message) == (
            "The file's content does not match its name (.pdf)."
        )


def test_odf_mimetype_must_be_the_first_entry(ctx):
    mimetype = b"application/vnd.oasis.opendocument.text"
    data = _zip([("content.xml", b"<office/>"), ("mimetype", mimetype)])
    assert refused("teksti.odt", data).code == "mismatch"


def test_display_name_strips_paths_and_control_characters():
    assert display_name("C:\\Users\\maija\\Työpöytä\\hakemus ä.pdf") == "hakemus ä.pdf"
    assert display_name("../../etc/passwd") == "passwd"
    assert display_name("raportti\r\n\x00\u202egpj.pdf") == "raportti gpj.pdf"
    assert display_name('  "ääk<k>ö  s|".docx ') == "ääkkö s.docx"
    assert display_name("..") == ""
    long = display_name("å" * 500 + ".xlsx")
    assert len(long) == 200 and long.endswith("å.xlsx")


def test_file_larger_than_the_upload_limit_is_refused(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "MAX_CONTENT_LENGTH", 1024)
    assert refused("hakemus.pdf", PDF + b"x" * 2000).code == "size"


def test_unseekable_stream_is_spooled(ctx):
    class OneWay(io.RawIOBase):
        def __init__(self, data):
            self._data = io.BytesIO(data)

        def readable(self):
            return True

        def readinto(self, buffer):
            chunk = self._data.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    storage = FileStorage(stream=io.BufferedReader(OneWay(PDF)), filename="hakemus.pdf")
    assert validate_upload(storage).size == len(PDF)
    assert storage.stream.read() == PDF
    storage.close()


def _deflated_zeros(size: int, name: str = "word/document.xml") -> bytes:
    """A DOCX whose one big part is `size` bytes of zeros, written in 1 MiB chunks."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(*CONTENT_TYPES)
        zero = bytes(MiB)
        with zf.open(name, "w") as entry:
            for _ in range(size // MiB):
                entry.write(zero)
    return buffer.getvalue()


def test_zip_bomb_is_refused_by_its_uncompressed_size(ctx):
    started = time.monotonic()
    bomb = _deflated_zeros(300 * MiB)
    assert len(bomb) < MiB  # small enough to pass every upload limit
    error = refused("budjetti.docx", bomb)
    assert error.code == "expands"
    with force_locale("en"):
        assert str(error.message) == (
            "The file expands to more than 100 MB when opened, which is not allowed."
        )
    assert time.monotonic() - started < 10


def test_absurd_compression_ratio_is_refused(ctx):
    assert refused("budjetti.docx", _deflated_zeros(20 * MiB)).code == "ratio"


def test_uncompressed_limit_is_configurable(ctx, monkeypatch):
    monkeypatch.setitem(ctx.config, "UPLOAD_MAX_UNCOMPRESSED", 10)
    assert refused("budjetti.docx", DOCX).code == "expands"


def test_too_many_entries_are_refused(ctx):
    parts = [CONTENT_TYPES] + [(f"word/media/{i}.xml", b"") for i in range(2001)]
    assert refused("budjetti.docx", _zip(parts)).code == "entries"


@pytest.mark.parametrize(
    "entry",
    ["../../evil.xml", "word/../../evil.xml", "/etc/evil.xml", "word\\..\\..\\evil", "C:/evil"],
)
def test_path_traversal_entries_are_refused(ctx, entry):
    data = _zip([CONTENT_TYPES, ("word/document.xml", b"<w/>"), (entry, b"x")])
    assert refused("budjetti.docx", data).code == "unsafe"


@pytest.mark.parametrize(
    "data",
    [
        DOCX[: len(DOCX) // 2],  # truncated: no central directory
        b"PK\x03\x04" + b"\x00" * 200,
        DOCX[:40] + b"\xff" * 20 + DOCX[60:],  # a damaged local header
        DOCX[:-6] + b"\xff\xff\xff\x7f" + DOCX[-2:],  # directory offset beyond the end
        DOCX.replace(b"PK\x01\x02", b"XX\x01\x02", 1),  # a damaged central directory
    ],
)
def test_corrupted_zip_is_refused_cleanly(ctx, data):
    error = refused("budjetti.docx", data)
    assert error.code == "damaged"
    with force_locale("en"):
        assert str(error.message) == "The file is damaged and cannot be opened."


def test_store_open_delete_round_trip(ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(ctx.config, "UPLOAD_DIR", str(tmp_path / "uploads"))
    storage = upload("Hakemus ä.pdf", PDF)
    checked = validate_upload(storage)
    stored = store_upload(checked, storage)
    assert re.fullmatch(r"[0-9a-f]{32}\.pdf", stored)
    path = tmp_path / "uploads" / stored[:2] / stored
    assert path.read_bytes() == PDF
    assert [p.name for p in path.parent.iterdir()] == [stored]  # no temporary file left
    with open_upload(stored) as handle:
        assert handle.read() == PDF
    assert store_upload(checked, storage) != stored  # every upload gets a new name
    assert delete_upload(stored) is True
    assert not path.exists()
    assert delete_upload(stored) is False


def test_store_refuses_a_stream_that_changed(ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(ctx.config, "UPLOAD_DIR", str(tmp_path))
    checked = validate_upload(upload("a.pdf", PDF))
    with pytest.raises(ValueError, match="changed"):
        store_upload(checked, upload("a.pdf", PDF + b"more"))
    assert not any(p.is_file() for p in tmp_path.rglob("*"))


@pytest.mark.parametrize(
    "name",
    [
        "../../etc/passwd",
        "/etc/passwd",
        "..",
        "",
        "0123456789abcdef0123456789abcdef",
        "0123456789abcdef0123456789abcdef.svg",
        "0123456789ABCDEF0123456789ABCDEF.pdf",
        "0123456789abcdef0123456789abcdef.pdf/../../x.pdf",
        "../0123456789abcdef0123456789abcdef.pdf",
        "0123456789abcdef0123456789abcdef.pdf\n",
    ],
)
def test_open_and_delete_refuse_names_that_are_not_ours(ctx, name):
    with pytest.raises(ValueError):
        open_upload(name)
    with pytest.raises(ValueError):
        delete_upload(name)


def test_send_upload_is_a_download_that_is_never_rendered(ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(ctx.config, "UPLOAD_DIR", str(tmp_path))
    storage = upload("Työsuunnitelma ä.pdf", PDF)
    checked = validate_upload(storage)
    stored = store_upload(checked, storage)
    response = send_upload(stored, checked.filename, checked.content_type)
    try:
        headers = response.headers
        assert response.mimetype == "application/pdf"
        assert headers["Content-Disposition"].startswith("attachment;")
        assert "filename*=UTF-8''Ty%C3%B6suunnitelma%20%C3%A4.pdf" in headers["Content-Disposition"]
        assert headers["X-Content-Type-Options"] == "nosniff"
        csp = headers["Content-Security-Policy"]
        assert csp == "default-src 'none'; frame-ancestors 'none'; sandbox"
        assert headers["Cache-Control"] == "private, no-store"
        response.direct_passthrough = False
        assert response.get_data() == PDF
    finally:
        response.close()


def test_send_upload_never_sends_an_unknown_content_type(ctx, tmp_path, monkeypatch):
    monkeypatch.setitem(ctx.config, "UPLOAD_DIR", str(tmp_path))
    storage = upload("a.pdf", PDF)
    stored = store_upload(validate_upload(storage), storage)
    response = send_upload(stored, "a\r\nSet-Cookie: x=1.html", "text/html")
    try:
        assert response.mimetype == "application/octet-stream"
        assert "\n" not in response.headers["Content-Disposition"]
    finally:
        response.close()


def test_accept_lists_every_allowed_extension():
    assert ACCEPT == ".pdf,.docx,.xlsx,.odt,.ods,.png,.jpg,.jpeg"
