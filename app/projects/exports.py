"""A call's indicator data as CSV and XLSX: one row per project and report (submitted and
accepted reports: the figures the ELY-centre has), with every figure of
app/projects/indicators.py and the report's claim money.

As in app/reviews/exports.py: headers in the user's language, text neutralised so that a
spreadsheet never runs it as a formula, numbers as numbers, and a project on which the viewer
is conflicted gives one row with its name and a note: no figures."""

from __future__ import annotations

import csv
import io
from decimal import Decimal

from flask import Response
from flask_babel import gettext as _

from app.applications.list_views import neutralise
from app.core.money import cents_to_decimal
from app.projects import indicators
from app.projects.dashboard import (
    REPORT_STATE_LABELS,
    STATE_LABELS,
    Dashboard,
    ProjectRow,
    export_reports,
)

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


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


def _euros(cents: int | None) -> Decimal | None:
    return None if cents is None else cents_to_decimal(cents)


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
            report.number, yes if report.is_final else no, report.period_start.isoformat(),
            report.period_end.isoformat(), report.due_on.isoformat(),
            str(REPORT_STATE_LABELS[report.state]),
            *(figures[key] for key in indicators.FIELDS),
            _euros(project.granted_cents), _euros(project.advance_cents),
            _euros(claim.claimed_support_cents) if claim is not None else None,
            _euros(claim.approved_support_cents) if approved else None,
            _euros(claim.advance_deducted_cents) if approved else None,
            _euros(claim.payable_cents) if approved else None,
            _euros(money.paid_cents),
        ]


def _filename(dashboard: Dashboard, extension: str) -> str:
    return f"call-{dashboard.call.id}-projects.{extension}"


def _headers(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def _csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")  # Finnish Excel reads "1234,56" as a number
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def dashboard_csv(dashboard: Dashboard) -> Response:
    """UTF-8 with a BOM and semicolons, as Excel expects in Finland."""
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in columns()])
    for cells in _rows(dashboard):
        writer.writerow([_csv_cell(value) for value in cells])
    return Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers=_headers(_filename(dashboard, "csv")))


def dashboard_xlsx(dashboard: Dashboard) -> Response:
    """One sheet; text cells are strings (never formulas), numbers are numbers."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Indicators")[:31]
    sheet.append([neutralise(h) for h in columns()])
    for cell in sheet[1]:
        cell.data_type = TYPE_STRING
    for cells in _rows(dashboard):
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in cells])
        for cell in sheet[sheet.max_row]:
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
            elif isinstance(cell.value, Decimal):
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = "C2"
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(), content_type=XLSX_TYPE,
                    headers=_headers(_filename(dashboard, "xlsx")))
