"""Who may do what with partner calls and their private threads: predicates for views,
templates, services and tests.

- A partner call is written, edited and closed by the writers (owners and editors) of its
  organisation, and only while that organisation is verified (`can_publish`).
- Any writer of another verified organisation answers an open call.
- A thread is private to the two organisations: any of their members reads it, their writers
  post in it. Platform administrators do not read private threads: nothing in the codebase
  gives administrators another organisation's private correspondence (they see members and
  verification data, not content), so neither does this.
"""

from __future__ import annotations

from app.organisations.models import Organisation
from app.organisations.permissions import can_publish, membership_of
from app.partners.models import PartnerCall, PartnerThread


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def writer_organisations(user) -> list[Organisation]:
    """The verified organisations in whose name `user` writes (owner or editor), by name."""
    if not _signed_in(user):
        return []
    from app.organisations.services import memberships_by_organisation

    return sorted((m.organisation for m in memberships_by_organisation(user).values()
                   if can_publish(user, m.organisation)),
                  key=lambda o: (o.display_name.lower(), o.id))


def can_create_partner_call(user, organisation: Organisation | None = None) -> bool:
    """A writer of a verified organisation (of `organisation`, when given) announces a call."""
    if organisation is not None:
        return can_publish(user, organisation)
    return bool(writer_organisations(user))


def can_view_partner_call(user, partner_call: PartnerCall) -> bool:
    """Calls of verified organisations are public; others only to their members."""
    return (partner_call.organisation.is_verified
            or membership_of(user, partner_call.organisation) is not None)


def can_manage_partner_call(user, partner_call: PartnerCall) -> bool:
    """The writers of the announcing (verified) organisation edit and close its calls."""
    return can_publish(user, partner_call.organisation)


def can_edit_partner_call(user, partner_call: PartnerCall) -> bool:
    """...while the call is open (not closed by hand; an expired one is closed too)."""
    from app.partners.services import is_accepting

    return is_accepting(partner_call) and can_manage_partner_call(user, partner_call)


def can_view_threads(user, partner_call: PartnerCall) -> bool:
    """The announcing organisation's members see the list of all answers."""
    return membership_of(user, partner_call.organisation) is not None


def answering_organisations(user, partner_call: PartnerCall) -> list[Organisation]:
    """The organisations in whose name `user` may answer the call (not the announcing one)."""
    return [o for o in writer_organisations(user) if o.id != partner_call.organisation_id]


def can_answer(user, partner_call: PartnerCall, organisation: Organisation) -> bool:
    """A writer of another verified organisation answers (the service says when the call is
    closed: that is a message, not a refusal of the person)."""
    return organisation.id != partner_call.organisation_id and can_publish(user, organisation)


def thread_side(user, thread: PartnerThread) -> str | None:
    """"caller" or "answerer" when `user` is a member of one of the two organisations."""
    if membership_of(user, thread.partner_call.organisation) is not None:
        return "caller"
    if membership_of(user, thread.organisation) is not None:
        return "answerer"
    return None


def can_view_thread(user, thread: PartnerThread) -> bool:
    """Only the members of the two organisations read a thread (no administrator bypass)."""
    return thread_side(user, thread) is not None


def posting_organisation(user, thread: PartnerThread) -> Organisation | None:
    """The organisation in whose name `user` posts in the thread, or None if they may not."""
    for organisation in (thread.partner_call.organisation, thread.organisation):
        if can_publish(user, organisation):
            return organisation
    return None


def can_post(user, thread: PartnerThread) -> bool:
    """The writers of the two (verified) organisations post messages."""
    return posting_organisation(user, thread) is not None
