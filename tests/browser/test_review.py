"""A reviewer in a real browser: the list at /reviews, the declaration of no conflict of
interest, scoring with the weighted total changing on the page as the autosave answers, one
refused value shown at its field with what was typed kept, submitting, and then the other
reviewer's scores and comments (blind until then)."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from playwright.sync_api import Page, expect

from tests.browser.support import (
    add_member,
    create_complete_application,
    create_open_call,
    create_organisation,
    create_user,
    log_in,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

PROJECT = "Työpaikat osatyökykyisille"
OTHER_COMMENT = "Hyvä työnantajayhteistyö, mutta tavoitteet ovat varovaisia."
REVIEWER = ("Riikka Arvioija", "selain.arvioija@example.fi")
OTHER = ("Olli Toinenarvioija", "selain.toinen@example.fi")

# The default criteria (tests/fixtures/calls.py): title -> weight (None: pass / fail).
CRITERIA = {
    "Hakija on rahoituskelpoinen": None,
    "Toimintamallin toteutettavuus": 40,
    "Työnantajayhteistyö": 30,
    "Yhdenvertaisuus ja saavutettavuus": 10,
    "Työpaikkalähtöisyys": 20,
}


@dataclass
class World:
    review_id: int


def _assign_and_score_other(server, application_id: int, manager_id: int, reviewer_ids):
    """The call manager assigns both reviewers; the other one declares, scores everything
    (4 of 5, 3 of 3) with OTHER_COMMENT and submits."""
    from app.applications import workflow
    from app.applications.models import Application
    from app.auth.models import User
    from app.extensions import db
    from app.organisations.services import forget_memberships
    from app.reviews import services

    def _run():
        forget_memberships()
        application = db.session.get(Application, application_id)
        workflow.submit_application(application.created_by, application)
        manager = db.session.get(User, manager_id)
        reviews = [services.assign_reviewer(manager, application, db.session.get(User, uid))
                   for uid in reviewer_ids]
        other, review = db.session.get(User, reviewer_ids[1]), reviews[1]
        services.declare(other, review, conflict=False)
        values = {c.id: services.ScoreInput(score=min(4, c.scale_max) if c.is_scored else None,
                                            passed=None if c.is_scored else True,
                                            comment=OTHER_COMMENT)
                  for c in application.call.criteria}
        services.save_review(other, review, values, "fund_with_conditions", None, OTHER_COMMENT)
        services.submit_review(other, review)
        db.session.commit()
        forget_memberships()
        return reviews[0].id

    return server.run(_run)


@pytest.fixture(scope="module")
def world(live_server) -> World:
    manager_id = create_user(live_server, "selain.esittelija@example.fi", "Eero Esittelijä")
    ely_id = create_organisation(live_server, manager_id, "Selaimen ELY-keskus",
                                 valid_business_id(811), type="regional_authority")
    reviewer_ids = []
    for name, address in (REVIEWER, OTHER):
        user_id = create_user(live_server, address, name)
        add_member(live_server, ely_id, user_id, "member", reviewer=True)
        reviewer_ids.append(user_id)
    _make_call_manager(live_server, ely_id, manager_id)
    call_id = create_open_call(live_server, ely_id, title="Arvioitava haku 2026")
    writer_id = create_user(live_server, "selain.hakija@example.fi", "Hilkka Hakija")
    ngo_id = create_organisation(live_server, writer_id, "Arvioitava ry",
                                 valid_business_id(812))
    application_id = create_complete_application(live_server, call_id, ngo_id, writer_id,
                                                 project_name=PROJECT)
    return World(_assign_and_score_other(live_server, application_id, manager_id,
                                         reviewer_ids))


def _make_call_manager(server, organisation_id: int, user_id: int) -> None:
    from sqlalchemy import update

    from app.extensions import db
    from app.organisations.models import Membership

    def _set():
        db.session.execute(update(Membership).where(
            Membership.organisation_id == organisation_id, Membership.user_id == user_id,
        ).values(is_call_manager=True))
        db.session.commit()

    server.run(_set)


def _criterion(page: Page, title: str):
    return page.locator("fieldset.criterion", has=page.locator("legend", has_text=title))


def test_a_reviewer_declares_scores_with_the_live_total_submits_and_sees_the_others(
        world, page: Page):
    page.goto("/")
    switch_language(page, "en")
    log_in(page, REVIEWER[1])
    page.goto("/reviews")
    row = page.get_by_role("row", name=re.compile(PROJECT))
    expect(row).to_contain_text("To declare")
    row.get_by_role("link", name=PROJECT).click()

    # Before the declaration: the title, no content, no scores of others.
    expect(page.get_by_role("heading", level=1)).to_have_text(PROJECT)
    expect(page.locator("#review-form")).to_have_count(0)
    expect(page.get_by_text(OTHER_COMMENT)).to_have_count(0)
    page.get_by_label("No: I have no conflict of interest").check()
    page.get_by_role("button", name="Record my declaration").click()
    expect(page.get_by_role("heading", name="Background and need")).to_be_visible()
    form = page.locator("#review-form")
    total = page.locator("#review-total")
    expect(total).to_contain_text("Weighted total: 0.00 / 100")
    expect(page.get_by_text(OTHER_COMMENT)).to_have_count(0)  # blind until submitted

    # Scoring: the total follows each score as the autosave answers.
    _criterion(page, "Hakija on rahoituskelpoinen").get_by_label("Met", exact=True).check()
    _criterion(page, "Toimintamallin toteutettavuus").get_by_label("5", exact=True).check()
    expect(total).to_contain_text("Weighted total: 40.00 / 100")
    expect(total).to_contain_text("1 of 4 criteria scored")
    _criterion(page, "Työnantajayhteistyö").get_by_label("3", exact=True).check()
    expect(total).to_contain_text("Weighted total: 58.00 / 100")
    _criterion(page, "Yhdenvertaisuus ja saavutettavuus").get_by_label("2", exact=True).check()
    _criterion(page, "Työpaikkalähtöisyys").get_by_label("4", exact=True).check()
    # 40 + 30×3/5 + 10×2/3 + 20×4/5 = 80.67
    expect(total).to_contain_text("Weighted total: 80.67 / 100")
    expect(total).to_contain_text("4 of 4 criteria scored")
    for title in CRITERIA:
        _criterion(page, title).get_by_label("Comment").fill(f"Arvio: {title}.")
    form.get_by_label("Fund", exact=True).check()

    # A refused value is shown at its field, and what was typed stays.
    amount = form.get_by_label("Proposed amount (€)")
    amount.fill("noin 50 000")
    with page.expect_response(lambda r: r.request.method == "POST"
                              and r.url.endswith("/save")) as answer:
        form.get_by_role("button", name="Save", exact=True).click()
    assert answer.value.status == 422
    amount = page.locator("#proposed_amount")
    expect(amount).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#proposed_amount-error")).to_contain_text(
        "Enter a number, for example 1 234,56.")
    expect(amount).to_have_value("noin 50 000")
    expect(page.locator("#review-form .error-summary")).to_be_visible()
    amount.fill("50 000")
    page.locator("#review-form").get_by_label("Overall comment").fill("Toteuttamiskelpoinen.")

    page.locator("#review-form").get_by_role("button", name="Submit the review").click()
    expect(page.get_by_text("Your review has been submitted.")).to_be_visible()
    others = page.locator("#other-reviews")
    expect(others).to_contain_text(OTHER[0])
    expect(others).to_contain_text(OTHER_COMMENT)
    # 40×4/5 + 30×4/5 + 10×3/3 + 20×4/5 = 82
    expect(others).to_contain_text("Weighted total: 82.00 / 100")
    expect(others).to_contain_text("Fund with conditions")
    expect(page.locator("#own-review").locator("..")).to_contain_text("80.67")
    expect(page.get_by_role("button", name="Reopen the review")).to_be_visible()

    page.goto("/reviews")
    expect(page.get_by_role("row", name=re.compile(PROJECT))).to_contain_text("Submitted")
