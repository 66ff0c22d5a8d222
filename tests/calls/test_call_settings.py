"""The call form's settings of issue 11: territory, maximum support share per organisation type,
the contact person, where the application is filed, and the service-voucher terms; what may
change once the call is open; and how the call page shows them."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from app.calls import services as call_services
from app.calls.models import Filing
from app.core.db import utcnow
from app.core.domain import DomainError
from tests.fixtures.calls import call_manager_of


def _html(response) -> str:
    return response.get_data(as_text=True)


def _form(**overrides) -> dict:
    now = utcnow()
    data = {
        "title_fi": "Alueellinen haku", "description_fi": "Kuvaus.", "theme": "Teema",
        "opens_at": (now + timedelta(days=5)).strftime("%Y-%m-%dT%H:%M"),
        "closes_at": (now + timedelta(days=40)).strftime("%Y-%m-%dT%H:%M"),
        "total_budget_cents": "500 000", "max_support_percent": "80",
        "eligible_types": ["ngo", "municipality"], "funding_model": "grant",
        "report_interval_months": "6", "final_report": "y", "advance_percent": "0",
        "territory": "national", "filing": "platform",
    }
    data.update(overrides)
    return data


@pytest.fixture
def manager(make_call, login_as):
    """A call manager of a verified funding authority, signed in (with one draft call)."""
    call = make_call(phase="draft")
    user = call_manager_of(call)
    login_as(user)
    return user, call


def test_a_new_call_saves_territory_shares_contact_filing_and_voucher_terms(client, manager):
    user, existing = manager
    response = client.post("/calls/new", data=_form(
        organisation_id=str(existing.organisation_id),
        territory="regional", regions=["MK10", "MK11"],
        share_municipality="70", share_ngo="",
        contact_name="Kaisa Yhteyshenkilö", contact_email="kaisa@example.fi",
        contact_phone="+358 29 502 1234", filing="eura2021",
        funding_model="service_voucher", voucher_value_cents="2 500",
        service_months="4", voucher_target_groups=["partially_able_to_work", "over_50"]))
    assert response.status_code == 302, _html(response)
    from app.calls.models import Call
    from app.extensions import db

    call = db.session.query(Call).order_by(Call.id.desc()).first()
    assert call.regions == ["MK10", "MK11"]
    assert call.support_percent_by_type == {"municipality": 70}
    assert call.support_percent_for("municipality") == 70
    assert call.support_percent_for("ngo") == 80
    assert (call.contact_name, call.contact_email, call.contact_phone) == (
        "Kaisa Yhteyshenkilö", "kaisa@example.fi", "+358 29 502 1234")
    assert call.filing == Filing.eura2021
    assert call.voucher_value_cents == 2_500_00 and call.service_months == 4
    assert call.voucher_target_groups == ["partially_able_to_work", "over_50"]


def test_a_national_call_keeps_no_regions_even_when_some_are_ticked(client, manager):
    user, existing = manager
    response = client.post(f"/calls/{existing.id}/edit", data=_form(
        territory="national", regions=["MK01"]))
    assert response.status_code == 302
    assert existing.regions == []


@pytest.mark.parametrize("overrides,field,message", [
    ({"territory": "regional"}, "regions", "Choose at least one region"),
    ({"contact_email": "not an address"}, "contact_email", "Enter a valid e-mail address"),
    ({"share_municipality": "0"}, "share_municipality", "at least 1"),
    ({"share_municipality": "101"}, "share_municipality", "100"),
    ({"service_months": "25"}, "service_months", "24"),
    ({"contact_phone": "soita minulle"}, "contact_phone", "phone number"),
])
def test_refused_settings_are_shown_at_their_field(client, manager, overrides, field, message):
    user, existing = manager
    before = (list(existing.regions), dict(existing.support_percent_by_type),
              existing.contact_email)
    response = client.post(f"/calls/{existing.id}/edit", data=_form(**overrides))
    html = _html(response)
    assert response.status_code == 422
    assert f'id="{field}-error"' in html
    error = html.split(f'id="{field}-error"', 1)[1].split("</p>", 1)[0]
    assert message in error
    assert f'href="#{field}"' in html  # the error summary links to it
    assert re.search(rf'id="{field}"[^>]*aria-describedby="[^"]*{field}-error', html) or \
        re.search(rf'aria-describedby="[^"]*{field}-error"[^>]*id="{field}"', html)
    assert (list(existing.regions), dict(existing.support_percent_by_type),
            existing.contact_email) == before


def test_the_service_checks_the_shares_contact_and_voucher_terms_itself(manager, db):
    user, call = manager
    for data, field in [({"support_percent_by_type": {"ngo": 0}}, "support_percent_by_type"),
                        ({"support_percent_by_type": {"ngo": 101}}, "support_percent_by_type"),
                        ({"contact_email": "x@"}, "contact_email"),
                        ({"service_months": 0}, "service_months"),
                        ({"voucher_value_cents": 0}, "voucher_value_cents")]:
        with pytest.raises(DomainError) as refused:
            call_services.update_call(user, call, data)
        assert refused.value.field == field
        db.session.rollback()  # as the unit of work does
    # Unknown organisation types and regions are dropped, not stored.
    call_services.update_call(user, call, {"support_percent_by_type": {"ngo": 60, "x": 5},
                                           "regions": ["MK10", "MK99"]})
    assert call.support_percent_by_type == {"ngo": 60}
    assert call.regions == ["MK10"]


def test_once_open_the_terms_are_frozen_but_the_contact_person_may_change(make_call, db):
    call = make_call(phase="open")
    user = call_manager_of(call)
    with pytest.raises(DomainError) as refused:
        call_services.update_call(user, call, {"regions": ["MK01"]})
    assert refused.value.field == "regions"
    db.session.rollback()
    for name, value in [("filing", "eura2021"), ("support_percent_by_type", {"ngo": 50}),
                        ("voucher_value_cents", 100_00)]:
        with pytest.raises(DomainError):
            call_services.update_call(user, call, {name: value})
        db.session.rollback()
    assert call_services.update_call(user, call, {"contact_name": "Uusi Henkilö",
                                                  "contact_email": "uusi@example.fi"})
    assert call.contact_name == "Uusi Henkilö"


def test_the_edit_form_of_an_open_call_offers_the_contact_person_only(client, make_call,
                                                                      login_as):
    call = make_call(phase="open")
    login_as(call_manager_of(call))
    html = _html(client.get(f"/calls/{call.id}/edit"))
    assert 'name="contact_email"' in html
    assert 'name="regions"' not in html and 'name="share_ngo"' not in html
    assert 'name="filing"' not in html


def test_publishing_a_voucher_call_needs_its_voucher_terms(make_call):
    call = make_call(phase="draft", funding_model="service_voucher", voucher_value_cents=None,
                     service_months=None, voucher_target_groups=[])
    fields = {m.field for m in call_services.publish_checklist(call)}
    assert {"voucher_value_cents", "service_months", "voucher_target_groups"} <= fields
    grant = make_call(phase="draft")
    assert not {"voucher_value_cents", "service_months"} & {
        m.field for m in call_services.publish_checklist(grant)}


def test_the_call_page_shows_territory_shares_contact_and_filing(client, make_call):
    call = make_call(regions=["MK10", "MK11"], support_percent_by_type={"municipality": 70},
                     contact_name="Kaisa Yhteyshenkilö", contact_email="kaisa@example.fi",
                     contact_phone="+358 29 502 1234")
    html = _html(client.get(f"/calls/{call.id}"))
    assert "South Savo, North Savo" in html
    assert "Municipality: at most 70" in html
    assert "Kaisa Yhteyshenkilö" in html and 'href="mailto:kaisa@example.fi"' in html
    assert 'href="tel:+358295021234"' in html
    assert "Here, on this platform" in html
    assert "filed in EURA 2021" not in html
    assert "Support to be granted in the call" in html and "Total budget" not in html

    national = make_call()
    html = _html(client.get(f"/calls/{national.id}"))
    assert "National" in html and "South Savo" not in html
    assert 'id="h-contact"' not in html  # no contact person: no empty section
