"""Authorization-matrix rows for the read-only JSON API under /api/v1: public GETs."""

from __future__ import annotations

MATRIX: dict = {}
