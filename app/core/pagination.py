"""Pagination and sorting read from the query string, safely."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

MAX_PER_PAGE = 100


def page_arg(name: str = "page") -> int:
    """The 1-based page number from the query string; junk means page 1."""
    raw = request.args.get(name, "1")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 6:
        return 1
    return max(1, int(raw))


def per_page_arg(default: int = 20, name: str = "per_page") -> int:
    """Items per page from the query string, between 1 and MAX_PER_PAGE."""
    raw = request.args.get(name, "")
    if not raw.isascii() or not raw.isdigit() or len(raw) > 4:
        return default
    return min(MAX_PER_PAGE, max(1, int(raw)))


@dataclass(frozen=True)
class SortOption:
    key: str
    label: object  # a lazy string
    columns: tuple


def sort_arg(options: dict[str, SortOption], default: str) -> SortOption:
    """The chosen sort option; an unknown value falls back to the default."""
    return options.get(request.args.get("sort", default), options[default])
