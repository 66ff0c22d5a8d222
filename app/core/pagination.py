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


class PagerMixin:
    """The interface of Flask-SQLAlchemy's Pagination that the pager macro reads, for
    anything with `total`, `page` and `per_page`."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page)) if self.total else 0

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int | None:
        return self.page - 1 if self.has_prev else None

    @property
    def next_num(self) -> int | None:
        return self.page + 1 if self.has_next else None

    def iter_pages(self, left_edge=2, left_current=2, right_current=4, right_edge=2):
        pages = self.pages
        previous = 0
        for number in range(1, pages + 1):
            if (number <= left_edge or number > pages - right_edge
                    or self.page - left_current <= number <= self.page + right_current):
                if previous and number - previous > 1:
                    yield None
                yield number
                previous = number


@dataclass(frozen=True)
class ListPage(PagerMixin):
    """One page of a list that is computed whole (e.g. a ranking): `offset` is the index of
    its first item. A page past the end shows the last page."""

    total: int
    page: int
    per_page: int

    @classmethod
    def of(cls, total: int, page: int, per_page: int) -> ListPage:
        last = max(1, -(-total // per_page))
        return cls(total, min(max(1, page), last), per_page)

    @property
    def offset(self) -> int:
        return (self.page - 1) * self.per_page

    def slice(self, items: list) -> list:
        return items[self.offset:self.offset + self.per_page]
