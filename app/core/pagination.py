"""Pagination and sorting read from the query string, safely."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from app.core.fields import parse_int

MAX_PER_PAGE = 100


def page_arg(name: str = "page") -> int:
    """The 1-based page number from the query string; junk means page 1."""
    return max(1, parse_int(request.args.get(name), max_digits=6) or 1)


def per_page_arg(default: int = 20, name: str = "per_page") -> int:
    """Items per page from the query string, between 1 and MAX_PER_PAGE."""
    value = parse_int(request.args.get(name), max_digits=4)
    return default if value is None else min(MAX_PER_PAGE, max(1, value))


@dataclass(frozen=True)
class SortOption:
    key: str
    label: object  # a lazy string
    columns: tuple


def sort_arg(options: dict[str, SortOption], default: str) -> SortOption:
    """The chosen sort option; an unknown value falls back to the default."""
    return options.get(request.args.get("sort", default), options[default])
