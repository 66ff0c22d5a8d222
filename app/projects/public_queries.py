"""Queries of the project pages: the public list with its filters and sorting, one project's
public facts and accepted results, the projects of my organisations, and the short lists of
funded projects on the organisation, call and service model pages.

Every list loads its page in a fixed number of queries, however many rows it shows. The public
side reads only what the EU's transparency rule makes public (beneficiaries, name, purpose,
dates, eligible cost, support, location, call) and the figures of ACCEPTED reports.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, and_, exists, func, or_, select
from sqlalchemy.orm import contains_eager, joinedload, selectinload

from app.applications.models import Application, ApplicationPartner, ApplicationPractice
from app.calls.models import Call
from app.core.codelists import REGIONS
from app.core.fields import parse_int
from app.core.pagination import SortOption
from app.extensions import db
from app.organisations.models import Organisation, OrganisationRegion
from app.organisations.partnership import PartnerState
from app.practices.models import Practice, PracticeState
from app.projects import indicators
from app.projects.models import ClaimState, PaymentClaim, Project, ProjectState, Report, ReportState

PER_PAGE = 20
LINK_LIMIT = 20  # projects listed on an organisation's, call's or service model's page

STATE_LABELS = {
    ProjectState.running: _l("Running"),
    ProjectState.final_report_due: _l("Ended, final report pending"),
    ProjectState.closed: _l("Closed"),
}
REPORT_STATE_LABELS = {
    ReportState.draft: _l("Not submitted"),
    ReportState.submitted: _l("Submitted, awaiting review"),
    ReportState.returned: _l("Returned for corrections"),
    ReportState.accepted: _l("Accepted"),
}

SORTS = {
    "newest": SortOption("newest", _l("Newest first"),
                         (Project.starts_on.desc(), Project.id.desc())),
    "name": SortOption("name", _l("Name"), (func.lower(Application.project_name), Project.id)),
    "support": SortOption("support", _l("Largest support first"),
                          (Project.granted_cents.desc(), Project.id)),
    "ending": SortOption("ending", _l("Ending first"), (Project.ends_on, Project.id)),
}


@dataclass(frozen=True)
class ProjectFilter:
    """The public list's filters, read safely from the query string."""

    region: str | None = None
    call_id: int | None = None
    state: ProjectState | None = None
    organisation_id: int | None = None
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> ProjectFilter:
        region = args.get("region") or None
        state = args.get("state") or None
        sort = args.get("sort") or "newest"
        return cls(
            region=region if region in REGIONS else None,
            call_id=parse_int(args.get("call"), max_digits=9),
            state=ProjectState(state) if state in ProjectState.__members__ else None,
            organisation_id=parse_int(args.get("organisation"), max_digits=9),
            sort=sort if sort in SORTS else "newest",
        )

    @property
    def active(self) -> bool:
        return bool(self.region or self.call_id or self.state or self.organisation_id)


def _state_clause(state: ProjectState, today: date):
    if state == ProjectState.closed:
        return Project.closed_at.is_not(None)
    if state == ProjectState.final_report_due:
        return and_(Project.closed_at.is_(None), Project.ends_on < today)
    return and_(Project.closed_at.is_(None), Project.ends_on >= today)


def _accepted_partner_of(organisation_id: int):
    return exists().where(ApplicationPartner.application_id == Project.id,
                          ApplicationPartner.organisation_id == organisation_id,
                          ApplicationPartner.state == PartnerState.accepted)


def public_projects(flt: ProjectFilter, today: date) -> Select:
    """Every funded project matching the filter, with the lead, the accepted partners and the
    call loaded in a fixed number of queries."""
    stmt = (
        select(Project)
        .join(Application, Application.id == Project.id)
        .options(
            contains_eager(Project.application)
            .selectinload(Application.partners).joinedload(ApplicationPartner.organisation),
            joinedload(Project.organisation),
            joinedload(Project.call),
        )
    )
    if flt.region:
        in_region = select(OrganisationRegion.organisation_id).where(
            OrganisationRegion.code == flt.region)
        stmt = stmt.where(Project.organisation_id.in_(in_region))
    if flt.call_id:
        stmt = stmt.where(Project.call_id == flt.call_id)
    if flt.state:
        stmt = stmt.where(_state_clause(flt.state, today))
    if flt.organisation_id:
        stmt = stmt.where(or_(Project.organisation_id == flt.organisation_id,
                              _accepted_partner_of(flt.organisation_id)))
    return stmt.order_by(*SORTS[flt.sort].columns)


def calls_with_projects() -> list[Call]:
    """The calls that have funded projects, for the list's call filter."""
    return list(db.session.scalars(
        select(Call).where(Call.id.in_(select(Project.call_id))).order_by(
            Call.opens_at.desc(), Call.id.desc())))


def public_project(project_id: int) -> Project | None:
    """One project with everything its public page shows."""
    return db.session.scalar(
        select(Project).where(Project.id == project_id).options(
            joinedload(Project.application)
            .selectinload(Application.partners).joinedload(ApplicationPartner.organisation),
            joinedload(Project.application).selectinload(Application.practice_links)
            .joinedload(ApplicationPractice.practice).joinedload(Practice.current_version),
            joinedload(Project.organisation),
            joinedload(Project.call),
        ))


def published_practices(project: Project) -> list[Practice]:
    """The published service models a project builds on (only these are shown publicly)."""
    return [link.practice for link in project.application.practice_links
            if link.practice is not None and link.practice.state == PracticeState.published
            and link.practice.current_version is not None]


@dataclass(frozen=True)
class AcceptedResults:
    """A project's cumulative figures over its ACCEPTED reports only."""

    figures: dict[str, int]
    accepted: int
    reports: int
    until: date | None  # the end of the last accepted period


def accepted_results(project: Project) -> AcceptedResults:
    """Sums of the accepted reports' figures, in one query (never a report's other content)."""
    rows = db.session.execute(
        select(Report.figures, Report.period_end, Report.state).where(
            Report.project_id == project.id)).all()
    accepted = [row for row in rows if row.state == ReportState.accepted]
    return AcceptedResults(
        figures=indicators.cumulative(row.figures for row in accepted),
        accepted=len(accepted), reports=len(rows),
        until=max((row.period_end for row in accepted), default=None))


def preload_project_page(project: Project) -> None:
    """Load the reports, their claims and lines, the partners, service models and staff
    lines of one project at once (the private page reads all of them)."""
    db.session.scalars(select(Report).where(Report.project_id == project.id).options(
        selectinload(Report.claim).selectinload(PaymentClaim.lines))).all()
    db.session.scalars(select(Application).where(Application.id == project.id).options(
        selectinload(Application.partners).joinedload(ApplicationPartner.organisation),
        selectinload(Application.practice_links).joinedload(ApplicationPractice.practice)
        .joinedload(Practice.current_version),
        selectinload(Application.staff_lines))).all()


def spending(project: Project) -> tuple[int, int]:
    """(claimed, approved) eligible cost over the project's submitted and approved claims."""
    claimed = approved = 0
    for report in project.reports:
        claim = report.claim
        if claim is None or claim.state == ClaimState.draft:
            continue
        claimed += claim.claimed_eligible_cents or 0
        if claim.state == ClaimState.approved:
            approved += claim.approved_eligible_cents or 0
    return claimed, approved


# --- my organisations' projects ----------------------------------------------------------------


def my_projects(organisation_ids: list[int]) -> Select:
    """Projects led by these organisations or in which they are accepted partners."""
    partner = exists().where(ApplicationPartner.application_id == Project.id,
                             ApplicationPartner.organisation_id.in_(organisation_ids),
                             ApplicationPartner.state == PartnerState.accepted)
    return (
        select(Project)
        .join(Application, Application.id == Project.id)
        .options(contains_eager(Project.application), joinedload(Project.organisation),
                 joinedload(Project.call))
        .where(or_(Project.organisation_id.in_(organisation_ids), partner))
        .order_by(Project.closed_at.is_not(None), Project.ends_on, Project.id)
    )


def next_reports(project_ids: list[int]) -> dict[int, Report]:
    """The next report each project has to send (a draft or a returned one), in one query."""
    if not project_ids:
        return {}
    result: dict[int, Report] = {}
    for report in db.session.scalars(
            select(Report).where(Report.project_id.in_(project_ids),
                                 Report.state.in_([ReportState.draft, ReportState.returned]))
            .order_by(Report.due_on, Report.number)):
        result.setdefault(report.project_id, report)
    return result


# --- the short lists on other pages (one query each) ----------------------------------------


def _link_rows(stmt: Select) -> list:
    return list(db.session.execute(
        stmt.add_columns(Project.id, Application.project_name, Project.organisation_id,
                         Organisation.name.label("lead_name"), Project.starts_on,
                         Project.ends_on, Project.granted_cents)
        .join(Application, Application.id == Project.id)
        .join(Organisation, Organisation.id == Project.organisation_id)
        .order_by(Project.starts_on.desc(), Project.id.desc()).limit(LINK_LIMIT + 1)).all())


def organisation_projects(organisation_id: int) -> list:
    """The funded projects an organisation leads or is an accepted partner in."""
    return _link_rows(select().select_from(Project).where(or_(
        Project.organisation_id == organisation_id, _accepted_partner_of(organisation_id))))


def call_projects(call_id: int) -> list:
    """The funded projects of one call."""
    return _link_rows(select().select_from(Project).where(Project.call_id == call_id))


def practice_projects(practice_id: int) -> list:
    """The funded projects that build on one service model."""
    return _link_rows(select().select_from(Project).where(Project.id.in_(
        select(ApplicationPractice.application_id).where(
            ApplicationPractice.practice_id == practice_id))))
