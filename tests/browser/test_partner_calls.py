"""Answering a partner call in a real browser: a member of an NGO opens a staffing firm's
partner call, sends an empty answer first (the message is tied to the field), then answers;
the firm's member sees the unread answer, opens the private thread and replies with htmx (the
message appears without a reload; a refused reply keeps its text)."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    create_organisation,
    create_user,
    log_in,
    switch_language,
    valid_business_id,
)
from tests.partners.browser import partner_call_of_a_firm

pytestmark = pytest.mark.browser

NGO_MEMBER = ("Niina Järjestö", "niina.jarjesto@example.fi")
TITLE = "Järjestökumppani työhönvalmennukseen"


def test_an_ngo_answers_a_firms_partner_call_and_the_two_talk(live_server, new_page):
    partner_call_id, firm_owner_id = partner_call_of_a_firm(live_server, TITLE)
    firm_email = _email_of(live_server, firm_owner_id)
    ngo_user = create_user(live_server, NGO_MEMBER[1], NGO_MEMBER[0])
    create_organisation(live_server, ngo_user, "Työpolku ry", valid_business_id(5901))

    ngo = new_page()
    ngo.goto("/")
    switch_language(ngo, "en")
    log_in(ngo, NGO_MEMBER[1])
    ngo.goto("/partner-calls")
    ngo.get_by_role("link", name=TITLE).click()
    expect(ngo).to_have_url(re.compile(rf"/partner-calls/{partner_call_id}$"))
    ngo.get_by_role("button", name="Send the answer").click()
    body = ngo.get_by_label("Message")
    expect(ngo.locator("#body-error")).to_have_text("Write a message.")
    expect(body).to_have_attribute("aria-invalid", "true")
    body.fill("Työpolku ry on kiinnostunut: meillä on viisi työhönvalmentajaa.")
    ngo.get_by_role("button", name="Send the answer").click()
    expect(ngo).to_have_url(re.compile(rf"/partner-calls/{partner_call_id}/threads/\d+$"))
    expect(ngo.locator(".partner-message")).to_have_count(1)
    expect(ngo.locator(".partner-message")).to_contain_text("viisi työhönvalmentajaa")

    firm = new_page()
    firm.goto("/")
    switch_language(firm, "en")
    log_in(firm, firm_email)
    firm.goto("/partner-calls/mine")
    expect(firm.get_by_role("heading", name=re.compile(TITLE))).to_contain_text("1 unread")
    firm.get_by_role("link", name="1 answer").click()
    firm.get_by_role("link", name="Työpolku ry").click()
    expect(firm.locator(".partner-message .badge-new")).to_have_count(1)
    firm.evaluate("window.notReloaded = true")
    reply = firm.get_by_label("Message")
    too_long = ("Kiitos vastauksesta, soitellaan. " * 160)[:5001]
    reply.fill(too_long)
    with firm.expect_response(lambda r: r.url.endswith("/messages")) as refused:
        firm.get_by_role("button", name="Send the message").click()
    assert refused.value.status == 422
    expect(firm.locator("#body-error")).to_contain_text("at most 5,000 characters")
    expect(firm.get_by_label("Message")).to_have_value(too_long)  # nothing typed is lost
    firm.get_by_label("Message").fill("Kiitos! Sovitaan tapaaminen tiistaille.")
    with firm.expect_response(lambda r: r.url.endswith("/messages")) as sent:
        firm.get_by_role("button", name="Send the message").click()
    assert sent.value.status == 200
    expect(firm.locator(".partner-message")).to_have_count(2)
    expect(firm.locator(".partner-message").last).to_contain_text("tapaaminen tiistaille")
    expect(firm.get_by_label("Message")).to_have_value("")
    assert firm.evaluate("window.notReloaded") is True  # swapped in by htmx, no reload

    ngo.reload()
    expect(ngo.locator(".partner-message")).to_have_count(2)
    expect(ngo.locator(".partner-message").last.locator(".badge-new")).to_have_count(1)


def _email_of(server, user_id: int) -> str:
    def _read():
        from app.auth.models import User
        from app.extensions import db

        return db.session.get(User, user_id).email

    return server.run(_read)
