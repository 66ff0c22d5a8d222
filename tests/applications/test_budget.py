"""Budget arithmetic: exact integers, rounded once, half up; property tests over wide ranges."""

from decimal import Decimal

from flask_babel import force_locale
from hypothesis import given, settings
from hypothesis import strategies as st

from app.calls import budget
from app.calls.budget import LineValues
from app.core.money import half_up_div

months = st.integers(min_value=1, max_value=budget.MAX_MONTHS_CENTI)
ftes = st.integers(min_value=1, max_value=budget.MAX_FTE_CENTI)
monthly = st.integers(min_value=1, max_value=budget.MAX_MONTHLY_SALARY_CENTS)
hours = st.integers(min_value=1, max_value=budget.MAX_HOURS_CENTI)
annual = st.integers(min_value=1, max_value=budget.MAX_ANNUAL_SALARY_CENTS)
monthly_lines = st.builds(LineValues, kind=st.just("monthly"), months_centi=months,
                          fte_centi=ftes, monthly_salary_cents=monthly)
hourly_lines = st.builds(LineValues, kind=st.just("hourly"), hours_centi=hours,
                         annual_salary_cents=annual)
lines = st.lists(st.one_of(monthly_lines, hourly_lines), min_size=1, max_size=12)
percents = st.integers(min_value=1, max_value=100)


def test_worked_examples():
    # 12 months x 50 % x 3 000,00 € = 18 000,00 €
    assert budget.monthly_cost(1200, 5000, 300000) == 1_800_000
    # 6,5 months x 37,5 % x 3 333,33 € = 8 124,99375 € -> 8 124,99 €
    assert budget.monthly_cost(650, 3750, 333333) == 812499
    # 100 h x 43 000 € / 1 720 = 2 500,00 €
    assert budget.hourly_cost(10000, 4300000) == 250000
    # 10 h x 40 000 € / 1 720 = 232,558... € -> 232,56 €
    assert budget.hourly_cost(1000, 4000000) == 23256
    assert budget.hourly_rate(4000000) == Decimal("23.26")
    # flat rate of 0,05 € is 0,02 € (0,02 exactly); of 0,01 € it is 0,004 -> 0,00 €
    assert budget.flat_rate(5) == 2
    assert budget.flat_rate(1) == 0
    # half a cent rounds up: 40 % of 0,04 € = 0,016 -> 0,02 €; of 1,25 € = 0,50 €
    assert budget.flat_rate(4) == 2
    assert budget.flat_rate(125) == 50


def test_a_half_cent_rounds_up():
    # 1 month x 1 % x 0,50 € = 0,005 € = 0,5 cent -> 1 cent
    assert budget.monthly_cost(100, 100, 50) == 1
    # 40 % of 0,0125 ... staff cost 3 cents: 1,2 -> 1; 4 cents: 1,6 -> 2; 5: 2,0 -> 2
    assert [budget.flat_rate(c) for c in (3, 4, 5, 6)] == [1, 2, 2, 2]
    assert budget.flat_rate(1125) == 450
    assert budget.flat_rate(1126) == 450  # 450,4
    assert budget.flat_rate(1127) == 451  # 450,8


@given(lines)
@settings(max_examples=300)
def test_totals_are_integers_and_the_flat_rate_is_exactly_40_percent(items):
    totals = budget.compute(items, {"support": 0}, 80)
    for value in (totals.staff_cents, totals.flat_rate_cents, totals.total_cents,
                  *totals.line_costs):
        assert type(value) is int
    assert totals.staff_cents == sum(totals.line_costs)
    # The documented rounding: round_half_up(staff x 40 / 100), done once.
    exact = Decimal(totals.staff_cents) * Decimal(40) / Decimal(100)
    assert abs(Decimal(totals.flat_rate_cents) - exact) <= Decimal("0.5")
    assert totals.flat_rate_cents == half_up_div(totals.staff_cents * 40, 100)
    assert totals.total_cents == totals.staff_cents + totals.flat_rate_cents


@given(months, ftes, monthly)
def test_monthly_line_is_rounded_once(m, f, s):
    exact = Decimal(m) * Decimal(f) * Decimal(s) / Decimal(1_000_000)
    cost = budget.monthly_cost(m, f, s)
    assert type(cost) is int
    assert Decimal(cost) - Decimal("0.5") <= exact < Decimal(cost) + Decimal("0.5")


@given(hours, annual)
def test_hourly_line_is_rounded_once(h, a):
    exact = Decimal(h) * Decimal(a) / Decimal(172_000)
    cost = budget.hourly_cost(h, a)
    assert type(cost) is int
    assert Decimal(cost) - Decimal("0.5") <= exact < Decimal(cost) + Decimal("0.5")


@given(lines, percents, st.integers(min_value=0, max_value=100))
@settings(max_examples=300)
def test_a_plan_built_at_the_maximum_balances_and_stays_within_the_share(items, maximum, own):
    first = budget.compute(items, {}, maximum)
    support = first.max_support_cents
    plan = {"support": support, "municipal": 0, "other_public": 0, "private": 0,
            "own": first.total_cents - support}
    totals = budget.compute(items, plan, maximum)
    assert totals.balanced and totals.difference_cents == 0
    assert totals.support_within_limit
    assert totals.support_cents * 100 <= totals.total_cents * maximum
    assert totals.support_share is None or totals.support_share <= maximum
    # One cent more support is over the limit, whenever the total is not a round multiple.
    over = dict(plan, support=support + 1, own=plan["own"] - 1)
    result = budget.compute(items, over, maximum)
    assert not result.support_within_limit or maximum == 100
    codes = {p.code for p in result.problems}
    if maximum < 100:
        assert "support_over" in codes


@given(lines, st.integers(min_value=1, max_value=10**9))
def test_plan_short_and_over_are_explained_with_the_exact_difference(items, delta):
    base = budget.compute(items, {}, 80)
    support = base.max_support_cents
    short = budget.compute(items, {"support": support, "own": base.total_cents - support - delta}
                           if base.total_cents - support - delta >= 0 else
                           {"support": max(0, base.total_cents - delta)}, 80)
    if short.plan_cents < short.total_cents:
        problem = next(p for p in short.problems if p.code == "plan_short")
        assert problem.amount_cents == short.total_cents - short.plan_cents
    over = budget.compute(items, {"support": support, "own": base.total_cents - support + delta},
                          80)
    problem = next(p for p in over.problems if p.code == "plan_over")
    assert problem.amount_cents == delta


def test_problems_are_explained_in_words(app):
    items = [LineValues(kind="monthly", months_centi=1200, fte_centi=10000,
                        monthly_salary_cents=100000)]
    # staff 12 000 €, flat 4 800 €, total 16 800 €; max 80 % = 13 440 €
    totals = budget.compute(items, {"support": 1344000, "own": 216000}, 80)
    assert totals.total_cents == 1680000
    with app.test_request_context(), force_locale("en"):
        messages = [p.message() for p in totals.problems]
    assert messages == ["The funding plan is 1,200.00\u00a0€ short of the total cost."]
    with app.test_request_context(), force_locale("fi"):
        assert "1\u00a0200,00\u00a0€" in totals.problems[0].message()
    over = budget.compute(items, {"support": 1344001, "own": 335999}, 80)
    assert [p.code for p in over.problems] == ["support_over"]
    assert over.problems[0].amount_cents == 1 and over.problems[0].limit_cents == 1344000


def test_empty_budget_and_incomplete_lines():
    totals = budget.compute([], {}, 80)
    assert (totals.staff_cents, totals.flat_rate_cents, totals.total_cents) == (0, 0, 0)
    assert [p.code for p in totals.problems] == ["no_staff"]
    assert totals.support_share is None
    assert budget.line_cost(LineValues(kind="monthly", months_centi=100)) == 0
    assert not budget.line_is_complete(LineValues(kind="hourly", hours_centi=100))


def test_no_float_anywhere_in_the_budget_module():
    import inspect

    source = inspect.getsource(budget)
    assert "float(" not in source
    line = LineValues(kind="hourly", hours_centi=333, annual_salary_cents=3333333)
    totals = budget.compute([line], {"support": 1}, 80)
    assert isinstance(totals.support_share, Decimal)
    for value in vars(totals).values():
        assert not isinstance(value, float)
