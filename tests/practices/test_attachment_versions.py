"""Issue 12: attachments added to a published model were public at once, before the new version
was published. An attachment belongs to versions: added, it is public from the next publish on;
removed, it stays public until the next publish and stays in the versions that had it."""

from __future__ import annotations

from io import BytesIO

import pytest
import sqlalchemy as sa

from app.practices.models import Practice, PracticeAttachment
from tests.fixtures.practices import use_english

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


@pytest.fixture
def world(client, make_user, make_organisation, make_practice, login_as, app):
    use_english(client)
    owner = make_user()
    organisation = make_organisation(owner=owner)
    practice = make_practice(organisation=organisation, author=owner, published=True)
    login_as(owner)
    anonymous = app.test_client()
    use_english(anonymous)
    return practice, anonymous


def _get(db, practice_id) -> Practice:
    db.session.expire_all()
    return db.session.get(Practice, practice_id)


def _upload(client, practice, name="liite.pdf"):
    response = client.post(f"/practices/{practice.id}/attachments",
                           data={"file": (BytesIO(PDF), name)},
                           content_type="multipart/form-data")
    assert response.status_code == 302, response.status_code
    return response


def _publish(client, practice):
    response = client.post(f"/practices/{practice.id}/publish", data={"change_note": "Liite"})
    assert response.status_code == 302, response.get_data(as_text=True)[:2000]


def _public_listing(anonymous, practice) -> tuple[str, list]:
    page = anonymous.get(f"/practices/{practice.id}-{practice.slug}")
    assert page.status_code == 200
    api = anonymous.get(f"/api/v1/practices/{practice.id}")
    assert api.status_code == 200
    return page.get_data(as_text=True), [a["filename"] for a in api.get_json()["attachments"]]


def test_an_attachment_added_to_a_published_model_is_public_only_after_publishing(
        client, world, db):
    practice, anonymous = world
    _upload(client, practice, "uusi-ohje.pdf")
    practice = _get(db, practice.id)
    [attachment] = practice.attachments
    assert attachment.added_in_version is None and practice.has_unpublished_changes
    url = f"/practices/{practice.id}/attachments/{attachment.id}"

    # Not public: no download, not on the page, not in the API.
    assert anonymous.get(url).status_code == 404
    page, api = _public_listing(anonymous, practice)
    assert "uusi-ohje.pdf" not in page and url not in page
    assert api == []
    # The editor sees and downloads it, marked as not yet published.
    edit = client.get(f"/practices/{practice.id}/edit").get_data(as_text=True)
    assert "uusi-ohje.pdf" in edit and "Not yet published" in edit
    response = client.get(url)
    assert response.status_code == 200 and response.data == PDF
    response.close()

    _publish(client, practice)
    practice = _get(db, practice.id)
    assert practice.attachments[0].added_in_version == 2 == practice.version_count
    response = anonymous.get(url)
    assert response.status_code == 200 and response.data == PDF
    response.close()
    page, api = _public_listing(anonymous, practice)
    assert url in page and api == ["uusi-ohje.pdf"]
    assert "Not yet published" not in client.get(f"/practices/{practice.id}/edit").get_data(
        as_text=True)
    # Version 1 did not have it; version 2 has it.
    assert url not in anonymous.get(f"/practices/{practice.id}/versions/1").get_data(
        as_text=True)
    assert url in anonymous.get(f"/practices/{practice.id}/versions/2").get_data(as_text=True)


def test_removing_a_published_attachment_waits_for_the_next_publish(client, world, db, app):
    practice, anonymous = world
    _upload(client, practice, "vanha.pdf")
    _publish(client, practice)  # version 2 has it
    practice = _get(db, practice.id)
    [attachment] = practice.attachments
    url = f"/practices/{practice.id}/attachments/{attachment.id}"
    from app.core.uploads import _path

    with app.test_request_context():
        stored = _path(attachment.stored_name)
    assert stored.exists()

    assert client.post(f"{url}/delete", data={}).status_code == 302
    practice = _get(db, practice.id)
    assert practice.attachments[0].removed_in_version == 3
    assert practice.has_unpublished_changes
    # Still public until version 3 is published.
    response = anonymous.get(url)
    assert response.status_code == 200
    response.close()
    page, api = _public_listing(anonymous, practice)
    assert url in page and api == ["vanha.pdf"]
    edit = client.get(f"/practices/{practice.id}/edit").get_data(as_text=True)
    assert "public until the next version is published" in edit
    assert f"{url}/delete" not in edit  # no second removal
    assert client.post(f"{url}/delete", data={}).status_code == 302  # refused, nothing changes
    assert _get(db, practice.id).attachments[0].removed_in_version == 3

    _publish(client, practice)
    practice = _get(db, practice.id)
    page, api = _public_listing(anonymous, practice)
    assert url not in page and api == []
    assert "vanha.pdf" not in client.get(f"/practices/{practice.id}/edit").get_data(as_text=True)
    # Version 2 keeps its file (versions are immutable); version 3 has none.
    assert url in anonymous.get(f"/practices/{practice.id}/versions/2").get_data(as_text=True)
    assert url not in anonymous.get(f"/practices/{practice.id}/versions/3").get_data(
        as_text=True)
    assert stored.exists()


def test_a_draft_attachment_is_deleted_at_once(client, world, db, app):
    practice, anonymous = world
    _upload(client, practice, "luonnos.pdf")
    practice = _get(db, practice.id)
    [attachment] = practice.attachments
    from app.core.uploads import _path

    with app.test_request_context():
        stored = _path(attachment.stored_name)
    url = f"/practices/{practice.id}/attachments/{attachment.id}"
    assert client.post(f"{url}/delete", data={}).status_code == 302
    assert _get(db, practice.id).attachments == []
    assert not stored.exists()
    assert client.get(url).status_code == 404


def test_the_attachment_limit_counts_the_working_copy(client, world, db):
    from app.practices.community import MAX_ATTACHMENTS

    practice, _anonymous = world
    for n in range(MAX_ATTACHMENTS):
        _upload(client, practice, f"liite{n}.pdf")
    _publish(client, practice)
    practice = _get(db, practice.id)
    first = practice.attachments[0]
    client.post(f"/practices/{practice.id}/attachments/{first.id}/delete", data={})
    # One removal pending: one more fits in the working copy, a second does not.
    _upload(client, practice, "korvaava.pdf")
    response = client.post(f"/practices/{practice.id}/attachments",
                           data={"file": (BytesIO(PDF), "liikaa.pdf")},
                           content_type="multipart/form-data")
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count(PracticeAttachment.id)).where(
        PracticeAttachment.practice_id == practice.id)) == MAX_ATTACHMENTS + 1


def test_the_migration_gives_published_models_attachments_their_version(tmp_path):
    """Up: attachments of published models belong to the current version, of never-published
    ones stay drafts. Down: the columns go and removed rows with them."""
    from flask_migrate import downgrade, upgrade

    from app import create_app
    from app.extensions import db as _db

    app = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path / 'm.db'}", "INSTANCE_DIR": tmp_path,
        "MAIL_DIR": str(tmp_path / "mail"), "UPLOAD_DIR": str(tmp_path / "uploads"),
        "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    with app.app_context():
        upgrade(revision="58053d9bb1de")
        with _db.engine.begin() as conn:
            _insert(conn, "organisation", id=1)
            for pid, count, current in ((1, 3, 7), (2, 0, None)):
                _insert(conn, "practice", id=pid, organisation_id=1, version_count=count,
                        current_version_id=current)
                _insert(conn, "practice_attachment", id=pid, practice_id=pid,
                        stored_name=f"{pid:032x}.pdf")
        upgrade(revision="be8c685a5210")
        with _db.engine.begin() as conn:
            rows = dict(conn.execute(sa.text(
                "SELECT id, added_in_version FROM practice_attachment")).all())
            assert rows == {1: 3, 2: None}
            conn.execute(sa.text("UPDATE practice_attachment SET removed_in_version = 3 "
                                 "WHERE id = 1"))
        downgrade(revision="58053d9bb1de")
        with _db.engine.connect() as conn:
            columns = {c["name"] for c in sa.inspect(conn).get_columns("practice_attachment")}
            assert "added_in_version" not in columns and "removed_in_version" not in columns
            assert list(conn.execute(sa.text("SELECT id FROM practice_attachment")).scalars()) \
                == [2]
        _db.engine.dispose()


def _insert(conn, table, **values):
    """A row with `values` and a neutral value in every other required column."""
    for column in sa.inspect(conn).get_columns(table):
        if column["name"] in values or column["nullable"] or column.get("autoincrement") is True:
            continue
        kind = str(column["type"]).upper()
        values[column["name"]] = (0 if "INT" in kind or "BOOL" in kind
                                  else "[]" if "JSON" in kind
                                  else "2026-01-01" if "DATE" in kind else "x")
    names = ", ".join(values)
    conn.execute(sa.text(f"INSERT INTO {table} ({names}) VALUES "  # noqa: S608 - test names
                         f"({', '.join(':' + n for n in values)})"), values)
