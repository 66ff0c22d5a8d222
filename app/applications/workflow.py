"""The application workflow: one function per transition, each checking the state and the actor.

    draft ──submit (call open, valid)──▶ submitted ──▶ in_review ──▶ approved | rejected
      ▲                                   │   ▲            │
      └──── withdraw (before decision) ◀──┘   └─ supplemented ◀── more_info_requested

Withdrawing returns the application to `draft` (as DOMAIN.md's diagram draws it): it leaves the
ELY-centre's lists, its content is unlocked, and it can be submitted again only while the call
is open. Every submission and supplement stores an immutable revision.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import joinedload

from app.applications import permissions
from app.applications.models import (
    Application,
    ApplicationPartner,
    ApplicationRevision,
    ApplicationState,
)
from app.applications.revisions import snapshot
from app.applications.sections import checklist
from app.auth.models import User
from app.calls import permissions as call_permissions
from app.core import audit, clock
from app.core.domain import DomainError
from app.core.email import send_mail
from app.extensions import db
from app.organisations.models import Membership, Role
from app.organisations.permissions import has_role

S = ApplicationState


class WrongState(DomainError):
    def __init__(self, message):
        super().__init__(message, code="state")


class NotAllowed(DomainError):
    def __init__(self, message=None):
        super().__init__(message or _l("You cannot do this."), code="actor")


def _require_state(application: Application, allowed, message) -> None:
    if application.state not in allowed:
        raise WrongState(message)


def _require_lead_editor(user: User, application: Application) -> None:
    if not has_role(user, application.organisation, Role.editor):
        raise NotAllowed(_l("Only the lead organisation's editors and owners can do this."))


def _require_manager(user: User, application: Application) -> None:
    if not call_permissions.is_call_manager_of(user, application.call.organisation):
        raise NotAllowed(_l("Only the call managers of the ELY-centre can do this."))
    if permissions.is_conflicted(user, application):
        raise NotAllowed(_l("You are a member of an applicant organisation, so you cannot act "
                            "on this application."))


def _require_ready(application: Application, now: datetime) -> None:
    problems = checklist(application, now)
    if problems:
        raise DomainError(_l("The application is not ready: %(items)s",
                             items=" ".join(str(p.message) for p in problems)), code="invalid")


def _new_revision(user: User, application: Application, kind: str,
                  now: datetime) -> ApplicationRevision:
    application.revision_count += 1
    revision = ApplicationRevision(application_id=application.id,
                                   number=application.revision_count, kind=kind,
                                   content=snapshot(application), created_by_id=user.id,
                                   created_at=now)
    db.session.add(revision)
    return revision


def submit_application(user: User, application: Application,
                       now: datetime | None = None) -> ApplicationRevision:
    """draft -> submitted, only while the call is open and the checklist is empty. Locks the
    content and stores a revision."""
    now = clock.resolve(now)
    _require_state(application, {S.draft}, _l("Only a draft can be submitted."))
    _require_lead_editor(user, application)
    if not application.call.is_open(now):
        raise WrongState(_l("The call is not open: the application can no longer be submitted."))
    _require_ready(application, now)
    revision = _new_revision(user, application, "submission", now)
    application.state = S.submitted
    application.submitted_at = now
    application.first_submitted_at = application.first_submitted_at or now
    application.withdrawn_at = None
    application.updated_at = now
    db.session.flush()
    audit.record("application.submitted", actor=user, obj=application,
                 organisation=application.organisation, revision=revision.number)
    _notify_applicants(application, "application_submitted", revision=revision)
    return revision


def supplement_application(user: User, application: Application,
                           now: datetime | None = None) -> ApplicationRevision:
    """more_info_requested -> supplemented, before the call manager's deadline. A new
    revision; the call itself may have closed meanwhile."""
    now = clock.resolve(now)
    _require_state(application, {S.more_info_requested},
                   _l("Additional information can be sent only when it has been requested."))
    _require_lead_editor(user, application)
    if application.info_deadline is not None and now >= application.info_deadline:
        raise WrongState(_l("The deadline for the additional information has passed."))
    _require_ready(application, now)
    revision = _new_revision(user, application, "supplement", now)
    application.state = S.supplemented
    application.submitted_at = now
    application.updated_at = now
    db.session.flush()
    audit.record("application.supplemented", actor=user, obj=application,
                 organisation=application.organisation, revision=revision.number)
    _notify_applicants(application, "application_supplemented", revision=revision)
    _notify_managers(application, "application_supplemented_manager", revision=revision)
    return revision


def withdraw_application(user: User, application: Application, now: datetime | None = None) -> None:
    """Back to draft before a decision; the revisions stay."""
    now = clock.resolve(now)
    _require_state(application, permissions.WITHDRAWABLE_STATES,
                   _l("Only a submitted application that has not been decided can be withdrawn."))
    _require_lead_editor(user, application)
    previous = application.state
    application.state = S.draft
    application.withdrawn_at = now
    application.info_request = ""
    application.info_deadline = None
    application.updated_at = now
    db.session.flush()
    audit.record("application.withdrawn", actor=user, obj=application,
                 organisation=application.organisation, previous=str(previous))
    _notify_managers(application, "application_withdrawn")


def start_review(user: User, application: Application, now: datetime | None = None) -> None:
    """submitted or supplemented -> in_review, by a call manager."""
    now = clock.resolve(now)
    _require_state(application, {S.submitted, S.supplemented},
                   _l("Only a submitted or supplemented application can be taken into review."))
    _require_manager(user, application)
    application.state = S.in_review
    application.updated_at = now
    db.session.flush()
    audit.record("application.review_started", actor=user, obj=application,
                 organisation=application.call.organisation)


def request_more_info(user: User, application: Application, message: str, deadline: datetime,
                      now: datetime | None = None) -> None:
    """submitted, in_review or supplemented -> more_info_requested, with a message and a
    deadline; the applicant can edit again."""
    now = clock.resolve(now)
    _require_state(application, permissions.SUBMITTED_STATES,
                   _l("More information can be requested only on a submitted application."))
    _require_manager(user, application)
    message = (message or "").replace("\r\n", "\n").strip()
    if not message:
        raise DomainError(_l("Say what information is needed."), field="message")
    if len(message) > 5000:
        raise DomainError(_l("The text is too long."), field="message")
    if deadline is None or deadline <= now:
        raise DomainError(_l("The deadline must be in the future."), field="deadline")
    application.state = S.more_info_requested
    application.info_request = message
    application.info_deadline = deadline
    application.info_requested_at = now
    application.updated_at = now
    db.session.flush()
    audit.record("application.info_requested", actor=user, obj=application,
                 organisation=application.call.organisation)
    _notify_applicants(application, "application_info_requested")


def decide_application(user: User, application: Application, approve: bool,
                       granted_cents: int | None, justification: str,
                       now: datetime | None = None) -> None:
    """in_review -> approved or rejected, with the granted amount and the justification."""
    now = clock.resolve(now)
    _require_state(application, {S.in_review}, _l("Only an application in review is decided."))
    _require_manager(user, application)
    justification = (justification or "").replace("\r\n", "\n").strip()
    if not justification:
        raise DomainError(_l("Write the justification of the decision."), field="justification")
    if approve:
        requested = application.support_cents or 0
        if granted_cents is None or granted_cents <= 0:
            raise DomainError(_l("Enter the granted amount."), field="granted")
        if granted_cents > requested:
            raise DomainError(_l("The granted amount cannot exceed the support applied for."),
                              field="granted")
    application.state = S.approved if approve else S.rejected
    application.granted_cents = granted_cents if approve else None
    application.decision_justification = justification[:10_000]
    application.decided_at = now
    application.decided_by_id = user.id
    application.updated_at = now
    db.session.flush()
    audit.record("application.decided", actor=user, obj=application,
                 organisation=application.call.organisation, outcome=str(application.state),
                 granted=application.granted_cents)
    _notify_applicants(application, "application_decided")


# --- notifications ---------------------------------------------------------------------------


def _members(organisation_ids) -> list[User]:
    if not organisation_ids:
        return []
    rows = db.session.scalars(
        select(Membership).options(joinedload(Membership.user))
        .where(Membership.organisation_id.in_(list(organisation_ids)))
        .order_by(Membership.id)
    )
    seen, users = set(), []
    for membership in rows:
        user = membership.user
        if user.id not in seen and getattr(user, "is_active", True):
            seen.add(user.id)
            users.append(user)
    return users


def applicant_recipients(application: Application) -> list[User]:
    """Members of the lead and of the accepted partners, once each."""
    ids = [application.organisation_id, *(p.organisation_id for p in application.accepted_partners)]
    return _members(ids)


def _notify_applicants(application: Application, template: str, **context) -> None:
    for user in applicant_recipients(application):
        send_mail(user.email, template, user.language, user=user, application=application,
                  call=application.call, **context)


def _notify_managers(application: Application, template: str, **context) -> None:
    rows = db.session.scalars(
        select(Membership).options(joinedload(Membership.user)).where(
            Membership.organisation_id == application.call.organisation_id,
            Membership.is_call_manager.is_(True),
        )
    )
    for membership in rows:
        user = membership.user
        send_mail(user.email, template, user.language, user=user, application=application,
                  call=application.call, **context)


def notify_partner_invited(partner: ApplicationPartner) -> None:
    """Tell the invited organisation's editors and owners."""
    rows = db.session.scalars(
        select(Membership).options(joinedload(Membership.user)).where(
            Membership.organisation_id == partner.organisation_id,
            Membership.role.in_([Role.editor, Role.owner]),
        )
    )
    for membership in rows:
        user = membership.user
        send_mail(user.email, "application_partner_invited", user.language, user=user,
                  partner=partner, application=partner.application,
                  call=partner.application.call)
