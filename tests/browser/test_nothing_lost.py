"""Nothing typed is lost, in a real browser: what writers of applications and service models
rely on when they type, leave, upload, edit together and go back.

1. A section saves itself a few seconds after typing stops, without pressing Save.
2. Two people edit one section: the second save shows the first one's text beside the second
   one's (still in the form), and "Keep my text and save" stores the second one's.
3. Leaving a page with unsaved input asks first (beforeunload); after a save it does not, unless
   more was typed while the save was on its way.
4. An upload on the service-model editor first saves the text typed a moment before.
5. Back after submitting an application shows the submitted application, not an error page.
"""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Page, expect

from tests.browser import TIMEOUT_MS
from tests.browser.support import (
    add_member,
    create_application,
    create_complete_application,
    create_draft_practice,
    create_open_call,
    create_organisation,
    create_user,
    log_in,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

WRITER = ("Tellervo Tallentaja", "tallentaja.kirjoittaja@example.fi")
COLLEAGUE = ("Kalle Kollega", "tallentaja.kollega@example.fi")
MANAGER = ("Hilkka Hakuvastaava", "tallentaja.hakuvastaava@example.fi")

SAVED_AT = re.compile(r"Saved at \d{1,2}[.:]\d{2}")  # "Saved at 2:05 PM" in English
SAVED = re.compile(r"^\s*Saved\b")  # "Saved" (the Save button) or "Saved at …" (an autosave)
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


# --- the people, the organisation and the call -----------------------------------------------


class World:
    def __init__(self, server, writer_id, ngo_id, call_id, writer_state, colleague_state):
        self.server = server
        self.writer_id = writer_id
        self.ngo_id = ngo_id
        self.call_id = call_id
        self.writer_state = writer_state
        self.colleague_state = colleague_state

    def application(self, project_name: str = "Mitään ei katoa") -> int:
        return create_application(self.server, self.call_id, self.ngo_id, self.writer_id,
                                  project_name=project_name)["id"]

    def practice(self) -> int:
        return create_draft_practice(self.server, self.writer_id, self.ngo_id,
                                     title="Tallentuva malli")

    def open(self, new_page, path: str, *, state: dict | None = None) -> tuple[Page, list]:
        """A page signed in (as the writer unless `state` says otherwise) on `path`, and the
        list of what it has shown or thrown so far: the type of each dialog (all of them are
        accepted) and "script error: …" for each uncaught error of its scripts."""
        page = new_page(storage_state=state or self.writer_state)
        incidents: list[str] = []
        page.on("dialog", lambda dialog: incidents.append(dialog.type))
        page.on("pageerror", lambda error: incidents.append(f"script error: {error}"))
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        return page, incidents


def _signed_in_state(browser, server, email_address: str) -> dict:
    context = browser.new_context(base_url=server.url, locale="fi-FI")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/")
        switch_language(page, "en")
        log_in(page, email_address)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="module")
def world(browser, live_server) -> World:
    manager_id = create_user(live_server, MANAGER[1], MANAGER[0])
    ely_id = create_organisation(live_server, manager_id, "Tallennusten ELY-keskus",
                                 valid_business_id(901), type="regional_authority")
    add_member_call_manager(live_server, ely_id, manager_id)
    call_id = create_open_call(live_server, ely_id, title="Tallennusten haku 2026")
    writer_id = create_user(live_server, WRITER[1], WRITER[0])
    ngo_id = create_organisation(live_server, writer_id, "Tallessa ry", valid_business_id(902))
    colleague_id = create_user(live_server, COLLEAGUE[1], COLLEAGUE[0])
    add_member(live_server, ngo_id, colleague_id, "editor")
    return World(live_server, writer_id, ngo_id, call_id,
                 _signed_in_state(browser, live_server, WRITER[1]),
                 _signed_in_state(browser, live_server, COLLEAGUE[1]))


def add_member_call_manager(server, organisation_id: int, user_id: int) -> None:
    from sqlalchemy import update

    from app.extensions import db
    from app.organisations.models import Membership

    def _set():
        db.session.execute(update(Membership).where(
            Membership.organisation_id == organisation_id, Membership.user_id == user_id,
        ).values(is_call_manager=True))
        db.session.commit()

    server.run(_set)


# --- reading what was stored -----------------------------------------------------------------


def stored_application(server, application_id: int, name: str):
    from app.applications.models import Application
    from app.extensions import db

    def _read():
        db.session.expire_all()
        return getattr(db.session.get(Application, application_id), name)

    return server.run(_read)


def stored_practice(server, practice_id: int) -> dict:
    """The working copy's summary and method, and the names of the attachments."""
    from app.extensions import db
    from app.practices.models import Practice

    def _read():
        db.session.expire_all()
        practice = db.session.get(Practice, practice_id)
        return {"summary": practice.summary, "method": practice.method,
                "attachments": [a.filename for a in practice.attachments]}

    return server.run(_read)


# --- requests and leaving --------------------------------------------------------------------


def posts_to(pattern: str, status: int | None = None):
    def _match(response) -> bool:
        return (response.request.method == "POST"
                and re.search(pattern, urlsplit(response.url).path) is not None
                and (status is None or response.status == status))

    return _match


def navigate_away(page: Page) -> None:
    """Go to another page of the site (the page's beforeunload handler runs; a dialog it shows
    is accepted) and wait until it has come."""
    page.goto("/dashboard")
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def close_tab(page: Page) -> None:
    """Close the page as a person closing the tab would (its beforeunload handler runs; a
    dialog it shows is accepted) and wait until it is gone."""
    with page.expect_event("close"):
        page.close(run_before_unload=True)


def hold_autosaves(page: Page, pattern: str) -> list:
    """Hold every autosave request to a path matching `pattern` unanswered (a slow network):
    what was typed stays unsaved however long the test takes."""
    held: list = []
    page.route(re.compile(pattern), lambda route: held.append(route))
    return held


# --- 1. autosave ----------------------------------------------------------------------------


def test_section_autosaves_without_pressing_save(world, new_page, live_server):
    application_id = world.application()
    page, incidents = world.open(new_page, f"/calls/applications/{application_id}")
    sent: list[str] = []
    page.on("request", lambda r: sent.append(urlsplit(r.url).path)
            if r.method == "POST" else None)
    section = page.locator("#section-background")
    field = section.get_by_label("Background and need")
    status = page.locator("#autosave-background")
    text = "Kainuussa on paljon osatyökykyisiä, jotka haluavat töihin mutta eivät löydä tukea."

    # The status line changes from nothing to "Saved at …" with nobody pressing Save.
    expect(status).to_have_text("")
    with page.expect_response(posts_to(r"/sections/background/autosave$", 200)):
        field.click()
        field.fill(text)
    expect(status).to_have_text(SAVED_AT)
    assert sent == [f"/calls/applications/{application_id}/sections/background/autosave"], sent
    assert stored_application(live_server, application_id, "background") == text

    # Reloading shows the saved text (and, saved, it does not ask before leaving).
    page.reload()
    expect(page.locator("#section-background").get_by_label("Background and need")).to_have_value(
        text)
    assert incidents == [], incidents


# --- 2. two people, one section ------------------------------------------------------------


def test_two_people_edit_one_section_and_the_second_keeps_their_text(world, new_page,
                                                                      live_server):
    application_id = world.application()
    path = f"/calls/applications/{application_id}"
    page_a, incidents_a = world.open(new_page, path)
    # B (a colleague in the same organisation) opens the page before A saves.
    page_b, incidents_b = world.open(new_page, path, state=world.colleague_state)
    text_a = "Tellervon teksti: osatyökykyisiä on alueella noin 3 000."
    text_b = "Kallen teksti: työnantajat tarvitsevat tukea rekrytointiin."

    # A types and saves.
    section_a = page_a.locator("#section-background")
    section_a.get_by_label("Background and need").fill(text_a)
    with page_a.expect_response(posts_to(r"/sections/background$", 200)):
        section_a.get_by_role("button", name="Save", exact=True).click()
    expect(page_a.locator("#autosave-background")).to_have_text(SAVED)
    assert stored_application(live_server, application_id, "background") == text_a

    # B, whose page still has the version before A's save, types other text and saves:
    # the merge view, with A's text beside B's, which is still in the form. Nothing is saved.
    section_b = page_b.locator("#section-background")
    field_b = section_b.get_by_label("Background and need")
    field_b.fill(text_b)
    with page_b.expect_response(posts_to(r"/sections/background$")) as answer:
        section_b.get_by_role("button", name="Save", exact=True).click()
    assert answer.value.status == 409, answer.value.status
    panel = page_b.locator("#conflict-background .conflict-panel")
    expect(panel).to_be_visible()
    expect(panel).to_contain_text("Someone else saved this part while you were editing it")
    expect(panel.locator(".conflict-theirs")).to_be_visible()
    expect(panel.locator(".conflict-theirs")).to_have_text(text_a)
    expect(panel.locator(".conflict-mine")).to_have_text(text_b)
    field_b = page_b.locator("#section-background").get_by_label("Background and need")
    expect(field_b).to_have_value(text_b)
    assert stored_application(live_server, application_id, "background") == text_a

    # B keeps their text: it is saved on top of A's, and the panel goes away.
    with page_b.expect_response(posts_to(r"/sections/background$")) as answer:
        panel.get_by_role("button", name="Keep my text and save").click()
    assert answer.value.status == 200, answer.value.status
    expect(page_b.locator("#autosave-background")).to_have_text(SAVED)
    expect(page_b.locator("#conflict-background .conflict-panel")).to_have_count(0)
    assert stored_application(live_server, application_id, "background") == text_b
    page_b.reload()
    expect(page_b.locator("#section-background").get_by_label("Background and need")
           ).to_have_value(text_b)
    expect(page_b.locator("#conflict-background .conflict-panel")).to_have_count(0)
    assert (incidents_a, incidents_b) == ([], []), (incidents_a, incidents_b)


# --- 3. leaving with unsaved input ------------------------------------------------------------
# The Method section (and "The method" of a service model) on purpose: its field is named
# "method", which shadows a form's `method` property.


def test_leaving_an_unsaved_section_asks_first_and_a_saved_one_does_not(world, new_page,
                                                                         live_server):
    application_id = world.application()
    path = f"/calls/applications/{application_id}"

    # Typed, not saved (its autosave held back): navigating away asks.
    page, incidents = world.open(new_page, path)
    hold_autosaves(page, r"/sections/method/autosave$")
    field = page.locator("#section-method").get_by_label("Method")
    field.click()
    field.fill("Kartoitus, työkokeilu ja tuki työpaikalla.")
    navigate_away(page)
    assert incidents == ["beforeunload"], incidents

    # Typed and saved with the Save button: navigating away does not ask.
    page, incidents = world.open(new_page, path)
    text = "Kartoitus, työkokeilu, tuki työpaikalla ja seuranta."
    section = page.locator("#section-method")
    field = section.get_by_label("Method")
    field.click()
    field.fill(text)
    with page.expect_response(posts_to(r"/sections/method$", 200)):
        section.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#autosave-method")).to_have_text(SAVED)
    navigate_away(page)
    assert incidents == [], incidents
    assert stored_application(live_server, application_id, "method") == text


def test_leaving_the_service_model_editor_asks_until_it_has_autosaved(world, new_page,
                                                                      live_server):
    practice_id = world.practice()
    path = f"/practices/{practice_id}/edit"

    # Typed, not saved yet (its autosave held back): navigating away asks, closing the tab too.
    for leave in (navigate_away, close_tab):
        page, incidents = world.open(new_page, path)
        hold_autosaves(page, rf"/practices/{practice_id}/autosave$")
        field = page.get_by_label("The method", exact=True)
        field.click()
        field.fill("Valmentaja tukee sekä työntekijää että työnantajaa.")
        leave(page)
        assert incidents == ["beforeunload"], (leave.__name__, incidents)

    # Typed and autosaved: neither asks.
    for number, leave in enumerate((navigate_away, close_tab), start=1):
        text = f"Valmentaja tukee työnantajaa perehdytyksessä ({number}/2)."
        page, incidents = world.open(new_page, path)
        field = page.get_by_label("The method", exact=True)
        with page.expect_response(posts_to(rf"/practices/{practice_id}/autosave$", 200)):
            field.click()
            field.fill(text)
        expect(page.locator("#autosave-status")).to_have_text(SAVED_AT)
        leave(page)
        assert incidents == [], (leave.__name__, incidents)
        assert stored_practice(live_server, practice_id)["method"] == text


def test_text_typed_while_an_autosave_is_on_its_way_is_still_unsaved(world, new_page,
                                                                      live_server):
    application_id = world.application()
    page, incidents = world.open(new_page, f"/calls/applications/{application_id}")
    held = hold_autosaves(page, r"/sections/target_group/autosave$")
    field = page.locator("#section-target_group").get_by_label("Target group")
    first = "Osatyökykyiset työnhakijat"
    more = first + " ja heitä palkkaavat työnantajat."

    # The autosave of the first words leaves; more is typed before its answer comes.
    with page.expect_request(lambda r: r.method == "POST"
                             and r.url.endswith("/sections/target_group/autosave")):
        field.click()
        field.fill(first)
    field.fill(more)
    assert len(held) == 1, held
    held[0].continue_()
    expect(page.locator("#autosave-target_group")).to_have_text(SAVED_AT)
    assert stored_application(live_server, application_id, "target_group") == first

    # Saved was the beginning only: leaving still asks (the rest is not saved yet).
    expect(field).to_have_value(more)
    navigate_away(page)
    assert incidents == ["beforeunload"], incidents


# --- 4. upload while an autosave is pending --------------------------------------------------


def test_upload_right_after_typing_keeps_the_text_and_the_file(world, new_page, live_server):
    practice_id = world.practice()
    page, incidents = world.open(new_page, f"/practices/{practice_id}/edit")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(urlsplit(r.url).path)
            if r.method == "POST" else None)
    summary_text = "Työkokeilu valmentajan tuella; ohje työnantajalle on liitteenä."
    method_text = "1. Kartoitus\n2. Työkokeilu\n3. Tuki työpaikalla"

    # Type, then at once (well within the 3 s of the autosave) choose a file and upload it.
    summary = page.get_by_label("Summary", exact=True)
    summary.click()
    summary.fill(summary_text)
    page.get_by_label("The method", exact=True).fill(method_text)
    page.get_by_label("File", exact=True).set_input_files(
        {"name": "ohje-tyonantajalle.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation():
        page.get_by_role("button", name="Upload", exact=True).click()

    # The page has reloaded with the file attached and the typed text in the form.
    expect(page).to_have_url(re.compile(rf"/practices/{practice_id}/edit#attachments-title$"))
    expect(page.locator(".flashes")).to_contain_text("ohje-tyonantajalle.pdf has been attached")
    expect(page.get_by_label("Summary", exact=True)).to_have_value(summary_text)
    expect(page.get_by_label("The method", exact=True)).to_have_value(method_text)
    expect(page.locator(".attachment-list")).to_contain_text("ohje-tyonantajalle.pdf")
    stored = stored_practice(live_server, practice_id)
    assert (stored["summary"], stored["method"]) == (summary_text, method_text)
    assert stored["attachments"] == ["ohje-tyonantajalle.pdf"]
    # The text was saved first, then the file uploaded (a busy machine may have let the
    # delayed autosave go too), without asking to leave the page.
    autosave, upload = f"/practices/{practice_id}/autosave", f"/practices/{practice_id}/attachments"
    assert posts[-1] == upload and posts[:-1] and set(posts[:-1]) == {autosave}, posts
    assert incidents == [], incidents


# --- 5. back after submitting ----------------------------------------------------------------


def test_back_after_submitting_shows_the_submitted_application(world, new_page, live_server):
    application_id = create_complete_application(live_server, world.call_id, world.ngo_id,
                                                 world.writer_id, project_name="Takaisin ja eteen")
    page, incidents = world.open(new_page, f"/calls/applications/{application_id}")
    page.locator("#section-status").get_by_role("link", name="Check and submit").click()
    expect(page).to_have_url(re.compile(rf"/calls/applications/{application_id}/submit$"))
    expect(page.locator(".error-summary")).to_have_count(0)
    page.wait_for_load_state("load")  # the script that asks "Submit the application?" runs
    page.get_by_role("button", name="Submit the application").click()  # confirm is accepted
    expect(page).to_have_url(re.compile(rf"/calls/applications/{application_id}/submitted"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    assert stored_application(live_server, application_id, "state").value == "submitted"

    # Back: the submit page's address again, now locked; what is shown is the submitted
    # application's confirmation, not an error page.
    response = page.go_back()
    assert response is None or response.status < 400, response.status
    expect(page).to_have_url(re.compile(rf"/calls/applications/{application_id}/submitted"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(page.locator("main")).to_contain_text("Takaisin ja eteen")
    expect(page.locator("main")).not_to_contain_text("Forbidden")
    expect(page.get_by_role("button", name="Submit the application")).to_have_count(0)

    # Back once more: the application itself, submitted and locked.
    response = page.go_back()
    assert response is None or response.status < 400, response.status
    expect(page).to_have_url(re.compile(rf"/calls/applications/{application_id}$"))
    expect(page.locator("#section-status")).to_contain_text("Submitted")
    expect(page.locator("main textarea")).to_have_count(0)
    assert incidents == ["confirm"], incidents  # "Submit the application?" only


def test_application_upload_right_after_typing_saves_the_section_first(world, new_page,
                                                                      live_server):
    application_id = world.application(project_name="Liite ja teksti")
    page, incidents = world.open(new_page, f"/calls/applications/{application_id}")
    posts: list[str] = []
    page.on("request", lambda r: posts.append(urlsplit(r.url).path)
            if r.method == "POST" else None)
    text = "Tarve näkyy kunnan tilastoissa; taulukko on liitteenä."
    field = page.locator("#section-background").get_by_label("Background and need")
    field.click()
    field.fill(text)
    attachments = page.locator("#section-attachments")
    attachments.locator("input[type=file]").set_input_files(
        {"name": "tilastot.pdf", "mimeType": "application/pdf", "buffer": PDF})
    with page.expect_navigation():
        attachments.get_by_role("button").last.click()
    expect(page.locator(".flashes")).to_contain_text("tilastot.pdf has been attached")
    expect(page.locator("#section-background").get_by_label("Background and need")).to_have_value(
        text)
    assert stored_application(live_server, application_id, "background") == text
    section_save = f"/calls/applications/{application_id}/sections/background/autosave"
    upload = f"/calls/applications/{application_id}/attachments"
    assert posts[-1] == upload and section_save in posts[:-1], posts
    assert incidents == [], incidents
