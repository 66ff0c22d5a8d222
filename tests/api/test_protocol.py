"""What every API answer shares: JSON, CORS, JSON errors, the rate limit; pages elsewhere keep
their HTML errors."""

from __future__ import annotations

import pytest

from app.api import queries

LISTS = ["/api/v1/practices", "/api/v1/organisations", "/api/v1/calls", "/api/v1/projects",
         "/api/v1/openapi.json"]


@pytest.mark.parametrize("url", LISTS)
def test_json_readable_from_any_origin_without_credentials(client, url):
    response = client.get(url, headers={"Origin": "https://example.org"})
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert "Set-Cookie" not in response.headers


@pytest.mark.parametrize("url", LISTS + ["/api/v1/practices/1", "/api/v1/calls/1"])
def test_preflight(client, url):
    response = client.options(url, headers={
        "Origin": "https://example.org", "Access-Control-Request-Method": "GET"})
    assert response.status_code == 204
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert response.headers["Access-Control-Allow-Methods"] == "GET"
    assert "Access-Control-Allow-Credentials" not in response.headers
    assert response.mimetype == "application/json"


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch"])
def test_other_methods_answer_405_json(client, method):
    response = getattr(client, method)("/api/v1/practices")
    assert response.status_code == 405
    assert response.mimetype == "application/json"
    assert response.get_json()["error"]["code"] == "method_not_allowed"
    assert "GET" in response.headers["Allow"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"


@pytest.mark.parametrize("url", ["/api/v1/nothing-here", "/api/v1/practices/abc",
                                 "/api/v1/calls/1/extra", "/api/v1"])
def test_unknown_api_paths_answer_404_json(get_json, url):
    body = get_json(url, status=404)
    assert body == {"error": {"code": "not_found", "message": body["error"]["message"]}}


def test_pages_outside_the_api_keep_their_html_errors(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404 and response.mimetype == "text/html"
    assert "Access-Control-Allow-Origin" not in response.headers
    response = client.get("/search?q=%00")
    assert response.status_code == 400 and response.mimetype == "text/html"
    response = client.put("/search")
    assert response.status_code == 405 and response.mimetype == "text/html"


def test_rate_limit_answers_429_json(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS", {**app.config["RATE_LIMITS"],
                                                    "api": "3 per minute"})
    for url in ("/api/v1/calls", "/api/v1/organisations", "/api/v1/projects"):
        assert client.get(url).status_code == 200
    response = client.get("/api/v1/calls")  # the limit is shared by the whole API
    assert response.status_code == 429
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert body["error"]["code"] == "rate_limited"
    assert "3 per 1 minute" in body["error"]["message"]
    assert response.headers["Access-Control-Allow-Origin"] == "*"
    assert int(response.headers["Retry-After"]) > 0
    # A preflight is not counted (nor refused).
    assert client.options("/api/v1/calls").status_code == 204


def test_an_unexpected_error_is_a_json_500(app, client, monkeypatch):
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)

    def broken(*args, **kwargs):
        raise RuntimeError("the database fell over")

    monkeypatch.setattr(queries, "verified_organisation", broken)
    response = client.get("/api/v1/organisations/1")
    assert response.status_code == 500
    assert response.get_json() == {"error": {"code": "internal_error", "message":
                                             "An unexpected error happened on the server."}}
    assert "fell over" not in response.get_data(as_text=True)


def test_signed_in_people_see_the_same(client, login_as, make_user, make_organisation):
    owner = make_user(email="owner@example.fi")
    hidden = make_organisation(name="Vahvistamaton ry", verified=False, owner=owner)
    anonymous = client.get("/api/v1/organisations").get_json()
    login_as(owner)
    assert client.get("/api/v1/organisations").get_json()["total"] == anonymous["total"]
    assert client.get(f"/api/v1/organisations/{hidden.id}").status_code == 404
