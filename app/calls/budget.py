"""An application's budget: staff costs, the 40 % flat rate, the lines outside it, the funding
plan, and the sum of a group project's parts.

Pure functions over integers: no floats anywhere, no database, no request.

How money is computed and rounded (each amount is rounded ONCE, to the cent, half up, i.e.
0.5 cent goes up; all arithmetic before that rounding is exact integer arithmetic):

* Amounts are integer cents. Months, FTE share (percent) and hours are integers scaled by 100
  (6.5 months = 650, 37.5 % = 3750, 12.25 h = 1225).
* One staff-cost model per application: every line is monthly or every line is hourly.
* Monthly staff line: cost = round_half_up(months x FTE share x monthly salary), computed as
  months_centi x fte_centi x monthly_salary_cents / 1 000 000.
* Hourly staff line: the hourly unit cost is annual salary / 1 720 h, kept unrounded (as an
  exact fraction); cost = round_half_up(hours x annual salary / 1 720), computed as
  hours_centi x annual_salary_cents / 172 000. The hourly rate shown to people is rounded to
  the cent for display only; it never enters the sum. An hourly line also carries the
  person's FTE share: its hours are at most 1 720 x FTE x project years, compared exactly as
  hours_centi x 1 200 <= 1 720 x fte_centi x project months (the limit shown is floored to
  the hundredth of an hour).
* Project months (`project_months`): the months of the period from the start date to the end
  date (both inclusive), a partial month counted as a whole one: (end year - start year) x 12
  + (end month - start month), plus one when the end day is on or after the start day. Without
  both dates it is 12 (one year) until the dates exist; the check is made again at submission.
* Staff costs = the sum of the (already rounded) line costs.
* Flat rate = round_half_up(staff costs x 40 / 100): all costs other than staff costs, as the
  ESF+ simplified cost option (prosenttimääräinen korvaus).
* Participants' wages and allowances are their own line outside the flat rate (not rounded:
  typed in cents); revenue is deducted.
* Total eligible cost = staff costs + flat rate + participant costs - revenue (no further
  rounding), never below 0: revenue larger than the costs is a problem.
* The funding plan (support applied for, municipal, other public, own public, private, own
  private) must equal the total cost exactly, and support x 100 <= total x maximum share
  (compared exactly in integers); the largest allowed support is floor(total x maximum / 100).
* Group projects: the lead's part and every accepted co-implementer's part are each computed
  as above (the flat rate rounded once per part, the maximum share of the part organisation's
  type, each part's plan equal to its own total); the group's figures are the exact sums of
  the parts' figures (no rounding at the group level), and the group's support must not pass
  the sum of the parts' largest allowed supports.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
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
# Project months when the application has no dates yet (one year).
DEFAULT_PROJECT_MONTHS = 12


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


def project_months(start: date | None, end: date | None) -> int:
    """The project's months, a partial month counted as a whole one; 12 without dates."""
    if start is None or end is None or end < start:
        return DEFAULT_PROJECT_MONTHS
    months = (end.year - start.year) * 12 + (end.month - start.month)
    if end.day >= start.day:
        months += 1
    return max(months, 1)


def max_hours_centi(fte_centi: int, months: int) -> int:
    """The most hours (x 100) a person of this FTE share works in `months`:
    floor(1 720 x FTE x months / 12)."""
    return HOURS_PER_YEAR * int(fte_centi) * int(months) // 1200


def hours_within_limit(hours_centi: int, fte_centi: int, months: int) -> bool:
    """hours <= 1 720 x FTE x months / 12, exactly."""
    return int(hours_centi) * 1200 <= HOURS_PER_YEAR * int(fte_centi) * int(months)


def line_hours_problem(line, months: int, index: int = 0) -> BudgetProblem | None:
    """Why an hourly line's hours are not allowed (no FTE share, or over the limit), or None."""
    if str(getattr(line, "kind", "monthly")) != "hourly" or not line.hours_centi:
        return None
    if not line.fte_centi:
        return BudgetProblem("fte_missing", role=line.role or "", line_index=index)
    if hours_within_limit(line.hours_centi, line.fte_centi, months):
        return None
    return BudgetProblem("hours_over", role=line.role or "", line_index=index,
                         hours_centi=int(line.hours_centi), fte_centi=int(line.fte_centi),
                         months=int(months))


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
    # Staff-line problems: which line (its index in the part), its role and its figures.
    role: str = ""
    line_index: int = -1
    hours_centi: int = 0
    fte_centi: int = 0
    months: int = 0

    def message(self) -> str:
        from flask_babel import gettext as _

        from app.core.money import format_money, format_scaled

        amount, limit = format_money(self.amount_cents), format_money(self.limit_cents)
        if self.code == "hours_over":
            values = {"role": self.role, "hours": format_scaled(self.hours_centi),
                      "limit": format_scaled(max_hours_centi(self.fte_centi, self.months)),
                      "base": format_scaled(HOURS_PER_YEAR, 0),
                      "fte": format_scaled(self.fte_centi), "months": self.months,
                      "years": self.months // 12}
            if self.months % 12 == 0:
                return _("The staff line “%(role)s” has %(hours)s h: at most %(limit)s h "
                         "(%(base)s h × %(fte)s %% × %(years)s years).", **values)
            return _("The staff line “%(role)s” has %(hours)s h: at most %(limit)s h "
                     "(%(base)s h a year × %(fte)s %% × %(months)s months).", **values)
        if self.code == "fte_missing":
            return _("Enter the share of full time of the staff line “%(role)s”: the hours are "
                     "limited by it.", role=self.role)
        if self.code == "wrong_model":
            return _("The staff line “%(role)s” is not of the application's staff-cost model: "
                     "change it or remove it.", role=self.role)
        if self.code == "revenue_over":
            return _("The revenue is %(amount)s more than the costs: the total eligible cost "
                     "cannot be below zero.", amount=amount)
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


class _PlanFigures:
    """What follows from a budget's `plan` and `total_cents`, for one part and for a group."""

    plan: dict[str, int]
    total_cents: int

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
    def support_share(self) -> Decimal | None:
        """Support as a percentage of the total cost, to two decimals (display only)."""
        if self.total_cents <= 0:
            return None
        with localcontext() as ctx:
            ctx.prec = 40
            share = Decimal(self.support_cents * 100) / Decimal(self.total_cents)
            return share.quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class BudgetTotals(_PlanFigures):
    staff_cents: int
    flat_rate_cents: int
    total_cents: int
    plan: dict[str, int]
    max_support_percent: int
    line_costs: tuple[int, ...] = ()
    problems: tuple[BudgetProblem, ...] = field(default=())
    participant_costs_cents: int = 0
    revenue_cents: int = 0

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
    def is_valid(self) -> bool:
        return not self.problems


def compute(lines: Iterable, plan: dict[str, int], max_support_percent: int,
            participant_costs_cents: int = 0, revenue_cents: int = 0,
            months: int | None = None, model: str | None = None) -> BudgetTotals:
    """Every total of one budget (an application's or one part of a group's), and what is
    wrong with it. With `months`, hourly lines are checked against the hours limit; with
    `model`, lines of another staff-cost model are a problem."""
    lines = list(lines)
    costs = tuple(line_cost(line) for line in lines)
    complete = [line for line in lines if line_is_complete(line)]
    staff = sum(costs)
    flat = flat_rate(staff)
    participants, revenue = int(participant_costs_cents or 0), int(revenue_cents or 0)
    gross = staff + flat + participants
    total = max(gross - revenue, 0)
    clean_plan = {name: int(value or 0) for name, value in plan.items()}
    problems: list[BudgetProblem] = []
    if not complete:
        problems.append(BudgetProblem("no_staff"))
    for index, line in enumerate(lines):
        if model is not None and str(getattr(line, "kind", "monthly")) != str(model):
            problems.append(BudgetProblem("wrong_model", role=line.role or "", line_index=index))
        elif months is not None:
            problem = line_hours_problem(line, months, index)
            if problem is not None:
                problems.append(problem)
    if revenue > gross:
        problems.append(BudgetProblem("revenue_over", amount_cents=revenue - gross))
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
                        line_costs=costs, problems=tuple(problems),
                        participant_costs_cents=participants, revenue_cents=revenue)


@dataclass(frozen=True)
class Part:
    """One part of a group project's budget: the lead's (`partner_id` None) or a
    co-implementer's, with the name of its organisation."""

    name: str
    totals: BudgetTotals
    partner_id: int | None = None

    @property
    def key(self) -> str:
        return "lead" if self.partner_id is None else f"partner-{self.partner_id}"


def _summed(values: Iterable[int]) -> int:
    return sum(int(v) for v in values)


@dataclass(frozen=True)
class GroupTotals(_PlanFigures):
    """The project's budget: the exact sums of its parts (one part when nobody co-implements).
    It answers the same questions as BudgetTotals, so a reader of the totals need not know
    whether the project is a group."""

    parts: tuple[Part, ...]

    @property
    def lead(self) -> BudgetTotals:
        return self.parts[0].totals

    @property
    def is_group(self) -> bool:
        return len(self.parts) > 1

    @property
    def staff_cents(self) -> int:
        return _summed(p.totals.staff_cents for p in self.parts)

    @property
    def flat_rate_cents(self) -> int:
        return _summed(p.totals.flat_rate_cents for p in self.parts)

    @property
    def participant_costs_cents(self) -> int:
        return _summed(p.totals.participant_costs_cents for p in self.parts)

    @property
    def revenue_cents(self) -> int:
        return _summed(p.totals.revenue_cents for p in self.parts)

    @property
    def total_cents(self) -> int:
        return _summed(p.totals.total_cents for p in self.parts)

    @property
    def line_costs(self) -> tuple[int, ...]:
        return tuple(cost for p in self.parts for cost in p.totals.line_costs)

    @property
    def plan(self) -> dict[str, int]:
        summed: dict[str, int] = {}
        for part in self.parts:
            for name, cents in part.totals.plan.items():
                summed[name] = summed.get(name, 0) + int(cents)
        return summed

    @property
    def balanced(self) -> bool:
        """Every part's plan equals its own total (so the group's does too)."""
        return all(p.totals.balanced for p in self.parts)

    @property
    def max_support_cents(self) -> int:
        """The sum of the parts' largest allowed supports."""
        return _summed(p.totals.max_support_cents for p in self.parts)

    @property
    def max_support_percent(self) -> int | None:
        """The maximum share when every part has the same one, else None."""
        percents = {p.totals.max_support_percent for p in self.parts}
        return percents.pop() if len(percents) == 1 else None

    @property
    def support_within_limit(self) -> bool:
        return (all(p.totals.support_within_limit for p in self.parts)
                and self.support_cents <= self.max_support_cents)

    @property
    def group_problems(self) -> tuple[BudgetProblem, ...]:
        """Problems of the sum itself, beyond those of each part (a part's own message about
        its support says it better than the sum's, so then there is none)."""
        if any(problem.code == "support_over" for p in self.parts for problem in p.totals.problems):
            return ()
        if self.support_cents > self.max_support_cents:
            return (BudgetProblem("support_over",
                                  amount_cents=self.support_cents - self.max_support_cents,
                                  limit_cents=self.max_support_cents,
                                  percent=self.max_support_percent or 0),)
        return ()

    @property
    def problems(self) -> tuple[BudgetProblem, ...]:
        """The lead part's problems, each co-implementer's, then the group's own."""
        return tuple(problem for p in self.parts for problem in p.totals.problems) + (
            self.group_problems)

    @property
    def is_valid(self) -> bool:
        return not self.problems


def compute_group(parts: Iterable[Part]) -> GroupTotals:
    """The project's budget from its parts (the lead's first)."""
    return GroupTotals(parts=tuple(parts))

