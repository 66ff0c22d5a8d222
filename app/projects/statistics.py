"""The public statistics page: service models, adoptions, calls, funded projects and their
results per region and per target group, in a fixed number of queries (eight), whatever the
number of projects or reports.

The rules, also stated on the page:
- a project's regions are its lead organisation's regions;
- a project's target groups are those of the published service models it builds on, or its
  lead organisation's target groups when it builds on none;
- a project with several regions or target groups counts in each of them, so the rows of a
  table may add up to more than the total;
- participants and outcomes come from ACCEPTED reports only;
- every count of 1–4 is shown as "< 5".

The report figures are JSON; they are summed here with indicators.clean, the same cleaning
the project pages use, so that the statistics and the project pages never disagree.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import case, func, select

from app.applications.models import ApplicationPractice
from app.calls.models import Call, CallState
from app.core.codelists import REGIONS, TARGET_GROUPS
from app.extensions import db
from app.organisations.models import OrganisationRegion, OrganisationTargetGroup
from app.practices.models import Adoption, Practice, PracticeState, PracticeVersion
from app.projects import indicators
from app.projects.models import Project, Report, ReportState

RESULT_KEYS = ("started", "employed", "business", "education")
NOT_GIVEN = ""  # the region or target group of an organisation that gave none


@dataclass
class Group:
    """The funded projects of one region or target group, and their accepted results."""

    projects: int = 0
    granted_cents: int = 0
    figures: dict = field(default_factory=lambda: {key: 0 for key in RESULT_KEYS})


@dataclass
class Statistics:
    models: int
    models_by_target_group: Counter
    models_by_region: Counter
    adoptions: int
    adoptions_by_region: Counter
    calls_open: int
    calls_upcoming: int
    calls_closed: int
    projects: int
    granted_cents: int
    approved_cost_cents: int
    totals: dict
    by_region: dict[str, Group]
    by_target_group: dict[str, Group]
    accepted_reports: int


def _codes(value, codelist) -> list[str]:
    """Known codes of a JSON list (anything else is ignored), each once."""
    if not isinstance(value, list):
        return []
    return codelist.clean(str(code) for code in value)


def compute(now: datetime) -> Statistics:
    """Every figure of the statistics page, in eight queries."""
    published = Practice.state == PracticeState.published
    models = db.session.execute(
        select(PracticeVersion.content["target_groups"], PracticeVersion.content["regions"])
        .join(Practice, Practice.current_version_id == PracticeVersion.id).where(published)).all()
    by_group, by_region = Counter(), Counter()
    for groups, regions in models:
        by_group.update(_codes(groups, TARGET_GROUPS))
        by_region.update(_codes(regions, REGIONS))

    adoptions = db.session.execute(
        select(Adoption.regions).join(Practice, Practice.id == Adoption.practice_id)
        .where(published)).scalars().all()
    adoptions_by_region = Counter()
    for regions in adoptions:
        adoptions_by_region.update(_codes(regions, REGIONS))

    calls = db.session.execute(
        select(func.count(case((Call.opens_at > now, 1))),
               func.count(case(((Call.opens_at <= now) & (Call.closes_at > now), 1))),
               func.count(case((Call.closes_at <= now, 1))))
        .where(Call.state == CallState.published, Call.opens_at.is_not(None),
               Call.closes_at.is_not(None))).one()

    projects = db.session.execute(
        select(Project.id, Project.organisation_id, Project.granted_cents,
               Project.approved_cost_cents)).all()
    lead_ids = select(Project.organisation_id)
    lead_regions = defaultdict(list)
    for org_id, code in db.session.execute(
            select(OrganisationRegion.organisation_id, OrganisationRegion.code)
            .where(OrganisationRegion.organisation_id.in_(lead_ids))):
        if code in REGIONS:
            lead_regions[org_id].append(code)
    lead_groups = defaultdict(list)
    for org_id, code in db.session.execute(
            select(OrganisationTargetGroup.organisation_id, OrganisationTargetGroup.code)
            .where(OrganisationTargetGroup.organisation_id.in_(lead_ids))):
        if code in TARGET_GROUPS:
            lead_groups[org_id].append(code)
    model_groups = defaultdict(set)
    for project_id, groups in db.session.execute(
            select(ApplicationPractice.application_id, PracticeVersion.content["target_groups"])
            .join(Practice, Practice.id == ApplicationPractice.practice_id)
            .join(PracticeVersion, PracticeVersion.id == Practice.current_version_id)
            .where(published, ApplicationPractice.application_id.in_(select(Project.id)))):
        model_groups[project_id].update(_codes(groups, TARGET_GROUPS))

    figures: dict[int, dict[str, int]] = defaultdict(lambda: {key: 0 for key in RESULT_KEYS})
    accepted = 0
    for project_id, report_figures in db.session.execute(
            select(Report.project_id, Report.figures).where(
                Report.state == ReportState.accepted)):
        accepted += 1
        clean = indicators.clean(report_figures)
        for key in RESULT_KEYS:
            figures[project_id][key] += clean[key]

    totals = {key: 0 for key in RESULT_KEYS}
    regions: dict[str, Group] = defaultdict(Group)
    groups: dict[str, Group] = defaultdict(Group)
    for project_id, org_id, granted, _cost in projects:
        own = figures.get(project_id) or {key: 0 for key in RESULT_KEYS}
        for key in RESULT_KEYS:
            totals[key] += own[key]
        project_groups = (TARGET_GROUPS.clean(model_groups[project_id])
                          if model_groups.get(project_id) else lead_groups.get(org_id, []))
        for bucket, codes in ((regions, lead_regions.get(org_id) or [NOT_GIVEN]),
                              (groups, project_groups or [NOT_GIVEN])):
            for code in codes:
                group = bucket[code]
                group.projects += 1
                group.granted_cents += granted or 0
                for key in RESULT_KEYS:
                    group.figures[key] += own[key]

    return Statistics(
        models=len(models), models_by_target_group=by_group, models_by_region=by_region,
        adoptions=len(adoptions), adoptions_by_region=adoptions_by_region,
        calls_upcoming=calls[0] or 0, calls_open=calls[1] or 0, calls_closed=calls[2] or 0,
        projects=len(projects), granted_cents=sum(p.granted_cents or 0 for p in projects),
        approved_cost_cents=sum(p.approved_cost_cents or 0 for p in projects),
        totals=totals, by_region=dict(regions), by_target_group=dict(groups),
        accepted_reports=accepted)
