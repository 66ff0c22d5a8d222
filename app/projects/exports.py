"""A call's indicator data as CSV and XLSX: one row per project and report (submitted and
accepted reports: the figures the ELY-centre has), with every figure of
app/projects/indicators.py and the report's claim money.

As in app/reviews/exports.py: headers in the user's language, text neutralised so that a
spreadsheet never runs it as a formula, numbers as numbers, and a project on which the viewer
is conflicted gives one row with its name and a note: no figures."""

from __future__ import annotations

from flask import Response
from flask_babel import gettext as _

from app.core import spreadsheets
from app.projects import indicators
from app.projects.dashboard import (
    REPORT_STATE_LABELS,
    STATE_LABELS,
    Dashboard,
    ProjectRow,
    export_reports,
)


def _section_of(key: str) -> str:
    for label, keys in indicators.SECTIONS.values():
        if key in keys:
            return str(label)
    return ""


def columns() -> list[str]:
    """The headers, in the user's language: a figure's header names its section, since some
    labels repeat ("Employed" at entry, on leaving and six months after)."""
    figures = [f"{_section_of(key)}: {label}" for key, label in indicators.FIELDS.items()]
    return [_("Project number"), _("Project"), _("Lead applicant"), _("Project state"),
            _("Report"), _("Final report"), _("Period start"), _("Period end"), _("Due"),
            _("Report state"), *figures,
            _("Support granted (€)"), _("Advance (€)"), _("Support claimed (€)"),
            _("Support approved (€)"), _("Advance deducted (€)"), _("Payable (€)"),
            _("Paid in total to the project (€)")]


def _rows(dashboard: Dashboard):
    """Each row's cells: text as str, numbers as int or Decimal, blanks as None."""
    width = len(columns())
    for row in dashboard.rows:
        project = row.project
        if row.hidden:
            yield [project.id, project.name, *[None] * (width - 3),
                   _("You are conflicted on this project: its figures are not shown.")]
            continue
        yield from _project_rows(row)


def _project_rows(row: ProjectRow):
    project, money = row.project, row.money
    yes, no = _("yes"), _("no")
    for report, claim in export_reports(row):
        figures = indicators.clean(report.figures)
        approved = claim is not None and claim.approved_at is not None
        yield [
            project.id, project.name, project.organisation.name, str(STATE_LABELS[row.state]),
            report.number, yes if report.is_final else no,
            spreadsheets.date_cell(report.period_start), spreadsheets.date_cell(report.period_end),
            spreadsheets.date_cell(report.due_on),
            str(REPORT_STATE_LABELS[report.state]),
            *(figures[key] for key in indicators.FIELDS),
            spreadsheets.euros(project.granted_cents), spreadsheets.euros(project.advance_cents),
            spreadsheets.euros(claim.claimed_support_cents) if claim is not None else None,
            spreadsheets.euros(claim.approved_support_cents) if approved else None,
            spreadsheets.euros(claim.advance_deducted_cents) if approved else None,
            spreadsheets.euros(claim.payable_cents) if approved else None,
            spreadsheets.euros(money.paid_cents),
        ]


def _filename(dashboard: Dashboard, extension: str) -> str:
    return f"call-{dashboard.call.id}-projects.{extension}"


def dashboard_csv(dashboard: Dashboard) -> Response:
    """UTF-8 with a BOM and semicolons, as Excel expects in Finland."""
    return spreadsheets.csv_response(columns(), _rows(dashboard), _filename(dashboard, "csv"))


def dashboard_xlsx(dashboard: Dashboard) -> Response:
    """One sheet; text cells are strings (never formulas), numbers are numbers."""
    return spreadsheets.xlsx_response(columns(), _rows(dashboard), _filename(dashboard, "xlsx"),
                                      _("Indicators"))
