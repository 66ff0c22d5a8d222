"""The funding models in a real browser: an applicant fills an outcome plan with an invalid
count (the message is shown and nothing typed is lost), then a valid one (the live total and
the saved fee budget update); the public comparison page of a service-voucher call passes axe
in Finnish, Swedish and English.

`funding_call` and `funding_application` also make the pages of the htmx cases of these forms
(tests/browser/test_htmx_forms.py, pages "outcome_application" and "voucher_application").
Business IDs 1601-1609 are this module's.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    axe_violations,
    create_organisation,
    create_user,
    describe_violations,
    log_in,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

APPLICANT = ("Olli Ohjaaja", "tulosmalli.hakija@example.fi")
AUTHORITY = ("Tuula Tulosvastaava", "tulosmalli.vastaava@example.fi")
EMPLOYMENT = "Työsuhde, joka kestää vähintään 6 kk"
BUSINESS = "Yritystoiminta alkaa"


def funding_call(server, ely_id: int, model: str, *, title: str | None = None) -> int:
    """An open, published call of `model` ("outcome" or "voucher") of the authority `ely_id`,
    made once per title: an outcome-based one with a staged fee table, a voucher one with
    its terms."""
    from sqlalchemy import select

    from app.calls.models import (
        Call,
        CallState,
        Criterion,
        CriterionKind,
        FundingModel,
        OutcomeFee,
        OutcomeType,
    )
    from app.core.db import utcnow
    from app.extensions import db
    from tests.fixtures.calls import DEFAULT_CRITERIA, phase_times

    title = title or {"outcome": "Tulosperusteinen kokeiluhaku",
                      "voucher": "Palvelusetelikokeilu"}[model]

    def _create():
        existing = db.session.scalar(select(Call.id).where(Call.title_fi == title,
                                                           Call.organisation_id == ely_id))
        if existing:
            return existing
        opens_at, closes_at = phase_times("open")
        call = Call(organisation_id=ely_id, state=CallState.published, title_fi=title,
                    description_fi="Haun kuvaus.", theme="Työllisyyden kokeilut",
                    opens_at=opens_at, closes_at=closes_at, total_budget_cents=500_000_00,
                    max_support_percent=100, eligible_types=["ngo", "staffing_firm"],
                    report_interval_months=6, final_report=True, published_at=utcnow(),
                    funding_model=(FundingModel.outcome_based if model == "outcome"
                                   else FundingModel.service_voucher))
        if model == "outcome":
            call.outcome_fee_cents, call.min_employment_months = 3_000_00, 6
            call.fees = [
                OutcomeFee(position=1, outcome_type=OutcomeType.employment, label=EMPLOYMENT,
                           min_months=6, fee_cents=3_000_00,
                           stages=[{"label": "Työsuhde alkaa", "percent": 30},
                                   {"label": "Työsuhde on kestänyt 6 kk", "percent": 70}]),
                OutcomeFee(position=2, outcome_type=OutcomeType.business, label=BUSINESS,
                           fee_cents=2_500_00, stages=[])]
        else:
            call.voucher_value_cents, call.service_months = 2_400_00, 4
            call.voucher_target_groups = ["long_term_unemployed", "over_50"]
        for position, (kind, criterion, weight) in enumerate(DEFAULT_CRITERIA, start=1):
            call.criteria.append(Criterion(kind=CriterionKind(kind), title=criterion,
                                           weight=weight, position=position))
        db.session.add(call)
        db.session.commit()
        return call.id

    return server.run(_create)


def funding_application(server, ely_id: int, organisation_id: int, writer_id: int,
                        model: str) -> int:
    """A fresh draft application of `organisation_id` in the `model` call of `ely_id`."""
    from app.applications.models import Application
    from app.extensions import db
    from app.organisations.services import forget_memberships

    call_id = funding_call(server, ely_id, model)

    def _create():
        application = Application(call_id=call_id, organisation_id=organisation_id,
                                  project_name="Tulokset näkyviin", created_by_id=writer_id)
        db.session.add(application)
        db.session.commit()
        forget_memberships()
        return application.id

    return server.run(_create)


def approve_provider(server, call_id: int, name: str, business_id: str, *, language="fi",
                     **offer) -> None:
    """An approved provider with its offer in the voucher call (its state set directly: the
    decision workflow is tested in tests/applications/test_voucher_offer.py)."""
    from app.applications.models import Application, ApplicationState, VoucherOffer
    from app.extensions import db
    from app.organisations.services import forget_memberships

    owner_id = create_user(server, f"{business_id}@tarjoajat.example.fi", name,
                           language=language)
    organisation_id = create_organisation(server, owner_id, name, business_id,
                                          type="staffing_firm")

    def _create():
        values = {"service": "Autamme sinua löytämään työpaikan.", "method": "Tapaamme "
                  "viikoittain.", "languages": ["fi"], "locations": "Mikkeli",
                  "regions": ["MK10"], "capacity": 20, "accessibility": "Esteetön.",
                  "contact": "040 123 4567", **offer}
        application = Application(call_id=call_id, organisation_id=organisation_id,
                                  project_name=f"{name}: palveluseteli", created_by_id=owner_id,
                                  state=ApplicationState.approved)
        application.voucher_offer = VoucherOffer(**values)
        db.session.add(application)
        db.session.commit()
        forget_memberships()

    server.run(_create)


@pytest.fixture(scope="module")
def world(live_server):
    manager_id = create_user(live_server, AUTHORITY[1], AUTHORITY[0])
    ely_id = create_organisation(live_server, manager_id, "Tulosmallien elinvoimakeskus",
                                 valid_business_id(1601), type="regional_authority")
    writer_id = create_user(live_server, APPLICANT[1], APPLICANT[0])
    ngo_id = create_organisation(live_server, writer_id, "Tulospolku ry",
                                 valid_business_id(1602))
    voucher_id = funding_call(live_server, ely_id, "voucher", title="Takaisin töihin – seteli")
    approve_provider(live_server, voucher_id, "Työpolku Henkilöstöpalvelut Oy",
                     valid_business_id(1603), languages=["fi", "en"])
    approve_provider(live_server, voucher_id, "Arbetsbron Ab", valid_business_id(1604),
                     language="sv", languages=["sv"], regions=["MK15"],
                     service="Vi hjälper dig hitta ett jobb.")
    return {"ely_id": ely_id, "writer_id": writer_id, "ngo_id": ngo_id,
            "voucher_id": voucher_id}


def test_an_outcome_plan_refuses_a_bad_count_keeps_it_and_then_saves(world, live_server,
                                                                    new_page):
    application_id = funding_application(live_server, world["ely_id"], world["ngo_id"],
                                         world["writer_id"], "outcome")
    page = new_page()
    page.goto("/")
    switch_language(page, "en")
    log_in(page, APPLICANT[1])
    page.goto(f"/calls/applications/{application_id}")
    section = page.locator("#section-outcomes")
    employment = section.get_by_label(f"Planned outcomes: {EMPLOYMENT}", exact=True)
    business = section.get_by_label(f"Planned outcomes: {BUSINESS}", exact=True)
    expect(section.locator("[data-fee-budget]")).to_have_text(re.compile(r"^0[.,]00"))

    business.fill("2")
    with page.expect_response(lambda r: r.url.endswith("/outcomes") and r.request.method
                              == "POST") as answer:
        employment.fill("2,5")
        section.get_by_role("button", name="Save the outcome plan").click()
    assert answer.value.status == 422
    employment = page.locator("#section-outcomes").get_by_label(
        f"Planned outcomes: {EMPLOYMENT}", exact=True)
    expect(employment).to_have_attribute("aria-invalid", "true")
    expect(page.locator(f"#{employment.get_attribute('id')}-error")).to_contain_text(
        "whole number")
    expect(page.locator("#section-outcomes .error-summary")).to_be_visible()
    expect(employment).to_have_value("2,5")  # nothing typed is lost
    expect(page.locator("#section-outcomes").get_by_label(
        f"Planned outcomes: {BUSINESS}", exact=True)).to_have_value("2")

    # A valid count: the live total follows the typing (nothing saved yet) ...
    employment.fill("10")
    totals = page.locator("#outcomes-totals")
    expect(totals).to_contain_text("not saved yet")
    expect(totals.locator("[data-fee-budget]")).to_have_text(re.compile(r"^35[ ,.\u00a0]000"))
    # ... and the save keeps it.
    with page.expect_response(lambda r: r.url.endswith("/outcomes") and r.request.method
                              == "POST") as answer:
        page.locator("#section-outcomes").get_by_role(
            "button", name="Save the outcome plan").click()
    assert answer.value.status == 200
    expect(page.locator("#section-outcomes .saved-note")).to_contain_text("saved")
    expect(page.locator("#section-outcomes [data-fee-budget]")).to_have_text(
        re.compile(r"^35[ ,.\u00a0]000"))
    expect(page.locator("#section-outcomes .error-summary")).to_have_count(0)
    page.reload()
    expect(page.locator("#section-outcomes").get_by_label(
        f"Planned outcomes: {EMPLOYMENT}", exact=True)).to_have_value("10")


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_comparison_page_passes_axe(world, new_page, axe_source, language):
    page = new_page()
    page.goto("/")
    switch_language(page, language)
    response = page.goto(f"/calls/{world['voucher_id']}/providers")
    assert response is not None and response.status == 200
    expect(page.locator("html")).to_have_attribute("lang", language)
    table = page.locator("table.provider-table")
    expect(table.locator("tbody tr")).to_have_count(2)
    expect(table.locator('td[lang="sv"]').first).to_contain_text("Vi hjälper dig")
    violations = axe_violations(page, axe_source)
    assert not violations, describe_violations(violations)
    # The filters work without JavaScript's help: a GET form.
    page.locator("#filter-language").select_option("sv")
    page.locator("form.filters [type=submit]").click()
    expect(page).to_have_url(re.compile(r"language=sv"))
    expect(table.locator("tbody tr")).to_have_count(1)
    violations = axe_violations(page, axe_source)
    assert not violations, describe_violations(violations)


def test_the_comparison_page_is_readable_on_a_phone(world, new_page, axe_source):
    page = new_page(viewport={"width": 375, "height": 800})
    page.goto("/")
    switch_language(page, "fi")
    page.goto(f"/calls/{world['voucher_id']}/providers")
    body_width = page.evaluate("document.documentElement.scrollWidth")
    assert body_width <= 390, f"the page scrolls sideways on a phone ({body_width} px)"
    violations = axe_violations(page, axe_source)
    assert not violations, describe_violations(violations)
