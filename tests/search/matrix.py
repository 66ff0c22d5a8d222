"""Authorization-matrix rows for the search blueprint: the search page and its feeds are
public, the same for everyone."""

from __future__ import annotations

from tests.security.test_authorization_matrix import every

MATRIX = {
    "search.index": {"GET": every(200)},
    "search.practices_feed": {"GET": every(200)},
    "search.search_feed": {"GET": every(200)},
}
