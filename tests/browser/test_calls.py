"""Applying for funding in a real browser: sections saved one by one with htmx, a budget whose
totals follow the typing, the validation summary, submitting, the mail and the lock."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    add_member,
    create_open_call,
    create_organisation,
    create_user,
    log_in,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

WRITER = ("Noora Hakija", "noora.hakija@example.fi")
NGO = "Kainuun Työkanava ry"
CALL_TITLE = "Osatyökykyisten työpaikat Kainuussa 2026"
PROJECT = "Töihin Kainuussa"

TEXTS = {
    "background": "Kainuussa on paljon osatyökykyisiä työnhakijoita ja vähän tukea.",
    "target_group": "Osatyökykyiset työnhakijat, ohjaus työllisyysalueelta.",
    "method": "Kartoitus, työkokeilu ja tuki työpaikalla.",
    "employer_cooperation": "Kymmenen kainuulaista työnantajaa on mukana.",
    "expected_results": "Kaksikymmentä osallistujaa työllistyy.",
    "dissemination": "Malli julkaistaan Kohtaamossa.",
    "horizontal_principles": "Saavutettavuus ja yhdenvertaisuus huomioidaan.",
}


def euros(amount: str) -> str:
    """An amount as format_money shows it in English: "18,000.00 €" (a no-break space)."""
    return f"{amount}\u00a0€"


def total(page, label: str):
    """The amount cell of one row of the live totals."""
    row = page.locator("#budget-totals tr").filter(
        has=page.locator("th", has_text=re.compile(rf"^{re.escape(label)}$")))
    return row.locator("td")


def save_section(page, key: str) -> None:
    """Press a section's Save and wait for the answer (the section swapped in, saved)."""
    section = page.locator(f"#section-{key}")
    with page.expect_response(lambda r: r.request.method == "POST"
                              and urlsplit(r.url).path.endswith(f"/sections/{key}")) as answer:
        section.get_by_role("button", name="Save", exact=True).click()
    assert answer.value.status == 200, f"saving {key}: {answer.value.status}"
    # "Saved" from the Save, or "Saved at 14:05" from an autosave that came after it.
    expect(page.locator(f"#autosave-{key}")).to_have_text(re.compile(r"^Saved\b"))


def test_fill_budget_with_live_totals_and_submit(new_page, live_server):
    manager_id = create_user(live_server, "hakuvastaava.kainuu@example.fi", "Hannu Hakuvastaava")
    ely_id = create_organisation(live_server, manager_id, "Kainuun ELY-keskus",
                                 valid_business_id(401), type="regional_authority")
    add_member_call_manager(live_server, ely_id, manager_id)
    call_id = create_open_call(live_server, ely_id, title=CALL_TITLE, eligible=("ngo",),
                               max_support=80)
    owner_id = create_user(live_server, "kanava.owner@example.fi", "Kalle Kanava")
    ngo_id = create_organisation(live_server, owner_id, NGO, valid_business_id(402))
    writer_id = create_user(live_server, WRITER[1], WRITER[0])
    add_member(live_server, ngo_id, writer_id, "editor")

    page = new_page()
    page.goto("/")
    switch_language(page, "en")
    log_in(page, WRITER[1])

    # Start an application in the open call.
    page.goto(f"/calls/{call_id}")
    expect(page.get_by_role("heading", level=1)).to_contain_text(CALL_TITLE)
    page.get_by_role("link", name="Start an application").click()
    expect(page.get_by_label("Applying organisation")).to_have_value(str(ngo_id))
    page.get_by_label("Project name").fill(PROJECT)
    page.get_by_role("button", name="Start").click()
    expect(page.locator(".flashes")).to_contain_text("The application has been started")
    expect(page).to_have_url(re.compile(r"/calls/applications/\d+$"))
    application_id = int(page.url.rsplit("/", 1)[1])
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    page.evaluate("() => { window.__samePage = true; }")  # gone if the whole page reloads

    # Each section saves on its own (htmx swaps the section and the progress).
    progress = page.locator("#progress .progress-count")
    expect(progress).to_contain_text("0 of 12 required parts complete")
    page.locator("#section-project").get_by_label("Summary").fill(
        "Kehitämme kainuulaisia työpaikkoja osatyökykyisille.")
    save_section(page, "project")
    expect(progress).to_contain_text("1 of 12 required parts complete")
    for key, text in TEXTS.items():
        page.locator(f"#section-{key}").get_by_role("textbox").fill(text)
        save_section(page, key)
    duration = page.locator("#section-duration")
    duration.get_by_label("Start date").fill("2026-09-01")
    duration.get_by_label("End date").fill("2027-08-31")
    save_section(page, "duration")
    indicators = page.locator("#section-indicators")
    for label, value in (("Participants", "40"), ("Employed", "20"),
                         ("Started a business", "2"), ("In education or training", "5")):
        indicators.get_by_label(label, exact=True).fill(value)
    save_section(page, "indicators")
    expect(progress).to_contain_text("10 of 12 required parts complete")
    assert page.evaluate("() => window.__samePage") is True

    # A staff line: the totals follow the typing, before anything is saved.
    budget = page.locator("#section-budget")
    new_line = budget.locator('form[action$="/budget/lines"]')
    new_line.get_by_label("Role").fill("Työhönvalmentaja")
    # One staff-cost model for the whole application, monthly salaries unless changed.
    expect(budget.get_by_label("Months × share of full time × monthly salary")).to_be_checked()
    with page.expect_request(lambda r: r.url.endswith("/budget/totals")
                             and r.headers.get("hx-request") == "true"):
        new_line.get_by_label("Months", exact=True).press_sequentially("12")
    expect(page.locator("#budget-totals h3")).to_contain_text("not saved yet")
    expect(total(page, "Staff costs")).to_have_text(euros("0.00"))  # not complete yet
    new_line.get_by_label("Share of full time (%)").press_sequentially("50")
    new_line.get_by_label("Monthly salary with side costs (€)").press_sequentially("3000")
    expect(total(page, "Staff costs")).to_have_text(euros("18,000.00"))
    flat_rate = "Flat rate 40 % of staff costs (costs other than staff costs)"
    expect(total(page, flat_rate)).to_have_text(euros("7,200.00"))
    expect(total(page, "Total eligible cost")).to_have_text(euros("25,200.00"))
    expect(total(page, "Largest support the call allows (80 %)")).to_have_text(
        euros("20,160.00"))
    # A correction is followed too: 3 000,50 € a month -> 18 003,00 €.
    new_line.get_by_label("Monthly salary with side costs (€)").fill("3000,50")
    expect(total(page, "Staff costs")).to_have_text(euros("18,003.00"))
    new_line.get_by_label("Monthly salary with side costs (€)").fill("3 000,00")
    expect(total(page, "Total eligible cost")).to_have_text(euros("25,200.00"))

    new_line.get_by_role("button", name="Add the line").click()
    expect(budget.locator(".saved-note")).to_have_text("The staff line has been added.")
    line_row = budget.locator("tbody tr").filter(has_text="Työhönvalmentaja").first
    expect(line_row).to_contain_text("12 months × 50 % × " + euros("3,000.00"))
    expect(line_row.locator("td.money")).to_have_text(euros("18,000.00"))
    expect(page.locator("#budget-totals h3")).not_to_contain_text("not saved yet")
    expect(total(page, "Total eligible cost")).to_have_text(euros("25,200.00"))

    # The funding plan: live problems while it does not balance, then it does.
    funding = page.locator("#section-funding")
    funding.get_by_label("Support applied for (EU and state) (€)").fill("20160")
    expect(total(page, "Funding plan in total")).to_have_text(euros("20,160.00"))
    expect(page.locator("#budget-totals .problems")).to_contain_text(
        "The funding plan is " + euros("5,040.00") + " short of the total cost.")
    funding.get_by_label("Own private funding (€)").fill("5 040")
    expect(total(page, "Funding plan in total")).to_have_text(euros("25,200.00"))
    expect(page.locator("#budget-totals .ok")).to_contain_text(
        "The funding plan equals the total cost")
    save_section(page, "funding")
    expect(progress).to_contain_text("12 of 12 required parts complete")
    assert page.evaluate("() => window.__samePage") is True  # all of it without a page load

    # The validation summary, then submit (the confirm dialog is accepted).
    page.locator("#section-status").get_by_role("link", name="Check and submit").click()
    expect(page).to_have_url(re.compile(rf"/calls/applications/{application_id}/submit$"))
    expect(page.locator(".error-summary")).to_have_count(0)
    summary = page.locator(".status-box").first
    expect(summary).to_contain_text("Everything required is filled in and the budget balances.")
    expect(summary).to_contain_text(euros("25,200.00"))
    expect(summary).to_contain_text(euros("20,160.00"))
    page.get_by_role("button", name="Submit the application").click()
    expect(page).to_have_url(re.compile(rf"/calls/applications/{application_id}/submitted"))
    expect(page.get_by_role("heading", level=1)).to_have_text("Application submitted")
    expect(page.locator("main")).to_contain_text("The content is now locked.")
    expect(page.locator("main")).to_contain_text("A confirmation was e-mailed to 2 people")

    mails = live_server.mails(to=WRITER[1])
    assert [m["Subject"] for m in mails] == [f"Application submitted: {PROJECT}"], mails
    assert NGO in mails[0].get_content()
    assert live_server.mails(to="kanava.owner@example.fi")  # the owner of the NGO too

    # The application is locked: no forms to change it any more.
    page.get_by_role("link", name="View the application").click()
    expect(page).to_have_url(re.compile(rf"/calls/applications/{application_id}$"))
    expect(page.locator("#section-status")).to_contain_text("Submitted")
    main = page.locator("main")
    expect(main.locator("textarea")).to_have_count(0)
    expect(main.locator('form[action*="/sections/"]')).to_have_count(0)
    expect(main.locator('form[action*="/budget/"]')).to_have_count(0)
    expect(main.get_by_role("link", name="Check and submit")).to_have_count(0)
    expect(page.locator("#section-background")).to_contain_text(TEXTS["background"])
    expect(page.locator("#section-funding")).to_contain_text(euros("20,160.00"))


def add_member_call_manager(server, organisation_id: int, user_id: int) -> None:
    """Make the owner of the ELY-centre its call manager too."""
    from sqlalchemy import update

    from app.extensions import db
    from app.organisations.models import Membership

    def _set():
        db.session.execute(update(Membership).where(
            Membership.organisation_id == organisation_id, Membership.user_id == user_id,
        ).values(is_call_manager=True))
        db.session.commit()

    server.run(_set)
