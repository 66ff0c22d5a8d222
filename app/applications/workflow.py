"""The application workflow: one function per transition. Each reads the table in states.py
for the states it may start from, the role that may take it, the clock's condition and the state
it leads to, and checks its actor with the predicate that the views use (permissions.can).

Withdrawing returns the application to `draft` (as DOMAIN.md's diagram draws it): it leaves the
ELY-centre's lists, its content is unlocked, and it can be submitted again only while the call
is open. Every submission and supplement stores an immutable revision.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.applications import permissions, states
from app.applications.models import (
    Application,
    ApplicationPartner,
    ApplicationRevision,
)
from app.applications.revisions import snapshot
from app.applications.sections import checklist
from app.auth.models import User
from app.core import audit, clock, domain
from app.core.domain import DomainError
from app.core.outbox import queue_mail
from app.extensions import db
from app.notifications.messages import call_titles
from app.notifications.models import NotificationKind
from app.notifications.services import notify, path_for
from app.organisations.partnership import WRITERS, people_of


class WrongState(DomainError):
    """The states table does not allow the step from the application's state."""

    def __init__(self, message):
        super().__init__(message, code="state")


class NotAllowed(domain.NotAllowed):
    """The actor may not take the step (a unit of work answers 403)."""

    def __init__(self, message=None):
        super().__init__(message or _l("You cannot do this."))
        self.code = "actor"


_REFUSALS = {
    states.LEAD_EDITOR: _l("Only the lead organisation's editors and owners can do this."),
    states.CALL_MANAGER_NOT_CONFLICTED: _l("Only the call managers of the funding authority "
                                           "can do this."),
    states.DECISION_MAKER: _l("Only the decision maker of the call can decide."),
}
_CONFLICTED = _l("You are a member of an applicant organisation, so you cannot act on this "
                 "application.")


def _require(action: str, user: User, application: Application, wrong_state) -> None:
    """The states table allows `action` in the application's state (else WrongState with the
    message `wrong_state`) and the user may take it: the predicate that views use."""
    roles = states.who(action, application.state)
    if not roles:
        raise WrongState(wrong_state)
    if not permissions.can(action, user, application):
        if ((states.CALL_MANAGER_NOT_CONFLICTED in roles or states.DECISION_MAKER in roles)
                and permissions.may(states.CALL_MANAGER, user, application)
                and permissions.is_conflicted(user, application)):
            raise NotAllowed(_CONFLICTED)
        raise NotAllowed(_REFUSALS.get(roles[0]))


def _require_clock(action: str, application: Application, now: datetime, messages) -> None:
    """The clock's condition on `action` in the states table holds `now`."""
    blocker = permissions.guard_blocker(action, application, now)
    if blocker is not None:
        raise WrongState(messages[blocker])


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
    _require("submit", user, application, _l("Only a draft can be submitted."))
    _require_clock("submit", application, now, {
        "closed": _l("The call is not open: the application can no longer be submitted.")})
    _require_ready(application, now)
    revision = _new_revision(user, application, "submission", now)
    application.state = states.next_state("submit", application.state)
    application.submitted_at = now
    application.first_submitted_at = application.first_submitted_at or now
    application.withdrawn_at = None
    application.updated_at = now
    db.session.flush()
    audit.record("application.submitted", actor=user, obj=application,
                 organisation=application.organisation, revision=revision.number)
    _mail_applicants(application, "application_submitted", revision=revision)
    _notify_managers(application, NotificationKind.application_submitted,
                     "application_submitted_manager", revision=revision)
    return revision


def supplement_application(user: User, application: Application,
                           now: datetime | None = None) -> ApplicationRevision:
    """more_info_requested -> supplemented, before the call manager's deadline. A new
    revision; the call itself may have closed meanwhile."""
    now = clock.resolve(now)
    _require("supplement", user, application,
             _l("Additional information can be sent only when it has been requested."))
    _require_clock("supplement", application, now, {
        "info_deadline": _l("The deadline for the additional information has passed.")})
    _require_ready(application, now)
    revision = _new_revision(user, application, "supplement", now)
    application.state = states.next_state("supplement", application.state)
    application.submitted_at = now
    application.updated_at = now
    db.session.flush()
    audit.record("application.supplemented", actor=user, obj=application,
                 organisation=application.organisation, revision=revision.number)
    _mail_applicants(application, "application_supplemented", revision=revision)
    _notify_managers(application, NotificationKind.application_submitted,
                     "application_supplemented_manager", params={"supplement": True},
                     revision=revision)
    return revision


def send_application(user: User, application: Application,
                     now: datetime | None = None) -> ApplicationRevision:
    """The applicant's one "send" button: submit a draft, or supplement when information was
    requested (permissions.send_action says which)."""
    if permissions.send_action(application) == "supplement":
        return supplement_application(user, application, now)
    return submit_application(user, application, now)


def withdraw_application(user: User, application: Application, now: datetime | None = None) -> None:
    """Back to draft before a decision; the revisions stay."""
    now = clock.resolve(now)
    _require("withdraw", user, application,
             _l("Only a submitted application that has not been decided can be withdrawn."))
    previous = application.state
    application.state = states.next_state("withdraw", previous)
    application.withdrawn_at = now
    application.info_request = ""
    application.info_deadline = None
    application.updated_at = now
    db.session.flush()
    audit.record("application.withdrawn", actor=user, obj=application,
                 organisation=application.organisation, previous=str(previous))
    _mail_managers(application, "application_withdrawn")


def start_review(user: User, application: Application, now: datetime | None = None) -> None:
    """submitted or supplemented -> in_review, by a call manager."""
    now = clock.resolve(now)
    _require("start_review", user, application,
             _l("Only a submitted or supplemented application can be taken into review."))
    application.state = states.next_state("start_review", application.state)
    application.updated_at = now
    db.session.flush()
    audit.record("application.review_started", actor=user, obj=application,
                 organisation=application.call.organisation)


def request_more_info(user: User, application: Application, message: str, deadline: datetime,
                      now: datetime | None = None) -> None:
    """submitted, in_review or supplemented -> more_info_requested, with a message and a
    deadline; the applicant can edit again."""
    now = clock.resolve(now)
    _require("request_info", user, application,
             _l("More information can be requested only on a submitted application."))
    message = (message or "").replace("\r\n", "\n").strip()
    if not message:
        raise DomainError(_l("Say what information is needed."), field="message")
    if len(message) > 5000:
        raise DomainError(_l("The text is too long."), field="message")
    if deadline is None or deadline <= now:
        raise DomainError(_l("The deadline must be in the future."), field="deadline")
    application.state = states.next_state("request_info", application.state)
    application.info_request = message
    application.info_deadline = deadline
    application.info_requested_at = now
    application.updated_at = now
    db.session.flush()
    audit.record("application.info_requested", actor=user, obj=application,
                 organisation=application.call.organisation)
    _notify_applicants(application, NotificationKind.info_requested,
                       "application_info_requested")


def decide_application(user: User, application: Application, decision,
                       now: datetime | None = None) -> None:
    """in_review -> approved or rejected, as the decision (app.reviews.models.Decision)
    confirmed by the decision maker says: called by app.reviews.services.confirm_decision,
    which checks the proposal, the two persons and the call's budget."""
    now = clock.resolve(now)
    _require("decide", user, application, _l("Only an application in review is decided."))
    _require_clock("decide", application, now, {
        "not_closed": _l("Decisions can be made only after the call has closed.")})
    outcome = str(decision.outcome)
    application.state = states.next_state("decide", application.state, outcome=outcome)
    application.granted_cents = decision.granted_cents if outcome == "approved" else None
    application.decision_justification = decision.justification
    application.decided_at = now
    application.decided_by_id = user.id
    # The deciding authority's name at the time (kept if it is renamed or reorganised).
    application.authority_name = decision.authority_name or application.call.organisation.name
    application.updated_at = now
    db.session.flush()
    audit.record("application.decided", actor=user, obj=application,
                 organisation=application.call.organisation, outcome=str(application.state),
                 granted=application.granted_cents)
    if outcome == "approved":
        from app.projects.services import start_project

        start_project(application, decision, now=now)
    _notify_applicants(application, NotificationKind.decision_made, "application_decided",
                       params={"outcome": outcome}, decision=decision)


# --- notifications ---------------------------------------------------------------------------


def applicant_recipients(application: Application) -> list[User]:
    """Members of the lead and of the accepted partners, once each."""
    ids = [application.organisation_id, *(p.organisation_id for p in application.accepted_partners)]
    return people_of(ids)


def _params(application: Application) -> dict:
    """What a notice about the application says (app.notifications.messages)."""
    return {"title": application.project_name, "call": call_titles(application.call),
            "organisation": application.organisation.name}


def _detail_path(application: Application) -> str:
    return path_for("applications.application_detail", application_id=application.id)


def _mail_applicants(application: Application, template: str, **context) -> None:
    """Mail only, to the lead's and accepted partners' members: the confirmation of their own
    step (no notice: the notices of `application_submitted` are the ELY-centre's)."""
    for user in applicant_recipients(application):
        queue_mail(user.email, template, user.language, user=user, application=application,
                   call=application.call, **context)


def _notify_applicants(application: Application, kind: NotificationKind, template: str,
                       params: dict | None = None, **context) -> None:
    """A notice of `kind` (and mail with `template`, unless turned off) to the lead's and
    accepted partners' members. No conflict filter: they are the applicants."""
    notify(applicant_recipients(application), kind, url=_detail_path(application),
           subject=application, params={**_params(application), **(params or {})},
           mail_template=template, application=application, call=application.call, **context)


def _notify_managers(application: Application, kind: NotificationKind, template: str,
                     params: dict | None = None, **context) -> None:
    """A notice of `kind` (and mail) to the call managers of the call's ELY-centre, except
    those conflicted on the application (a member of the lead or of a partner, or a declared
    conflict): they are told as applicants, never as the ELY-centre."""
    notify(people_of([application.call.organisation_id], call_managers=True), kind,
           url=_detail_path(application), subject=application, conflicted_on=application,
           params={**_params(application), **(params or {})}, mail_template=template,
           application=application, call=application.call, **context)


def _mail_managers(application: Application, template: str, **context) -> None:
    """Mail only, to every call manager of the call's ELY-centre (a withdrawal: no kind of
    notice)."""
    for user in people_of([application.call.organisation_id], call_managers=True):
        queue_mail(user.email, template, user.language, user=user, application=application,
                   call=application.call, **context)


def notify_partner_invited(partner: ApplicationPartner) -> None:
    """Tell the invited organisation's editors and owners (a notice and mail)."""
    application = partner.application
    notify(people_of([partner.organisation_id], roles=WRITERS),
           NotificationKind.partner_invitation, url=_detail_path(application),
           subject=application,
           params={**_params(application), "partner": partner.organisation.name},
           mail_template="application_partner_invited", partner=partner,
           application=application, call=application.call)
