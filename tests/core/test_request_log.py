"""One structured log line per request, with a request id sent back and shown on error pages."""

from __future__ import annotations

import json
import logging


def _lines(caplog) -> list[dict]:
    return [json.loads(r.getMessage()) for r in caplog.records if r.name == "kohtaamo.request"]


def test_one_line_per_request_with_id_status_time_and_no_query(client, caplog):
    caplog.set_level(logging.INFO, logger="kohtaamo.request")
    response = client.get("/practices?q=salainen-hakusana")
    assert response.status_code == 200
    lines = _lines(caplog)
    assert len(lines) == 1
    line = lines[0]
    assert line["method"] == "GET" and line["path"] == "/practices" and line["status"] == 200
    assert line["user_id"] is None
    assert line["duration_ms"] >= 0
    assert line["request_id"] == response.headers["X-Request-ID"]
    assert "salainen" not in caplog.text


def test_the_signed_in_user_is_named(client, make_user, login_as, caplog):
    user = login_as(make_user())
    caplog.set_level(logging.INFO, logger="kohtaamo.request")
    client.get("/account")
    assert _lines(caplog)[-1]["user_id"] == user.id


def test_a_sane_incoming_id_is_kept_and_a_forged_one_replaced(client, caplog):
    caplog.set_level(logging.INFO, logger="kohtaamo.request")
    kept = client.get("/healthz", headers={"X-Request-ID": "lb-1234abcd-5678"})
    assert kept.headers["X-Request-ID"] == "lb-1234abcd-5678"
    for forged in ("a b;Set-Cookie: x=1", "<script>", "x" * 200, "short"):
        response = client.get("/healthz", headers={"X-Request-ID": forged})
        assert response.headers["X-Request-ID"] != forged
        assert len(response.headers["X-Request-ID"]) == 32
    assert [line["request_id"] for line in _lines(caplog)][0] == "lb-1234abcd-5678"


def test_error_pages_show_the_reference_and_the_line_has_the_status(client, caplog):
    caplog.set_level(logging.INFO, logger="kohtaamo.request")
    response = client.get("/no-such-page")
    assert response.status_code == 404
    rid = response.headers["X-Request-ID"]
    assert f"Error reference: {rid}" in response.get_data(as_text=True)
    assert _lines(caplog)[-1]["status"] == 404
    assert _lines(caplog)[-1]["request_id"] == rid
