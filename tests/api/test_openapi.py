"""The OpenAPI document describes every API rule, and what it says holds together."""

from __future__ import annotations

import json
import re

import pytest


@pytest.fixture
def document(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200 and response.mimetype == "application/json"
    return json.loads(response.get_data(as_text=True))


def _openapi_path(rule: str) -> str:
    return re.sub(r"<(?:[a-z_]+:)?([a-z_]+)>", r"{\1}", rule)


def test_it_is_openapi_3_0_3(document):
    assert document["openapi"] == "3.0.3"
    assert document["info"]["title"] and document["info"]["version"]
    assert document["servers"] == [{"url": "http://localhost"}]


def test_every_api_rule_is_described(app, document):
    rules = [rule for rule in app.url_map.iter_rules() if rule.endpoint.startswith("api.")]
    assert len(rules) >= 9
    for rule in rules:
        path = _openapi_path(rule.rule)
        assert path in document["paths"], f"{rule.rule} ({rule.endpoint}) is not described"
        operation = document["paths"][path]["get"]
        declared = {p["name"] for p in operation["parameters"] if p["in"] == "path"}
        assert declared == set(rule.arguments), rule.rule
        assert "200" in operation["responses"]
    described = set(document["paths"])
    assert described == {_openapi_path(rule.rule) for rule in rules}, "a path without a rule"


def test_every_reference_resolves(document):
    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                if key == "$ref":
                    yield value
                else:
                    yield from walk(value)
        elif isinstance(node, list):
            for value in node:
                yield from walk(value)

    refs = set(walk(document))
    assert refs
    for ref in refs:
        target = document
        for part in ref.removeprefix("#/").split("/"):
            target = target[part]


def test_the_facet_parameters_match_the_search(document):
    from app.search.schema import FACETS

    names = {p["name"] for p in document["paths"]["/api/v1/practices"]["get"]["parameters"]}
    assert set(FACETS) <= names
    assert {"q", "sort", "page", "per_page"} <= names


def test_documented_fields_are_the_returned_ones(get_json, document, make_call,
                                                  make_organisation):
    """The required properties of each schema are exactly the keys the API returns."""
    schemas = document["components"]["schemas"]
    call = make_call()
    organisation = make_organisation()
    pairs = [
        (get_json(f"/api/v1/calls/{call.id}"), "Call"),
        (get_json(f"/api/v1/organisations/{organisation.id}"), "Organisation"),
        (get_json("/api/v1/calls"), "CallPage"),
    ]
    for body, name in pairs:
        assert set(body) == set(schemas[name]["required"]), name
