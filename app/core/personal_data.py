"""Personal data: what each domain holds about a person, for the GDPR download and for deletion.

The account package (app.auth) owns the download and the deletion but knows no other domain:
each domain registers here, once, when its package is imported, what it holds about a person.
Registering is one call, in `app/<domain>/personal_data.py` imported by the package's
`__init__.py` (see app/organisations/personal_data.py):

    from app.core import personal_data

    personal_data.register(
        "applications",
        exporter=export_applications,    # (user) -> {"applications": [...], ...}
        blocker=deletion_blockers,       # (user) -> ["You have an application in review.", ...]
        eraser=erase_applications,       # (user) -> None
    )

- `exporter(user)` gives the domain's sections of the download, section name -> data that
  `json` can write (dates and datetimes are written as ISO 8601). A section that can be large
  is given as an iterator, e.g. a generator over `in_chunks(...)`: it is written item by item
  and never held in memory whole. Section names are unique across domains.
- `blocker(user)` says why the account cannot be deleted yet, as texts for the person (an
  empty list: nothing stands in the way). Deletion is refused while any domain has a reason.
- `eraser(user)` removes or anonymises what the domain holds. It runs in the deletion's
  transaction (flush, never commit), before the account itself is anonymised, so the user
  still has their id, name and e-mail address.

All three are optional. Registering a name again replaces the earlier registration.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import Select

from app.extensions import db

Exporter = Callable[[Any], dict[str, Any]]
Blocker = Callable[[Any], list[str]]
Eraser = Callable[[Any], None]

CHUNK_SIZE = 1000  # rows per query and items per written chunk of a streamed section


@dataclass(frozen=True)
class Domain:
    name: str
    exporter: Exporter | None = None
    blocker: Blocker | None = None
    eraser: Eraser | None = None


_domains: dict[str, Domain] = {}


def register(name: str, *, exporter: Exporter | None = None, blocker: Blocker | None = None,
             eraser: Eraser | None = None) -> None:
    """Declare what the domain `name` holds about a person (see the module docstring)."""
    _domains[name] = Domain(name, exporter, blocker, eraser)


def unregister(name: str) -> None:
    """Forget a registration (for tests that register a domain of their own)."""
    _domains.pop(name, None)


def registered() -> list[str]:
    """The registered domains, in the order their sections are exported."""
    return list(_domains)


# --- export ------------------------------------------------------------------------------------


def sections(user) -> Iterator[tuple[str, Any]]:
    """Every domain's sections, domain by domain; an exporter runs only when its turn comes."""
    seen: dict[str, str] = {}
    for domain in list(_domains.values()):
        if domain.exporter is None:
            continue
        for name, value in domain.exporter(user).items():
            if name in seen:
                raise ValueError(f"section {name!r} of {domain.name!r} is already "
                                 f"exported by {seen[name]!r}")
            seen[name] = domain.name
            yield name, value


def export_json(user) -> Iterator[str]:
    """The whole download as chunks of JSON text, for a streamed response."""
    yield "{"
    for index, (name, value) in enumerate(sections(user)):
        yield ("\n" if index == 0 else ",\n") + f"  {_dumps(name)}: "
        if isinstance(value, Iterator):
            yield from _array(value)
        else:
            yield json.dumps(value, ensure_ascii=False, indent=2, default=_plain).replace(
                "\n", "\n  ")
    yield "\n}\n"


def export_dict(user) -> dict[str, Any]:
    """The whole download in memory (streamed sections become lists): for tests and tools."""
    return json.loads("".join(export_json(user)))


def _array(items: Iterator) -> Iterator[str]:
    yield "["
    buffer: list[str] = []
    count = 0
    for item in items:
        buffer.append(("\n    " if count == 0 else ",\n    ") + _dumps(item))
        count += 1
        if len(buffer) >= CHUNK_SIZE:
            yield "".join(buffer)
            buffer.clear()
    yield "".join(buffer) + ("\n  ]" if count else "]")


def _dumps(value) -> str:
    return json.dumps(value, ensure_ascii=False, default=_plain)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return str(value)  # lazy translated texts, enums


def in_chunks(statement: Select, key, size: int = CHUNK_SIZE) -> Iterator[dict[str, Any]]:
    """The rows of a column `statement` as dicts, read `size` at a time in the order of the
    unique column `key` (keyset pagination): for sections too large to hold in memory."""
    last = None
    while True:
        page = statement.order_by(key).limit(size)
        if last is not None:
            page = page.where(key > last)
        rows = db.session.execute(page).mappings().all()
        for row in rows:
            yield dict(row)
        if len(rows) < size:
            return
        last = rows[-1][key.key]


# --- deletion ---------------------------------------------------------------------------------


def blockers(user) -> list[str]:
    """Every registered reason why the account cannot be deleted yet (empty: it can)."""
    reasons: list[str] = []
    for domain in list(_domains.values()):
        if domain.blocker is not None:
            reasons.extend(str(reason) for reason in domain.blocker(user))
    return reasons


def erase(user) -> None:
    """Run every registered eraser, in the caller's transaction."""
    for domain in list(_domains.values()):
        if domain.eraser is not None:
            domain.eraser(user)
