"""The ELY-centre's follow-up of a call's projects (the dashboard and its exports) and the list
of calls a person follows, in a fixed number of queries whatever the number of projects.

A dashboard row is one project: its lead, state, next report due, overdue reports, reports to
review, cumulative figures (over its submitted and accepted reports) against the targets of
the approved application, and its money. A project on which the viewer is conflicted shows its
name only: no figure, and it is left out of the totals (no role bypasses the rule)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm import joinedload, selectinload

from app.applications.models import Application, ApplicationPartner
from app.applications.permissions import is_conflicted
from app.calls.models import Call, CallState
from app.calls.permissions import is_call_manager_of
from app.extensions import db
from app.organisations.services import memberships_by_organisation
from app.projects import claims, indicators, services
from app.projects import permissions as perms
from app.projects.models import PaymentClaim, Project, ProjectState, Report, ReportState

STATE_LABELS = {
    ProjectState.running: _l("Running"),
    ProjectState.final_report_due: _l("Final report due"),
    ProjectState.closed: _l("Closed"),
}
REPORT_STATE_LABELS = {
    ReportState.draft: _l("Not submitted"),
    ReportState.submitted: _l("To review"),
    ReportState.returned: _l("Returned for corrections"),
    ReportState.accepted: _l("Accepted"),
}
TARGET_LABELS = {
    "started": _l("Participants"),
    "employed": _l("Employed"),
    "business": _l("Started a business"),
    "education": _l("In education"),
}
OPEN_STATES = (ReportState.draft, ReportState.returned)
COUNTED_STATES = (ReportState.submitted, ReportState.accepted)

# sort key -> (label, descending by default)
SORTS = {
    "name": (_l("Project"), False),
    "lead": (_l("Lead applicant"), False),
    "state": (_l("State"), False),
    "due": (_l("Next report due"), False),
    "overdue": (_l("Overdue"), True),
    "review": (_l("To review"), True),
    "granted": (_l("Granted"), True),
    "paid": (_l("Paid"), True),
}
_STATE_ORDER = {ProjectState.running: 0, ProjectState.final_report_due: 1,
                ProjectState.closed: 2}


@dataclass
class Filters:
    state: str = ""
    overdue: bool = False
    review: bool = False

    @classmethod
    def from_args(cls, args) -> Filters:
        state = args.get("state", "")
        return cls(state=state if state in ProjectState.__members__ else "",
                   overdue=args.get("overdue") == "1", review=args.get("review") == "1")

    @property
    def active(self) -> bool:
        return bool(self.state or self.overdue or self.review)


@dataclass
class ProjectRow:
    project: Project
    hidden: bool  # the viewer is conflicted: the name only
    state: ProjectState | None = None
    next_report: Report | None = None
    overdue: int = 0
    to_review: list[Report] = field(default_factory=list)
    figures: dict[str, int] = field(default_factory=dict)
    targets: dict[str, int | None] = field(default_factory=dict)
    money: claims.Money | None = None


@dataclass
class Totals:
    projects: int = 0
    overdue: int = 0
    to_review: int = 0
    figures: dict[str, int] = field(default_factory=lambda: dict.fromkeys(indicators.TARGETS, 0))
    targets: dict[str, int] = field(default_factory=lambda: dict.fromkeys(indicators.TARGETS, 0))
    granted_cents: int = 0
    claimed_cents: int = 0
    approved_cents: int = 0
    paid_cents: int = 0

    def add(self, row: ProjectRow) -> None:
        self.projects += 1
        self.overdue += row.overdue
        self.to_review += len(row.to_review)
        for key in indicators.TARGETS:
            self.figures[key] += row.figures.get(key, 0)
            self.targets[key] += row.targets.get(key) or 0
        money = row.money
        self.granted_cents += money.granted_cents
        self.claimed_cents += money.claimed_cents
        self.approved_cents += money.approved_cents
        self.paid_cents += money.paid_cents


@dataclass
class Dashboard:
    call: Call
    rows: list[ProjectRow]
    total_count: int  # the call's projects before filtering
    totals: Totals
    sort: str
    descending: bool
    filters: Filters

    @property
    def hidden_count(self) -> int:
        return sum(1 for row in self.rows if row.hidden)


def load_projects(call: Call) -> list[Project]:
    """The call's projects with everything a row needs: four queries in all."""
    return list(db.session.scalars(
        select(Project).where(Project.call_id == call.id)
        .options(joinedload(Project.organisation),
                 joinedload(Project.application).selectinload(Application.partners)
                 .joinedload(ApplicationPartner.organisation),
                 selectinload(Project.reports).selectinload(Report.claim))
        .order_by(Project.id)).unique())


def project_row(project: Project, viewer, today: date) -> ProjectRow:
    if is_conflicted(viewer, project.application):
        return ProjectRow(project, hidden=True)
    reports = project.reports
    upcoming = [r for r in reports if r.state in OPEN_STATES]
    application = project.application
    return ProjectRow(
        project, hidden=False, state=project.state(today),
        next_report=min(upcoming, key=lambda r: r.due_on) if upcoming else None,
        overdue=sum(1 for r in reports if r.is_overdue(today)),
        to_review=[r for r in reports if r.state == ReportState.submitted],
        figures=services.cumulative_figures(project, states=COUNTED_STATES),
        targets={key: getattr(application, column)
                 for key, column in indicators.TARGETS.items()},
        money=services.money(project))


def _sort_key(sort: str):
    far = date.max
    keys = {
        "name": lambda r: (r.project.name.casefold(), r.project.id),
        "lead": lambda r: (r.project.organisation.name.casefold(), r.project.id),
        "state": lambda r: (_STATE_ORDER.get(r.state, 9), r.project.id),
        "due": lambda r: (r.next_report.due_on if r.next_report else far, r.project.id),
        "overdue": lambda r: (r.overdue, r.project.id),
        "review": lambda r: (len(r.to_review), r.project.id),
        "granted": lambda r: (r.money.granted_cents if r.money else -1, r.project.id),
        "paid": lambda r: (r.money.paid_cents if r.money else -1, r.project.id),
    }
    return keys[sort]


def _matches(row: ProjectRow, filters: Filters) -> bool:
    if row.hidden:
        return not filters.active
    if filters.state and row.state != ProjectState(filters.state):
        return False
    if filters.overdue and not row.overdue:
        return False
    return not (filters.review and not row.to_review)


def call_dashboard(call: Call, viewer, today: date, sort: str | None = None,
                   descending: bool | None = None, filters: Filters | None = None) -> Dashboard:
    """The call's projects as `viewer` may see them, filtered and sorted, with the totals of
    the rows shown (projects the viewer is conflicted on count in no figure)."""
    filters = filters or Filters()
    sort = sort if sort in SORTS else "name"
    if descending is None:
        descending = SORTS[sort][1]
    projects = load_projects(call)
    rows = [row for row in (project_row(p, viewer, today) for p in projects)
            if _matches(row, filters)]
    visible = sorted((r for r in rows if not r.hidden), key=_sort_key(sort),
                     reverse=descending)
    hidden = sorted((r for r in rows if r.hidden), key=_sort_key("name"))
    totals = Totals()
    for row in visible:
        totals.add(row)
    return Dashboard(call=call, rows=visible + hidden, total_count=len(projects),
                     totals=totals, sort=sort, descending=descending, filters=filters)


# --- the calls a person follows -----------------------------------------------------------------


@dataclass
class FollowedCall:
    call: Call
    projects: int
    overdue: int
    to_review: int


def followed_calls_query(user):
    """The published calls whose projects `user` follows: those of the ELY-centres where they
    are a call manager, and every call for a national observer. Only calls with projects."""
    query = select(Call).where(Call.state == CallState.published,
                               Call.id.in_(select(Project.call_id)))
    if not perms.is_national_observer(user):
        managed = [m.organisation_id for m in memberships_by_organisation(user).values()
                   if is_call_manager_of(user, m.organisation)]
        query = query.where(Call.organisation_id.in_(managed))
    return query.options(joinedload(Call.organisation)).order_by(Call.closes_at.desc(),
                                                                 Call.id.desc())


def follows_any_call(user) -> bool:
    """Whether the header shows the follow-up link: call managers of a verified ELY-centre and
    national observers (memberships are loaded once per request anyway)."""
    if not getattr(user, "is_authenticated", False):
        return False
    return perms.is_national_observer(user) or any(
        is_call_manager_of(user, m.organisation)
        for m in memberships_by_organisation(user).values())


def followed_counts(user, calls: list[Call], today: date) -> list[FollowedCall]:
    """Project, overdue-report and to-review counts per call (three queries), leaving out the
    projects `user` is conflicted on."""
    from app.notifications.services import _conflicted_application_ids

    ids = [c.id for c in calls]
    if not ids:
        return []
    conflicted = _conflicted_application_ids(user)
    projects = dict(db.session.execute(
        select(Project.call_id, func.count(Project.id))
        .where(Project.call_id.in_(ids), Project.id.not_in(conflicted))
        .group_by(Project.call_id)).all())

    def report_counts(*conditions) -> dict[int, int]:
        return dict(db.session.execute(
            select(Project.call_id, func.count(Report.id))
            .join(Report, Report.project_id == Project.id)
            .where(Project.call_id.in_(ids), Project.id.not_in(conflicted), *conditions)
            .group_by(Project.call_id)).all())

    overdue = report_counts(Report.state.in_([str(s) for s in OPEN_STATES]),
                            Report.due_on < today)
    review = report_counts(Report.state == ReportState.submitted)
    return [FollowedCall(c, projects.get(c.id, 0), overdue.get(c.id, 0), review.get(c.id, 0))
            for c in calls]


# --- the exports' rows ----------------------------------------------------------------------------


def export_reports(row: ProjectRow) -> list[tuple[Report, PaymentClaim | None]]:
    """The reports of a row whose figures the ELY-centre has (submitted and accepted)."""
    return [(r, r.claim) for r in row.project.reports if r.state in COUNTED_STATES]
