"""Group budgets, the hours limit, revenue and project months: exact integer arithmetic."""

from datetime import date

from hypothesis import given, settings
from hypothesis import strategies as st

from app.calls import budget
from app.calls.budget import LineValues, Part

months = st.integers(min_value=1, max_value=budget.MAX_MONTHS_CENTI)
ftes = st.integers(min_value=1, max_value=budget.MAX_FTE_CENTI)
salaries = st.integers(min_value=1, max_value=budget.MAX_MONTHLY_SALARY_CENTS)
lines = st.lists(st.builds(LineValues, kind=st.just("monthly"), months_centi=months,
                           fte_centi=ftes, monthly_salary_cents=salaries, role=st.just("x")),
                 min_size=1, max_size=6)
cents = st.integers(min_value=0, max_value=10**10)
percents = st.integers(min_value=1, max_value=100)
plans = st.fixed_dictionaries({name: cents for name in ("support", "own", "own_public")})


@st.composite
def parts(draw):
    count = draw(st.integers(min_value=1, max_value=5))
    result = []
    for index in range(count):
        totals = budget.compute(draw(lines), draw(plans), draw(percents),
                                participant_costs_cents=draw(cents), revenue_cents=draw(cents))
        result.append(Part(f"org {index}", totals, partner_id=None if index == 0 else index))
    return result


@given(parts())
@settings(max_examples=200)
def test_the_group_is_the_exact_sum_of_its_parts(items):
    group = budget.compute_group(items)
    for name in ("staff_cents", "flat_rate_cents", "participant_costs_cents", "revenue_cents",
                 "total_cents", "max_support_cents"):
        assert getattr(group, name) == sum(getattr(p.totals, name) for p in items), name
    assert group.plan_cents == sum(p.totals.plan_cents for p in items)
    assert group.support_cents == sum(p.totals.support_cents for p in items)
    # The flat rate is rounded once per part, never at the group level.
    assert group.flat_rate_cents == sum(budget.flat_rate(p.totals.staff_cents) for p in items)
    # The support check holds per part (each at its own organisation type's share, so a
    # part over its limit is refused even when the sum would fit) and for the sum.
    for part in items:
        refused = any(problem.code == "support_over" for problem in part.totals.problems)
        assert refused == (part.totals.support_cents * 100
                           > part.totals.total_cents * part.totals.max_support_percent)
    assert group.support_within_limit == all(p.totals.support_within_limit for p in items)
    if group.support_within_limit:
        assert group.support_cents <= group.max_support_cents
    assert group.balanced == all(p.totals.balanced for p in items)
    assert group.is_valid == all(p.totals.is_valid for p in items)


@given(lines, cents, cents)
def test_revenue_is_deducted_and_the_total_is_never_negative(items, participants, revenue):
    totals = budget.compute(items, {"support": 1}, 80, participant_costs_cents=participants,
                            revenue_cents=revenue)
    gross = totals.staff_cents + budget.flat_rate(totals.staff_cents) + participants
    assert totals.total_cents == max(gross - revenue, 0)
    assert ("revenue_over" in {p.code for p in totals.problems}) == (revenue > gross)


def test_worked_example_with_participants_and_revenue():
    line = LineValues(kind="monthly", months_centi=1200, fte_centi=10000,
                      monthly_salary_cents=300000, role="PP")
    totals = budget.compute([line], {"support": 0}, 80, participant_costs_cents=1_000_00,
                            revenue_cents=400_00)
    # 36 000 + 14 400 + 1 000 - 400 = 51 000 €
    assert (totals.staff_cents, totals.flat_rate_cents, totals.total_cents) == (
        36_000_00, 14_400_00, 51_000_00)


@given(st.integers(min_value=1, max_value=budget.MAX_HOURS_CENTI), ftes,
       st.integers(min_value=1, max_value=120))
def test_the_hours_limit_is_exact(hours, fte, project_months):
    within = budget.hours_within_limit(hours, fte, project_months)
    # hours <= 1720 x fte/10000 x months/12, in hundredths of an hour
    assert within == (hours * 10000 * 12 <= 1720 * 100 * fte * project_months)
    assert within == (hours <= budget.max_hours_centi(fte, project_months))


def test_the_hours_message_says_the_limit(app):
    line = LineValues(kind="hourly", hours_centi=2600_00, fte_centi=7500,
                      annual_salary_cents=40_000_00, role="Valmentaja")
    problem = budget.line_hours_problem(line, 24)
    with app.test_request_context():
        message = problem.message()
    assert "2" in message and "580" in message and "75" in message and "2 years" in message
    assert "Valmentaja" in message
    assert budget.line_hours_problem(
        LineValues(kind="hourly", hours_centi=2580_00, fte_centi=7500,
                   annual_salary_cents=40_000_00), 24) is None
    assert budget.line_hours_problem(
        LineValues(kind="hourly", hours_centi=100, annual_salary_cents=1), 12).code == "fte_missing"


def test_project_months_count_a_partial_month_as_a_whole():
    assert budget.project_months(date(2026, 1, 1), date(2026, 12, 31)) == 12
    assert budget.project_months(date(2026, 9, 1), date(2028, 8, 31)) == 24
    assert budget.project_months(date(2026, 1, 15), date(2026, 2, 14)) == 1
    assert budget.project_months(date(2026, 1, 15), date(2026, 2, 15)) == 2
    assert budget.project_months(date(2026, 1, 1), date(2027, 1, 1)) == 13
    assert budget.project_months(None, date(2027, 1, 1)) == budget.DEFAULT_PROJECT_MONTHS == 12


def test_lines_of_another_model_are_a_problem():
    line = LineValues(kind="hourly", hours_centi=100, fte_centi=10000,
                      annual_salary_cents=1_000_00, role="Tuntityö")
    totals = budget.compute([line], {"support": 1}, 80, model="monthly")
    assert "wrong_model" in {p.code for p in totals.problems}
    assert "wrong_model" not in {p.code for p in budget.compute([line], {}, 80,
                                                                 model="hourly").problems}
