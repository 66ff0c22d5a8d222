"""Query parameters of the API, read strictly: what cannot be used is a 400 that says why
(never a 500), and `per_page` above the maximum is clamped to it.

Unknown parameter names are ignored, as HTTP clients and caches add their own.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import request

from app.api.responses import InvalidParameter
from app.core.codelists import CodeList
from app.core.fields import parse_int

DEFAULT_PER_PAGE = 20
MAX_PER_PAGE = 100
MAX_PAGE = 100_000
MAX_TEXT = 200  # for name filters; the search query has its own limit
LANGUAGES = ("fi", "sv", "en")


@dataclass(frozen=True)
class Paging:
    page: int
    per_page: int


def _digits(name: str, raw: str) -> int:
    value = parse_int(raw)
    if value is None:
        raise InvalidParameter(name, f"{name} must be a whole number.")
    return value


def paging() -> Paging:
    """`page` (from 1) and `per_page` (1 to 100; larger values count as 100)."""
    page = _digits("page", request.args.get("page", "1").strip())
    if page < 1:
        raise InvalidParameter("page", "page must be 1 or more.")
    if page > MAX_PAGE:
        raise InvalidParameter("page", f"page must be at most {MAX_PAGE}.")
    per_page = _digits("per_page",
                       request.args.get("per_page", str(DEFAULT_PER_PAGE)).strip())
    if per_page < 1:
        raise InvalidParameter("per_page", "per_page must be 1 or more.")
    return Paging(page, min(per_page, MAX_PER_PAGE))


def text(name: str, max_length: int = MAX_TEXT) -> str:
    """A free-text parameter, stripped; too long is refused rather than silently cut."""
    value = request.args.get(name, "").strip()
    if len(value) > max_length:
        raise InvalidParameter(name, f"{name} can be at most {max_length} characters long.")
    return value


def choice(name: str, allowed, default: str | None = None) -> str | None:
    """One of `allowed`, or `default` when the parameter is absent or empty."""
    value = request.args.get(name, "").strip()
    if not value:
        return default
    if value not in allowed:
        raise InvalidParameter(name, f"{name} must be one of: {', '.join(allowed)}.")
    return value


def codes(name: str, code_list: CodeList) -> list[str]:
    """Every value of a repeatable parameter; each must be a code of `code_list`."""
    values = [v.strip() for v in request.args.getlist(name) if v.strip()]
    unknown = [v for v in values if v not in code_list]
    if unknown:
        shown = unknown[0] if len(unknown[0]) <= 40 else unknown[0][:40] + "…"
        raise InvalidParameter(
            name, f"Unknown {name} code {shown!r}. The codes are listed in the "
                  f"OpenAPI document (/api/v1/openapi.json).")
    return code_list.clean(values)


def language() -> str | None:
    """`lang` for labels (fi, sv or en); None: the Accept-Language header decides."""
    return choice("lang", LANGUAGES)
