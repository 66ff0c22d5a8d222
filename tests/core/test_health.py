"""/healthz, /readyz and the 503 page when the database cannot be reached (issue 12, §2)."""

from __future__ import annotations

import json

import pytest

from app.search import indexer, store


@pytest.fixture
def own_index(app, tmp_path, monkeypatch):
    root = tmp_path / "search-index"
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(root))
    yield root
    store.forget_handles()


def test_healthz_answers_without_database_cookie_or_cache(client, count_queries):
    with count_queries() as counter:
        response = client.get("/healthz")
    assert response.status_code == 200
    assert response.get_data(as_text=True) == "ok\n"
    assert counter.count == 0
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"
    assert response.headers["X-Request-ID"]


def test_readyz_is_ready_with_a_database_and_an_index(app, client, own_index):
    with app.app_context():
        indexer.rebuild(own_index)
    response = client.get("/readyz")
    assert response.status_code == 200, response.get_data(as_text=True)
    body = json.loads(response.get_data(as_text=True))
    assert body["status"] == "ready"
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["search_index"]["ok"] is True
    assert body["checks"]["search_index"]["lag"] == 0
    assert "Set-Cookie" not in response.headers
    assert response.headers["Cache-Control"] == "no-store"


def test_readyz_names_a_missing_index(client, own_index):
    response = client.get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.get_data(as_text=True))
    assert body["checks"]["database"]["ok"] is True
    assert body["checks"]["search_index"] == {"ok": False, "error": "no index"}


@pytest.fixture
def unreachable_app(tmp_path):
    """An app whose database cannot be opened (its directory does not exist)."""
    from app import create_app

    application = create_app("test", {
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp_path}/missing/dir/kohtaamo.db",
        "INSTANCE_DIR": tmp_path, "SEARCH_INDEX_DIR": str(tmp_path / "index")})
    yield application
    store.forget_handles()


def test_readyz_says_the_database_is_unreachable(unreachable_app):
    response = unreachable_app.test_client().get("/readyz")
    assert response.status_code == 503
    body = json.loads(response.get_data(as_text=True))
    assert body["status"] == "not ready"
    assert body["checks"]["database"]["ok"] is False
    assert unreachable_app.test_client().get("/healthz").status_code == 200


@pytest.mark.parametrize("language, words", [("en", "cannot reach its database"),
                                             ("fi", 'lang="fi"')])
def test_pages_answer_a_translated_503_without_a_stack_trace(unreachable_app, language, words):
    client = unreachable_app.test_client()
    for path in ("/practices", "/calls", "/organisations"):
        response = client.get(path, headers={"Accept-Language": language})
        page = response.get_data(as_text=True)
        assert response.status_code == 503, (path, page[:300])
        assert words in page
        assert "Traceback" not in page and "sqlite" not in page.lower()
        assert "Error reference:" in page or "Virheviite" in page or language == "fi"
        assert response.headers["Retry-After"]


def test_a_signed_in_page_answers_503_too(unreachable_app):
    client = unreachable_app.test_client()
    with client.session_transaction() as session:
        session["_user_id"] = "some-session-token"
        session["_fresh"] = True
    response = client.get("/account", headers={"Accept-Language": "en"})
    page = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "cannot reach its database" in page
    assert "Traceback" not in page
    htmx = client.post("/account/profile", data={"name": "x"},
                       headers={"HX-Request": "true", "Accept-Language": "en"})
    assert htmx.status_code in (400, 503)  # CSRF first, or the database
    assert htmx.status_code != 500
