"""Payment-claim arithmetic (app.projects.claims and the service helpers over claim rows)
against an independent oracle.

The oracle never calls the code under test or its helpers (app.core.money, app.calls.budget):
every amount is an exact Fraction of euro cents, rounded once to the cent with
decimal.Decimal's ROUND_HALF_UP at a precision far above what the numbers need. The cap at
the granted support and the advance are checked as sums over a whole sequence of claims
against the one-shot formulas: the claims together approve min(Σ support, granted), deduct
min(advance, that) and pay the rest.
"""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, localcontext
from fractions import Fraction

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.projects import claims, services
from app.projects.models import (
    ClaimLine,
    ClaimLineKind,
    ClaimState,
    PaymentClaim,
    Project,
    Report,
)

SETTINGS = settings(max_examples=300, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow,
                                           HealthCheck.function_scoped_fixture])

cents = st.integers(min_value=0, max_value=50_000_000_00)  # up to 50 M€
basis_points = st.integers(min_value=0, max_value=10_000)


def oracle_round(amount: Fraction) -> int:
    """An exact amount of cents rounded half up (away from zero) to whole cents."""
    with localcontext() as context:
        context.prec = 100
        value = Decimal(amount.numerator) / Decimal(amount.denominator)
        return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def oracle_monthly(months_centi, fte_centi, salary_cents) -> int:
    months = Fraction(months_centi, 100)
    share = Fraction(fte_centi, 100) / 100  # FTE in percent, e.g. 80,00 %
    return oracle_round(months * share * salary_cents)


def oracle_hourly(hours_centi, annual_cents) -> int:
    return oracle_round(Fraction(hours_centi, 100) * Fraction(annual_cents, 1720))


def oracle_totals(staff_lines, fee_lines, bp):
    staff = sum(staff_lines)
    flat = oracle_round(Fraction(staff) * Fraction(40, 100))
    fees = sum(fee_lines)
    support = oracle_round(Fraction(staff + flat) * Fraction(bp, 10_000)) + fees
    return staff, flat, fees, staff + flat + fees, support


# --- single amounts ------------------------------------------------------------------------


@SETTINGS
@given(months=st.integers(0, 120_00), fte=st.integers(0, 100_00),
       salary=st.integers(0, 100_000_00))
def test_a_monthly_staff_line(months, fte, salary):
    got = claims.staff_line_cents("monthly", months_centi=months, fte_centi=fte,
                                  monthly_salary_cents=salary)
    assert got == oracle_monthly(months, fte, salary)
    assert got >= 0


@SETTINGS
@given(hours=st.integers(0, 20_000_00), annual=st.integers(0, 1_200_000_00))
def test_an_hourly_staff_line(hours, annual):
    got = claims.staff_line_cents("hourly", hours_centi=hours, annual_salary_cents=annual)
    assert got == oracle_hourly(hours, annual)


def test_an_incomplete_line_claims_nothing():
    assert claims.staff_line_cents("monthly", months_centi=600, fte_centi=None,
                                   monthly_salary_cents=3_000_00) == 0
    assert claims.staff_line_cents("hourly", hours_centi=None, annual_salary_cents=1) == 0
    # Known values: 6 months x 80 % x 3 333,33 € = 15 999,984 € -> 15 999,98 €;
    # 100 h x 50 000 € / 1 720 h = 2 906,976... € -> 2 906,98 €.
    assert claims.staff_line_cents("monthly", months_centi=600, fte_centi=8000,
                                   monthly_salary_cents=3_333_33) == 15_999_98
    assert claims.staff_line_cents("hourly", hours_centi=100_00,
                                   annual_salary_cents=50_000_00) == 2_906_98


@SETTINGS
@given(eligible=cents, bp=basis_points)
def test_support_at_a_share_in_basis_points(eligible, bp):
    got = claims.support_of(eligible, bp)
    assert got == oracle_round(Fraction(eligible * bp, 10_000))
    assert 0 <= got <= eligible


def test_support_rounds_a_half_cent_up():
    assert claims.support_of(1, 5_000) == 1  # 0,5 cents
    assert claims.support_of(3, 5_000) == 2  # 1,5 cents
    assert claims.support_of(1, 4_999) == 0


@SETTINGS
@given(granted=cents, percent=st.integers(0, 30))
def test_the_advance(granted, percent):
    got = claims.advance_of(granted, percent)
    assert got == int(Fraction(granted * percent, 100))  # floor: never more than the share
    assert 0 <= got <= granted * 30 // 100


# --- totals ----------------------------------------------------------------------------------


@SETTINGS
@given(staff=st.lists(st.integers(0, 5_000_000_00), max_size=8),
       fees=st.lists(st.integers(0, 1_000_000_00), max_size=8), bp=basis_points)
def test_totals(staff, fees, bp):
    got = claims.totals(staff, fees, bp)
    staff_sum, flat, fee_sum, eligible, support = oracle_totals(staff, fees, bp)
    assert (got.staff_cents, got.flat_rate_cents, got.fees_cents, got.eligible_cents,
            got.support_cents) == (staff_sum, flat, fee_sum, eligible, support)
    # The flat rate is of the staff costs only: the fees carry none and are paid in full.
    assert got.support_cents - fee_sum <= staff_sum + flat


# --- the cap and the advance over a sequence of claims -----------------------------------------


@st.composite
def projects_and_claims(draw):
    granted = draw(st.integers(0, 2_000_000_00))
    percent = draw(st.integers(0, 30))
    supports = draw(st.lists(st.integers(0, 800_000_00), min_size=1, max_size=8))
    return granted, percent, supports


@SETTINGS
@given(case=projects_and_claims())
def test_a_sequence_of_claims_never_pays_more_than_granted(case):
    granted, percent, supports = case
    advance = claims.advance_of(granted, percent)
    approved = deducted = paid_out = 0
    for support in supports:
        pay = claims.payment(support, granted, approved, advance, deducted)
        assert 0 <= pay.capped_support_cents <= support
        assert 0 <= pay.advance_deducted_cents <= pay.capped_support_cents
        assert pay.payable_cents >= 0
        assert pay.payable_cents == pay.capped_support_cents - pay.advance_deducted_cents
        approved += pay.capped_support_cents
        deducted += pay.advance_deducted_cents
        paid_out += pay.payable_cents
        assert approved <= granted
        assert deducted <= advance
        assert advance + paid_out <= granted  # paid never exceeds granted (+ 0)
    # The sum over the claims is the one-shot computation.
    total = min(sum(supports), granted)
    assert approved == total
    assert deducted == min(advance, total)
    assert paid_out == total - min(advance, total)
    assert advance + paid_out == max(advance, total)


def test_the_advance_is_deducted_from_the_first_claims_until_it_is_used_up():
    granted, advance = 100_000_00, 30_000_00
    first = claims.payment(20_000_00, granted, 0, advance, 0)
    assert (first.advance_deducted_cents, first.payable_cents) == (20_000_00, 0)
    second = claims.payment(25_000_00, granted, 20_000_00, advance, 20_000_00)
    assert (second.advance_deducted_cents, second.payable_cents) == (10_000_00, 15_000_00)
    last = claims.payment(80_000_00, granted, 45_000_00, advance, 30_000_00)
    assert (last.capped_support_cents, last.advance_deducted_cents,
            last.payable_cents) == (55_000_00, 0, 55_000_00)
    assert claims.payment(1_00, granted, granted, advance, advance).capped_support_cents == 0


# --- the service-level path over claim rows (built in memory) ------------------------------


def _project(bp: int, granted: int = 0, advance: int = 0) -> Project:
    return Project(id=1, support_basis_points=bp, granted_cents=granted, advance_cents=advance)


def _claim(project: Project, staff, fees, approved=None) -> PaymentClaim:
    claim = PaymentClaim(project=project, state=ClaimState.submitted)
    approved = approved or {}
    for index, amount in enumerate(staff):
        claim.lines.append(ClaimLine(position=index, kind=ClaimLineKind.monthly,
                                     claimed_cents=amount, approved_cents=approved.get(index)))
    for index, amount in enumerate(fees, start=len(staff)):
        claim.lines.append(ClaimLine(position=index, kind=ClaimLineKind.outcome,
                                     claimed_cents=amount, approved_cents=approved.get(index)))
    return claim


@SETTINGS
@given(staff=st.lists(st.integers(0, 5_000_000_00), max_size=6),
       fees=st.lists(st.integers(0, 1_000_000_00), max_size=6), bp=basis_points,
       cuts=st.lists(st.integers(0, 100), max_size=12))
def test_claim_totals_on_claim_rows(db, staff, fees, bp, cuts):
    # The authority approves each line as claimed (None) or a share of it (a cut).
    amounts = staff + fees
    approved = {index: amounts[index] * cut // 100 for index, cut in enumerate(cuts)
                if index < len(amounts) and cut < 100}
    claim = _claim(_project(bp), staff, fees, approved)
    got = services.claim_totals(claim)
    assert (got.staff_cents, got.flat_rate_cents, got.fees_cents, got.eligible_cents,
            got.support_cents) == oracle_totals(staff, fees, bp)
    kept = [approved.get(index, amount) for index, amount in enumerate(amounts)]
    got = services.claim_totals(claim, approved=True)
    assert (got.staff_cents, got.flat_rate_cents, got.fees_cents, got.eligible_cents,
            got.support_cents) == oracle_totals(kept[:len(staff)], kept[len(staff):], bp)


@SETTINGS
@given(case=projects_and_claims(), bp=st.integers(5_000, 10_000))
def test_approving_claims_row_by_row_matches_the_one_shot_sums(db, case, bp):
    """As approve_claim does: each claim's support from its rows, capped and the advance
    deducted with what the earlier approved claims (services.approved_before) used up; the
    project's money (services.money) then adds up."""
    granted, percent, supports = case
    advance = claims.advance_of(granted, percent)
    project = _project(bp, granted, advance)
    expected_supports = []
    for number, support in enumerate(supports, start=1):
        # One staff line whose support at the share is about `support`.
        staff = support * 10_000 // max(bp, 1) * 100 // 140
        report = Report(number=number)
        project.reports.append(report)
        claim = _claim(project, [staff], [])
        report.claim = claim
        totals = services.claim_totals(claim, approved=True)
        expected_supports.append(oracle_totals([staff], [], bp)[4])
        assert totals.support_cents == expected_supports[-1]
        before_support, before_deducted = services.approved_before(project, claim)
        pay = claims.payment(totals.support_cents, granted, before_support, advance,
                             before_deducted)
        claim.claimed_support_cents = totals.support_cents
        claim.approved_support_cents = pay.capped_support_cents
        claim.advance_deducted_cents = pay.advance_deducted_cents
        claim.payable_cents = pay.payable_cents
        claim.state = ClaimState.approved
    money = services.money(project)
    total = min(sum(expected_supports), granted)
    assert money.claimed_cents == sum(expected_supports)
    assert money.approved_cents == total
    assert money.paid_cents == advance + total - min(advance, total) <= max(granted, advance)
    assert money.paid_cents <= granted
    assert money.remaining_cents == granted - total >= 0
    assert money.advance_outstanding_cents == max(advance - total, 0)
