"""Export of the published service models as JSON Lines, in the import format."""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator
from typing import IO

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.practices.import_format import KEYS
from app.practices.models import Practice, PracticeState

_LISTS = ("target_groups", "work_forms", "regions", "tags")


def export_record(practice: Practice) -> dict:
    """The published version of `practice` as an import record (same keys, same order)."""
    content = practice.current_version.content
    organisation = practice.organisation
    record: dict = {"id": practice.external_id or f"kohtaamo-{practice.id}"}
    for key in KEYS[1:]:
        if key == "organisation":
            record[key] = {"name": organisation.name, "business_id": organisation.business_id,
                           "type": organisation.type}
        elif key == "published_on":
            if practice.first_published_on is not None:
                record[key] = practice.first_published_on.isoformat()
        else:
            record[key] = content.get(key, [] if key in _LISTS else "")
    return record


def export_records() -> Iterator[dict]:
    """Every published model, oldest first."""
    stmt = (
        select(Practice)
        .where(Practice.state == PracticeState.published, Practice.current_version_id.is_not(None))
        .options(selectinload(Practice.organisation), selectinload(Practice.current_version))
        .order_by(Practice.id)
        .execution_options(yield_per=200)
    )
    for practice in db.session.scalars(stmt):
        yield export_record(practice)


def write_jsonl(records: Iterable[dict], stream: IO[str]) -> int:
    """Write one JSON object per line; returns how many."""
    count = 0
    for record in records:
        stream.write(json.dumps(record, ensure_ascii=False) + "\n")
        count += 1
    return count
