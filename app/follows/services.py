"""Follow and unfollow organisations, target groups and regions; the weekly digest choice; the
moment a person last saw their news. Services flush; the view's unit of work commits."""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from app.core import clock
from app.core.codelists import REGIONS, TARGET_GROUPS
from app.core.domain import DomainError, NotAllowed
from app.core.fields import parse_int
from app.extensions import db
from app.follows.models import Follow, FollowKind, FollowSettings
from app.follows.permissions import can_follow, can_follow_organisation
from app.organisations.models import Organisation

MAX_FOLLOWS = 100

LIMIT_MESSAGE = _l("You can follow at most %(max)d organisations, target groups and regions. "
                   "Stop following something first.")
UNKNOWN_MESSAGE = _l("Choose one of the options.")
ORGANISATION_MESSAGE = _l("This organisation cannot be followed.")


def follows_of(user) -> list[Follow]:
    """Everything `user` follows, oldest first (one query)."""
    return list(db.session.scalars(
        select(Follow).where(Follow.user_id == user.id).order_by(Follow.created_at, Follow.id)))


def find_follow(user, kind: FollowKind, target: str) -> Follow | None:
    return db.session.scalar(select(Follow).where(
        Follow.user_id == user.id, Follow.kind == kind, Follow.target == str(target)))


def settings_of(user) -> FollowSettings | None:
    return db.session.get(FollowSettings, user.id)


def _settings_for_update(user) -> FollowSettings:
    """The person's settings row, created if missing and locked (PostgreSQL) so that two
    requests adding follows at once are counted one after the other against the limit."""
    settings = db.session.scalar(
        select(FollowSettings).where(FollowSettings.user_id == user.id).with_for_update())
    if settings is None:
        settings = FollowSettings(user_id=user.id, weekly_digest=False)
        db.session.add(settings)
        db.session.flush()
    return settings


def _clean_target(user, kind: FollowKind, target) -> str:
    """The target as stored, or a DomainError on the form's `target` field."""
    value = str(target or "").strip()
    if kind == FollowKind.organisation:
        org_id = parse_int(value, max_digits=9)
        organisation = db.session.get(Organisation, org_id) if org_id else None
        if organisation is None or not can_follow_organisation(user, organisation):
            raise DomainError(ORGANISATION_MESSAGE, field="target")
        return str(organisation.id)
    codes = TARGET_GROUPS if kind == FollowKind.target_group else REGIONS
    if value not in codes:
        raise DomainError(UNKNOWN_MESSAGE, field="target")
    return value


def follow(user, kind: FollowKind | str, target) -> Follow:
    """Start following (once: following again returns the existing row), at most MAX_FOLLOWS
    things per person."""
    if not can_follow(user):
        raise NotAllowed()
    try:
        kind = FollowKind(kind)
    except ValueError:
        raise DomainError(UNKNOWN_MESSAGE, field="kind") from None
    target = _clean_target(user, kind, target)
    _settings_for_update(user)
    existing = find_follow(user, kind, target)
    if existing is not None:
        return existing
    count = db.session.scalar(select(func.count(Follow.id)).where(Follow.user_id == user.id))
    if count >= MAX_FOLLOWS:
        raise DomainError(LIMIT_MESSAGE % {"max": MAX_FOLLOWS}, field="target",
                          code="follow_limit")
    row = Follow(user_id=user.id, kind=kind, target=target, created_at=clock.now())
    db.session.add(row)
    db.session.flush()
    return row


def unfollow(user, follow_row: Follow) -> None:
    """Stop following (the row must be the person's own)."""
    if not can_follow(user) or follow_row.user_id != user.id:
        raise NotAllowed()
    db.session.delete(follow_row)
    db.session.flush()


def toggle_organisation(user, organisation: Organisation) -> bool:
    """Follow the organisation, or stop following it; True when followed afterwards."""
    if not can_follow_organisation(user, organisation):
        raise NotAllowed()
    existing = find_follow(user, FollowKind.organisation, str(organisation.id))
    if existing is not None:
        unfollow(user, existing)
        return False
    follow(user, FollowKind.organisation, organisation.id)
    return True


def set_weekly_digest(user, weekly: bool) -> FollowSettings:
    """Choose whether the weekly mail digest of news is sent."""
    if not can_follow(user):
        raise NotAllowed()
    settings = _settings_for_update(user)
    settings.weekly_digest = bool(weekly)
    db.session.flush()
    return settings


def mark_seen(user, now: datetime | None = None) -> None:
    """Everything published until `now` counts as seen on What's new and in the header."""
    if not can_follow(user):
        raise NotAllowed()
    settings = _settings_for_update(user)
    settings.seen_at = clock.resolve(now)
    db.session.flush()


def target_label(kind: FollowKind, target: str, organisation_names: dict[int, str],
                 language: str | None = None) -> str:
    """What a follow is of, for people: an organisation's name or a code list's label."""
    if kind == FollowKind.organisation:
        org_id = parse_int(target, max_digits=9)
        return organisation_names.get(org_id) or str(_l("A removed organisation"))
    codes = TARGET_GROUPS if kind == FollowKind.target_group else REGIONS
    return codes.label(target, language)


def organisation_names(ids) -> dict[int, str]:
    """{id: display name} of these organisations (one query, none for no ids)."""
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    rows = db.session.execute(select(Organisation.id, Organisation.name, Organisation.unit_name)
                              .where(Organisation.id.in_(ids)))
    return {row.id: f"{row.name}, {row.unit_name}" if row.unit_name else row.name
            for row in rows}
