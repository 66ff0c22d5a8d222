"""Header and body abuse (issue 12 §4): malformed multipart, huge headers, invalid UTF-8,
wrong content types, duplicate parameters, odd methods. Never a 5xx; the app's own page.
tests/security/test_requests.py has the hostile field values and the 413 page."""

from __future__ import annotations

import pytest

NEVER = range(500, 600)


def _ok(response, *codes):
    assert response.status_code not in NEVER, response.status_code
    if codes:
        assert response.status_code in codes, response.status_code
    response.close()


MULTIPART = [
    ("multipart/form-data", b"--x\r\nContent-Disposition: form-data; name=\"email\"\r\n\r\na"),
    ("multipart/form-data; boundary=x", b"--x\r\nContent-Disposition: form-data; name=\"e"),
    ("multipart/form-data; boundary=x",
     b"--x\r\nContent-Disposition: form-data; name=\"email\"\r\nX: " + b"a" * 70_000
     + b"\r\n\r\nv\r\n--x--\r\n"),
    ("multipart/form-data; boundary=" + "b" * 5000, b"--" + b"b" * 5000 + b"--\r\n"),
    ("multipart/form-data; boundary=x", b"\xff\xfe\x00" * 100),
]


@pytest.mark.parametrize("index", range(len(MULTIPART)))
def test_malformed_multipart(client, index):
    content_type, body = MULTIPART[index]
    _ok(client.post("/login", data=body, content_type=content_type), 400, 413, 422)


@pytest.mark.parametrize("body", [b"email=\xff\xfe&password=\xc3\x28", b"%ff%fe=%c3%28",
                                  b"email=a&email=b&email=" + b"c" * 10_000, b"=&&==&"])
def test_invalid_utf8_and_duplicates_in_form_bodies(client, body):
    _ok(client.post("/login", data=body, content_type="application/x-www-form-urlencoded"),
        400, 422)


@pytest.mark.parametrize("path", ["/organisations?q=%ff%fe", "/search?q=%c3%28&page=%ff",
                                  "/%ff%fe", "/practices/%ff", "/api/v1/practices?q=%ff"])
def test_invalid_utf8_in_paths_and_queries(client, path):
    _ok(client.get(path), 200, 400, 404)


def test_invalid_utf8_in_cookies_and_headers(client):
    # WSGI headers are latin-1: these are the raw bytes 0xFF 0xFE of a hostile client
    _ok(client.get("/", headers={"Cookie": "kohtaamo_session=\xff\xfe; x=\xc3(",
                                 "Accept-Language": "\xff\xfe", "HX-Request": "\xff"}),
        200, 400)


def test_huge_and_many_headers(client):
    _ok(client.get("/", headers={"Cookie": "a=" + "x" * 100_000}), 200, 400, 431)
    _ok(client.get("/", headers={f"X-H{i}": "v" for i in range(1000)}), 200, 400, 431)


@pytest.mark.parametrize("content_type,body", [
    ("application/json", b'{"email": "a@example.fi", "password": "x"}'),
    ("application/json", b'{"email": '), ("text/xml", b"<a/>"), ("application/json", b"\xff"),
])
def test_wrong_content_types_to_a_form(client, content_type, body):
    _ok(client.post("/login", data=body, content_type=content_type), 400, 415, 422)


def test_forms_to_the_json_api_and_odd_methods(client):
    _ok(client.post("/api/v1/practices", data={"q": "x"}), 405)
    _ok(client.open("/api/v1/practices", method="PUT", data=b"\xff",
                    content_type="application/json"), 405)
    _ok(client.open("/", method="X" * 1000), 405)
    _ok(client.open("/", method="PROPFIND"), 405)
    _ok(client.get("/api/v1/practices", data=b"{bad", content_type="application/json"), 200, 400)
