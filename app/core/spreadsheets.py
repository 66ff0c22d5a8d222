"""Downloads as spreadsheets: CSV as Excel expects it in Finland (UTF-8 with a BOM,
semicolons, a decimal comma) and XLSX with one sheet. Text is neutralised so that a
spreadsheet never runs it as a formula; numbers (int, Decimal) stay numbers.

Rows are lists of cells: str, int, Decimal or None (blank)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from decimal import Decimal

from flask import Response

from app.applications.list_views import neutralise
from app.core.money import cents_to_decimal

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def euros(cents: int | None) -> Decimal | None:
    """Cents as a Decimal number of euros for a cell (None stays blank)."""
    return None if cents is None else cents_to_decimal(cents)


def download_headers(filename: str) -> dict:
    return {"Content-Disposition": f'attachment; filename="{filename}"',
            "Cache-Control": "private, no-store", "X-Content-Type-Options": "nosniff"}


def csv_cell(value) -> str:
    if value is None:
        return ""
    if isinstance(value, Decimal):
        return str(value).replace(".", ",")  # Finnish Excel reads "1234,56" as a number
    if isinstance(value, int):
        return str(value)
    return neutralise(value)


def csv_response(headers: list[str], rows: Iterable[list], filename: str) -> Response:
    out = io.StringIO()
    out.write("\ufeff")
    writer = csv.writer(out, delimiter=";", lineterminator="\r\n")
    writer.writerow([neutralise(h) for h in headers])
    for cells in rows:
        writer.writerow([csv_cell(value) for value in cells])
    return Response(out.getvalue().encode("utf-8"), content_type="text/csv; charset=utf-8",
                    headers=download_headers(filename))


def xlsx_response(headers: list[str], rows: Iterable[list], filename: str, sheet_title: str,
                  money_columns: frozenset[int] = frozenset(), freeze: str = "C2") -> Response:
    """One sheet; text cells are strings (never formulas), numbers are numbers; Decimal cells
    and the 1-based `money_columns` get a money format."""
    from openpyxl import Workbook
    from openpyxl.cell.cell import TYPE_STRING

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = sheet_title[:31]
    sheet.append([neutralise(h) for h in headers])
    for cell in sheet[1]:
        cell.data_type = TYPE_STRING
    for cells in rows:
        sheet.append([neutralise(v) if isinstance(v, str) else v for v in cells])
        for index, cell in enumerate(sheet[sheet.max_row], start=1):
            if isinstance(cell.value, str):
                cell.data_type = TYPE_STRING
            elif isinstance(cell.value, Decimal) or (index in money_columns
                                                     and cell.value is not None):
                cell.number_format = "#,##0.00"
    sheet.freeze_panes = freeze
    out = io.BytesIO()
    workbook.save(out)
    return Response(out.getvalue(), content_type=XLSX_TYPE, headers=download_headers(filename))
