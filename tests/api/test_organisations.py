"""/api/v1/organisations: verified organisations' public profiles, nothing about their people."""

from __future__ import annotations

from urllib.parse import parse_qs, urlsplit

import pytest


@pytest.fixture
def organisations(make_organisation, make_user, add_member):
    owner = make_user(email="omistaja@example.fi", name="Olli Omistaja")
    kipina = make_organisation(name="Työpaja Kipinä ry", owner=owner, regions=("MK10", "MK11"),
                               contact_email="info@kipina.example.fi",
                               website="https://kipina.example.fi", expertise="työkokeilu")
    add_member(kipina, make_user(email="jasen@example.fi", name="Jaana Jäsen"))
    firm = make_organisation(name="Henkilöstöpalvelu Oy", type="staffing_firm",
                             regions=("MK01",))
    hidden = make_organisation(name="Vahvistamaton ry", verified=False)
    return {"kipina": kipina, "firm": firm, "hidden": hidden}


def test_lists_verified_organisations_by_name(get_json, organisations):
    body = get_json("/api/v1/organisations")
    names = [item["name"] for item in body["items"]]
    assert names == sorted(names, key=str.lower)
    assert "Työpaja Kipinä ry" in names and "Henkilöstöpalvelu Oy" in names
    assert "Vahvistamaton ry" not in names
    assert body["total"] == len(names)


def test_filters(get_json, organisations):
    body = get_json("/api/v1/organisations?type=staffing_firm")
    assert [o["name"] for o in body["items"]] == ["Henkilöstöpalvelu Oy"]
    body = get_json("/api/v1/organisations?region=MK11")
    assert [o["name"] for o in body["items"]] == ["Työpaja Kipinä ry"]
    body = get_json("/api/v1/organisations?region=MK11&region=MK01")
    assert {o["name"] for o in body["items"]} == {"Työpaja Kipinä ry", "Henkilöstöpalvelu Oy"}
    body = get_json("/api/v1/organisations?q=KIPINÄ")
    assert [o["name"] for o in body["items"]] == ["Työpaja Kipinä ry"]
    body = get_json("/api/v1/organisations?q=100%25_")
    assert body["items"] == []  # LIKE wildcards are taken literally


def test_profile_fields_and_no_people(get_json, organisations, client):
    kipina = organisations["kipina"]
    body = get_json(f"/api/v1/organisations/{kipina.id}")
    assert body["name"] == "Työpaja Kipinä ry"
    assert body["type"] == "ngo" and body["business_id"] == kipina.business_id
    assert body["regions"] == ["MK10", "MK11"]
    assert body["target_groups"] == ["partially_able_to_work"]
    assert body["contact_email"] == "info@kipina.example.fi"  # shown on the public page too
    assert body["website"] == "https://kipina.example.fi"
    assert body["url"] == f"http://localhost/organisations/{kipina.id}"
    assert body["verified_at"].endswith("Z")
    for response in (client.get(f"/api/v1/organisations/{kipina.id}"),
                     client.get("/api/v1/organisations?per_page=100")):
        text = response.get_data(as_text=True)
        for private in ("omistaja@example.fi", "jasen@example.fi", "Olli Omistaja",
                        "Jaana Jäsen", "rejection_reason", "members"):
            assert private not in text


def test_unverified_and_unknown_answer_404(get_json, organisations):
    get_json(f"/api/v1/organisations/{organisations['hidden'].id}", status=404)
    body = get_json("/api/v1/organisations/987654", status=404)
    assert body["error"]["code"] == "not_found"


def test_pagination(get_json, make_organisation):
    for n in range(5):
        make_organisation(name=f"Sivutus {n} ry")
    body = get_json("/api/v1/organisations?q=sivutus&per_page=2")
    assert body["total"] == 5 and body["pages"] == 3 and len(body["items"]) == 2
    assert body["links"]["prev"] is None
    nxt = parse_qs(urlsplit(body["links"]["next"]).query)
    assert nxt == {"q": ["sivutus"], "per_page": ["2"], "page": ["2"]}
    beyond = get_json("/api/v1/organisations?q=sivutus&per_page=2&page=9")
    assert beyond["items"] == [] and beyond["total"] == 5
    assert beyond["links"]["next"] is None
    assert parse_qs(urlsplit(beyond["links"]["prev"]).query)["page"] == ["3"]


@pytest.mark.parametrize("query,parameter", [
    ("type=castle", "type"), ("region=MK99", "region"), ("q=" + "x" * 100_000, "q"),
    ("page=1e3", "page"), ("per_page=-5", "per_page"),
])
def test_bad_filters_answer_400(get_json, organisations, query, parameter):
    body = get_json("/api/v1/organisations?" + query, status=400)
    assert body["error"]["parameter"] == parameter
