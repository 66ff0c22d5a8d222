"""Writing and publishing service models. Plain functions: they flush; the view commits."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from types import SimpleNamespace

from flask_babel import lazy_gettext as _l
from sqlalchemy import select, update
from sqlalchemy.orm.attributes import set_committed_value

from app.auth.models import User
from app.core import audit
from app.core.changes import record_change
from app.core.codelists import (
    EVIDENCE_LEVELS,
    LANGUAGES,
    REGIONS,
    STAGES,
    TARGET_GROUPS,
    WORK_FORMS,
)
from app.core.db import utcnow
from app.core.domain import Conflict, DomainError, NotAllowed
from app.extensions import db
from app.organisations.models import Membership, Organisation
from app.practices.models import (
    CLASSIFICATION,
    SECTIONS,
    Practice,
    PracticeState,
    PracticeVersion,
)
from app.practices.permissions import can_create_practice, can_edit_practice, can_manage_practice

TEXT_FIELDS = ("title", "summary", *SECTIONS)
LIST_FIELDS = {"target_groups": TARGET_GROUPS, "work_forms": WORK_FORMS, "regions": REGIONS}
CHOICE_FIELDS = {"stage": STAGES, "evidence": EVIDENCE_LEVELS, "language": LANGUAGES}
EDITABLE = (*TEXT_FIELDS, *LIST_FIELDS, *CHOICE_FIELDS, "tags")
MAX_TAGS = 20


class EditConflict(Conflict):
    """Someone saved a newer text since the writer loaded theirs."""

    def __init__(self, practice: Practice, theirs: dict):
        super().__init__(_l("Someone else saved this service model while you were editing it."))
        self.practice = practice
        self.theirs = theirs
        self.theirs_version = practice.lock_version  # "keep mine" saves on top of this one


def slugify(text: str, max_length: int = 80) -> str:
    """A URL slug: lower-case ASCII words joined by hyphens (ä -> a, å -> a, ö -> o)."""
    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_text.lower()).strip("-")
    return slug[:max_length].rstrip("-") or "malli"


def clean_tags(tags) -> list[str]:
    """Trimmed, de-duplicated (case-insensitively) tags of at most 60 characters."""
    if isinstance(tags, str):
        tags = tags.split(",")
    seen, result = set(), []
    for tag in tags:
        tag = " ".join(str(tag).split())[:60]
        if tag and tag.lower() not in seen:
            seen.add(tag.lower())
            result.append(tag)
    return result[:MAX_TAGS]


def _apply(practice: Practice, data: dict) -> bool:
    """Copy known fields from `data`; True when anything changed."""
    changed = False
    for name, value in data.items():
        if name not in EDITABLE:
            continue
        if name in LIST_FIELDS:
            value = LIST_FIELDS[name].clean(value or [])
        elif name in CHOICE_FIELDS:
            value = value if value in CHOICE_FIELDS[name] else ("fi" if name == "language" else "")
        elif name == "tags":
            value = clean_tags(value or [])
        else:
            value = (value or "").replace("\r\n", "\n").strip()
        if getattr(practice, name) != value:
            setattr(practice, name, value)
            changed = True
    return changed


def create_practice(user: User, organisation: Organisation, data: dict) -> Practice:
    """A new draft owned by `organisation`; the writer becomes the contact person."""
    if not can_create_practice(user, organisation):
        raise NotAllowed()
    practice = Practice(organisation=organisation, created_by_id=user.id, updated_by_id=user.id,
                        contact_user_id=user.id, language=data.get("language") or user.language)
    _apply(practice, data)
    if not practice.title:
        raise DomainError(_l("Give the service model a title."), field="title")
    practice.slug = slugify(practice.title)
    db.session.add(practice)
    db.session.flush()
    audit.record("practice.created", actor=user, obj=practice, organisation=organisation)
    return practice


def save_practice(user: User, practice: Practice, data: dict, lock_version: int | None) -> bool:
    """Save the working copy (a full save or an autosave). Refuses a stale `lock_version`
    with EditConflict instead of overwriting the newer text. True when anything changed.

    The database checks the version (`UPDATE ... WHERE lock_version = :seen`), so two saves
    from the same version can never both succeed, on PostgreSQL as on SQLite; afterwards
    `practice.lock_version` is the version this save wrote (read it before the commit)."""
    if not can_edit_practice(user, practice):
        raise NotAllowed()
    if practice.state == PracticeState.archived:
        raise DomainError(_l("An archived service model cannot be edited. Restore it first."))
    if "title" in data and not (data.get("title") or "").strip():
        raise DomainError(_l("Give the service model a title."), field="title")
    seen = practice.lock_version if lock_version is None else lock_version
    if seen != practice.lock_version:
        if not _differs(practice, data):
            return False  # nothing of theirs would be overwritten: the same text
        raise EditConflict(practice, practice.content())
    if not _differs(practice, data):
        return False
    claimed = db.session.execute(
        update(Practice)
        .where(Practice.id == practice.id, Practice.lock_version == seen)
        .values(lock_version=seen + 1)
        .execution_options(synchronize_session=False)
    ).rowcount
    if claimed != 1:
        # Another save committed since we read the row: show theirs, keep ours in the form.
        db.session.refresh(practice)
        raise EditConflict(practice, practice.content())
    set_committed_value(practice, "lock_version", seen + 1)
    _apply(practice, data)
    practice.updated_at = utcnow()
    practice.updated_by_id = user.id
    if practice.state == PracticeState.published:
        practice.has_unpublished_changes = True
    db.session.flush()
    return True


def _differs(practice: Practice, data: dict) -> bool:
    """Would saving `data` change the working copy? (Checked on a throw-away copy.)"""
    return _apply(SimpleNamespace(**{name: getattr(practice, name) for name in EDITABLE}), data)


@dataclass(frozen=True)
class Missing:
    field: str
    message: object


def publish_checklist(practice: Practice) -> list[Missing]:
    """What must be filled in before the model can be published (empty when ready)."""
    missing = []
    required_text = {
        "title": _l("A title"),
        "summary": _l("A summary of one to three sentences"),
        "problem": _l("The problem: the need and the starting point"),
        "method": _l("The method: how it works, in steps"),
        "results": _l("The results: outcomes and evidence"),
        "adoption": _l("Adoption: what another organisation needs to take it up"),
    }
    for name, message in required_text.items():
        if not (getattr(practice, name) or "").strip():
            missing.append(Missing(name, message))
    if not practice.target_groups:
        missing.append(Missing("target_groups", _l("At least one target group")))
    if not practice.regions:
        missing.append(Missing("regions", _l("At least one region")))
    if not practice.stage:
        missing.append(Missing("stage", _l("The development stage")))
    if not practice.evidence:
        missing.append(Missing("evidence", _l("The evidence level")))
    if not practice.organisation.is_verified:
        missing.append(Missing("organisation",
                               _l("Your organisation must be verified by an administrator")))
    return missing


def publish_practice(user: User | None, practice: Practice,
                     change_note: str = "") -> PracticeVersion:
    """Publish the working copy as a new immutable version. `user` None is the system (the
    importer); a person must be an editor of the owning organisation."""
    if user is not None and not can_manage_practice(user, practice):
        raise NotAllowed()
    if practice.state == PracticeState.archived:
        raise DomainError(_l("An archived service model cannot be published. Restore it first."))
    if practice.state == PracticeState.published and not practice.has_unpublished_changes:
        raise DomainError(_l("There are no changes to publish."))
    missing = publish_checklist(practice)
    if missing:
        raise DomainError(_l("The service model is not ready to publish: %(items)s.",
                             items=", ".join(str(m.message) for m in missing)))
    now = utcnow()
    practice.version_count += 1
    version = PracticeVersion(
        practice_id=practice.id,
        number=practice.version_count,
        content=practice.content(),
        change_note=(change_note or "").strip()[:1000],
        created_by_id=user.id if user else None,
        created_at=now,
    )
    db.session.add(version)
    db.session.flush()
    practice.current_version_id = version.id
    for attachment in practice.attachments:
        # Attachments added since the last version become public with this one; removals
        # already carry this version's number (see community.remove_attachment).
        if attachment.added_in_version is None and not attachment.removal_pending:
            attachment.added_in_version = version.number
    practice.state = PracticeState.published
    practice.has_unpublished_changes = False
    practice.published_at = now
    practice.first_published_on = practice.first_published_on or now.date()
    practice.slug = slugify(practice.title)
    record_change("practice", practice.id)
    audit.record("practice.published", actor=user, obj=practice,
                 organisation=practice.organisation, version=version.number)
    return version


def archive_practice(user: User, practice: Practice) -> None:
    """Take a published model off the public pages (its versions are kept)."""
    if not can_manage_practice(user, practice):
        raise NotAllowed()
    if practice.state != PracticeState.published:
        raise DomainError(_l("Only a published service model can be archived."))
    practice.state = PracticeState.archived
    record_change("practice", practice.id, "delete")
    audit.record("practice.archived", actor=user, obj=practice, organisation=practice.organisation)


def restore_practice(user: User, practice: Practice) -> None:
    """Bring an archived model back: published again if it ever was, otherwise a draft."""
    if not can_manage_practice(user, practice):
        raise NotAllowed()
    if practice.state != PracticeState.archived:
        raise DomainError(_l("Only an archived service model can be restored."))
    practice.state = PracticeState.published if practice.current_version_id else PracticeState.draft
    record_change("practice", practice.id)
    audit.record("practice.restored", actor=user, obj=practice, organisation=practice.organisation)


def versions_of(practice: Practice) -> list[PracticeVersion]:
    return list(
        db.session.scalars(
            select(PracticeVersion)
            .where(PracticeVersion.practice_id == practice.id)
            .order_by(PracticeVersion.number.desc())
        )
    )


def version_by_number(practice: Practice, number: int) -> PracticeVersion | None:
    return db.session.scalar(
        select(PracticeVersion).where(
            PracticeVersion.practice_id == practice.id, PracticeVersion.number == number
        )
    )


def set_contact(user: User, practice: Practice, contact: User) -> None:
    """The contact person must be a member of the owning organisation."""
    if not can_edit_practice(user, practice):
        raise NotAllowed()
    member = db.session.scalar(
        select(Membership).where(
            Membership.organisation_id == practice.organisation_id, Membership.user_id == contact.id
        )
    )
    if member is None:
        raise DomainError(_l("The contact person must be a member of the organisation."),
                          field="contact")
    practice.contact_user_id = contact.id
    practice.updated_at = utcnow()
    audit.record("practice.contact_changed", actor=user, obj=practice,
                 organisation=practice.organisation, contact_id=contact.id)


def classification_fields() -> tuple[str, ...]:
    return CLASSIFICATION
