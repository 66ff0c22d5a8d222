"""The project pages: the public list and page of every funded project (the EU's transparency
rule makes an approved decision public: beneficiaries, name, purpose, dates, eligible cost,
support, location, call) with aggregated results from accepted reports only; the public
statistics; the private follow-up page of a project (its organisations, its ELY-centre's
officers, national observers); and the projects of my organisations.

Public figures of 1–4 people are shown as "< 5" (app/projects/charts.py, indicators.suppress).
"""

from __future__ import annotations

from flask import abort, render_template, request
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from app.applications.permissions import can_view_application
from app.core import clock
from app.core.codelists import REGIONS, TARGET_GROUPS, current_language
from app.core.pagination import page_arg
from app.extensions import db
from app.projects import bp, indicators, loaders, services
from app.projects import permissions as perms
from app.projects import public_queries as queries
from app.projects.charts import Row, bar_chart
from app.projects.models import ReportState
from app.projects.statistics import NOT_GIVEN, RESULT_KEYS, Group, compute

RESULT_LABELS = {
    "started": _l("Participants"),
    "employed": _l("Employed"),
    "business": _l("Started a business"),
    "education": _l("In education or training"),
}


@bp.app_context_processor
def _project_link_helpers() -> dict:
    """The short lists of funded projects that the organisation, call and service model pages
    include (templates/projects/_public_links.html): one query each."""
    return {
        "funded_projects_of_organisation": queries.organisation_projects,
        "funded_projects_of_call": queries.call_projects,
        "funded_projects_of_practice": queries.practice_projects,
        "project_link_limit": queries.LINK_LIMIT,
    }


def _target_rows(project, figures: dict[str, int] | None) -> list[Row]:
    """The figures that have targets, against them (None: no figures yet)."""
    application = project.application
    return [Row(label=str(RESULT_LABELS[key]), key=key,
                value=None if figures is None else figures.get(key, 0),
                target=getattr(application, attribute))
            for key, attribute in indicators.TARGETS.items()]


def _suppress(value: int) -> str:
    return indicators.suppress(value, 5)


# --- public ----------------------------------------------------------------------------------


@bp.get("/projects")
def index():
    flt = queries.ProjectFilter.from_args(request.args)
    today = clock.local_date()
    pagination = db.paginate(queries.public_projects(flt, today), page=page_arg(),
                             per_page=queries.PER_PAGE, error_out=False)
    return render_template(
        "projects/public_index.html", pagination=pagination, flt=flt, today=today,
        calls=queries.calls_with_projects(), sorts=queries.SORTS,
        state_labels=queries.STATE_LABELS, lang=current_language())


@bp.get("/projects/<int:project_id>")
def detail(project_id: int):
    project = queries.public_project(project_id)
    if project is None:
        abort(404)
    results = queries.accepted_results(project)
    chart = bar_chart(
        "results", _("Results against the targets"),
        _target_rows(project, results.figures if results.accepted else None),
        label_heading=_("Figure"), value_heading=_("So far"), target_heading=_("Target"),
        suppress=True, empty_text=_("No report has been accepted yet: results are published "
                                    "once the funding authority has accepted a report."))
    return render_template(
        "projects/public_detail.html", project=project, results=results, chart=chart,
        practices=queries.published_practices(project), today=clock.local_date(),
        state_labels=queries.STATE_LABELS, lang=current_language(),
        can_follow=perms.can_view_project(current_user, project))


def _group_chart(chart_id: str, title: str, heading: str, groups: dict, codelist,
                 not_given: str) -> object:
    rows = []
    codes = [*codelist.codes, *([NOT_GIVEN] if NOT_GIVEN in groups else [])]
    for code in codes:
        group = groups.get(code) or Group()
        rows.append(Row(
            label=codelist.label(code) if code else not_given, key=code or "none",
            value=group.figures["started"],
            extras=(_suppress(group.projects),
                    *(_suppress(group.figures[key]) for key in RESULT_KEYS[1:]))))
    return bar_chart(chart_id, title, rows, label_heading=heading,
                     value_heading=str(RESULT_LABELS["started"]),
                     extra_headings=(_("Funded projects"),
                                     *(str(RESULT_LABELS[key]) for key in RESULT_KEYS[1:])),
                     suppress=True)


def _count_chart(chart_id: str, title: str, heading: str, value_heading: str, counts,
                 codelist) -> object:
    return bar_chart(chart_id, title,
                     [Row(label=codelist.label(code), key=code, value=counts.get(code, 0))
                      for code in codelist.codes],
                     label_heading=heading, value_heading=value_heading, suppress=True)


@bp.get("/statistics")
def statistics():
    stats = compute(clock.now())
    not_given = _("Not given")
    charts = {
        "models_by_target_group": _count_chart(
            "models-target-group", _("Service models per target group"), _("Target group"),
            _("Service models"), stats.models_by_target_group, TARGET_GROUPS),
        "models_by_region": _count_chart(
            "models-region", _("Service models per region"), _("Region"), _("Service models"),
            stats.models_by_region, REGIONS),
        "adoptions_by_region": _count_chart(
            "adoptions-region", _("Adoptions per region"), _("Region"), _("Adoptions"),
            stats.adoptions_by_region, REGIONS),
        "results_by_region": _group_chart(
            "results-region", _("Funded projects and results per region"), _("Region"),
            stats.by_region, REGIONS, not_given),
        "results_by_target_group": _group_chart(
            "results-target-group", _("Funded projects and results per target group"),
            _("Target group"), stats.by_target_group, TARGET_GROUPS, not_given),
    }
    return render_template("projects/statistics.html", stats=stats, charts=charts,
                           s=_suppress, result_labels=RESULT_LABELS)


# --- the project's own page --------------------------------------------------------------------


@bp.get("/projects/<int:project_id>/follow-up")
@login_required
def project_page(project_id: int):
    project = loaders.get_project_or_404(project_id)
    queries.preload_project_page(project)
    today = clock.local_date()
    reports = project.reports
    counted = [r for r in reports if r.state in (ReportState.submitted, ReportState.accepted)]
    figures = services.cumulative_figures(project) if counted else None
    targets = bar_chart(
        "targets", _("Cumulative figures against the targets"), _target_rows(project, figures),
        label_heading=_("Figure"), value_heading=_("So far"), target_heading=_("Target"),
        empty_text=_("No report has been submitted yet."))
    claimed, approved = queries.spending(project)
    cost = bar_chart(
        "spending", _("Eligible cost against the approved budget"),
        [Row(label=_("Claimed"), key="claimed", value=claimed,
             target=project.approved_cost_cents),
         Row(label=_("Approved"), key="approved", value=approved,
             target=project.approved_cost_cents)],
        label_heading=_("Eligible cost"), value_heading=_("Amount"),
        target_heading=_("Approved eligible cost"), money=True)
    lines = bar_chart(
        "staff-lines", _("Staff lines: claimed to date against the budget"),
        [Row(label=line.role or _("Staff line %(n)s", n=index), key=str(line.id),
             value=services.claimed_to_date(project, line.id), target=line.cost_cents)
         for index, line in enumerate(project.application.staff_lines, start=1)],
        label_heading=_("Staff line"), value_heading=_("Claimed to date"),
        target_heading=_("Budget"), money=True,
        empty_text=_("The approved budget has no staff lines."))
    money = services.money(project)
    money_chart = bar_chart(
        "money", _("Support granted, claimed, approved and paid"),
        [Row(label=_("Claimed"), key="claimed", value=money.claimed_cents,
             target=money.granted_cents),
         Row(label=_("Approved"), key="approved", value=money.approved_cents,
             target=money.granted_cents),
         Row(label=_("Paid"), key="paid", value=money.paid_cents, target=money.granted_cents)],
        label_heading=_("Support"), value_heading=_("Amount"),
        target_heading=_("Granted support"), money=True)
    return render_template(
        "projects/project_page.html", project=project, today=today, reports=reports,
        charts=[targets, cost, lines, money_chart], money=money, claimed=claimed,
        approved=approved, accepted=sum(r.state == ReportState.accepted for r in reports),
        submitted=sum(r.state == ReportState.submitted for r in reports),
        state_labels=queries.STATE_LABELS, report_state_labels=queries.REPORT_STATE_LABELS,
        lang=current_language(),
        can_view_application=can_view_application(current_user, project.application))


@bp.get("/projects/mine")
@login_required
def mine():
    from app.organisations.services import memberships_by_organisation

    organisation_ids = list(memberships_by_organisation(current_user))
    pagination = db.paginate(queries.my_projects(organisation_ids), page=page_arg(),
                             per_page=queries.PER_PAGE, error_out=False)
    return render_template(
        "projects/mine.html", pagination=pagination, organisation_ids=set(organisation_ids),
        next_reports=queries.next_reports([p.id for p in pagination.items]),
        today=clock.local_date(), state_labels=queries.STATE_LABELS,
        report_state_labels=queries.REPORT_STATE_LABELS, lang=current_language())
