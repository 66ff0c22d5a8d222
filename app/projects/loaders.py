"""Load-and-authorise helpers of the project views."""

from __future__ import annotations

from flask import abort
from flask_login import current_user

from app.calls.models import Call, CallState
from app.extensions import db
from app.projects import permissions as perms
from app.projects.models import PaymentClaim, Project, Report


def get_project_or_404(project_id: int, check=None) -> Project:
    """A project the user may follow (its organisations, its officers, observers), else 404;
    `check` failing gives 403."""
    project = db.session.get(Project, project_id)
    if project is None or not perms.can_view_project(current_user, project):
        abort(404)
    if check is not None and not check(current_user, project):
        abort(403)
    return project


def get_public_project_or_404(project_id: int) -> Project:
    """Any funded project: its public page shows aggregated results only."""
    project = db.session.get(Project, project_id)
    if project is None:
        abort(404)
    return project


def get_report_or_404(report_id: int, check=None) -> Report:
    """A report of a project the user may follow, else 404; `check` failing gives 403."""
    report = db.session.get(Report, report_id)
    if report is None or not perms.can_view_project(current_user, report.project):
        abort(404)
    if check is not None and not check(current_user, report):
        abort(403)
    return report


def get_claim_or_404(report_id: int, check=None) -> PaymentClaim:
    report = get_report_or_404(report_id)
    if report.claim is None:
        abort(404)
    if check is not None and not check(current_user, report.claim):
        abort(403)
    return report.claim


def get_dashboard_call_or_404(call_id: int) -> Call:
    """A published call whose projects the user follows (its call managers, observers)."""
    call = db.session.get(Call, call_id)
    if call is None or call.state != CallState.published or not perms.can_view_dashboard(
            current_user, call):
        abort(404)
    return call
