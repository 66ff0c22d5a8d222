"""Writing and publishing a service model in a real browser.

An editor of a verified organisation creates a draft, types a section and lets autosave keep
it (no save button), sees what is missing on the publish page, fills it in, publishes, edits a
second version with a change note and compares the two versions.
"""

from __future__ import annotations

import re
from urllib.parse import parse_qs

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    add_member,
    create_organisation,
    create_user,
    log_in,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

EDITOR = ("Eero Editori", "eero.editori@example.fi")
ORGANISATION = "Työpolku Kainuu ry"
TITLE = "Työkokeilu yrityksissä osatyökykyisille"
PROBLEM = "Osatyökykyiset jäävät usein pois avoimilta työmarkkinoilta ilman tukea."
PROBLEM_V2 = "Osatyökykyiset jäävät usein pois avoimilta työmarkkinoilta ilman työhönvalmentajaa."
SAVED_AT = re.compile(r"Saved at \d{1,2}[.:]\d{2}")  # "Saved at 2:05 PM" in English


def flash(page):
    return page.locator(".flashes")


def test_write_with_autosave_publish_and_compare_versions(new_page, live_server):
    owner_id = create_user(live_server, "tyopolku.owner@example.fi", "Oona Omistaja")
    org_id = create_organisation(live_server, owner_id, ORGANISATION, valid_business_id(301))
    editor_id = create_user(live_server, EDITOR[1], EDITOR[0])
    add_member(live_server, org_id, editor_id, "editor")

    page = new_page()
    page.goto("/")
    switch_language(page, "en")
    log_in(page, EDITOR[1])

    # A new draft: only the title and the summary at first.
    page.goto("/practices/new")
    expect(page.get_by_role("heading", level=1)).to_have_text("New service model")
    expect(page.get_by_label("Organisation")).to_have_value(str(org_id))  # the only choice
    page.get_by_label("Title").fill(TITLE)
    page.get_by_label("Language of the text").select_option("fi")
    page.get_by_label("Summary").fill("Työkokeilu yrityksessä valmentajan tuella.")
    page.get_by_role("button", name="Create the draft").click()
    expect(flash(page)).to_contain_text("The draft has been created")
    expect(page).to_have_url(re.compile(r"/practices/\d+/edit$"))
    practice_id = int(page.url.rsplit("/", 2)[1])
    status = page.locator("#autosave-status")
    expect(status).to_contain_text("Changes are saved automatically")

    # Typing is saved by itself a few seconds later (htmx), without pressing Save. The save
    # waited for is the one with all of the text (a busy machine may pause the typing long
    # enough for a save of its beginning).
    page.evaluate("() => { window.__samePage = true; }")  # gone if the page reloads
    with page.expect_response(lambda r: r.url.endswith(f"/practices/{practice_id}/autosave")
                              and r.request.headers.get("hx-request") == "true"
                              and parse_qs(r.request.post_data or "").get("problem")
                              == [PROBLEM]) as saved:
        page.get_by_label("The problem").press_sequentially(PROBLEM)
    assert saved.value.status == 200
    expect(status).to_have_text(SAVED_AT)
    assert page.evaluate("() => window.__samePage") is True  # no page load: htmx saved it
    page.reload()
    expect(page.get_by_label("The problem")).to_have_value(PROBLEM)

    # The publish page lists what is still missing.
    page.get_by_role("main").get_by_role("link", name="Publish", exact=True).click()
    expect(page).to_have_url(re.compile(rf"/practices/{practice_id}/publish$"))
    checklist = page.locator(".checklist")
    for missing in ("The method: how it works, in steps", "The results: outcomes and evidence",
                    "Adoption: what another organisation needs to take it up",
                    "At least one target group", "At least one region",
                    "The development stage", "The evidence level"):
        expect(checklist).to_contain_text(missing)
    expect(checklist).not_to_contain_text("The problem")  # autosaved, so not missing
    expect(checklist).not_to_contain_text("verified")  # the organisation is verified
    expect(page.get_by_role("button", name="Publish")).to_have_count(0)

    # Fill in what is missing (the checklist links to the fields) and save.
    checklist.get_by_role("link", name="The method: how it works, in steps").click()
    expect(page).to_have_url(re.compile(rf"/practices/{practice_id}/edit#method$"))
    page.get_by_label("The method").fill("1. Kartoitus\n2. Työkokeilu yrityksessä\n3. Palkkatyö")
    # Preview shows the Markdown as readers will see it, in place (no new tab with JS).
    page.locator('button[name="preview_field"][value="method"]').click()
    expect(page.locator("#preview-method li").first).to_have_text("Kartoitus")
    assert len(page.context.pages) == 1
    page.get_by_label("Results", exact=True).fill("Puolet kokeilijoista jäi töihin.")
    page.get_by_label("Adoption").fill("Tarvitaan yksi valmentaja ja yritysverkosto.")
    page.get_by_role("group", name="Target groups").get_by_label(
        "Partially able to work").check()
    page.get_by_role("group", name="Regions").get_by_label("Kainuu").check()
    page.get_by_label("Development stage").select_option("in_use")
    page.get_by_label("Evidence level").select_option("monitoring_data")
    page.locator("main form.practice-form").get_by_role("button", name="Save",
                                                         exact=True).click()
    expect(flash(page)).to_contain_text("The changes have been saved.")

    # Now it can be published.
    page.goto(f"/practices/{practice_id}/publish")
    expect(page.locator(".checklist")).to_contain_text(
        "Everything needed for publishing is filled in.")
    expect(page.get_by_role("heading", name="Publish the first version")).to_be_visible()
    page.get_by_role("button", name="Publish").click()
    expect(flash(page)).to_contain_text("Version 1 has been published.")
    expect(page).to_have_url(re.compile(rf"/practices/{practice_id}-[a-z0-9-]+$"))
    public_url = page.url

    # The public page, as a visitor sees it.
    visitor = new_page()
    visitor.goto(public_url)
    switch_language(visitor, "en")
    expect(visitor).to_have_url(public_url)
    expect(visitor.get_by_role("heading", level=1)).to_have_text(TITLE)
    content = visitor.locator("#practice-content")
    expect(content.locator("#text-problem")).to_have_text(PROBLEM)
    expect(content.locator("#text-method li")).to_have_count(3)
    expect(content.locator("#text-results")).to_contain_text("Puolet kokeilijoista")
    expect(content.locator("#text-adoption")).to_contain_text("yksi valmentaja")
    expect(content.locator(".classification")).to_contain_text("Kainuu")
    facts = visitor.locator(".practice-aside")
    expect(facts.get_by_role("link", name=ORGANISATION)).to_have_attribute(
        "href", f"/organisations/{org_id}")
    expect(facts.locator("dd").filter(has_text="All versions")).to_have_text(
        re.compile(r"^\s*1\s*·\s*All versions\s*$"))  # version 1
    expect(visitor.get_by_role("link", name="Edit")).to_have_count(0)  # not for visitors

    # A second version: the editor changes a few words and publishes with a change note.
    page.goto(f"/practices/{practice_id}/edit")
    expect(page.locator(".notice")).to_contain_text("You are editing the working copy")
    page.get_by_label("The problem").fill(PROBLEM_V2)
    page.locator("main form.practice-form").get_by_role("button", name="Save",
                                                         exact=True).click()
    expect(flash(page)).to_contain_text("The changes have been saved.")
    visitor.reload()  # readers still see version 1
    expect(visitor.locator("#text-problem")).to_have_text(PROBLEM)

    page.goto(f"/practices/{practice_id}/publish")
    expect(page.get_by_role("heading", name="Publish the changes as version 2")).to_be_visible()
    page.get_by_label("What changed (change note)").fill("Työhönvalmentaja mainittu.")
    page.get_by_role("button", name="Publish").click()
    expect(flash(page)).to_contain_text("Version 2 has been published.")
    visitor.reload()
    expect(visitor.locator("#text-problem")).to_have_text(PROBLEM_V2)

    # The history lists both versions with the note; the diff marks the changed words.
    visitor.get_by_role("link", name="All versions").click()
    expect(visitor).to_have_url(re.compile(rf"/practices/{practice_id}/versions$"))
    versions = visitor.locator("#versions tbody tr")
    expect(versions).to_have_count(2)
    expect(versions.first).to_contain_text("Version 2")
    expect(versions.first).to_contain_text("Työhönvalmentaja mainittu.")
    expect(versions.first).to_contain_text(EDITOR[0])
    visitor.get_by_role("link", name="Compare with version 1").click()
    expect(visitor).to_have_url(re.compile(rf"/practices/{practice_id}/diff\?from=1&to=2$"))
    expect(visitor.get_by_role("heading", level=1)).to_have_text("Compare versions")
    diff = visitor.locator("#practice-content")
    expect(diff.locator("section.diff-field")).to_have_count(1)  # only the problem changed
    expect(diff.locator("ins")).to_contain_text("työhönvalmentajaa")
    expect(diff.locator("del")).to_contain_text("tukea")
    expect(diff.locator("ins")).not_to_contain_text("Osatyökykyiset")  # kept words unmarked
