"""Who may do what with events: state-aware predicates for views, templates, services and tests.

An event belongs to an organisation: its writers (editors and owners) of a verified
organisation create, edit, publish and cancel it. Published and cancelled events are public;
drafts only to the organisation's members."""

from __future__ import annotations

from app.events.models import Event, EventState
from app.organisations.models import Organisation
from app.organisations.permissions import can_publish, membership_of


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def event_organisations(user) -> list[Organisation]:
    """The verified organisations in whose name the user writes events (editor or owner)."""
    if not _signed_in(user):
        return []
    from app.organisations.services import memberships_by_organisation

    return [m.organisation for m in memberships_by_organisation(user).values()
            if can_publish(user, m.organisation)]


def can_create_event(user, organisation: Organisation | None = None) -> bool:
    """Writers of a verified organisation (of `organisation`, when given)."""
    if organisation is not None:
        return can_publish(user, organisation)
    return bool(event_organisations(user))


def can_view_event(user, event: Event) -> bool:
    """Published and cancelled events are public; drafts only to the organisation's members."""
    if event.state != EventState.draft:
        return True
    return membership_of(user, event.organisation) is not None


def can_edit_event(user, event: Event) -> bool:
    """The organisation's writers, while the organisation is verified and the event is not
    cancelled."""
    return event.state != EventState.cancelled and can_publish(user, event.organisation)


def can_publish_event(user, event: Event) -> bool:
    return event.state == EventState.draft and can_publish(user, event.organisation)


def can_cancel_event(user, event: Event) -> bool:
    """A published event is cancelled (a draft is simply not published)."""
    return event.state == EventState.published and can_publish(user, event.organisation)


def can_manage_events(user) -> bool:
    """Members of any organisation see their organisations' events (drafts too)."""
    if not _signed_in(user):
        return False
    from app.organisations.services import memberships_by_organisation

    return bool(memberships_by_organisation(user))
