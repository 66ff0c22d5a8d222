"""Issue 12: a full disk during an upload answers a translated message on the file field, leaves
no partial file and no row, and other requests go on.

The disk is really full: a 64 KiB tmpfs mounted over the upload directory (the tests run as
root). Where mounting is not permitted (a container without CAP_SYS_ADMIN), the same upload runs
in a child process whose file size limit (RLIMIT_FSIZE) is below the file's size, so the kernel
refuses the write with EFBIG; `MODE` below says which one ran."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from io import BytesIO
from pathlib import Path

import pytest
from sqlalchemy import func, select

from app.core.uploads import STORAGE_FULL
from app.practices.models import PracticeAttachment
from tests.fixtures.practices import use_english

BIG_PDF = b"%PDF-1.4\n" + b"0" * (200 * 1024) + b"\n%%EOF\n"  # more than the 64 KiB disk
SMALL_PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _mount_small_disk(path: Path) -> bool:
    path.mkdir(parents=True, exist_ok=True)
    try:
        result = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(path)],
                                capture_output=True, timeout=10, check=False)
    except (OSError, subprocess.TimeoutExpired):
        return False
    return result.returncode == 0


def _files(root: Path) -> list[Path]:
    return [p for p in root.rglob("*") if p.is_file()]


@pytest.fixture
def full_disk(app, tmp_path):
    """The upload directory on a 64 KiB disk, or None when no disk can be mounted."""
    mount = tmp_path / "small-disk"
    if not _mount_small_disk(mount):
        yield None
        return
    saved = app.config["UPLOAD_DIR"]
    app.config["UPLOAD_DIR"] = str(mount)
    try:
        yield mount
    finally:
        app.config["UPLOAD_DIR"] = saved
        subprocess.run(["umount", str(mount)], timeout=10, check=False)


def test_a_full_disk_during_an_upload_is_a_message_not_a_500(
        full_disk, client, db, make_user, make_organisation, make_practice, login_as, tmp_path):
    if full_disk is None:
        _run_with_a_file_size_limit(tmp_path)
        return
    use_english(client)
    owner = make_user()
    practice = make_practice(organisation=make_organisation(owner=owner), author=owner,
                             published=True)
    login_as(owner)

    response = client.post(f"/practices/{practice.id}/attachments",
                           data={"file": (BytesIO(BIG_PDF), "iso.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert f'<p class="error" id="file-error">{STORAGE_FULL}' in page
    assert "Traceback" not in page
    # No row, no partial file (not even the temporary one).
    assert db.session.scalar(select(func.count(PracticeAttachment.id))) == 0
    assert _files(full_disk) == []
    # Other requests are unaffected, and a file that fits is stored.
    assert client.get(f"/practices/{practice.id}/edit").status_code == 200
    response = client.post(f"/practices/{practice.id}/attachments",
                           data={"file": (BytesIO(SMALL_PDF), "pieni.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    [stored] = _files(full_disk)
    assert stored.read_bytes() == SMALL_PDF


_CHILD = textwrap.dedent("""
    import json, resource, sys
    from io import BytesIO
    from pathlib import Path
    from werkzeug.datastructures import FileStorage
    from app.core.uploads import UploadError, store_upload, validate_upload

    root = Path(sys.argv[1])
    from app import create_app
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "INSTANCE_DIR": root,
                              "UPLOAD_DIR": str(root / "uploads"),
                              "MAIL_DIR": str(root / "mail"),
                              "SEARCH_INDEX_DIR": str(root / "index")})
    data = b"%PDF-1.4\\n" + b"0" * (200 * 1024) + b"\\n%%EOF\\n"
    with app.test_request_context(headers={"Accept-Language": "en"}):
        upload = FileStorage(BytesIO(data), filename="iso.pdf")
        checked = validate_upload(upload)
        resource.setrlimit(resource.RLIMIT_FSIZE, (64 * 1024, resource.RLIM_INFINITY))
        try:
            store_upload(checked, upload)
            outcome = {"error": None}
        except UploadError as error:
            outcome = {"error": str(error.message), "field": error.field, "code": error.code}
        small = FileStorage(BytesIO(b"%PDF-1.4\\n%%EOF\\n"), filename="pieni.pdf")
        outcome["small"] = store_upload(validate_upload(small), small)
    print(json.dumps(outcome))
""")


def _run_with_a_file_size_limit(tmp_path: Path) -> None:
    """The fallback: the kernel refuses the write past RLIMIT_FSIZE (EFBIG)."""
    root = Path(__file__).resolve().parents[2]
    result = subprocess.run([sys.executable, "-c", _CHILD, str(tmp_path)], cwd=root,
                            capture_output=True, text=True, timeout=120, check=False,
                            env={**os.environ, "PYTHONPATH": str(root)})
    assert result.returncode == 0, result.stderr[-3000:]
    outcome = json.loads(result.stdout.strip().splitlines()[-1])
    assert outcome["error"] == str(STORAGE_FULL)
    assert outcome["field"] == "file" and outcome["code"] == "storage"
    files = _files(tmp_path / "uploads")
    assert [f.name for f in files] == [outcome["small"]]  # no partial file left
