"""Who may do what with announcements: state-aware predicates for views, templates and tests.

Announcements are written by the call managers of a verified funding authority (the same
predicate family as calls: app/calls/permissions.py) and by platform administrators. The
services check the same predicates again when the change is made.
"""

from __future__ import annotations

from sqlalchemy import select

from app.announcements.models import Announcement
from app.calls.models import Call, CallState
from app.calls.permissions import is_call_manager_of, managed_organisations
from app.organisations.models import Organisation, OrganisationStatus
from app.organisations.permissions import is_admin


def authoring_organisations(user) -> list[Organisation]:
    """The funding authorities in whose name the user writes announcements: the verified
    ELY-centres where they are a call manager; for an administrator, every verified one."""
    if is_admin(user):
        from app.extensions import db

        return list(db.session.scalars(
            select(Organisation).where(Organisation.is_funding_authority.is_(True),
                                       Organisation.status == OrganisationStatus.verified)
            .order_by(Organisation.name, Organisation.id)))
    return managed_organisations(user)


def can_announce_for(user, organisation: Organisation) -> bool:
    """A call manager of this verified funding authority, or an administrator."""
    if not (organisation.is_funding_authority and organisation.is_verified):
        return False
    return is_admin(user) or is_call_manager_of(user, organisation)


def can_create_announcement(user) -> bool:
    """Call managers of a verified funding authority, and administrators."""
    return is_admin(user) or bool(managed_organisations(user))


def can_manage_announcement(user, announcement: Announcement) -> bool:
    """The authority's call managers (and administrators) see every state of it."""
    return can_announce_for(user, announcement.organisation)


def is_public(announcement: Announcement) -> bool:
    """Published, not withdrawn, and its call (if any) published."""
    call = announcement.call
    return announcement.is_published and (call is None or call.state == CallState.published)


def can_view_announcement(user, announcement: Announcement) -> bool:
    """Public ones to everyone; drafts and withdrawn ones only to those who manage them."""
    return is_public(announcement) or can_manage_announcement(user, announcement)


def can_edit_announcement(user, announcement: Announcement) -> bool:
    """Drafts and published ones; a withdrawn announcement stays as it was."""
    return not announcement.is_withdrawn and can_manage_announcement(user, announcement)


def can_publish_announcement(user, announcement: Announcement) -> bool:
    return announcement.is_draft and can_manage_announcement(user, announcement)


def can_withdraw_announcement(user, announcement: Announcement) -> bool:
    """A draft or a published one (it disappears from the lists and the feed)."""
    return not announcement.is_withdrawn and can_manage_announcement(user, announcement)


def can_link_call(organisation: Organisation, call: Call) -> bool:
    """An announcement links only to a call of its own authority."""
    return call.organisation_id == organisation.id
