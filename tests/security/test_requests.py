"""SECURITY.md "Requests": headers, CSRF, rate limits, error pages, hostile input."""

import pytest
from sqlalchemy import func, select

from app.auth.models import User

REQUIRED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
}


def _assert_headers(response):
    for name, value in REQUIRED.items():
        assert response.headers.get(name) == value, name
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp
    assert "unsafe-inline" not in csp and "unsafe-eval" not in csp


def test_security_headers_on_every_response_type(client, make_user, login_as, app):
    responses = {
        "page": client.get("/"),
        "not found": client.get("/no-such-page"),
        "json": client.get("/health"),
        "static": client.get("/static/css/app.css"),
        "redirect": client.get("/account"),
        "method not allowed": client.get("/logout"),
        "csrf failure": client.post("/logout", data={}, csrf=False),
    }
    login_as(make_user())
    responses["download"] = client.get("/account/data.json")
    for kind, response in responses.items():
        assert response.status_code < 500, kind
        _assert_headers(response)
        response.close()
    assert responses["method not allowed"].status_code == 405
    assert responses["csrf failure"].status_code == 400


def test_hsts_and_secure_cookie_in_production(monkeypatch, tmp_path):
    from app import create_app

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.setenv("SERVER_BASE_URL", "https://localhost")
    prod = create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
                                     "INSTANCE_DIR": tmp_path})
    assert prod.config["SESSION_COOKIE_NAME"] == "__Host-session"
    assert prod.config["SESSION_COOKIE_SECURE"] is True
    assert prod.config["SESSION_COOKIE_HTTPONLY"] is True
    assert prod.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    response = prod.test_client().get("/static/css/app.css")
    response.close()
    assert "max-age" in response.headers["Strict-Transport-Security"]


def test_production_refuses_to_start_without_secret_key(monkeypatch):
    from app import create_app
    from app.config import ConfigError

    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        create_app("production")


def test_post_without_csrf_token_is_refused(client, db):
    response = client.post("/register", csrf=False, data={
        "name": "Ville", "email": "ville@example.fi", "password": "pitkä salasana tässä",
        "password_again": "pitkä salasana tässä", "language": "fi"})
    assert response.status_code == 400
    assert "expired or was sent from elsewhere" in response.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.email == "ville@example.fi")) is None


def test_htmx_request_with_csrf_header_is_accepted(client, make_user, login_as, db):
    user = make_user()
    login_as(user)
    token = client.csrf_token()
    response = client.post("/account/profile", data={"name": "Header Token", "language": "fi"},
                           headers={"HX-Request": "true", "X-CSRFToken": token}, csrf=False)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.name == "Header Token"


def test_login_rate_limited_per_ip(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "RATE_LIMITS",
                        {**app.config["RATE_LIMITS"], "login": "3 per minute"})
    codes = [client.post("/login", data={"email": f"x{i}@example.fi",
                                         "password": "whatever it is"}).status_code
             for i in range(5)]
    assert codes[:3] == [200, 200, 200]
    assert codes[3] == 429
    limited = client.post("/login", data={"email": "a@example.fi", "password": "b"})
    assert "Too many requests" in limited.get_data(as_text=True)


@pytest.mark.parametrize("language,title", [("fi", "Sivua ei löytynyt"),
                                            ("sv", "Sidan hittades inte"),
                                            ("en", "Page not found")])
def test_error_pages_in_three_languages(client, language, title):
    response = client.get("/no-such-page", headers={"Accept-Language": language})
    assert response.status_code == 404
    html = response.get_data(as_text=True)
    assert f'lang="{language}"' in html
    assert title in html


def test_too_large_request_gets_413_page(client, app, monkeypatch):
    monkeypatch.setitem(app.config, "MAX_CONTENT_LENGTH", 1024)
    response = client.post("/login", data={"email": "a@example.fi", "password": "x" * 5000})
    assert response.status_code == 413
    assert "larger than the limit" in response.get_data(as_text=True)


def test_server_error_page_hides_details(app, client, monkeypatch):
    from app.auth import services

    def boom(*args, **kwargs):
        raise RuntimeError("secret internals")

    monkeypatch.setattr(services, "request_password_reset", boom)
    monkeypatch.setitem(app.config, "PROPAGATE_EXCEPTIONS", False)
    response = client.post("/password/forgot", data={"email": "a@example.fi"})
    assert response.status_code == 500
    html = response.get_data(as_text=True)
    assert "secret internals" not in html and "Traceback" not in html
    _assert_headers(response)


HOSTILE = [
    "NaN", "sNaN", "Infinity", "-Infinity", "1e400", "１２３４５", "\x00", "a\x00b",
    "x" * 100_000, "<script>alert(1)</script>", "' OR 1=1 --",
    "\ud800".encode("utf-8", "surrogatepass").decode("utf-8", "replace"),
]


@pytest.mark.parametrize("value", HOSTILE, ids=range(len(HOSTILE)))
def test_hostile_input_gets_a_message_not_a_500(client, value, db):
    users_before = db.session.scalar(select(func.count(User.id)))
    for path, fields in [
        ("/register", ["name", "email", "password", "password_again", "language"]),
        ("/login", ["email", "password"]),
        ("/password/forgot", ["email"]),
    ]:
        data = {field: value for field in fields}
        response = client.post(path, data=data)
        assert response.status_code in (200, 302, 422, 413, 429), (path, response.status_code)
    # Nothing hostile was stored (PostgreSQL cannot even compare NUL, so count).
    assert db.session.scalar(select(func.count(User.id))) == users_before


def test_nul_byte_in_text_is_reported_on_the_field(client):
    response = client.post("/register", data={
        "name": "Matti\x00", "email": "m@example.fi", "password": "pitkä salasana tässä",
        "password_again": "pitkä salasana tässä", "language": "fi"})
    html = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "cannot contain line breaks or control characters" in html
    assert 'id="name-error"' in html


def test_bad_query_arguments_never_fail(client):
    for query in ["page=-1", "page=abc", "page=99999999999999999999", "sort=%00", "next=//evil"]:
        assert client.get(f"/organisations?{query}").status_code in (200, 400, 404), query


def test_huge_ids_are_not_found(client):
    assert client.get("/organisations/99999999999999999999999").status_code == 404
    assert client.get("/practices/99999999999999999999999-x").status_code == 404
