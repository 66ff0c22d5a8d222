"""Who may do what with calls: state-aware predicates for views, templates
and tests. The services enforce the same rules again (and the clock) when the change is made."""

from __future__ import annotations

from datetime import datetime

from app.calls.models import Call, CallPhase, CallState
from app.core import clock
from app.organisations.models import Membership, Organisation, Role
from app.organisations.permissions import membership_of


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def _memberships(user) -> list[Membership]:
    if not _signed_in(user):
        return []
    from app.organisations.services import memberships_by_organisation

    return list(memberships_by_organisation(user).values())


# --- calls -----------------------------------------------------------------------------------


def managed_organisations(user) -> list[Organisation]:
    """The verified ELY-centres in which the user is a call manager."""
    return [
        m.organisation for m in _memberships(user)
        if m.is_call_manager and m.organisation.is_funding_authority and m.organisation.is_verified
    ]


def is_call_manager_of(user, organisation: Organisation) -> bool:
    membership = membership_of(user, organisation)
    return bool(
        membership is not None and membership.is_call_manager
        and organisation.is_funding_authority and organisation.is_verified
    )


def can_create_call(user) -> bool:
    """Call managers of a verified ELY-centre."""
    return bool(managed_organisations(user))


def can_view_call(user, call: Call) -> bool:
    """Published calls are public; drafts only to members of the ELY-centre."""
    if call.state == CallState.published:
        return True
    return membership_of(user, call.organisation) is not None


def can_manage_call(user, call: Call) -> bool:
    return is_call_manager_of(user, call.organisation)


def can_edit_call(user, call: Call, now: datetime | None = None) -> bool:
    """Until the call closes (once open, only the texts and the closing time change)."""
    return can_manage_call(user, call) and call.phase(now) != CallPhase.closed


def can_publish_call(user, call: Call) -> bool:
    return call.state == CallState.draft and can_manage_call(user, call)


def can_edit_criteria(user, call: Call, now: datetime | None = None) -> bool:
    """Criteria are frozen once the call opens."""
    return can_manage_call(user, call) and call.phase(now) in (CallPhase.draft, CallPhase.upcoming)


def can_list_applications(user, call: Call) -> bool:
    return call.state == CallState.published and can_manage_call(user, call)


def region_allows(call: Call, organisation: Organisation) -> bool:
    """The call's territory admits the organisation: a national call everyone, a regional one
    organisations with at least one of its regions."""
    if not call.regions:
        return True
    return bool(set(call.regions) & set(organisation.regions))


def _writable_eligible(user, call: Call) -> list[Organisation]:
    return [
        m.organisation for m in _memberships(user)
        if m.role in (Role.editor, Role.owner)
        and m.organisation.is_verified
        and m.organisation.type in (call.eligible_types or [])
    ]


def applying_organisations(user, call: Call, now: datetime | None = None) -> list[Organisation]:
    """The user's verified organisations of an eligible type, in the call's territory and
    not ceased, in which they write (editor or owner), while the call is open."""
    if call.phase(now) != CallPhase.open:
        return []
    today = clock.local_date(now)
    return [o for o in _writable_eligible(user, call)
            if region_allows(call, o) and not o.is_ceased(today)]


def organisations_outside_territory(user, call: Call) -> list[Organisation]:
    """The user's organisations that could apply but for the call's territory (to say why)."""
    if not call.regions:
        return []
    return [o for o in _writable_eligible(user, call) if not region_allows(call, o)]


def can_manage_call_documents(user, call: Call) -> bool:
    """Call managers add and remove the call's documents and information sessions."""
    return can_manage_call(user, call)


def can_download_call_document(user, call: Call) -> bool:
    """A published call's documents are public; a draft's only for its call managers."""
    if call.state == CallState.published:
        return True
    return can_manage_call(user, call)


def can_start_application(user, call: Call, now: datetime | None = None) -> bool:
    return bool(applying_organisations(user, call, now))


def can_unpublish_call(user, call: Call, now: datetime | None = None) -> bool:
    return call.phase(now) == CallPhase.upcoming and can_manage_call(user, call)
