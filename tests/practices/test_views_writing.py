"""Writing service models through the pages: create, edit, autosave, conflicts, publish."""

import re

import pytest
from sqlalchemy import select

from app.organisations.models import Role
from app.practices.models import Practice, PracticeState
from tests.fixtures.practices import form_data, use_english

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def _english(client):
    use_english(client)


def _html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def writer(make_user, make_organisation, add_member, login_as):
    """An editor of a verified NGO, signed in."""
    organisation = make_organisation(name="Kipinä ry")
    user = make_user(name="Eeva Editori")
    add_member(organisation, user, Role.editor)
    login_as(user)
    return user, organisation


def _practice(db, practice_id) -> Practice:
    db.session.expire_all()
    return db.session.get(Practice, practice_id)


# --- create -----------------------------------------------------------------------------------


def test_create_a_draft_through_the_pages(client, writer, db, audit_actions):
    user, organisation = writer
    page = _html(client.get(f"/practices/new?org={organisation.id}"))
    assert page.count("<h1") == 1
    assert f'<option selected value="{organisation.id}">Kipinä ry</option>' in page

    response = client.post("/practices/new", data={
        "organisation": str(organisation.id), "title": "Työkokeilu  kahvilassa", "language": "fi",
        "summary": "Lyhyt kuvaus."})
    assert response.status_code == 302
    practice = db.session.scalar(
        select(Practice).where(Practice.organisation_id == organisation.id))
    assert response.headers["Location"].endswith(f"/practices/{practice.id}/edit")
    assert practice.state == PracticeState.draft
    assert practice.title == "Työkokeilu  kahvilassa"
    assert practice.contact_user_id == user.id
    assert "practice.created" in audit_actions(organisation)

    edit = _html(client.get(response.headers["Location"]))
    assert "The draft has been created" in edit
    assert edit.count("<h1") == 1


def test_create_needs_a_title_and_an_own_organisation(client, writer, make_organisation, db):
    _user, organisation = writer
    other = make_organisation()
    response = client.post("/practices/new", data={"organisation": str(organisation.id),
                                                   "title": "", "language": "fi"})
    assert response.status_code == 422
    assert '<p class="error" id="title-error">Give the service model a title.' in _html(response)
    response = client.post("/practices/new", data={"organisation": str(other.id), "title": "X",
                                                   "language": "fi"})
    assert response.status_code == 422
    assert "Not a valid choice" in _html(response)
    assert db.session.scalar(select(Practice.id)) is None


def test_plain_members_cannot_create(client, login_as, make_user, make_organisation, add_member):
    organisation = make_organisation()
    user = make_user()
    add_member(organisation, user, Role.member)
    login_as(user)
    page = _html(client.get("/practices/new"))
    assert "Service models are written by the editors and owners" in page
    assert 'name="title"' not in page
    assert client.post("/practices/new", data={"organisation": str(organisation.id),
                                               "title": "X"}).status_code == 403


# --- edit and publish ---------------------------------------------------------------------------


def test_edit_page_has_autosave_and_works_without_javascript(client, writer, make_practice, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user)
    page = _html(client.get(f"/practices/{practice.id}/edit"))
    assert f'hx-post="/practices/{practice.id}/autosave"' in page
    assert 'hx-trigger="input changed delay:3s, change delay:3s"' in page
    assert 'id="autosave-status" class="autosave-status" role="status" aria-live="polite"' in page
    # A failed autosave is reported in this line by the page's script (with the reason).
    assert "data-autosave-status" in page and "novalidate data-autosave\n" in page
    lock = practice.lock_version
    assert f'<input type="hidden" name="lock_version" id="lock_version" value="{lock}">' in page
    assert f'action="/practices/{practice.id}/edit"' in page
    assert '<button type="submit" class="button">Save</button>' in page
    assert 'enctype="multipart/form-data"' in page
    assert page.count("<h1") == 1
    # Labelled fields: every textarea has its label.
    for name in ("summary", "problem", "method", "employer_cooperation", "results", "adoption"):
        assert f'<label for="{name}">' in page

    response = client.post(f"/practices/{practice.id}/edit",
                           data=form_data(practice, method="Uusi menetelmä.", tags="a, b, A"))
    assert response.status_code == 302
    practice = _practice(db, practice.id)
    assert practice.method == "Uusi menetelmä."
    assert practice.tags == ["a", "b"]
    assert practice.lock_version == 2


def test_write_and_publish(client, writer, make_practice, db, audit_actions):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user)
    page = _html(client.get(f"/practices/{practice.id}/publish"))
    assert "Everything needed for publishing is filled in." in page
    assert 'name="change_note"' in page

    response = client.post(f"/practices/{practice.id}/publish", data={"change_note": "Ensimmäinen"})
    assert response.status_code == 302
    practice = _practice(db, practice.id)
    assert response.headers["Location"].endswith(f"/practices/{practice.id}-{practice.slug}")
    assert practice.state == PracticeState.published
    assert practice.current_version.number == 1
    assert practice.current_version.change_note == "Ensimmäinen"
    assert "practice.published" in audit_actions(organisation)
    page = _html(client.get(response.headers["Location"]))
    assert "Version 1 has been published." in page
    assert f"<h1>{practice.title}</h1>" in page


def test_publish_checklist_links_to_missing_fields(client, writer, make_practice, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user, problem="", regions=[])
    page = _html(client.get(f"/practices/{practice.id}/publish"))
    assert f'href="/practices/{practice.id}/edit#problem"' in page
    assert f'href="/practices/{practice.id}/edit#regions"' in page
    assert "At least one region" in page
    assert 'name="change_note"' not in page
    response = client.post(f"/practices/{practice.id}/publish", data={"change_note": ""})
    assert response.status_code == 422
    assert "not ready to publish" in _html(response)
    assert _practice(db, practice.id).state == PracticeState.draft


def test_unverified_organisation_saves_drafts_but_cannot_publish(client, login_as, make_user,
                                                                  make_organisation, make_practice,
                                                                  db):
    user = make_user()
    organisation = make_organisation(verified=False, owner=user)
    login_as(user)
    practice = make_practice(organisation=organisation, author=user)
    response = client.post(f"/practices/{practice.id}/edit",
                           data=form_data(practice, results="Tuloksia."))
    assert response.status_code == 302
    page = _html(client.get(f"/practices/{practice.id}/publish"))
    assert "Your organisation must be verified by an administrator" in page
    assert "Until then you can write and save drafts, but not publish." in page
    response = client.post(f"/practices/{practice.id}/publish", data={"change_note": ""})
    assert response.status_code == 422
    page = _html(response)
    assert "The service model was not published" in page
    assert "Your organisation must be verified by an administrator" in page
    practice = _practice(db, practice.id)
    assert practice.state == PracticeState.draft and practice.results == "Tuloksia."


def test_edit_published_into_version_two_with_history_and_diff(client, writer, make_practice, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user, published=True,
                             method="Valmentaja tapaa kuusi työnantajaa viikossa.")
    client.post(f"/practices/{practice.id}/edit",
                data=form_data(practice, method="Valmentaja tapaa kahdeksan työnantajaa viikossa."))
    practice = _practice(db, practice.id)
    assert practice.has_unpublished_changes
    # Readers still see version 1.
    public = _html(client.get(f"/practices/{practice.id}-{practice.slug}"))
    assert "kuusi työnantajaa" in public and "kahdeksan" not in public
    assert "The working copy has changes that are not published yet." in public

    client.post(f"/practices/{practice.id}/publish", data={"change_note": "Lisää työnantajia"})
    practice = _practice(db, practice.id)
    assert practice.current_version.number == 2
    assert "kahdeksan" in _html(client.get(f"/practices/{practice.id}-{practice.slug}"))

    history = _html(client.get(f"/practices/{practice.id}/versions"))
    assert history.count("<h1") == 1
    assert '<th scope="col">Change note</th>' in history
    assert "Lisää työnantajia" in history and "Eeva Editori" in history
    assert f'href="/practices/{practice.id}/versions/1"' in history
    assert f'href="/practices/{practice.id}/diff?from=1&amp;to=2"' in history

    diff = _html(client.get(f"/practices/{practice.id}/diff?from=1&to=2"))
    content = diff.split('id="practice-content"', 1)[1]
    assert re.search(r"<del><span class=\"visually-hidden\">removed: </span>kuusi", content)
    assert re.search(r"<ins><span class=\"visually-hidden\">added: </span>kahdeksan", content)
    assert "Unchanged:" in content

    old = _html(client.get(f"/practices/{practice.id}/versions/1"))
    assert "kuusi työnantajaa" in old and "It is not the current version." in old


@pytest.mark.parametrize("query", [
    "from=abc&to=2", "from=1&to=99", "from=1&to=1", "from=-1&to=2", "from=1",
    "from=９&to=2", "from=10000000000000&to=2",
])
def test_diff_refuses_bad_numbers_with_a_message(client, writer, make_practice, db, query):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user, published=True)
    client.post(f"/practices/{practice.id}/edit", data=form_data(practice, method="Toinen."))
    client.post(f"/practices/{practice.id}/publish", data={"change_note": ""})
    response = client.get(f"/practices/{practice.id}/diff?{query}")
    assert response.status_code == 400
    assert 'class="flash flash-error" role="alert"' in _html(response)


def test_diff_and_versions_of_a_single_version(client, writer, make_practice):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user, published=True)
    response = client.get(f"/practices/{practice.id}/diff")
    assert response.status_code == 200
    assert "There is only one published version" in _html(response)
    assert client.get(f"/practices/{practice.id}/versions/2").status_code == 404


def test_hostile_input_gets_messages_not_errors(client, writer, make_practice, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user)
    for overrides in ({"title": "a\x00b"}, {"method": "x" * 100_000}, {"stage": "spaceship"},
                      {"regions": ["MK99"]}, {"lock_version": "NaN"}, {"lock_version": "１"}):
        response = client.post(f"/practices/{practice.id}/edit",
                               data=form_data(practice, **overrides))
        assert response.status_code == 422, overrides
        assert 'class="error"' in _html(response)
    assert _practice(db, practice.id).lock_version == 1


# --- autosave and conflicts ---------------------------------------------------------------------


def test_autosave_saves_and_returns_the_new_lock_version(client, writer, make_practice, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user)
    response = client.post(f"/practices/{practice.id}/autosave",
                           data=form_data(practice, problem="Tarve kasvaa."), headers=HTMX)
    assert response.status_code == 200
    page = _html(response)
    assert "Saved at" in page
    assert re.search(r"Saved at \d{1,2}[.:]\d{2}", page)
    assert ('<input type="hidden" name="lock_version" id="lock_version" value="2" '
            'hx-swap-oob="true">') in page
    assert "HX-Request" in response.headers["Vary"]
    practice = _practice(db, practice.id)
    assert practice.problem == "Tarve kasvaa." and practice.lock_version == 2

    # A second autosave with the new lock_version goes through as well.
    response = client.post(f"/practices/{practice.id}/autosave",
                           data=form_data(practice, problem="Tarve kasvaa yhä."), headers=HTMX)
    assert 'value="3" hx-swap-oob="true"' in _html(response)


def test_autosave_reports_invalid_input_in_the_status(client, writer, make_practice, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user)
    response = client.post(f"/practices/{practice.id}/autosave", data=form_data(practice, title=""),
                           headers=HTMX)
    assert response.status_code == 422  # refused input: swapped, the status line says why
    assert "Not saved:" in _html(response) and "Give the service model a title." in _html(response)
    assert _practice(db, practice.id).title != ""


def test_autosave_conflict_shows_both_texts_and_overwrites_nothing(
        client, app, writer, make_user, add_member, make_practice, login_as, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user, method="Alkuperäinen.")
    stale = form_data(practice)
    other = make_user(name="Olli Toinen")
    add_member(organisation, other, Role.editor)
    second = use_english(app.test_client())
    login_as(other, second)

    # The other writer saves first.
    response = second.post(f"/practices/{practice.id}/autosave",
                           data=form_data(practice, method="Heidän tekstinsä."), headers=HTMX)
    assert "Saved at" in _html(response)

    # Our autosave carries the old lock_version: a conflict, not an overwrite.
    response = client.post(f"/practices/{practice.id}/autosave",
                           data={**stale, "method": "Minun tekstini."}, headers=HTMX)
    assert response.status_code == 409  # the conflict panel, swapped in place of the status
    assert response.headers["HX-Retarget"] == "#edit-conflict"
    page = _html(response)
    assert "Someone else saved this service model while you were editing it" in page
    assert "Heidän tekstinsä." in page and "Minun tekstini." in page
    assert "Their saved text" in page and "Your text" in page
    assert '<h3 id="conflict-method">The method</h3>' in page
    assert 'id="conflict-title"' in page and "conflict-problem" not in page  # only differing fields
    practice = _practice(db, practice.id)
    assert practice.method == "Heidän tekstinsä." and practice.lock_version == 2

    # "Keep my text" resubmits mine with the current lock_version.
    assert '<input type="hidden" name="lock_version" value="2">' in page
    assert '<input type="hidden" name="method" value="Minun tekstini.">' in page
    response = client.post(f"/practices/{practice.id}/edit",
                           data={**stale, "method": "Minun tekstini.", "lock_version": "2"})
    assert response.status_code == 302
    assert _practice(db, practice.id).method == "Minun tekstini."


def test_full_save_conflict_without_javascript(client, writer, make_practice, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user, summary="Vanha.")
    stale = form_data(practice)
    client.post(f"/practices/{practice.id}/edit", data=form_data(practice, summary="Heidän."))
    response = client.post(f"/practices/{practice.id}/edit", data={**stale, "summary": "Minun."})
    assert response.status_code == 409
    page = _html(response)
    assert page.count("<h1") == 1
    assert "Heidän." in page and "Minun." in page
    take = f'<a class="button button-secondary" href="/practices/{practice.id}/edit">'
    assert take + "Take their text</a>" in page
    assert _practice(db, practice.id).summary == "Heidän."


def test_preview_renders_sanitised_markdown(client, writer, make_practice):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user)
    page = _html(client.get(f"/practices/{practice.id}/edit"))
    assert 'hx-post="/practices/preview"' in page and 'value="problem"' in page
    response = client.post("/practices/preview", headers=HTMX, data={
        "preview_field": "problem", "problem": "**Tarve** <script>alert(1)</script>",
        "language": "sv"})
    assert response.status_code == 200
    fragment = _html(response)
    assert "<strong>Tarve</strong>" in fragment
    assert "<script>alert" not in fragment
    assert 'lang="sv"' in fragment
    assert "<html" not in fragment
    # Without JavaScript the button posts the whole form to the preview page in a new tab,
    # so the editing page keeps what was typed.
    button = page.split('value="method"', 1)[1].split(">", 1)[0]
    assert 'type="submit"' in page.split('value="method"', 1)[0].rsplit("<button", 1)[1]
    assert 'formaction="/practices/preview"' in button
    assert 'formtarget="_blank"' in button
    page = _html(client.post("/practices/preview",
                             data={"preview_field": "method", "method": "- a", "title": "X"}))
    assert page.count("<h1") == 1 and "<li>a</li>" in page
    assert "Previewing does not save the text." in page


def test_archive_and_restore(client, writer, make_practice, app, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user, published=True)
    page = _html(client.get(f"/practices/{practice.id}-{practice.slug}"))
    assert 'data-confirm="Archive this service model?' in page
    response = client.post(f"/practices/{practice.id}/archive", data={})
    assert response.status_code == 302
    assert _practice(db, practice.id).state == PracticeState.archived
    page = _html(client.get(f"/practices/{practice.id}-{practice.slug}"))
    assert "This service model is archived" in page
    assert app.test_client().get(f"/practices/{practice.id}-{practice.slug}").status_code == 404
    assert client.get(f"/practices/{practice.id}/edit").status_code == 403

    client.post(f"/practices/{practice.id}/restore", data={})
    assert _practice(db, practice.id).state == PracticeState.published
    assert app.test_client().get(f"/practices/{practice.id}-{practice.slug}").status_code == 200


def test_contact_person_is_a_member(client, writer, make_user, add_member, make_practice, db):
    user, organisation = writer
    colleague = make_user(name="Kaisa Kollega")
    add_member(organisation, colleague, Role.member)
    stranger = make_user()
    practice = make_practice(organisation=organisation, author=user)
    page = _html(client.get(f"/practices/{practice.id}/edit"))
    assert "Kaisa Kollega" in page
    response = client.post(f"/practices/{practice.id}/contact", data={"contact": str(colleague.id)})
    assert response.status_code == 302
    assert _practice(db, practice.id).contact_user_id == colleague.id
    response = client.post(f"/practices/{practice.id}/contact", data={"contact": str(stranger.id)})
    assert response.status_code == 422
    assert 'id="contact-error"' in _html(response)
    assert _practice(db, practice.id).contact_user_id == colleague.id


# --- attachments --------------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"


def _upload(client, practice, name, content):
    from io import BytesIO

    return client.post(f"/practices/{practice.id}/attachments",
                       data={"file": (BytesIO(content), name)},
                       content_type="multipart/form-data")


def test_attachment_upload_download_and_delete(client, writer, make_practice, app, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user)
    response = _upload(client, practice, "ohje.pdf", PDF)
    assert response.status_code == 302
    practice = _practice(db, practice.id)
    [attachment] = practice.attachments
    assert attachment.filename == "ohje.pdf" and attachment.content_type == "application/pdf"

    url = f"/practices/{practice.id}/attachments/{attachment.id}"
    assert f'href="{url}"' in _html(client.get(f"/practices/{practice.id}/edit"))
    response = client.get(url)
    assert response.status_code == 200
    assert response.data == PDF
    assert response.headers["Content-Disposition"].startswith("attachment")
    assert "ohje.pdf" in response.headers["Content-Disposition"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    response.close()

    # A stranger cannot download a draft's attachment (nor learn that it exists).
    stranger = app.test_client()
    assert stranger.get(url).status_code == 404
    # Another practice's id in the URL does not reach it either.
    other = practice.id + 1000
    assert client.get(f"/practices/{other}/attachments/{attachment.id}").status_code == 404

    response = client.post(f"{url}/delete", data={})
    assert response.status_code == 302
    assert _practice(db, practice.id).attachments == []
    assert client.get(url).status_code == 404


def test_refused_upload_shows_its_message_on_the_field(client, writer, make_practice, db):
    user, organisation = writer
    practice = make_practice(organisation=organisation, author=user)
    response = _upload(client, practice, "sivu.html", b"<html><script>alert(1)</script></html>")
    assert response.status_code == 422
    page = _html(response)
    assert '<p class="error" id="file-error">This file type is not allowed.' in page
    assert 'aria-invalid="true"' in page
    response = _upload(client, practice, "fake.pdf", b"<svg onload=alert(1)>")
    assert response.status_code == 422
    assert "does not match its name" in _html(response)
    response = client.post(f"/practices/{practice.id}/attachments", data={})
    assert response.status_code == 422
    assert "Choose a file to upload." in _html(response)
    assert _practice(db, practice.id).attachments == []

