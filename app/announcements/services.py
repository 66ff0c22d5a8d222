"""Announcements of a funding authority. Plain functions: they check their actor with the
predicates of permissions.py, flush, and raise DomainError/Conflict; the view commits once.

Publishing and withdrawing are audit-logged. An edit carries the version the writer loaded
(`seen_version`): a form older than the stored announcement is refused with Conflict, and a
change made between our read and our write is caught by the lock_version column.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.announcements import queries
from app.announcements.models import Announcement, AnnouncementKind
from app.announcements.permissions import (
    can_announce_for,
    can_edit_announcement,
    can_link_call,
    can_publish_announcement,
    can_withdraw_announcement,
)
from app.calls.models import LANGS, Call, CallState
from app.core import audit, clock
from app.core.domain import Conflict, DomainError, NotAllowed
from app.extensions import db
from app.organisations.models import Organisation

TITLE_MAX = 200
BODY_MAX = 20_000


@dataclass
class AnnouncementInput:
    """What the form gives: `call_id` None for no call."""

    kind: str
    language: str
    title: str
    body: str = ""
    call_id: int | None = None
    theme: str = ""


def _clean(organisation: Organisation, values: AnnouncementInput) -> dict:
    """The values to store, or DomainError naming the field that is wrong."""
    if values.kind not in AnnouncementKind.__members__:
        raise DomainError(_l("Choose the kind of the announcement."), field="kind")
    if values.language not in LANGS:
        raise DomainError(_l("Choose the language the announcement is written in."),
                          field="language")
    title = " ".join((values.title or "").split())
    if not title:
        raise DomainError(_l("Give the announcement a title."), field="title")
    if len(title) > TITLE_MAX:
        raise DomainError(_l("The title can be at most %(max)s characters long.", max=TITLE_MAX),
                          field="title")
    body = (values.body or "").replace("\r\n", "\n").strip()
    if len(body) > BODY_MAX:
        raise DomainError(_l("The text can be at most %(max)s characters long.", max=BODY_MAX),
                          field="body")
    call = None
    if values.call_id is not None:
        call = db.session.get(Call, values.call_id)
        if call is None or not can_link_call(organisation, call):
            raise DomainError(_l("Choose one of your funding authority's calls."),
                              field="call_id")
    theme = queries.canonical_theme(values.theme)
    if call is None and not theme:
        raise DomainError(_l("Link the announcement to a call or give it a theme."),
                          field="theme")
    return {"kind": AnnouncementKind(values.kind), "language": values.language, "title": title,
            "body": body, "call_id": call.id if call else None, "theme": theme, "call": call}


def _check_publishable(call: Call | None) -> None:
    if call is not None and call.state != CallState.published:
        raise DomainError(_l("The linked call is not published yet: publish the call first, or "
                             "save the announcement as a draft."), field="call_id")


def _apply(announcement: Announcement, clean: dict) -> None:
    for name in ("kind", "language", "title", "body", "theme"):
        setattr(announcement, name, clean[name])
    announcement.call = clean["call"]  # the relationship, so that call_id follows at flush


def create_announcement(actor, organisation: Organisation, values: AnnouncementInput, *,
                        publish: bool = False, now: datetime | None = None) -> Announcement:
    """A new announcement of `organisation`, a draft or (`publish`) published at once."""
    if not can_announce_for(actor, organisation):
        raise NotAllowed(_l("Only the call managers of a funding authority write its "
                            "announcements."))
    clean = _clean(organisation, values)
    announcement = Announcement(organisation=organisation, author_id=actor.id)
    _apply(announcement, clean)
    db.session.add(announcement)
    if publish:
        _check_publishable(clean["call"])
        announcement.published_at = clock.resolve(now)
    db.session.flush()
    if publish:
        _record(actor, announcement, "announcement.published")
    return announcement


def update_announcement(actor, announcement: Announcement, values: AnnouncementInput, *,
                        seen_version=None, publish: bool = False,
                        now: datetime | None = None) -> Announcement:
    """Change the texts, call and theme; `publish` also publishes a draft. A form older than
    the stored announcement (`seen_version`) raises Conflict and nothing is saved."""
    if not can_edit_announcement(actor, announcement):
        raise NotAllowed(_l("Only the call managers of the funding authority change its "
                            "announcements."))
    if seen_version is not None and str(seen_version) != str(announcement.lock_version):
        raise Conflict(_l("Someone else changed this announcement after you opened it. Your "
                          "changes were not saved: compare them with the saved version below "
                          "and save again."))
    clean = _clean(announcement.organisation, values)
    newly_published = publish and announcement.is_draft
    if announcement.is_published or newly_published:
        _check_publishable(clean["call"])
    _apply(announcement, clean)
    if newly_published:
        announcement.published_at = clock.resolve(now)
    db.session.flush()
    if newly_published:
        _record(actor, announcement, "announcement.published")
    return announcement


def publish_announcement(actor, announcement: Announcement,
                         now: datetime | None = None) -> Announcement:
    """A draft becomes public (on its call's page, its theme's page, the list and the feed)."""
    if not can_publish_announcement(actor, announcement):
        raise NotAllowed(_l("Only a draft can be published, by the authority's call managers."))
    _check_publishable(announcement.call)
    announcement.published_at = clock.resolve(now)
    db.session.flush()
    _record(actor, announcement, "announcement.published")
    return announcement


def withdraw_announcement(actor, announcement: Announcement,
                          now: datetime | None = None) -> Announcement:
    """Take an announcement down for good: it leaves every public list and the feed; its
    managers still see it in their list. Audit-logged."""
    if not can_withdraw_announcement(actor, announcement):
        raise NotAllowed(_l("Only the call managers of the funding authority withdraw its "
                            "announcements."))
    announcement.withdrawn_at = clock.resolve(now)
    db.session.flush()
    _record(actor, announcement, "announcement.withdrawn")
    return announcement


def _record(actor, announcement: Announcement, action: str) -> None:
    audit.record(action, actor=actor, obj=announcement, organisation=announcement.organisation,
                 call_id=announcement.call_id, title=announcement.title)
