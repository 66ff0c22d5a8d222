"""Search tests: each test gets its own index directory (the database is rolled back after
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
def search(db):
    """search(q, **kwargs) -> SearchResult, with English facet labels."""
    from app.search.service import search_practices

    def _search(q="", **kwargs):
        kwargs.setdefault("language", "en")
        return search_practices(q, **kwargs)

    return _search


@pytest.fixture
def titles(search):
    """titles(q, **kwargs) -> the titles of the first page of hits."""

    def _titles(q="", **kwargs):
        return [hit.title for hit in search(q, **kwargs).hits]

    return _titles
