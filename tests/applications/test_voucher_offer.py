"""The provider offer of an application in a service-voucher call: the service (known codes,
capacity 1..10 000, only the lead's writers, only voucher calls, nothing granted), the
checklist asking for the essentials, the page (the offer instead of the budget), the htmx save
with 422 and nothing lost, and approval without support putting the provider in the
registry."""

from __future__ import annotations

import re

import pytest

from app.applications import revisions, sections, vouchers
from app.applications.models import ApplicationState
from app.applications.vouchers import OfferInput
from app.calls import providers
from app.core.domain import DomainError, NotAllowed
from tests.applications.test_outcome_plan import fill_texts, writer_of
from tests.fixtures.calls import advance, decide, during

VOUCHER = {"funding_model": "service_voucher", "voucher_value_cents": 2_400_00,
           "service_months": 4, "voucher_target_groups": ["long_term_unemployed"]}
OFFER = OfferInput(
    service="Autamme sinua löytämään työpaikan neljässä kuukaudessa.",
    method="Tapaamme viikoittain. Teemme yhdessä työnhakusuunnitelman.",
    languages=["fi", "en"], locations="Mikkeli, Savonlinna tai etänä",
    regions=["MK10"], capacity=25, accessibility="Esteetön sisäänkäynti, induktiosilmukka.",
    contact="Anna Ohjaaja, 040 123 4567")


@pytest.fixture
def voucher_call(make_call):
    return make_call(eligible=("ngo", "staffing_firm", "social_enterprise"), **VOUCHER)


@pytest.fixture
def draft(make_application, voucher_call, db):
    application = make_application(call=voucher_call, complete=False)
    fill_texts(application)
    db.session.commit()
    return application


def _html(response) -> str:
    return response.get_data(as_text=True)


def test_the_offer_is_saved_cleaned_and_audited(db, draft, audit_actions):
    offer = vouchers.save_offer(writer_of(draft), draft, OfferInput(
        **{**OFFER.__dict__, "languages": ["en", "fi", "fi"], "contact": "  Anna   Ohjaaja "}))
    db.session.commit()
    assert offer.languages == ["fi", "en"]  # list order, no duplicates
    assert offer.contact == "Anna Ohjaaja"
    assert offer.capacity == 25 and offer.regions == ["MK10"]
    assert draft.support_cents == 0
    assert "application.voucher_offer_saved" in audit_actions(draft.organisation)
    assert vouchers.missing(offer) == []


@pytest.mark.parametrize(("change", "field"), [
    ({"languages": ["klingon"]}, "languages"),
    ({"regions": ["MK99"]}, "regions"),
    ({"capacity": 0}, "capacity"),
    ({"capacity": 10_001}, "capacity"),
    ({"service": "x" * (vouchers.MAX_SERVICE + 1)}, "service"),
])
def test_wrong_values_are_refused_at_their_field(db, draft, change, field):
    with pytest.raises(DomainError) as refused:
        vouchers.save_offer(writer_of(draft), draft, OfferInput(**{**OFFER.__dict__,
                                                                   **change}))
    assert refused.value.field == field


def test_only_writers_of_the_lead_and_only_in_voucher_calls(db, draft, make_user,
                                                           make_application):
    with pytest.raises(NotAllowed):
        vouchers.save_offer(make_user(), draft, OFFER)
    grant = make_application()
    with pytest.raises(DomainError):
        vouchers.save_offer(writer_of(grant), grant, OFFER)


def test_the_checklist_asks_for_the_essentials_not_a_budget(db, draft):
    problems = sections.checklist(draft, now=during(draft.call))
    assert {p.section for p in problems} == {"offer"}
    assert {p.anchor for p in problems} == {f"offer-{name}" for name in (
        "service", "method", "languages", "locations", "regions", "capacity", "accessibility",
        "contact")}
    vouchers.save_offer(writer_of(draft), draft, OfferInput(**{**OFFER.__dict__,
                                                               "contact": ""}))
    db.session.commit()
    assert [p.anchor for p in sections.checklist(draft, now=during(draft.call))] == [
        "offer-contact"]
    vouchers.save_offer(writer_of(draft), draft, OFFER)
    db.session.commit()
    assert sections.checklist(draft, now=during(draft.call)) == []
    steps = {step.key: step.complete for step in sections.progress(draft)}
    assert steps["offer"] is True and "budget" not in steps


def test_approval_grants_nothing_and_lists_the_provider(db, draft):
    vouchers.save_offer(writer_of(draft), draft, OFFER)
    db.session.commit()
    assert providers.approved_providers(draft.call) == []  # not before approval
    advance(draft, "in_review", writer_of(draft))
    assert revisions.revisions_of(draft)[0].content["voucher_offer"]["capacity"] == 25
    decision = decide(draft, approve=True, granted_cents=None, approved_cost_cents=None)
    assert draft.state == ApplicationState.approved
    assert decision.granted_cents == 0 and decision.approved_cost_cents == 0
    listed = providers.approved_providers(draft.call)
    assert [p.name for p in listed] == [draft.organisation.name]


def test_the_page_shows_the_offer_instead_of_the_budget(client, login_as, draft):
    login_as(writer_of(draft))
    html = _html(client.get(f"/calls/applications/{draft.id}"))
    assert 'id="section-offer"' in html and 'name="offer-service"' in html
    assert 'id="section-budget"' not in html and 'id="section-funding"' not in html
    assert 'value="fse"' in html  # the languages are codes with labels


def test_htmx_save_refuses_a_bad_capacity_with_422_and_keeps_the_text(client, login_as,
                                                                       draft, db):
    login_as(writer_of(draft))
    data = {"offer-service": OFFER.service, "offer-languages": ["fi", "sv"],
            "offer-capacity": "kymmenen", "offer-contact": OFFER.contact}
    response = client.post(f"/calls/applications/{draft.id}/offer", data=data,
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = _html(response)
    error = re.search(r'<p class="error" id="offer-capacity-error">(.*?)</p>', html, re.S)
    assert error and "Enter a number" in error.group(1)
    assert OFFER.service in html and 'value="kymmenen"' in html
    assert re.search(r'value="sv"[^>]*checked|checked[^>]*value="sv"', html)
    db.session.expire_all()
    assert draft.voucher_offer is None

    response = client.post(f"/calls/applications/{draft.id}/offer",
                           data={**data, "offer-capacity": "12"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "The provider offer has been saved." in _html(response)
    db.session.expire_all()
    assert draft.voucher_offer.capacity == 12 and draft.voucher_offer.languages == ["fi", "sv"]


def test_others_get_404_and_a_locked_offer_403(client, login_as, draft, make_user, db):
    login_as(make_user())
    assert client.post(f"/calls/applications/{draft.id}/offer", data={}).status_code == 404
    vouchers.save_offer(writer_of(draft), draft, OFFER)
    db.session.commit()
    advance(draft, "submitted", writer_of(draft))
    db.session.commit()
    login_as(writer_of(draft))
    assert client.post(f"/calls/applications/{draft.id}/offer",
                       data={"offer-capacity": "3"}).status_code == 403
    html = _html(client.get(f"/calls/applications/{draft.id}/print"))
    assert "Esteetön sisäänkäynti" in html and 'name="offer-service"' not in html
