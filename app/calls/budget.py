"""An application's budget: staff costs, the 40 % flat rate and the funding plan.

Pure functions over integers: no floats anywhere, no database, no request.

How money is computed and rounded (each amount is rounded ONCE, to the cent, half up, i.e.
0.5 cent goes up; all arithmetic before that rounding is exact integer arithmetic):

* Amounts are integer cents. Months, FTE share (percent) and hours are integers scaled by 100
  (6.5 months = 650, 37.5 % = 3750, 12.25 h = 1225).
* Monthly staff line: cost = round_half_up(months x FTE share x monthly salary), computed as
  months_centi x fte_centi x monthly_salary_cents / 1 000 000.
* Hourly staff line: the hourly unit cost is annual salary / 1 720 h, kept unrounded (as an
  exact fraction); cost = round_half_up(hours x annual salary / 1 720), computed as
  hours_centi x annual_salary_cents / 172 000. The hourly rate shown to people is rounded to
  the cent for display only; it never enters the sum.
* Staff costs = the sum of the (already rounded) line costs.
* Flat rate = round_half_up(staff costs x 40 / 100): all other costs, as ESF+ simplified
  cost option.
* Total eligible cost = staff costs + flat rate (no further rounding).
* The funding plan (support applied for, municipal, other public, private, own) must equal the
  total cost exactly, and support x 100 <= total x maximum share (compared exactly in
  integers); the largest allowed support is floor(total x maximum / 100) cents.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal, localcontext

from app.core.money import half_up_div

HOURS_PER_YEAR = 1720
FLAT_RATE_PERCENT = 40
MAX_LINES = 60
# Bounds on what a line may say (cents / scaled by 100).
MAX_MONTHS_CENTI = 120 * 100
MAX_FTE_CENTI = 100 * 100
MAX_MONTHLY_SALARY_CENTS = 100_000 * 100
MAX_ANNUAL_SALARY_CENTS = 1_200_000 * 100
MAX_HOURS_CENTI = 20_000 * 100


@dataclass(frozen=True)
class LineValues:
    """A staff line's figures, as stored or as typed but not yet saved."""

    kind: str = "monthly"
    months_centi: int | None = None
    fte_centi: int | None = None
    monthly_salary_cents: int | None = None
    hours_centi: int | None = None
    annual_salary_cents: int | None = None
    role: str = ""


def monthly_cost(months_centi: int, fte_centi: int, monthly_salary_cents: int) -> int:
    """round_half_up(months x FTE% / 100 x monthly salary), in cents."""
    return half_up_div(int(months_centi) * int(fte_centi) * int(monthly_salary_cents), 1_000_000)


def hourly_cost(hours_centi: int, annual_salary_cents: int) -> int:
    """round_half_up(hours x annual salary / 1 720), in cents."""
    return half_up_div(int(hours_centi) * int(annual_salary_cents), 100 * HOURS_PER_YEAR)


def hourly_rate(annual_salary_cents: int) -> Decimal:
    """The hourly unit cost in euros, annual salary / 1 720, rounded to the cent for display."""
    with localcontext() as ctx:
        ctx.prec = 40
        rate = Decimal(int(annual_salary_cents)) / Decimal(HOURS_PER_YEAR * 100)
        return rate.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def line_cost(line) -> int:
    """The cost of one staff line (a StaffLine or LineValues); 0 while it is incomplete."""
    kind = str(getattr(line, "kind", "monthly"))
    if kind == "hourly":
        if line.hours_centi is None or line.annual_salary_cents is None:
            return 0
        return hourly_cost(line.hours_centi, line.annual_salary_cents)
    if line.months_centi is None or line.fte_centi is None or line.monthly_salary_cents is None:
        return 0
    return monthly_cost(line.months_centi, line.fte_centi, line.monthly_salary_cents)


def line_is_complete(line) -> bool:
    if str(getattr(line, "kind", "monthly")) == "hourly":
        return bool(line.hours_centi) and bool(line.annual_salary_cents)
    return bool(line.months_centi) and bool(line.fte_centi) and bool(line.monthly_salary_cents)


def flat_rate(staff_cents: int) -> int:
    """40 % of staff costs, round_half_up to the cent."""
    return half_up_div(int(staff_cents) * FLAT_RATE_PERCENT, 100)


def max_support(total_cents: int, max_percent: int) -> int:
    """The largest support (cents) within the call's maximum share: floor(total x max / 100)."""
    return int(total_cents) * int(max_percent) // 100


@dataclass(frozen=True)
class BudgetProblem:
    """A reason the budget cannot be submitted; `message()` explains it in words."""

    code: str
    amount_cents: int = 0
    limit_cents: int = 0
    percent: int = 0

    def message(self) -> str:
        from flask_babel import gettext as _

        from app.core.money import format_money

        amount, limit = format_money(self.amount_cents), format_money(self.limit_cents)
        if self.code == "no_staff":
            return _("Add at least one complete staff cost line.")
        if self.code == "plan_short":
            return _("The funding plan is %(amount)s short of the total cost.", amount=amount)
        if self.code == "plan_over":
            return _("The funding plan exceeds the total cost by %(amount)s.", amount=amount)
        if self.code == "no_support":
            return _("Enter the support applied for in the funding plan.")
        if self.code == "support_over":
            return _("The support applied for is %(amount)s more than the call allows: at most "
                     "%(limit)s (%(percent)s %% of the total cost).",
                     amount=amount, limit=limit, percent=self.percent)
        return _("The budget is not complete.")

    def __str__(self) -> str:
        return self.message()


@dataclass(frozen=True)
class BudgetTotals:
    staff_cents: int
    flat_rate_cents: int
    total_cents: int
    plan: dict[str, int]
    max_support_percent: int
    line_costs: tuple[int, ...] = ()
    problems: tuple[BudgetProblem, ...] = field(default=())

    @property
    def plan_cents(self) -> int:
        return sum(self.plan.values())

    @property
    def support_cents(self) -> int:
        return self.plan.get("support", 0)

    @property
    def difference_cents(self) -> int:
        """plan - total: negative when the plan is short, positive when it is over."""
        return self.plan_cents - self.total_cents

    @property
    def balanced(self) -> bool:
        return self.difference_cents == 0

    @property
    def max_support_cents(self) -> int:
        return max_support(self.total_cents, self.max_support_percent)

    @property
    def support_within_limit(self) -> bool:
        return self.support_cents * 100 <= self.total_cents * self.max_support_percent

    @property
    def support_share(self) -> Decimal | None:
        """Support as a percentage of the total cost, to two decimals (display only)."""
        if self.total_cents <= 0:
            return None
        with localcontext() as ctx:
            ctx.prec = 40
            share = Decimal(self.support_cents * 100) / Decimal(self.total_cents)
            return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)

    @property
    def is_valid(self) -> bool:
        return not self.problems


def compute(lines: Iterable, plan: dict[str, int], max_support_percent: int) -> BudgetTotals:
    """Every total of a budget, and what is wrong with it."""
    lines = list(lines)
    costs = tuple(line_cost(line) for line in lines)
    complete = [line for line in lines if line_is_complete(line)]
    staff = sum(costs)
    flat = flat_rate(staff)
    total = staff + flat
    clean_plan = {name: int(value or 0) for name, value in plan.items()}
    problems: list[BudgetProblem] = []
    if not complete:
        problems.append(BudgetProblem("no_staff"))
    plan_total = sum(clean_plan.values())
    if plan_total < total:
        problems.append(BudgetProblem("plan_short", amount_cents=total - plan_total))
    elif plan_total > total:
        problems.append(BudgetProblem("plan_over", amount_cents=plan_total - total))
    support = clean_plan.get("support", 0)
    if support <= 0 and total > 0:
        problems.append(BudgetProblem("no_support"))
    elif support * 100 > total * int(max_support_percent):
        limit = max_support(total, max_support_percent)
        problems.append(BudgetProblem("support_over", amount_cents=support - limit,
                                      limit_cents=limit, percent=int(max_support_percent)))
    return BudgetTotals(staff_cents=staff, flat_rate_cents=flat, total_cents=total,
                        plan=clean_plan, max_support_percent=int(max_support_percent),
                        line_costs=costs, problems=tuple(problems))
