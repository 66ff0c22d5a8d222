"""The path of a new organisation, end to end in a real browser.

Register -> verify the address from the mail -> register an organisation -> an administrator
verifies it -> the owner invites a colleague -> the colleague registers, verifies, accepts the
invitation from the mail -> the colleague sees the organisation on the dashboard.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    PASSWORD,
    create_user,
    log_in,
    log_out,
    register_and_verify,
    switch_language,
)

pytestmark = pytest.mark.browser

OWNER = ("Olli Omistaja", "olli.omistaja@example.fi")
COLLEAGUE = ("Kaisa Kollega", "kaisa.kollega@example.fi")
ADMIN = ("Ylläpitäjä", "yllapito@example.fi")
ORGANISATION = "Polku työhön ry"
BUSINESS_ID = "2617416-4"


def flash(page):
    return page.locator(".flashes")


def org_link(page):
    return page.locator("main").get_by_role("link", name=ORGANISATION, exact=True)


def test_register_organisation_verify_invite_and_join(new_page, live_server):
    create_user(live_server, ADMIN[1], ADMIN[0], admin=True)

    # The owner registers and verifies the address.
    page = new_page()
    page.goto("/")
    switch_language(page, "en")
    register_and_verify(page, live_server, *OWNER)

    # ... and registers the organisation.
    page.goto("/organisations/new")
    page.get_by_label("Name of the organisation").fill(ORGANISATION)
    page.get_by_label("Business ID").fill(BUSINESS_ID)
    page.get_by_label("Type of organisation").select_option("ngo")
    regions = page.get_by_role("group", name="Regions where you work")
    regions.get_by_label("South Savo").check()
    regions.get_by_label("Uusimaa").check()
    page.get_by_role("group", name="Target groups you work with").get_by_role(
        "checkbox").first.check()
    page.get_by_label("Description", exact=True).fill(
        "Tuettua työllistymistä ja työhönvalmennusta osatyökykyisille Etelä-Savossa.")
    page.get_by_label("Areas of expertise").fill("supported employment, job coaching")
    page.get_by_label("Website").fill("https://polku.example.fi")
    page.get_by_role("button", name="Register the organisation").click()
    expect(flash(page)).to_contain_text(f"{ORGANISATION} has been registered")
    expect(page).to_have_url(re.compile(r"/organisations/\d+$"))
    org_id = int(page.url.rstrip("/").rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_contain_text(ORGANISATION)

    # Not verified yet: not in the public directory.
    page.goto("/organisations")
    expect(page.locator("main")).not_to_contain_text(ORGANISATION)
    log_out(page)

    # An administrator verifies it.
    log_in(page, ADMIN[1])
    page.get_by_role("navigation", name="Main").get_by_role("link", name="Verification").click()
    expect(page).to_have_url(re.compile(r"/admin/organisations"))
    page.get_by_role("button", name=f"Verify {ORGANISATION}").click()
    expect(flash(page)).to_contain_text(f"{ORGANISATION} has been verified")
    log_out(page)
    assert live_server.mail_link(OWNER[1], f"/organisations/{org_id}")  # the owner was told

    # The owner logs in again and invites a colleague.
    log_in(page, OWNER[1])
    page.goto(f"/organisations/{org_id}/members")
    invite_form = page.locator(f'form[action$="/organisations/{org_id}/invitations"]')
    invite_form.get_by_label("E-mail address").fill(COLLEAGUE[1])
    invite_form.get_by_label("Role").select_option("editor")
    invite_form.get_by_role("button", name="Send the invitation").click()
    expect(flash(page)).to_contain_text(f"We sent an invitation to {COLLEAGUE[1]}")
    expect(page.locator("main")).to_contain_text(COLLEAGUE[1])  # listed as pending
    log_out(page)

    # The colleague, in a browser of their own, registers, verifies and accepts.
    colleague = new_page()
    colleague.goto("/")
    switch_language(colleague, "en")
    invitation_link = live_server.mail_link(COLLEAGUE[1], "/invitations/")
    register_and_verify(colleague, live_server, *COLLEAGUE)
    colleague.goto(invitation_link)
    expect(colleague.locator("main")).to_contain_text(ORGANISATION)
    colleague.get_by_role("button", name=f"Accept and join {ORGANISATION}").click()
    expect(flash(colleague)).to_contain_text(f"You are now a member of {ORGANISATION}")

    colleague.get_by_role("navigation", name="Main").get_by_role("link", name="My work").click()
    expect(colleague).to_have_url(re.compile(r"/dashboard$"))
    expect(org_link(colleague)).to_be_visible()

    # The organisation is now public, and the owner sees the new editor.
    colleague.goto("/organisations")
    expect(org_link(colleague)).to_be_visible()
    log_in(page, OWNER[1])
    page.goto(f"/organisations/{org_id}/members")
    expect(page.locator("main")).to_contain_text(COLLEAGUE[0])

    # A destructive action asks first (window.confirm, accepted by the page fixture).
    invite_form = page.locator(f'form[action$="/organisations/{org_id}/invitations"]')
    invite_form.get_by_label("E-mail address").fill("vaarin@example.fi")
    invite_form.get_by_role("button", name="Send the invitation").click()
    expect(flash(page)).to_contain_text("We sent an invitation to vaarin@example.fi")
    dialogs = []
    page.on("dialog", lambda dialog: dialogs.append(dialog.message))
    page.wait_for_load_state("load")  # the script that asks first runs
    page.get_by_role("button", name="Cancel the invitation to vaarin@example.fi").click()
    expect(flash(page)).to_contain_text("The invitation to vaarin@example.fi has been cancelled")
    assert dialogs == ["Cancel the invitation to vaarin@example.fi?"]


def _log_in_without_language(page, email_address):
    """Log in by the fields' names, whatever the interface language is."""
    page.goto("/login")
    page.locator('main input[name="email"]').fill(email_address)
    page.locator('main input[name="password"]').fill(PASSWORD)
    page.locator('main form[action$="/login"] [type="submit"]').click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))


def test_the_users_language_is_used_after_logging_in(new_page, live_server):
    create_user(live_server, "sanna.svensk@example.fi", "Sanna Svensk", language="sv")
    page = new_page()
    page.goto("/login")
    expect(page.locator("html")).to_have_attribute("lang", "fi")  # the default
    _log_in_without_language(page, "sanna.svensk@example.fi")
    expect(page.locator("html")).to_have_attribute("lang", "sv")  # her preference

    switch_language(page, "en")  # the choice is also saved as her preference
    page.locator('form[action$="/logout"] [type="submit"]').click()
    expect(page.locator("html")).to_have_attribute("lang", "en")  # still, after logging out

    other = new_page()  # another browser, where no language was chosen
    _log_in_without_language(other, "sanna.svensk@example.fi")
    expect(other.locator("html")).to_have_attribute("lang", "en")
