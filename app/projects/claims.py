"""Payment-claim and outcome-fee arithmetic: pure functions over integers, no database.

How a claim's money is computed and rounded (each amount is rounded ONCE, to the cent, half
up; everything before that is exact integer arithmetic, as in app/calls/budget.py):

* A monthly staff line claims round_half_up(months x FTE share x monthly salary) and an hourly
  line round_half_up(hours x annual salary / 1 720): the budget's own line formulas.
* Staff costs = the sum of the (rounded) lines; flat rate = round_half_up(staff x 40 / 100);
  eligible cost = staff + flat rate.
* Support = round_half_up(eligible x support share / 10 000), the share in hundredths of a
  percent as the decision approved it.
* An outcome fee of one stage = round_half_up(fee x stage percent / 100), per outcome; a line
  claims count x that. For outcome-based projects the support is the fees (no flat rate).
* The support of the claims approved so far never exceeds the granted support: a claim's
  support is cut to what is left ("capped").
* The advance (floor(granted x advance percent / 100), paid at the start) is deducted from the
  claims in order: deduction = min(advance not yet deducted, capped support); payable =
  capped support - deduction.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from app.calls import budget
from app.core.money import half_up_div


def staff_line_cents(kind: str, *, months_centi=None, fte_centi=None, monthly_salary_cents=None,
                     hours_centi=None, annual_salary_cents=None) -> int:
    """One staff line's claimed cost (0 while incomplete)."""
    if str(kind) == "hourly":
        if hours_centi is None or annual_salary_cents is None:
            return 0
        return budget.hourly_cost(hours_centi, annual_salary_cents)
    if months_centi is None or fte_centi is None or monthly_salary_cents is None:
        return 0
    return budget.monthly_cost(months_centi, fte_centi, monthly_salary_cents)


def support_of(eligible_cents: int, support_basis_points: int) -> int:
    return half_up_div(int(eligible_cents) * int(support_basis_points), 10_000)


def advance_of(granted_cents: int, advance_percent: int) -> int:
    return int(granted_cents) * int(advance_percent) // 100


@dataclass(frozen=True)
class ClaimTotals:
    staff_cents: int
    flat_rate_cents: int
    fees_cents: int
    eligible_cents: int
    support_cents: int


def totals(staff_line_amounts: Iterable[int], fee_line_amounts: Iterable[int],
           support_basis_points: int) -> ClaimTotals:
    """A claim's (or an approval's) totals from its line amounts."""
    staff = sum(int(a) for a in staff_line_amounts)
    fees = sum(int(a) for a in fee_line_amounts)
    flat = budget.flat_rate(staff)
    eligible = staff + flat + fees
    support = support_of(staff + flat, support_basis_points) + fees
    return ClaimTotals(staff_cents=staff, flat_rate_cents=flat, fees_cents=fees,
                       eligible_cents=eligible, support_cents=support)


@dataclass(frozen=True)
class Payment:
    capped_support_cents: int
    advance_deducted_cents: int
    payable_cents: int


def payment(support_cents: int, granted_cents: int, approved_before_cents: int,
            advance_cents: int, deducted_before_cents: int) -> Payment:
    """What one approved claim pays, after the cap at the granted support and the advance."""
    room = max(int(granted_cents) - int(approved_before_cents), 0)
    capped = min(max(int(support_cents), 0), room)
    advance_left = max(int(advance_cents) - int(deducted_before_cents), 0)
    deduction = min(advance_left, capped)
    return Payment(capped_support_cents=capped, advance_deducted_cents=deduction,
                   payable_cents=capped - deduction)


@dataclass(frozen=True)
class Money:
    """A project's money: granted, claimed (submitted and approved claims), approved (support
    of approved claims), paid (the advance plus the payable amounts) and remaining."""

    granted_cents: int
    advance_cents: int
    claimed_cents: int
    approved_cents: int
    paid_cents: int

    @property
    def remaining_cents(self) -> int:
        return self.granted_cents - self.approved_cents

    @property
    def advance_outstanding_cents(self) -> int:
        return self.paid_cents - self.approved_cents if self.paid_cents > self.approved_cents else 0
