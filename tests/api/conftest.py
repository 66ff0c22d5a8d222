"""API tests: each test gets its own search index directory (the database is rolled back after
every test, so an index shared between tests would remember changes that no longer exist)."""

from __future__ import annotations

from pathlib import Path

import pytest

from app.search import store


@pytest.fixture(autouse=True)
def search_index(app, tmp_path, monkeypatch) -> Path:
    root = tmp_path / "search-index"
    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(root))
    yield root
    store.forget_handles()


@pytest.fixture
def get_json(client):
    """get_json(url, status=200, **kwargs) -> the parsed body, after checking the status and
    that the answer is JSON readable from any origin."""

    def _get(url, status=200, **kwargs):
        response = client.get(url, **kwargs)
        assert response.status_code == status, (url, response.status_code,
                                                response.get_data(as_text=True)[:500])
        assert response.mimetype == "application/json", (url, response.mimetype)
        assert response.headers["Access-Control-Allow-Origin"] == "*"
        return response.get_json()

    return _get
