"""/api/v1/projects: approved applications only, and only what may be public about them."""

from __future__ import annotations

import pytest

from app.applications.models import ApplicationPartner
from app.organisations.partnership import PartnerState


@pytest.fixture
def approved(db, make_call, make_application, make_organisation, make_user):
    call = make_call(title_fi="Työllisyyshaku")
    writer = make_user(email="kirjoittaja@example.fi", name="Kalle Kirjoittaja")
    lead = make_organisation(name="Hakija ry", owner=writer)
    application = make_application(call=call, organisation=lead, state="approved",
                                   project_name="Töihin yhdessä")
    partner = make_organisation(name="Kumppani ry")
    invited = make_organisation(name="Vasta kutsuttu ry")
    application.partners.append(ApplicationPartner(organisation=partner,
                                                   state=PartnerState.accepted))
    application.partners.append(ApplicationPartner(organisation=invited,
                                                   state=PartnerState.invited))
    db.session.commit()
    return application


def test_a_project_is_an_approved_application(get_json, approved):
    body = get_json(f"/api/v1/projects/{approved.id}")
    assert body["id"] == approved.id
    assert body["name"] == "Töihin yhdessä"
    assert body["summary"].startswith("Kehitämme työpaikkoja")
    assert body["target_group"].startswith("Osatyökykyiset")
    assert body["lead_organisation"]["name"] == "Hakija ry"
    assert [p["name"] for p in body["partners"]] == ["Kumppani ry"]
    assert body["call"]["id"] == approved.call_id
    assert body["call"]["title"]["fi"] == "Työllisyyshaku"
    assert body["start_date"] == "2026-09-01" and body["end_date"] == "2028-08-31"
    assert body["approved_at"].endswith("Z")
    listed = get_json("/api/v1/projects")
    assert [p["id"] for p in listed["items"]] == [approved.id]


def test_no_budget_salaries_or_people(client, approved):
    for url in ("/api/v1/projects", f"/api/v1/projects/{approved.id}"):
        text = client.get(url).get_data(as_text=True)
        for private in ("Projektipäällikkö", "400000", "salary", "support_cents",
                        "kirjoittaja@example.fi", "Kalle", "Hyvä hakemus", "justification",
                        "Vasta kutsuttu"):
            assert private not in text, (url, private)


@pytest.mark.parametrize("state", ["draft", "submitted", "in_review", "more_info_requested",
                                   "rejected"])
def test_other_applications_are_not_found(get_json, make_application, state):
    application = make_application(state=state)
    body = get_json(f"/api/v1/projects/{application.id}", status=404)
    assert body["error"]["code"] == "not_found"
    assert get_json("/api/v1/projects")["items"] == []


def test_unknown_project_is_not_found(get_json):
    get_json("/api/v1/projects/424242", status=404)
