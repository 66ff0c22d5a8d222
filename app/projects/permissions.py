"""Who may do what with funded projects, their reports and claims: predicates for views,
templates, services and tests.

- The project's side: members of the lead (päätoteuttaja) and of its accepted partners read
  the project; the lead's editors and owners write and submit reports and claims.
- The ELY-centre's side: call managers of the call's authority follow the project, accept or
  return reports and approve claims, unless they are conflicted on the application (no role
  bypasses the conflict-of-interest rule).
- A national observer reads every project, report, dashboard and figure, and changes nothing.
- The public sees a project's public page (aggregated results only).
"""

from __future__ import annotations

from datetime import date

from app.applications.permissions import is_conflicted
from app.calls.models import Call
from app.calls.permissions import is_call_manager_of
from app.organisations.models import Role
from app.organisations.partnership import PartnerState
from app.organisations.permissions import has_role, membership_of
from app.projects.models import ClaimState, PaymentClaim, Project, Report, ReportState


def _signed_in(user) -> bool:
    return bool(user is not None and getattr(user, "is_authenticated", False))


def is_national_observer(user) -> bool:
    """A member of a verified national authority granted the observer role."""
    if not _signed_in(user):
        return False
    from app.organisations.services import memberships_by_organisation

    return any(m.is_observer and m.organisation.is_national_authority
               and m.organisation.is_verified
               for m in memberships_by_organisation(user).values())


def is_project_member(user, project: Project) -> bool:
    """A member of the lead or of an accepted partner."""
    if has_role(user, project.organisation, Role.member):
        return True
    return any(p.state == PartnerState.accepted and membership_of(user, p.organisation)
               for p in project.application.partners)


def is_project_writer(user, project: Project) -> bool:
    """An editor or owner of the lead: writes and submits reports and claims."""
    return has_role(user, project.organisation, Role.editor)


def follows_call(user, call: Call) -> bool:
    """The ELY-centre's side of a call's projects: its call managers."""
    return _signed_in(user) and is_call_manager_of(user, call.organisation)


def is_project_officer(user, project: Project) -> bool:
    """A call manager of the call's authority who is not conflicted on the project."""
    return follows_call(user, project.call) and not is_conflicted(user, project.application)


def can_view_project(user, project: Project) -> bool:
    """The project's own page (reports, claims, money): its organisations, its officers and
    national observers."""
    return (is_project_member(user, project) or is_project_officer(user, project)
            or is_national_observer(user))


def can_view_dashboard(user, call: Call) -> bool:
    return follows_call(user, call) or is_national_observer(user)


def can_edit_report(user, report: Report) -> bool:
    return report.is_editable and is_project_writer(user, report.project)


def can_submit_report(user, report: Report, today: date) -> bool:
    """Once its period has ended; a returned report is resubmitted after corrections."""
    return can_edit_report(user, report) and today > report.period_end


def can_handle_report(user, report: Report) -> bool:
    """Accept or return a submitted report."""
    return report.state == ReportState.submitted and is_project_officer(user, report.project)


def can_approve_claim(user, claim: PaymentClaim) -> bool:
    """Once the report is accepted, the officer approves the payable amount."""
    return (claim.state == ClaimState.submitted
            and claim.report.state == ReportState.accepted
            and is_project_officer(user, claim.project))


def can_grant_observer(user) -> bool:
    from app.organisations.permissions import is_admin

    return is_admin(user)
