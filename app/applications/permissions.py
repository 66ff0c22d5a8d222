"""Who may do what with applications: state-aware predicates for views, templates, services
and tests. The services enforce the same rules again (and the clock) when the change is made."""

from __future__ import annotations

from datetime import datetime

from app.applications.models import (
    Application,
    ApplicationAttachment,
    ApplicationPartner,
    ApplicationState,
    PartnerState,
)
from app.calls.permissions import is_call_manager_of
from app.organisations.models import Role
from app.organisations.permissions import has_role, membership_of


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))

SUBMITTED_STATES = frozenset({
    ApplicationState.submitted, ApplicationState.in_review, ApplicationState.supplemented,
})
WITHDRAWABLE_STATES = frozenset({
    ApplicationState.submitted, ApplicationState.in_review,
    ApplicationState.more_info_requested, ApplicationState.supplemented,
})


# --- applications ----------------------------------------------------------------------------


def _in_lead(user, application: Application, role: Role = Role.member) -> bool:
    return has_role(user, application.organisation, role)


def _partner_memberships(user, application: Application, states) -> bool:
    return any(
        p.state in states and membership_of(user, p.organisation) is not None
        for p in application.partners
    )


def is_conflicted(user, application: Application) -> bool:
    """Members of the lead or of an accepted partner never act for the ELY-centre on it."""
    return _in_lead(user, application) or _partner_memberships(
        user, application, (PartnerState.accepted,)
    )


def _manages(user, application: Application) -> bool:
    return is_call_manager_of(user, application.call.organisation)


def can_view_application(user, application: Application) -> bool:
    """The lead's members, invited and accepted partners' members, and (once submitted) the
    call managers of the call's ELY-centre. Everyone else gets a 404."""
    if not _signed_in(user):
        return False
    if _in_lead(user, application):
        return True
    if _partner_memberships(user, application, (PartnerState.invited, PartnerState.accepted)):
        return True
    return application.state != ApplicationState.draft and _manages(user, application)


def can_edit_application(user, application: Application) -> bool:
    """Editors and owners of the lead, while the content is not locked."""
    return application.is_editable and _in_lead(user, application, Role.editor)


def submit_blocker(application: Application, now: datetime | None = None) -> str | None:
    """Why the clock forbids submitting now ("closed", "info_deadline"), or None."""
    if application.state == ApplicationState.draft and not application.call.is_open(now):
        return "closed"
    if application.state == ApplicationState.more_info_requested:
        from app.core import clock

        deadline = application.info_deadline
        if deadline is not None and clock.resolve(now) >= deadline:
            return "info_deadline"
    return None


def can_submit_application(user, application: Application, now: datetime | None = None) -> bool:
    """Submit a draft while the call is open, or send a supplement before its deadline."""
    return (
        can_edit_application(user, application)
        and application.organisation.is_verified
        and submit_blocker(application, now) is None
    )


def can_withdraw_application(user, application: Application) -> bool:
    return application.state in WITHDRAWABLE_STATES and _in_lead(user, application, Role.editor)


def can_start_review(user, application: Application) -> bool:
    return (
        application.state in (ApplicationState.submitted, ApplicationState.supplemented)
        and _manages(user, application) and not is_conflicted(user, application)
    )


def can_request_info(user, application: Application) -> bool:
    return (
        application.state in SUBMITTED_STATES
        and _manages(user, application) and not is_conflicted(user, application)
    )


def can_decide(user, application: Application) -> bool:
    return (
        application.state == ApplicationState.in_review
        and _manages(user, application) and not is_conflicted(user, application)
    )


def can_view_revisions(user, application: Application) -> bool:
    """The applicant side and the call managers (partners who were only invited do not)."""
    if not can_view_application(user, application):
        return False
    return (
        _in_lead(user, application)
        or _partner_memberships(user, application, (PartnerState.accepted,))
        or _manages(user, application)
    )


def can_respond_to_partnership(user, partner: ApplicationPartner) -> bool:
    """Editors of an invited organisation accept or decline while the content is editable."""
    return (
        partner.state == PartnerState.invited
        and partner.application.is_editable
        and has_role(user, partner.organisation, Role.editor)
    )


def can_download_attachment(user, attachment: ApplicationAttachment) -> bool:
    return can_view_application(user, attachment.application)


def can_list_own_applications(user) -> bool:
    return _signed_in(user)
