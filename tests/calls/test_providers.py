"""The public provider registry and comparison page of a service-voucher call: only approved
providers of a published voucher call (404 otherwise), filters by language and region (GET,
no JavaScript), outcomes so far from accepted reports with figures under 5 suppressed, the
provider's own language marked, an accessible table, constant SQL queries, links from the
call page and the calls list."""

from __future__ import annotations

import re

import pytest

from app.applications import vouchers
from app.applications.vouchers import OfferInput
from app.projects.models import Project, ReportState
from tests.applications.test_outcome_plan import fill_texts, writer_of
from tests.applications.test_voucher_offer import OFFER, VOUCHER
from tests.fixtures.calls import advance, decide


@pytest.fixture
def voucher_call(make_call):
    return make_call(eligible=("ngo", "staffing_firm", "social_enterprise"),
                     title_fi="Takaisin työelämään – palveluseteli", **VOUCHER)


@pytest.fixture
def provider(make_application, make_organisation, make_user, db):
    """provider(call, name, state="approved", language="fi", **offer) -> Application"""

    def _make(call, name, state="approved", language="fi", **offer):
        writer = make_user(language=language)
        organisation = make_organisation(name=name, owner=writer, type="staffing_firm")
        application = make_application(call=call, organisation=organisation, complete=False)
        fill_texts(application)
        vouchers.save_offer(writer_of(application), application,
                            OfferInput(**{**OFFER.__dict__, **offer}))
        db.session.commit()
        if state == "approved":
            advance(application, "in_review", writer)
            decide(application, approve=True)
        elif state != "draft":
            advance(application, state, writer)
        db.session.commit()
        return application

    return _make


def _html(response) -> str:
    return response.get_data(as_text=True)


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="provider-\d+">\s*<th scope="row"><a [^>]*>(.*?)</a>', html)


def test_only_approved_providers_are_listed_to_anyone(client, voucher_call, provider):
    provider(voucher_call, "Työpolku Oy")
    provider(voucher_call, "Hylätty Oy", state="submitted")
    provider(voucher_call, "Luonnos ry", state="draft")
    response = client.get(f"/calls/{voucher_call.id}/providers")
    assert response.status_code == 200
    html = _html(response)
    assert _rows(html) == ["Työpolku Oy"]
    assert "Hylätty Oy" not in html and "Luonnos ry" not in html
    # The voucher terms on top, and an accessible, printable table.
    assert "2,400.00" in html or "2\u00a0400,00" in html
    assert "4 months" in html or "4 kuukautta" in html
    assert "<caption>" in html and '<th scope="col">' in html
    assert "data-print" in html


def test_other_calls_have_no_registry(client, make_call):
    grant = make_call()
    assert client.get(f"/calls/{grant.id}/providers").status_code == 404
    outcome = make_call(funding_model="outcome_based", outcome_fee_cents=1_000_00,
                        min_employment_months=6)
    assert client.get(f"/calls/{outcome.id}/providers").status_code == 404
    draft = make_call(phase="draft", **VOUCHER)
    assert client.get(f"/calls/{draft.id}/providers").status_code == 404
    assert client.get("/calls/999999/providers").status_code == 404


def test_filters_by_language_and_region(client, voucher_call, provider):
    provider(voucher_call, "Suomeksi Oy", languages=["fi"], regions=["MK10"])
    provider(voucher_call, "På svenska Ab", languages=["sv", "fi"], regions=["MK15"],
             language="sv")
    provider(voucher_call, "In English Oy", languages=["en"], regions=["MK10", "MK01"])
    url = f"/calls/{voucher_call.id}/providers"
    assert _rows(_html(client.get(url))) == ["In English Oy", "På svenska Ab", "Suomeksi Oy"]
    assert _rows(_html(client.get(url + "?language=sv"))) == ["På svenska Ab"]
    assert _rows(_html(client.get(url + "?region=MK10"))) == ["In English Oy", "Suomeksi Oy"]
    assert _rows(_html(client.get(url + "?language=fi&region=MK15"))) == ["På svenska Ab"]
    none = _html(client.get(url + "?language=ar"))
    assert _rows(none) == []
    assert "No provider matches the filters." in none
    # Junk filters are ignored rather than failing.
    assert len(_rows(_html(client.get(url + "?language=<script>&region=x&sort=y")))) == 3


def test_sorting_by_capacity(client, voucher_call, provider):
    provider(voucher_call, "Pieni Oy", capacity=5)
    provider(voucher_call, "Suuri Oy", capacity=80)
    html = _html(client.get(f"/calls/{voucher_call.id}/providers?sort=capacity"))
    assert _rows(html) == ["Suuri Oy", "Pieni Oy"]


def test_the_providers_own_language_is_marked(client, voucher_call, provider):
    provider(voucher_call, "På svenska Ab", language="sv", service="Vi hjälper dig hitta jobb.")
    html = _html(client.get(f"/calls/{voucher_call.id}/providers"))
    assert re.search(r'<td data-label="[^"]*" lang="sv">Vi hjälper dig hitta jobb.</td>', html)


def test_an_empty_registry_says_so(client, voucher_call):
    html = _html(client.get(f"/calls/{voucher_call.id}/providers"))
    assert "No provider has been approved yet." in html
    assert "<table" not in html


def test_outcomes_so_far_come_from_accepted_reports_and_are_suppressed(client, db,
                                                                       voucher_call, provider):
    first = provider(voucher_call, "Tulos Oy")
    second = provider(voucher_call, "Pienet luvut Oy")
    org1, org2 = str(first.organisation_id), str(second.organisation_id)
    reports = db.session.get(Project, first.id).reports
    reports[0].vouchers = {"issued": 30, "providers": {
        org1: {"redeemed": 20, "completed": 12, "employed": 6, "education": 2},
        org2: {"redeemed": 4, "completed": 3, "employed": 1, "education": 0}}}
    reports[0].state = ReportState.accepted
    # A submitted (not yet accepted) report does not count.
    reports[1].vouchers = {"issued": 5, "providers": {
        org1: {"redeemed": 5, "completed": 5, "employed": 5, "education": 5}}}
    reports[1].state = ReportState.submitted
    db.session.commit()
    html = _html(client.get(f"/calls/{voucher_call.id}/providers"))
    row1 = html[html.index(f'id="provider-{first.id}"'):]
    row1 = row1[:row1.index("</tr>")]
    assert "Services completed: 12" in row1 and "Employed after the service: 6" in row1
    assert "In education after the service: &lt; 5" in row1
    row2 = html[html.index(f'id="provider-{second.id}"'):]
    row2 = row2[:row2.index("</tr>")]
    assert "Services completed: &lt; 5" in row2
    assert "Employed after the service: &lt; 5" in row2
    assert "Services completed: 3" not in row2


def test_queries_do_not_grow_with_the_providers(client, db, voucher_call, provider,
                                                count_queries):
    provider(voucher_call, "Yksi Oy")
    url = f"/calls/{voucher_call.id}/providers"
    client.get(url)
    with count_queries() as few:
        client.get(url)
    for n in range(4):
        provider(voucher_call, f"Lisää {n} Oy")
    db.session.expire_all()
    with count_queries() as many:
        html = _html(client.get(url))
    assert len(_rows(html)) == 5
    assert many.count == few.count


def test_linked_from_the_call_page_and_the_calls_list(client, voucher_call, make_call):
    link = f'href="/calls/{voucher_call.id}/providers"'
    assert link in _html(client.get(f"/calls/{voucher_call.id}"))
    assert link in _html(client.get("/calls"))
    grant = make_call()
    assert f'href="/calls/{grant.id}/providers"' not in _html(client.get(f"/calls/{grant.id}"))
    assert "/providers" not in _html(client.get(f"/calls/{grant.id}"))


def test_the_call_page_explains_each_funding_model(client, voucher_call, make_call):
    voucher = _html(client.get(f"/calls/{voucher_call.id}"))
    assert "Value of one voucher" in voucher and "Length of the service: 4 months" in voucher
    assert "flat rate" not in voucher.lower()
    grant = _html(client.get(f"/calls/{make_call().id}"))
    assert "40 %" in grant and "1720 h" in grant.replace(",", "").replace("\u00a0", "")
    assert "Participants' wages and allowances" in grant or "Participants&#39; wages" in grant
    outcome_call = make_call(funding_model="outcome_based", outcome_fee_cents=1_000_00,
                             min_employment_months=6)
    outcome = _html(client.get(f"/calls/{outcome_call.id}"))
    assert "fee budget" in outcome and "flat rate of 40" not in outcome
    assert "Value of one voucher" not in outcome


def test_sv_and_fi_pages_answer(client, voucher_call, provider):
    provider(voucher_call, "Kieli Oy")
    for language in ("fi", "sv", "en"):
        client.post("/language", data={"lang": language})
        response = client.get(f"/calls/{voucher_call.id}/providers")
        assert response.status_code == 200
        assert f'lang="{language}"' in _html(response)[:300]
