"""The fee arithmetic of outcome-based calls (app.calls.fees.stage_amounts and fee_budget)
against an independent oracle: exact Fractions, rounded once with Decimal ROUND_HALF_UP.

The rules: what has been paid after stage k is round_half_up(fee x cumulative percent / 100)
and a stage is that minus what was paid before it; the last takes what is left, so a fee's
stages always sum to the fee exactly and none is negative (even for a fee of a few cents); a
planned row costs count x fee and its stages count x stage amount; the fee budget is the sum
of the rows."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction
from types import SimpleNamespace

from hypothesis import given, settings
from hypothesis import strategies as st

from app.calls.fees import fee_budget, stage_amounts

SETTINGS = settings(max_examples=400, deadline=None)

fees = st.integers(min_value=1, max_value=10_000_000_00)
counts = st.integers(min_value=0, max_value=10_000)


def oracle_round(amount: Fraction) -> int:
    with localcontext() as context:
        context.prec = 80
        value = Decimal(amount.numerator) / Decimal(amount.denominator)
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


@st.composite
def stage_lists(draw):
    """0 stages, or 1-4 whole percents from 1 up that sum to exactly 100."""
    n = draw(st.integers(min_value=0, max_value=4))
    if n == 0:
        return []
    if n == 1:
        return [{"label": "Koko palkkio", "percent": 100}]
    cuts = sorted(draw(st.lists(st.integers(min_value=1, max_value=99), min_size=n - 1,
                                max_size=n - 1, unique=True)))
    bounds = [0, *cuts, 100]
    return [{"label": f"Vaihe {i + 1}", "percent": bounds[i + 1] - bounds[i]}
            for i in range(n)]


@SETTINGS
@given(fee=fees, stages=stage_lists())
def test_the_stages_of_a_fee_sum_to_the_fee_exactly(fee, stages):
    amounts = stage_amounts(fee, stages)
    assert sum(amounts) == fee
    assert len(amounts) == max(1, len(stages))
    assert all(amount >= 0 for amount in amounts)


@SETTINGS
@given(fee=fees, stages=stage_lists())
def test_each_stage_is_its_rounded_cumulative_share_minus_the_one_before(fee, stages):
    amounts = stage_amounts(fee, stages)
    if not stages:
        assert amounts == [fee]
        return
    paid, percent = 0, 0
    for stage, amount in zip(stages, amounts, strict=True):
        percent += stage["percent"]
        after = oracle_round(Fraction(fee * percent, 100))
        assert amount == after - paid
        paid = after
    # The first stage is its own share rounded; each is within a cent of its exact share.
    assert amounts[0] == oracle_round(Fraction(fee * stages[0]["percent"], 100))
    for stage, amount in zip(stages, amounts, strict=True):
        assert abs(amount - Fraction(fee * stage["percent"], 100)) <= 1


@SETTINGS
@given(rows=st.lists(st.tuples(fees, stage_lists(), counts), min_size=0, max_size=6))
def test_the_fee_budget_is_the_sum_of_count_times_fee(rows):
    table = [SimpleNamespace(id=index + 1, fee_cents=fee, stages=stages)
             for index, (fee, stages, _count) in enumerate(rows)]
    planned = {index + 1: count for index, (_fee, _stages, count) in enumerate(rows)}
    budget = fee_budget(table, planned)
    assert budget.total_cents == sum(fee * count for fee, _stages, count in rows)
    assert budget.outcomes == sum(count for _fee, _stages, count in rows)
    for row, (fee, stages, count) in zip(budget.rows, rows, strict=True):
        assert row.total_cents == fee * count
        assert sum(row.stage_totals) == row.total_cents
        assert row.stage_totals == tuple(count * a for a in stage_amounts(fee, stages))


@SETTINGS
@given(fee=fees, stages=stage_lists(), count=counts)
def test_rows_left_out_of_the_plan_count_zero(fee, stages, count):
    table = [SimpleNamespace(id=1, fee_cents=fee, stages=stages),
             SimpleNamespace(id=2, fee_cents=fee + 1, stages=[])]
    budget = fee_budget(table, {2: count})
    assert [row.count for row in budget.rows] == [0, count]
    assert budget.total_cents == (fee + 1) * count


def test_a_worked_example_the_last_stage_takes_the_cent():
    # 30 % of 1 000,01 € is 300,003 € -> 300,00 €; the last stage takes the rest, 700,01 €.
    assert stage_amounts(1_000_01, [{"percent": 30}, {"percent": 70}]) == [300_00, 700_01]
    # Three thirds of 100 €: 33,33 + 33,33 + 33,34.
    assert stage_amounts(100_00, [{"percent": 33}, {"percent": 33}, {"percent": 34}]) == [
        33_00, 33_00, 34_00]
    assert stage_amounts(1_00, [{"percent": 33}, {"percent": 33}, {"percent": 34}]) == [
        33, 33, 34]
    assert stage_amounts(5, [{"percent": 50}, {"percent": 50}]) == [3, 2]
    # A fee of 4 cents in stages of 13, 13, 63 and 11 %: never a negative stage.
    assert stage_amounts(4, [{"percent": 13}, {"percent": 13}, {"percent": 63},
                             {"percent": 11}]) == [1, 0, 3, 0]
    assert stage_amounts(3_000_00, []) == [3_000_00]
