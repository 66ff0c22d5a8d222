"""/api/v1/calls: published calls with their phase by the server's clock."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.core import clock


@pytest.fixture
def calls(make_call):
    return {phase: make_call(phase=phase, title_fi=f"Haku {phase}") for phase in
            ("open", "upcoming", "closed", "draft")}


def test_lists_published_calls_never_drafts(get_json, calls):
    body = get_json("/api/v1/calls")
    titles = {item["title"]["fi"] for item in body["items"]}
    assert titles == {"Haku open", "Haku upcoming", "Haku closed"}
    assert body["total"] == 3
    get_json(f"/api/v1/calls/{calls['draft'].id}", status=404)


@pytest.mark.parametrize("phase", ["open", "upcoming", "closed"])
def test_phase_filter(get_json, calls, phase):
    body = get_json(f"/api/v1/calls?phase={phase}")
    assert [item["title"]["fi"] for item in body["items"]] == [f"Haku {phase}"]
    assert body["items"][0]["phase"] == phase


def test_the_phase_follows_the_clock(get_json, calls, monkeypatch):
    upcoming = calls["upcoming"]
    monkeypatch.setattr(clock, "now", lambda: upcoming.opens_at + timedelta(minutes=1))
    body = get_json(f"/api/v1/calls/{upcoming.id}")
    assert body["phase"] == "open"
    assert upcoming.id in [c["id"] for c in get_json("/api/v1/calls?phase=open")["items"]]


def test_call_fields(get_json, make_call):
    call = make_call(title_fi="Osatyökykyiset töihin", title_sv="Partiellt arbetsföra",
                     description_fi="Haun **kuvaus**.", total_budget_cents=1_234_567_89,
                     max_support=75, eligible=("ngo", "education"))
    body = get_json(f"/api/v1/calls/{call.id}")
    assert body["title"] == {"fi": "Osatyökykyiset töihin", "sv": "Partiellt arbetsföra",
                             "en": ""}
    assert body["description"]["fi"] == "Haun **kuvaus**."
    assert body["theme"] == call.theme
    assert body["total_budget_cents"] == 123456789
    assert body["total_budget_euros"] == "1234567.89"
    assert body["max_support_percent"] == 75
    assert body["eligible_types"] == ["ngo", "education"]
    assert body["funding_model"] == "grant"
    assert body["phase"] == "open"
    assert body["opens_at"].endswith("Z") and body["closes_at"].endswith("Z")
    assert body["organisation"]["id"] == call.organisation_id
    assert body["url"] == f"http://localhost/calls/{call.id}"
    kinds = [(c["kind"], c["weight"], c["title"]) for c in body["criteria"]]
    assert kinds[0] == ("general", None, "Hakija on rahoituskelpoinen")
    assert kinds[1] == ("content", 40, "Toimintamallin toteutettavuus")
    assert sum(c["weight"] or 0 for c in body["criteria"]) == 100
    assert body["criteria"][1]["scale_max"] == 5


def test_calls_show_no_people(client, make_call, make_user):
    manager = make_user(email="hakuvastaava@example.fi", name="Hanna Hakuvastaava")
    call = make_call(manager=manager)
    for url in ("/api/v1/calls", f"/api/v1/calls/{call.id}"):
        text = client.get(url).get_data(as_text=True)
        assert "hakuvastaava@example.fi" not in text and "Hanna" not in text


@pytest.mark.parametrize("query", ["phase=draft", "phase=", "phase=OPEN", "page=x"])
def test_bad_phase(client, calls, query):
    response = client.get("/api/v1/calls?" + query)
    if query == "phase=":
        assert response.status_code == 200  # empty: all phases
    else:
        assert response.status_code == 400
        assert response.get_json()["error"]["code"] == "invalid_parameter"
