"""Authorization-matrix rows for the announcements blueprint (see
tests/security/test_authorization_matrix.py)."""

from __future__ import annotations

from tests.security.test_authorization_matrix import every, signed_in  # noqa: F401

MATRIX: dict = {}
