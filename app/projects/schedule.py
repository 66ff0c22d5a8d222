"""A project's reporting schedule: periods of the call's interval (e.g. six months) from the
start of the eligibility period to its end; the last period's report is the final report.
A report is due REPORT_DUE_DAYS after its period ends."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

REPORT_DUE_DAYS = 60
MAX_PERIODS = 40


@dataclass(frozen=True)
class Period:
    number: int
    start: date
    end: date  # inclusive
    due: date
    is_final: bool


def add_months(day: date, months: int) -> date:
    """`day` plus `months` calendar months, clamped to the month's last day (31.1. + 1 = 28.2.)."""
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def periods(starts_on: date, ends_on: date, interval_months: int) -> list[Period]:
    """The reporting periods from `starts_on` to `ends_on` (both inclusive)."""
    interval = max(int(interval_months or 6), 1)
    if ends_on < starts_on:
        ends_on = starts_on
    spans = []
    start = starts_on
    while start <= ends_on and len(spans) < MAX_PERIODS:
        end = min(add_months(starts_on, interval * (len(spans) + 1)) - timedelta(days=1), ends_on)
        if len(spans) == MAX_PERIODS - 1:
            end = ends_on
        spans.append((start, end))
        start = end + timedelta(days=1)
    return [Period(number=index + 1, start=start, end=end,
                   due=end + timedelta(days=REPORT_DUE_DAYS), is_final=index == len(spans) - 1)
            for index, (start, end) in enumerate(spans)]
