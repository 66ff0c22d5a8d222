"""Uploaded files: checked by name and content, stored under random names, sent as downloads.

Domain-free: a caller validates (`validate_upload`), stores (`store_upload`) and keeps the
returned stored name with the `CheckedFile` facts in its own model; `UploadError` is a
DomainError, so views show it like any refused rule. Before `send_upload` the caller checks
that the current user may read the file: this module knows nothing of permissions.

Office files are zip containers; their size and entry count are read from the central
directory without extracting (SECURITY.md: a 306 KB DOCX can expand to 300 MB). The declared
sizes are what desktop software will allocate, so refusing on them protects the people who
open the file.
"""

from __future__ import annotations

import errno
import hashlib
import logging
import os
import re
import secrets
import tempfile
import unicodedata
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path, PurePosixPath
from typing import IO

from flask import Response, current_app, send_file
from flask_babel import lazy_gettext as _l
from sqlalchemy import ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column
from werkzeug.datastructures import FileStorage

from app.core.db import UtcDateTime, utcnow
from app.core.domain import DomainError
from app.core.security import DOWNLOAD_CSP

log = logging.getLogger(__name__)

MiB = 1024 * 1024
DEFAULT_MAX_UNCOMPRESSED = 100 * MiB  # app.config["UPLOAD_MAX_UNCOMPRESSED"]
DEFAULT_MAX_ZIP_ENTRIES = 2000  # app.config["UPLOAD_MAX_ZIP_ENTRIES"]
MAX_RATIO = 250  # real Office XML stays far below; zeros deflate about 1000:1
RATIO_MIN_SIZE = MiB  # small entries may compress as they like
MAX_NAME_LENGTH = 200
_CHUNK = 64 * 1024
_ZIP_METHODS = (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED)


class UploadError(DomainError):
    """The file was refused; `message` says why in words the user understands."""

    def __init__(self, message, code: str, field: str | None = None):
        super().__init__(message, field=field, code=code)


# The disk (or the quota, or a file size limit) is full: the user's input is fine.
_STORAGE_FULL = {errno.ENOSPC, errno.EDQUOT, errno.EFBIG}
STORAGE_FULL = _l("The file could not be saved because the storage space is full. Nothing was "
                  "saved: try again later.")


@dataclass(frozen=True)
class FileType:
    """An allowed type: its name for people, extensions, canonical MIME type and content check."""

    label: str
    extensions: tuple[str, ...]
    content_type: str
    check: Callable[[bytes, IO[bytes]], bool]


@dataclass(frozen=True)
class CheckedFile:
    """What `validate_upload` learnt about an acceptable file."""

    filename: str  # safe to display and to offer as a download name
    extension: str  # lower case, without the dot
    content_type: str
    size: int
    sha256: str


def _magic(prefix: bytes) -> Callable[[bytes, IO[bytes]], bool]:
    return lambda head, stream: head.startswith(prefix)


def _ooxml(folder: str) -> Callable[[bytes, IO[bytes]], bool]:
    def check(head: bytes, stream: IO[bytes]) -> bool:
        zf = _open_zip(head, stream)
        if zf is None:
            return False
        with zf:
            names = set(zf.namelist())
            return "[Content_Types].xml" in names and any(n.startswith(folder) for n in names)

    return check


def _odf(mimetype: str) -> Callable[[bytes, IO[bytes]], bool]:
    def check(head: bytes, stream: IO[bytes]) -> bool:
        zf = _open_zip(head, stream)
        if zf is None:
            return False
        with zf:
            first = zf.infolist()[0]
            return (
                first.filename == "mimetype"
                and first.file_size == len(mimetype)
                and zf.read(first) == mimetype.encode()
            )

    return check


ALLOWED: tuple[FileType, ...] = (
    FileType("PDF", ("pdf",), "application/pdf", _magic(b"%PDF-")),
    FileType(
        "Word", ("docx",),
        "application/vnd.openxmlformats-officedocument.wordprocessingml.document", _ooxml("word/"),
    ),
    FileType(
        "Excel", ("xlsx",),
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", _ooxml("xl/"),
    ),
    FileType(
        "OpenDocument text", ("odt",), "application/vnd.oasis.opendocument.text",
        _odf("application/vnd.oasis.opendocument.text"),
    ),
    FileType(
        "OpenDocument spreadsheet", ("ods",), "application/vnd.oasis.opendocument.spreadsheet",
        _odf("application/vnd.oasis.opendocument.spreadsheet"),
    ),
    FileType("PNG", ("png",), "image/png", _magic(b"\x89PNG\r\n\x1a\n")),
    FileType("JPEG", ("jpg", "jpeg"), "image/jpeg", _magic(b"\xff\xd8\xff")),
)
_BY_EXTENSION = {ext: kind for kind in ALLOWED for ext in kind.extensions}
ACCEPT = ",".join(f".{ext}" for ext in _BY_EXTENSION)  # for <input type="file" accept>
_STORED_NAME = re.compile(r"[0-9a-f]{32}\.(?:" + "|".join(_BY_EXTENSION) + ")")
_WINDOWS_FORBIDDEN = set('<>:"/\\|?*')

NOT_ALLOWED = _l(
    "This file type is not allowed. Allowed types: PDF, Word (DOCX), Excel (XLSX), "
    "OpenDocument text and spreadsheet (ODT, ODS), PNG and JPEG images."
)


def display_name(filename: str | None) -> str:
    """The file's own name without folders, control or bidi characters, at most 200 chars."""
    name = unicodedata.normalize("NFC", (filename or "").replace("\\", "/").rsplit("/", 1)[-1])
    name = "".join(
        ch
        for ch in re.sub(r"\s", " ", name)
        if not unicodedata.category(ch).startswith("C") and ch not in _WINDOWS_FORBIDDEN
    )
    name = " ".join(name.split()).strip(". ")
    if len(name) > MAX_NAME_LENGTH:
        _, dot, ext = name.rpartition(".")
        keep = f"{dot}{ext}" if dot and len(ext) <= 10 else ""
        name = name[: MAX_NAME_LENGTH - len(keep)].rstrip(". ") + keep
    return name


def validate_upload(file_storage: FileStorage) -> CheckedFile:
    """Check an uploaded file by name, size and content; raise UploadError if it is refused.

    The stream is left at its start for `store_upload`.
    """
    name = display_name(file_storage.filename)
    if not name:
        raise UploadError(_l("No file was chosen."), "missing")
    extension = name.rpartition(".")[2].lower() if "." in name else ""
    kind = _BY_EXTENSION.get(extension)
    if kind is None:
        raise UploadError(NOT_ALLOWED, "type")
    stream = _seekable(file_storage)
    size, digest, head = _measure(stream)
    if size == 0:
        raise UploadError(_l("The file is empty."), "empty")
    try:
        matches = kind.check(head, stream)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError) as exc:
        raise UploadError(_l("The file is damaged and cannot be opened."), "damaged") from exc
    finally:
        stream.seek(0)
    if not matches:
        raise UploadError(
            _l("The file's content does not match its name (.%(ext)s).", ext=extension),
            "mismatch",
        )
    return CheckedFile(name, extension, kind.content_type, size, digest)


def _seekable(file_storage: FileStorage) -> IO[bytes]:
    stream = file_storage.stream
    if not getattr(stream, "seekable", lambda: False)():
        spool = tempfile.SpooledTemporaryFile(max_size=MiB)  # closed with the FileStorage
        while chunk := stream.read(_CHUNK):
            spool.write(chunk)
        file_storage.stream = stream = spool
    stream.seek(0)
    return stream


def _measure(stream: IO[bytes]) -> tuple[int, str, bytes]:
    """Size, sha256 and first bytes, read in chunks and stopped as soon as it is too large."""
    limit = current_app.config.get("MAX_CONTENT_LENGTH")
    sha, size, head = hashlib.sha256(), 0, b""
    while chunk := stream.read(_CHUNK):
        size += len(chunk)
        if limit and size > limit:
            raise UploadError(
                _l("The file is larger than the limit of %(mb)s MB.", mb=limit // MiB), "size"
            )
        head = head or chunk[:16]
        sha.update(chunk)
    stream.seek(0)
    return size, sha.hexdigest(), head


def _open_zip(head: bytes, stream: IO[bytes]) -> zipfile.ZipFile | None:
    """The zip (None if the content is no zip), its directory checked against bombs and unsafe
    names; a damaged zip raises zipfile.BadZipFile."""
    if not head.startswith(b"PK\x03\x04"):
        return None
    zf = zipfile.ZipFile(stream)
    try:
        _check_directory(zf.infolist())
        for info in zf.infolist():
            with zf.open(info):  # reads the local header only: a damaged one raises
                pass
    except BaseException:
        zf.close()
        raise
    return zf


def _check_directory(infos: list[zipfile.ZipInfo]) -> None:
    """Refuse bombs and unsafe names, reading only the central directory."""
    config = current_app.config
    max_total = config.get("UPLOAD_MAX_UNCOMPRESSED", DEFAULT_MAX_UNCOMPRESSED)
    if not infos:
        raise zipfile.BadZipFile("no entries")
    if len(infos) > config.get("UPLOAD_MAX_ZIP_ENTRIES", DEFAULT_MAX_ZIP_ENTRIES):
        raise UploadError(_l("The file contains too many parts to be opened safely."), "entries")
    for info in infos:
        path = PurePosixPath(info.filename.replace("\\", "/"))
        if path.is_absolute() or ".." in path.parts or set(info.filename) & {":", "\0"}:
            raise UploadError(_l("The file contains unsafe names and was refused."), "unsafe")
        # Office never encrypts zip entries nor uses other compressions.
        if info.compress_type not in _ZIP_METHODS or info.flag_bits & 1:
            raise zipfile.BadZipFile("unexpected compression or encryption")
    if sum(info.file_size for info in infos) > max_total:
        raise UploadError(
            _l("The file expands to more than %(mb)s MB when opened, which is not allowed.",
               mb=max_total // MiB),
            "expands",
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > RATIO_MIN_SIZE and ratio > MAX_RATIO:
            raise UploadError(_l("The file is compressed suspiciously and was refused."), "ratio")


def _path(stored_name: str) -> Path:
    """Where a stored name lives; refuses anything that is not one of our random names."""
    if not isinstance(stored_name, str) or not _STORED_NAME.fullmatch(stored_name):
        raise ValueError("not a stored upload name")
    return Path(current_app.config["UPLOAD_DIR"]) / stored_name[:2] / stored_name


def store_upload(checked: CheckedFile, file_storage: FileStorage) -> str:
    """Write the checked file under a new random name (atomically) and return that name.

    A full disk raises UploadError (on the field "file") and leaves no partial file."""
    try:
        return _store(checked, file_storage)
    except OSError as exc:
        if exc.errno not in _STORAGE_FULL:
            raise
        log.error("upload storage full: %s (%s bytes not stored)", exc.strerror, checked.size)
        raise UploadError(STORAGE_FULL, "storage", field="file") from exc


def _store(checked: CheckedFile, file_storage: FileStorage) -> str:
    stored_name = f"{secrets.token_hex(16)}.{checked.extension}"
    target = _path(stored_name)
    target.parent.mkdir(parents=True, exist_ok=True)
    stream = file_storage.stream
    stream.seek(0)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        sha, size = hashlib.sha256(), 0
        with os.fdopen(fd, "wb") as out:
            while chunk := stream.read(_CHUNK):
                out.write(chunk)
                sha.update(chunk)
                size += len(chunk)
            out.flush()
            os.fsync(out.fileno())
        if (size, sha.hexdigest()) != (checked.size, checked.sha256):
            raise ValueError("the upload changed after it was checked")
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return stored_name


def open_upload(stored_name: str) -> IO[bytes]:
    """The stored file opened for reading (the caller closes it)."""
    return _path(stored_name).open("rb")


def delete_upload(stored_name: str) -> bool:
    """Remove a stored file; False if it was already gone."""
    path = _path(stored_name)
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    return True


def send_upload(stored_name: str, download_name: str, content_type: str) -> Response:
    """The stored file as a download that a browser will never render or sniff.

    This does no permission check: the caller must have decided that the current user may
    read the file before calling it.
    """
    if content_type not in {kind.content_type for kind in ALLOWED}:
        content_type = "application/octet-stream"
    response = send_file(
        _path(stored_name),
        mimetype=content_type,
        as_attachment=True,
        download_name=display_name(download_name) or stored_name,
        max_age=0,
    )
    response.headers["X-Content-Type-Options"] = "nosniff"
    response.headers["Content-Security-Policy"] = DOWNLOAD_CSP
    response.headers["Cache-Control"] = "private, no-store"
    return response


class StoredFileColumns:
    """The columns of an attachment row (a domain's attachment table mixes them in and adds
    what the file belongs to): the name shown, the stored name, and the checked facts."""

    id: Mapped[int] = mapped_column(primary_key=True)
    filename: Mapped[str] = mapped_column(String(200))
    stored_name: Mapped[str] = mapped_column(String(80), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    created_at: Mapped[datetime] = mapped_column(UtcDateTime, default=utcnow)
