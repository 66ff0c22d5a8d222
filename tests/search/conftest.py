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


@pytest.fixture
def cli(app):
    """cli(*args, code=0) -> the output of `flask search ARGS`, which must exit with `code`
    and never show a traceback (every failure is a one-line message)."""
    from app.search.cli import search_cli

    runner = app.test_cli_runner()

    def _invoke(*args, code=0):
        result = runner.invoke(search_cli, list(args))
        assert result.exit_code == code, result.output
        assert "Traceback" not in result.output
        assert result.exception is None or isinstance(result.exception, SystemExit), \
            repr(result.exception)
        return result.output

    return _invoke
