"""The reporting schedule (app.projects.schedule): periods of the call's interval from the start
of the eligibility period to its end, contiguous and clamped at month ends, the last one the
final report, each due REPORT_DUE_DAYS after it ends, and never more than MAX_PERIODS."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.projects import schedule
from app.projects.schedule import MAX_PERIODS, REPORT_DUE_DAYS, add_months, periods


def spans(result) -> list[tuple[date, date]]:
    return [(p.start, p.end) for p in result]


def test_the_fixture_projects_schedule_every_six_months():
    result = periods(date(2026, 9, 1), date(2028, 8, 31), 6)
    assert spans(result) == [
        (date(2026, 9, 1), date(2027, 2, 28)),
        (date(2027, 3, 1), date(2027, 8, 31)),
        (date(2027, 9, 1), date(2028, 2, 29)),  # a leap year
        (date(2028, 3, 1), date(2028, 8, 31)),
    ]
    assert [p.number for p in result] == [1, 2, 3, 4]
    assert [p.is_final for p in result] == [False, False, False, True]
    assert [p.due for p in result] == [p.end + timedelta(days=60) for p in result]
    assert result[0].due == date(2027, 4, 29)


@pytest.mark.parametrize(("interval", "count", "first_end"), [
    (1, 24, date(2026, 9, 30)),
    (3, 8, date(2026, 11, 30)),
    (4, 6, date(2026, 12, 31)),
    (12, 2, date(2027, 8, 31)),
    (24, 1, date(2028, 8, 31)),
    (36, 1, date(2028, 8, 31)),  # longer than the project: one final report
])
def test_several_intervals(interval, count, first_end):
    result = periods(date(2026, 9, 1), date(2028, 8, 31), interval)
    assert len(result) == count
    assert result[0].end == first_end
    assert result[-1].end == date(2028, 8, 31) and result[-1].is_final
    assert sum(p.is_final for p in result) == 1


def test_month_ends_are_clamped():
    assert add_months(date(2027, 1, 31), 1) == date(2027, 2, 28)
    assert add_months(date(2028, 1, 31), 1) == date(2028, 2, 29)
    assert add_months(date(2027, 3, 31), 1) == date(2027, 4, 30)
    assert add_months(date(2027, 8, 31), 6) == date(2028, 2, 29)
    assert add_months(date(2027, 11, 15), 3) == date(2028, 2, 15)
    assert add_months(date(2027, 5, 10), -6) == date(2026, 11, 10)


def test_monthly_periods_from_the_31st_do_not_drift():
    # Each end is counted from the start date, not from the previous (clamped) end.
    result = periods(date(2027, 1, 31), date(2027, 7, 10), 1)
    assert spans(result) == [
        (date(2027, 1, 31), date(2027, 2, 27)),
        (date(2027, 2, 28), date(2027, 3, 30)),
        (date(2027, 3, 31), date(2027, 4, 29)),
        (date(2027, 4, 30), date(2027, 5, 30)),
        (date(2027, 5, 31), date(2027, 6, 29)),
        (date(2027, 6, 30), date(2027, 7, 10)),
    ]


def test_a_project_shorter_than_the_interval_has_one_final_report():
    result = periods(date(2026, 9, 1), date(2026, 11, 15), 6)
    assert len(result) == 1
    only = result[0]
    assert (only.start, only.end, only.number, only.is_final) == (
        date(2026, 9, 1), date(2026, 11, 15), 1, True)
    assert only.due == date(2026, 11, 15) + timedelta(days=REPORT_DUE_DAYS)


def test_the_last_period_is_cut_at_the_end():
    result = periods(date(2026, 9, 1), date(2027, 10, 15), 6)
    assert spans(result)[-1] == (date(2027, 9, 1), date(2027, 10, 15))
    assert len(result) == 3


def test_odd_input():
    one_day = periods(date(2026, 9, 1), date(2026, 9, 1), 6)
    assert spans(one_day) == [(date(2026, 9, 1), date(2026, 9, 1))]
    backwards = periods(date(2026, 9, 1), date(2026, 1, 1), 6)  # ends before it starts
    assert spans(backwards) == [(date(2026, 9, 1), date(2026, 9, 1))]
    # No interval (or nonsense) means the default of six months.
    assert len(periods(date(2026, 9, 1), date(2028, 8, 31), 0)) == 4
    assert len(periods(date(2026, 9, 1), date(2028, 8, 31), None)) == 4
    assert len(periods(date(2026, 9, 1), date(2028, 8, 31), -3)) == 24


def test_at_most_max_periods_and_the_last_reaches_the_end():
    result = periods(date(2020, 1, 1), date(2029, 12, 31), 1)  # 120 months
    assert len(result) == MAX_PERIODS == 40
    assert result[-1].end == date(2029, 12, 31) and result[-1].is_final
    assert result[-2].end == date(2023, 3, 31)
    assert result[-1].start == date(2023, 4, 1)


@settings(max_examples=200, deadline=None)
@given(start=st.dates(min_value=date(2020, 1, 1), max_value=date(2035, 12, 31)),
       days=st.integers(0, 6 * 366), interval=st.integers(1, 36))
def test_periods_cover_the_project_without_gaps(start, days, interval):
    end = start + timedelta(days=days)
    result = periods(start, end, interval)
    assert 1 <= len(result) <= MAX_PERIODS
    assert result[0].start == start and result[-1].end == end
    for before, after in zip(result, result[1:], strict=False):
        assert after.start == before.end + timedelta(days=1)
    for index, period in enumerate(result):
        assert period.number == index + 1
        assert period.start <= period.end
        assert period.due == period.end + timedelta(days=schedule.REPORT_DUE_DAYS)
        assert period.is_final == (index == len(result) - 1)
        if index < len(result) - 1 and len(result) < MAX_PERIODS:
            # A full period ends the day before `interval` months after the previous ends.
            assert period.end == add_months(start, interval * (index + 1)) - timedelta(days=1)
