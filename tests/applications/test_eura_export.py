"""The application in EURA 2021's section order (app.applications.eura): one ordered list that
the printable page and the JSON both follow; money in cents and as a euro string; only for those
who see the application. A call filed in EURA 2021 keeps its applications here as drafts: they
are prepared and exported, not submitted."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from app.applications import eura, workflow
from app.applications.sections import checklist
from app.core.domain import DomainError
from app.organisations.services import forget_memberships
from tests.fixtures.calls import during


@pytest.fixture
def eura_application(make_call, make_application):
    call = make_call(filing="eura2021")
    return make_application(call=call)


def test_the_section_order_is_eura_2021s(app):
    assert [key for key, _ in eura.SECTION_ORDER] == [
        "basic", "applicant", "implementation", "horizontal_principles", "schedule", "budget",
        "funding_plan", "indicators", "partners", "attachments"]
    doc = " ".join(eura.__doc__.split())
    assert "as of 2026" in doc and "live form" in doc


def test_the_json_follows_the_order_with_money_in_cents_and_euros(client, login_as,
                                                                  eura_application):
    login_as(eura_application.created_by)
    response = client.get(f"/calls/applications/{eura_application.id}/eura.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    data = response.get_json()
    assert data["format"] == eura.FORMAT and data["format_version"] == 1
    assert [s["key"] for s in data["sections"]] == [k for k, _ in eura.SECTION_ORDER]
    assert [s["number"] for s in data["sections"]] == list(range(1, 11))
    by_key = {s["key"]: s for s in data["sections"]}
    budget = {i["key"]: i["value"] for i in by_key["budget"]["items"]}
    # fill_application: 24 x 100 % x 4 000 € = 96 000 €; +40 % = 134 400 €.
    assert budget["staff_costs"] == {"cents": 96_000_00, "euros": "96000.00"}
    assert budget["flat_rate"] == {"cents": 38_400_00, "euros": "38400.00"}
    assert budget["total_eligible_cost"] == {"cents": 134_400_00, "euros": "134400.00"}
    line = by_key["budget"]["tables"][0]["rows"][0]
    assert line["role"] == "Projektipäällikkö" and line["cost"]["cents"] == 96_000_00
    plan = {i["key"]: i["value"] for i in by_key["funding_plan"]["items"]}
    assert plan["support"]["cents"] == 134_400_00 * 80 // 100
    assert plan["total"]["cents"] == 134_400_00
    implementation = {i["key"]: i["value"] for i in by_key["implementation"]["items"]}
    assert implementation["background"] == eura_application.background
    schedule = {i["key"]: i["value"] for i in by_key["schedule"]["items"]}
    assert schedule == {"start_date": "2026-09-01", "end_date": "2028-08-31"}
    assert not re.search(r'"euros":\s*[0-9]', response.get_data(as_text=True))  # never a float


def test_the_printable_page_has_the_same_sections_in_the_same_order(client, login_as,
                                                                   eura_application):
    login_as(eura_application.created_by)
    html = client.get(f"/calls/applications/{eura_application.id}/eura").get_data(as_text=True)
    positions = [html.index(f'id="eura-{key}"') for key, _ in eura.SECTION_ORDER]
    assert positions == sorted(positions)
    assert "1. Basic information" in html and "10. Attachments" in html
    assert "96,000.00" in html and "134,400.00" in html
    assert "data-print hidden" in html and "eura.json" in html
    assert "<script" not in html.split("</header>", 1)[-1].split("<footer", 1)[0]


@given(st.integers(min_value=-10**15, max_value=10**15))
def test_money_in_euros_is_exact(cents):
    money = eura.Money(cents)
    assert Decimal(money.euros) * 100 == cents
    assert re.fullmatch(r"-?[0-9]+\.[0-9]{2}", money.euros)


def test_only_those_who_see_the_application_get_it(app, client, login_as, make_user,
                                                   eura_application):
    for url in (f"/calls/applications/{eura_application.id}/eura",
                f"/calls/applications/{eura_application.id}/eura.json"):
        login_as(make_user())
        assert client.get(url).status_code == 404
        assert app.test_client().get(url).status_code == 302  # to the log-in page


def test_an_eura_call_keeps_the_application_here_as_a_draft(client, login_as,
                                                           eura_application):
    call = eura_application.call
    problems = [str(p.message) for p in checklist(eura_application, during(call))]
    assert any("filed in EURA 2021, not here" in p for p in problems)
    writer = eura_application.created_by
    forget_memberships()
    with pytest.raises(DomainError):
        workflow.submit_application(writer, eura_application, now=during(call))
    login_as(writer)
    page = client.get(f"/calls/applications/{eura_application.id}").get_data(as_text=True)
    assert "Filed in EURA 2021" in page and "Export for EURA 2021" in page
    submit = client.get(f"/calls/applications/{eura_application.id}/submit")
    assert "Submit the application now?" not in submit.get_data(as_text=True)
    call_page = client.get(f"/calls/{call.id}").get_data(as_text=True)
    assert "The official application is filed in EURA 2021." in call_page


def test_a_platform_call_still_submits_here_and_offers_the_export_as_a_link(
        client, login_as, make_application):
    application = make_application()
    assert checklist(application, during(application.call)) == []
    login_as(application.created_by)
    page = client.get(f"/calls/applications/{application.id}").get_data(as_text=True)
    assert "Filed in EURA 2021" not in page
    assert f"/calls/applications/{application.id}/eura" in page
    html = client.get(f"/calls/{application.call.id}").get_data(as_text=True)
    assert "filed in EURA 2021" not in html
