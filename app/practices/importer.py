"""Import of service models from JSON Lines: an upsert on each record's `id`.

The id is kept in `Practice.external_id`. A new id creates and publishes a model (and, when
needed, its organisation, created as verified); a changed record publishes a new version; an
unchanged record is left alone, so importing the same file twice changes nothing. A bad line
is reported with its number and reason and skipped; the other lines are still imported.

Each record is written inside its own savepoint, so a record that fails half-way leaves
nothing behind. The work is committed in short transactions (about `COMMIT_EVERY` seconds of
work, at most `batch_size` records), never inside a record: on SQLite, where one writer holds
the whole database, a long transaction made web writes wait 15 s and fail ("database is
locked", issue 12). After each commit on SQLite the import pauses for `SQLITE_PAUSE`: a
writer queued behind it polls the lock every 100 ms at most (SQLite's busy handler), so it
surely gets its turn in the pause instead of the import taking the lock straight back. A web
write thus waits about one short transaction, not the whole import. A killed import leaves
whole records only, and running it again completes it (an upsert).
Reading and checking lines is in `import_format`.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.exc import DataError, IntegrityError
from sqlalchemy.orm import joinedload

from app.core import audit
from app.core.changes import record_change
from app.core.db import utcnow
from app.core.domain import DomainError
from app.extensions import db
from app.organisations.models import Organisation, OrganisationStatus
from app.practices import services
from app.practices.import_format import (  # noqa: F401 (part of this module's interface)
    ImportProblem,
    ImportRecord,
    count_lines,
    parse_line,
    read_file,
)
from app.practices.models import Practice, PracticeState

BATCH_SIZE = 200
COMMIT_EVERY = 0.2  # seconds of work per transaction
SQLITE_PAUSE = 0.12  # seconds between transactions on SQLite (> the busy handler's 100 ms)
CREATED_NOTE = "Imported"
UPDATED_NOTE = "Imported update"


@dataclass
class ImportSummary:
    """What an import did (or, in a dry run, would do)."""

    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[ImportProblem] = field(default_factory=list)
    organisations_created: int = 0
    dry_run: bool = False

    @property
    def failed(self) -> int:
        return len(self.problems)

    @property
    def total(self) -> int:
        return self.created + self.updated + self.unchanged + self.failed

    def as_dict(self, max_problems: int = 100) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "failed": self.failed,
            "organisations_created": self.organisations_created,
            "failed_lines": [[p.line_no, p.reason] for p in self.problems[:max_problems]],
        }


class _Run:
    """The state of one import: organisations found or created, ids seen."""

    def __init__(self, dry_run: bool):
        self.dry_run = dry_run
        # By Business ID; None: to be created (dry run). Kept here so that the session does
        # not load each organisation (and its regions) again for every record.
        self.organisations: dict[str, Organisation | None] = {}
        self.seen: dict[str, int] = {}

    def forget(self, record: ImportRecord) -> None:
        """After a rolled-back savepoint: an organisation created inside it is gone too."""
        if not self.dry_run:
            self.organisations.pop(record.organisation["business_id"], None)

    def organisation(self, record: ImportRecord) -> Organisation | None:
        """The organisation with the record's Business ID, or None if there is none yet."""
        business_id = record.organisation["business_id"]
        if business_id not in self.organisations:
            # Several units may share a Business ID: the record names the organisation itself.
            found = db.session.scalar(
                select(Organisation).where(Organisation.business_id == business_id,
                                           Organisation.unit_name == ""))
            if found is None:
                return None
            self.organisations[business_id] = found
        return self.organisations[business_id]


def _create_organisation(record: ImportRecord) -> Organisation:
    """A verified organisation without members: the import vouches for the source."""
    now = utcnow()
    spec = record.organisation
    organisation = Organisation(
        name=spec["name"], business_id=spec["business_id"], type=spec["type"],
        status=OrganisationStatus.verified, verified_at=now, created_at=now, updated_at=now,
    )
    organisation.regions = list(record.content["regions"])
    db.session.add(organisation)
    db.session.flush()
    record_change("organisation", organisation.id)
    audit.record("organisation.created", obj=organisation, organisation=organisation,
                 source="import", external_id=record.external_id)
    return organisation


def _published_content(practice: Practice, keys: Iterable[str]) -> dict | None:
    version = practice.current_version
    if version is None:
        return None
    return {key: version.content.get(key) for key in keys}


def _plan(run: _Run, record: ImportRecord) -> tuple[str, Practice | None, Organisation | None]:
    """What the record means: ("create" | "update" | "date" | "unchanged", practice, owner).
    Raises ImportProblem for a record that cannot be applied. Writes nothing."""
    if record.external_id in run.seen:
        raise ImportProblem(record.line_no, f'the id "{record.external_id}" already appeared '
                                            f"on line {run.seen[record.external_id]}")
    run.seen[record.external_id] = record.line_no
    organisation = run.organisation(record)
    if organisation is not None and not organisation.is_verified:
        raise ImportProblem(record.line_no, f"the organisation {organisation.business_id} is "
                                            f"registered here but {organisation.status}, "
                                            "not verified")
    practice = db.session.scalar(
        select(Practice)
        .options(joinedload(Practice.current_version))
        .where(Practice.external_id == record.external_id)
    )
    if practice is None:
        return "create", None, organisation
    if organisation is None or practice.organisation_id != organisation.id:
        owner = practice.organisation
        raise ImportProblem(record.line_no, f'the model "{record.external_id}" belongs to '
                                            f"{owner.name} ({owner.business_id}) here; the import "
                                            "does not move a model to another organisation")
    # Compare with what readers see, so local unpublished edits do not count as a change.
    published = _published_content(practice, record.content)
    content_changed = practice.state != PracticeState.published or published != record.content
    date_changed = (record.published_on is not None
                    and record.published_on != practice.first_published_on)
    if practice.state == PracticeState.archived:
        if published == record.content and not date_changed:
            return "unchanged", practice, organisation
        raise ImportProblem(record.line_no, f'the model "{record.external_id}" is archived here; '
                                            "restore it before importing changes")
    if content_changed:
        return "update", practice, organisation
    return ("date" if date_changed else "unchanged"), practice, organisation


def _apply(run: _Run, record: ImportRecord, action: str, practice: Practice | None,
           organisation: Organisation | None) -> bool:
    """Carry out the plan; True when an organisation was created."""
    now = utcnow()
    if action == "create":
        created_organisation = organisation is None
        if organisation is None:
            organisation = _create_organisation(record)
            run.organisations[organisation.business_id] = organisation
        practice = Practice(
            organisation=organisation, external_id=record.external_id,
            **{key: (list(value) if isinstance(value, list) else value)
               for key, value in record.content.items()},
            slug=services.slugify(record.content["title"]),
            first_published_on=record.published_on, created_at=now, updated_at=now,
        )
        db.session.add(practice)
        db.session.flush()
        services.publish_practice(None, practice, CREATED_NOTE)
        return created_organisation
    assert practice is not None
    if record.published_on is not None:
        practice.first_published_on = record.published_on
    if action == "date":
        practice.updated_at = now
        record_change("practice", practice.id)
        return False
    for key, value in record.content.items():
        setattr(practice, key, list(value) if isinstance(value, list) else value)
    # An editor with the old text open gets a conflict, not a loss (incremented by the database).
    practice.lock_version = Practice.lock_version + 1
    practice.updated_at = now
    practice.updated_by_id = None
    practice.has_unpublished_changes = practice.state == PracticeState.published
    db.session.flush()
    services.publish_practice(None, practice, UPDATED_NOTE)
    return False


_OUTCOME = {"create": "created", "update": "updated", "date": "updated", "unchanged": "unchanged"}


def import_records(records: Iterable[ImportRecord | ImportProblem],
                   progress: Callable[[int], None] | None = None, *, dry_run: bool = False,
                   source: str | None = None, batch_size: int = BATCH_SIZE,
                   commit_every: float = COMMIT_EVERY) -> ImportSummary:
    """Upsert the records (problems from reading are counted as failed lines), committing in
    short transactions (see the module's docstring).

    `progress(1)` is called after each item. With `dry_run` everything is checked, including
    against the database, but nothing is written."""
    summary = ImportSummary(dry_run=dry_run)
    run = _Run(dry_run)
    pending = 0
    sqlite = db.session.get_bind().dialect.name == "sqlite"
    began = time.monotonic()
    for item in records:
        if isinstance(item, ImportProblem):
            summary.problems.append(item)
        else:
            try:
                if dry_run:
                    action, _practice, _owner = _plan(run, item)
                    planned = item.organisation["business_id"]
                    if action == "create" and planned not in run.organisations:
                        # Later records of the same organisation then see it as planned.
                        run.organisations[planned] = None
                        summary.organisations_created += 1
                else:
                    with db.session.begin_nested():
                        action, practice, organisation = _plan(run, item)
                        if action != "unchanged":
                            summary.organisations_created += _apply(run, item, action, practice,
                                                                    organisation)
                    if action != "unchanged":
                        pending += 1
            except ImportProblem as problem:
                summary.problems.append(problem)
                run.forget(item)
            except (DomainError, IntegrityError, DataError) as error:
                reason = str(getattr(error, "message", None) or error.__class__.__name__)
                summary.problems.append(ImportProblem(item.line_no, f"not saved: {reason}"))
                run.forget(item)
            else:
                outcome = _OUTCOME[action]
                setattr(summary, outcome, getattr(summary, outcome) + 1)
        held = time.monotonic() - began
        if not dry_run and (pending >= batch_size or held >= commit_every):
            db.session.commit()
            if sqlite:
                time.sleep(SQLITE_PAUSE)
            pending, began = 0, time.monotonic()
        if progress is not None:
            progress(1)
    if not dry_run:
        audit.record("practices.imported", source=source, **summary.as_dict())
        db.session.commit()
    return summary


def import_file(path: str | Path, progress: Callable[[int], None] | None = None, *,
                dry_run: bool = False) -> ImportSummary:
    return import_records(read_file(path), progress, dry_run=dry_run, source=Path(path).name)
