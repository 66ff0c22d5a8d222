"""The time budget of one search (SEARCH_TIME_BUDGET_MS).

The caps of query.py bound the work a query can ask for; the budget bounds the time it gets,
whatever the machine's load. It is checked between steps, never inside one: before each
concept after the first, before each typo correction and before "did you mean". When it has
run out, the steps still to come are skipped and the search returns what it has (the concepts
built so far ranked, one page, highlighted), with `truncated` set so that the page can say so.
The first concept is always built, so a search always answers with something when it can.
"""

from __future__ import annotations

import time

from flask import current_app, has_app_context

DEFAULT_MS = 300


class Budget:
    """A deadline; `ms=None` never runs out."""

    def __init__(self, ms: float | None = None):
        self.deadline = None if ms is None else time.monotonic() + max(0.0, ms) / 1000
        self.truncated = False  # a step was skipped because the time had run out
        # Typo corrections made in this search: (word, maxdist, fields) -> words, at most
        # query.MAX_CORRECTIONS of them.
        self.corrections: dict[tuple, list[str]] = {}

    @classmethod
    def from_config(cls) -> Budget:
        """A budget of SEARCH_TIME_BUDGET_MS from now (none outside an application)."""
        if not has_app_context():
            return cls(None)
        ms = current_app.config.get("SEARCH_TIME_BUDGET_MS", DEFAULT_MS)
        return cls(None if ms is None else float(ms))

    def expired(self) -> bool:
        return self.deadline is not None and time.monotonic() >= self.deadline

    def skip(self) -> bool:
        """True when the time has run out: the caller skips its step, and the result will
        say that it was cut short."""
        if self.expired():
            self.truncated = True
            return True
        return False
