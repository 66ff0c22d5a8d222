"""The request edge: trusted hosts, links in mail from SERVER_BASE_URL, proxies and rate
limits, raw bytes that are not UTF-8 (issue 12, section 1)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from jinja2 import meta
from sqlalchemy import func, select

from app.core.outbox import OutboundMail

MAIL = Path(__file__).resolve().parents[2] / "templates" / "mail"
URL = re.compile(r"https?://[^\s\"'<>]+")


def _queued(db) -> list[OutboundMail]:
    return list(db.session.scalars(select(OutboundMail).order_by(OutboundMail.id)))


def test_untrusted_host_is_refused_and_no_mail_is_queued(client, db, make_user):
    make_user(email="anna@example.fi")
    before = db.session.scalar(select(func.count(OutboundMail.id)))
    response = client.post("/password/forgot", data={"email": "anna@example.fi"},
                           headers={"Host": "evil.example"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Bad request" in page
    assert "evil.example" not in page
    assert "Error reference:" in page
    assert db.session.scalar(select(func.count(OutboundMail.id))) == before


def test_untrusted_host_page_is_translated(client):
    response = client.get("/", headers={"Host": "evil.example", "Accept-Language": "fi"})
    assert response.status_code == 400
    assert 'lang="fi"' in response.get_data(as_text=True)


def test_mail_sent_through_a_trusted_alias_links_to_the_site_address(app, client, db,
                                                                     make_user, monkeypatch):
    make_user(email="anna@example.fi")
    monkeypatch.setitem(app.config, "SERVER_BASE_URL", "https://kohtaamo.example.fi")
    # 127.0.0.1 is trusted too (the test config's alias of localhost)
    page = client.get("/password/forgot", base_url="http://127.0.0.1:8123").get_data(as_text=True)
    token = re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)
    response = client.post("/password/forgot", data={"email": "anna@example.fi",
                                                     "csrf_token": token},
                           base_url="http://127.0.0.1:8123")
    assert response.status_code == 200
    mails = [m for m in _queued(db) if m.recipient == "anna@example.fi"]
    assert len(mails) == 1
    links = URL.findall(mails[0].body)
    assert links and all(link.startswith("https://kohtaamo.example.fi/") for link in links)
    assert any("/password/reset?token=" in link for link in links)
    assert "127.0.0.1" not in mails[0].body


class _Anything(int):
    """Stands for any value of a mail template's context: every attribute, item and call is
    another one, it iterates as empty and reads as 1 (an id for url_for)."""

    def __new__(cls):
        return super().__new__(cls, 1)

    def __getattr__(self, name):
        if name.startswith("__"):
            raise AttributeError(name)
        return _Anything()

    def __getitem__(self, key):
        return _Anything()

    def __call__(self, *args, **kwargs):
        return _Anything()

    def __iter__(self):
        return iter(())

    def __str__(self):
        return "1"


@pytest.mark.parametrize("path", sorted(MAIL.glob("*.txt")), ids=lambda p: p.name)
def test_every_link_in_every_mail_starts_with_the_site_address(app, client, path, monkeypatch):
    from app.core.email import render_mail

    monkeypatch.setitem(app.config, "SERVER_BASE_URL", "https://kohtaamo.example.fi")
    for name in ("localdt", "localdate", "money", "scaled", "percent"):  # dates, sums: text
        monkeypatch.setitem(app.jinja_env.filters, name, lambda value, *args, **kw: "1")
    source = path.read_text(encoding="utf-8")
    names = meta.find_undeclared_variables(app.jinja_env.parse(source))
    context = {name: _Anything() for name in names
               if name not in app.jinja_env.globals and name not in ("_", "ngettext")}
    # inside a request for another (trusted) host, and outside any request
    with app.test_request_context("/", base_url="http://127.0.0.1:9999"):
        subject, body = render_mail(path.stem, "en", **context)
    links = URL.findall(subject + "\n" + body)
    assert all(link.startswith("https://kohtaamo.example.fi/") for link in links), links
    assert "127.0.0.1" not in body
    if "url_for" in source:
        assert links, "a template that builds a link must show it"
    with app.app_context():
        _, body_outside = render_mail(path.stem, "en", **context)
    assert URL.findall(body_outside) == links


def test_production_needs_the_site_address(monkeypatch, tmp_path):
    from app import create_app
    from app.config import ConfigError

    monkeypatch.setenv("SECRET_KEY", "x" * 40)
    monkeypatch.delenv("SERVER_BASE_URL", raising=False)
    with pytest.raises(ConfigError, match="SERVER_BASE_URL"):
        create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
                                  "INSTANCE_DIR": tmp_path})
    monkeypatch.setenv("SERVER_BASE_URL", "https://kohtaamo.example.fi/")
    prod = create_app("production", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/p.db",
                                     "INSTANCE_DIR": tmp_path})
    assert prod.config["SERVER_BASE_URL"] == "https://kohtaamo.example.fi"
    assert prod.config["TRUSTED_HOSTS"] == ["kohtaamo.example.fi"]
    other = prod.test_client().get("/healthz", base_url="https://evil.example")
    assert other.status_code == 400
    assert prod.test_client().get("/healthz",
                                  base_url="https://kohtaamo.example.fi").status_code == 200


# --- proxies and rate limits ---------------------------------------------------------------


def _edge_app(tmp_path, monkeypatch, **env):
    """An app of its own (own limiter storage) on the migrated test database's URL."""
    from app import create_app

    for name, value in env.items():
        monkeypatch.setenv(name, value)
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/edge.db",
                               "INSTANCE_DIR": tmp_path})


def _logins(app, count: int, forwarded_for: str | None, remote: str = "10.0.0.1") -> list[int]:
    """`count` GETs of /healthz-like limited POSTs: the login form, empty (no password work)."""
    client = app.test_client()
    codes = []
    for _ in range(count):
        headers = {"Accept-Language": "en"}
        if forwarded_for:
            headers["X-Forwarded-For"] = forwarded_for
        response = client.post("/login", data={}, headers=headers,
                               environ_overrides={"REMOTE_ADDR": remote})
        codes.append(response.status_code)
    return codes


def test_behind_one_proxy_each_client_has_its_own_budget(tmp_path, monkeypatch):
    from app.extensions import limiter

    app = _edge_app(tmp_path, monkeypatch, PROXY_FIX_HOPS="1", RATELIMIT_LOGIN="3 per minute")
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        limiter.reset()
    first = _logins(app, 4, "198.51.100.7")
    second = _logins(app, 3, "203.0.113.9")
    assert first[:3].count(429) == 0 and first[3] == 429
    assert 429 not in second  # another client behind the same proxy (10.0.0.1)


def test_without_proxy_hops_forwarded_for_cannot_escape_the_limit(tmp_path, monkeypatch):
    from app.extensions import limiter

    monkeypatch.delenv("PROXY_FIX_HOPS", raising=False)
    app = _edge_app(tmp_path, monkeypatch, RATELIMIT_LOGIN="3 per minute")
    app.config["WTF_CSRF_ENABLED"] = False
    with app.app_context():
        limiter.reset()
    codes = [(_logins(app, 1, f"192.0.2.{n}"))[0] for n in range(5)]
    assert codes[:3].count(429) == 0
    assert codes[3:] == [429, 429]


def test_rate_limits_come_from_the_environment(monkeypatch):
    from app.config import load_config

    monkeypatch.setenv("RATELIMIT_LOGIN", "7 per minute")
    monkeypatch.setenv("RATELIMIT_MAIL_LINK", "2 per hour")
    config = load_config("test")
    assert config["RATE_LIMITS"]["login"] == "7 per minute"
    assert config["RATE_LIMITS"]["mail_link"] == "2 per hour"
    assert config["RATE_LIMITS"]["register"] == "10 per hour"  # untouched


# --- raw bytes -----------------------------------------------------------------------------


@pytest.mark.parametrize("query", ["\xff\xfe", "q=\xff\xfe", "q=ok&\xff=1"])
def test_raw_bytes_in_the_query_string_are_a_400_page(client, query):
    response = client.get("/search", environ_overrides={"QUERY_STRING": query})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Bad request" in page and "Traceback" not in page


def test_raw_bytes_elsewhere_are_never_a_500(client):
    assert client.get("/search", query_string="q=%FF%FE").status_code == 200
    assert client.get("/practices/\xff\xfe").status_code == 404
    client.set_cookie("kohtaamo_session", "\xff\xfe")
    assert client.get("/").status_code == 200
    htmx = client.get("/search", environ_overrides={"QUERY_STRING": "\xff\xfe"},
                      headers={"HX-Request": "true"})
    assert htmx.status_code == 400 and htmx.headers["HX-Reswap"] == "none"
