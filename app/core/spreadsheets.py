"""Downloads as spreadsheets: CSV as Excel expects it in Finland (UTF-8 with a BOM,
semicolons, a decimal comma) and XLSX with one sheet. Text is neutralised so that a
spreadsheet never runs it as a formula; numbers (int, Decimal) stay numbers.

Rows are lists of cells: str, int, Decimal or None (blank). Headers and values are in the
user's language: headers are translated texts, codes are given as their labels, dates as the
interface writes them (`date_cell`, `datetime_cell`) and booleans as yes / no (`yes_no`)."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal

from flask import Response
from flask_babel import format_date, format_datetime
from flask_babel import gettext as _

from app.core.codelists import current_language
from app.core.db import ensure_aware
from app.core.money import cents_to_decimal

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
# Full-width forms that spreadsheets read as their ASCII twins.
_FORMULA_CHARACTERS = "=+-@\uff1d\uff0b\uff0d\uff20"
# What a spreadsheet may skip before reading a formula: whitespace, zero-width characters and
# bidi controls (invisible, so "\u200b=HYPERLINK(...)" looks like a formula and may run as one).
INVISIBLE = ("\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e"
             "\u2066\u2067\u2068\u2069")
# As the interface writes dates, without "klo" / "kl." so that a spreadsheet reads the cell as
# a date and time (Finnish Excel reads "3.12.2026 16.00").
DATE_PATTERNS = {"fi": "d.M.yyyy", "sv": "d.M.yyyy", "en": "d MMMM yyyy"}
DATETIME_PATTERNS = {"fi": "d.M.yyyy H.mm", "sv": "d.M.yyyy H.mm", "en": "d MMMM yyyy H.mm"}


def neutralise(value) -> str:
    """A cell that a spreadsheet will not run as a formula."""
    text = "" if value is None else str(value)
    if text.startswith(_FORMULA_START):
        return "'" + text
    for ch in text:
        if ch.isspace() or ch in INVISIBLE:
            continue
        return "'" + text if ch in _FORMULA_CHARACTERS else text
    return text


def date_cell(value: date | None) -> str | None:
    """A date as the user's language writes it (3.12.2026; 3 December 2026)."""
    if value is None:
        return None
    return format_date(value, DATE_PATTERNS[current_language()])


def datetime_cell(value: datetime | None) -> str | None:
    """A UTC time in Finnish time as the user's language writes it (3.12.2026 16.00)."""
    if value is None:
        return None
    return format_datetime(ensure_aware(value), DATETIME_PATTERNS[current_language()])


def yes_no(value: bool | None) -> str | None:
    """A boolean as the user's language says it; blank when unknown."""
    if value is None:
        return None
    return _("yes") if value else _("no")


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
