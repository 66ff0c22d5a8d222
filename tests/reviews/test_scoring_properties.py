"""Score arithmetic (app.reviews.scoring) against an independent oracle.

The oracle works in another formulation: each score is first normalised to 0..1 (score /
scale maximum, a float), multiplied by the weight in percent and summed with math.fsum; the
mean and the spread come from the statistics module over floats. The code under test uses
exact fractions throughout, so the two agree within 1e-9 whenever both are right.
"""

from __future__ import annotations

import math
import statistics
from collections import Counter
from decimal import Decimal
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from app.reviews.scoring import (
    CriterionSpec,
    ReviewFigures,
    aggregate,
    fails_general,
    rounded,
    running_total,
    weighted_total,
)

SETTINGS = settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
TOLERANCE = 1e-9
SCALES = {"content": 5, "call_specific": 5, "horizontal": 3, "general": None}
RECOMMENDATIONS = ("fund", "fund_with_conditions", "do_not_fund")


# --- strategies --------------------------------------------------------------------------------


@st.composite
def weights_summing_to_100(draw, count: int) -> list[int]:
    """`count` positive integer weights that sum to 100 (cuts of 0..100 at distinct points)."""
    cuts = sorted(draw(st.sets(st.integers(min_value=1, max_value=99), min_size=count - 1,
                               max_size=count - 1)))
    bounds = [0, *cuts, 100]
    return [b - a for a, b in zip(bounds, bounds[1:], strict=False)]


@st.composite
def criteria_sets(draw) -> list[tuple[str, CriterionSpec]]:
    """A call's criteria: 1–10 scored ones of the three scored kinds (scales 5 and 3) with
    weights summing to 100, and 0–3 pass/fail (general) ones mixed in among them. A general
    criterion may carry a stray weight: it must count for nothing."""
    scored_kinds = draw(st.lists(st.sampled_from(["content", "call_specific", "horizontal"]),
                                 min_size=1, max_size=10))
    weights = draw(weights_summing_to_100(len(scored_kinds)))
    items = [(kind, weight) for kind, weight in zip(scored_kinds, weights, strict=True)]
    for _ in range(draw(st.integers(min_value=0, max_value=3))):
        position = draw(st.integers(min_value=0, max_value=len(items)))
        items.insert(position, ("general", draw(st.sampled_from([0, 0, 5, 20]))))
    return [(kind, CriterionSpec(index + 1, weight, SCALES[kind]))
            for index, (kind, weight) in enumerate(items)]


@st.composite
def scored_calls(draw):
    """Criteria, a full set of scores (every scored criterion) and pass/fail answers."""
    criteria = draw(criteria_sets())
    scores, passed = {}, {}
    for _kind, spec in criteria:
        if spec.is_scored:
            scores[spec.id] = draw(st.integers(min_value=0, max_value=spec.scale_max))
        else:
            passed[spec.id] = draw(st.sampled_from([True, False, None]))
    return criteria, scores, passed


def specs_of(criteria) -> list[CriterionSpec]:
    return [spec for _kind, spec in criteria]


# --- the oracle --------------------------------------------------------------------------------


def oracle_total(criteria, scores) -> float:
    """Σ weight % × (score normalised to 0..1), missing scores counting 0."""
    parts = []
    for kind, spec in criteria:
        if kind == "general":
            continue
        normalised = scores.get(spec.id, 0) / SCALES[kind]
        parts.append(spec.weight * normalised)
    return math.fsum(parts)


def oracle_half_up(value: Fraction, places: int) -> Decimal:
    """Round a non-negative fraction half up with integers only: ⌊v·10^p + ½⌋ / 10^p."""
    scale = 10 ** places
    units = (2 * value.numerator * scale + value.denominator) // (2 * value.denominator)
    return Decimal(units).scaleb(-places)


# --- weighted total ----------------------------------------------------------------------------


@given(scored_calls())
@SETTINGS
def test_weighted_total_equals_the_oracle_and_stays_within_0_to_100(case):
    criteria, scores, _passed = case
    total = weighted_total(specs_of(criteria), scores)
    assert isinstance(total, Fraction)
    assert abs(float(total) - oracle_total(criteria, scores)) <= TOLERANCE
    assert 0 <= total <= 100


@given(criteria_sets())
@SETTINGS
def test_all_maximum_scores_give_exactly_100_and_all_zero_give_0(criteria):
    specs = specs_of(criteria)
    best = {s.id: s.scale_max for s in specs if s.is_scored}
    worst = {s.id: 0 for s in specs if s.is_scored}
    assert weighted_total(specs, best) == 100
    assert weighted_total(specs, worst) == 0


@given(scored_calls(), st.data())
@SETTINGS
def test_no_total_while_a_scored_criterion_lacks_a_score(case, data):
    criteria, scores, _passed = case
    specs = specs_of(criteria)
    scored_ids = [s.id for s in specs if s.is_scored]
    missing = data.draw(st.sampled_from(scored_ids))
    as_none = {**scores, missing: None}
    left_out = {k: v for k, v in scores.items() if k != missing}
    assert weighted_total(specs, as_none) is None
    assert weighted_total(specs, left_out) is None
    # A pass/fail criterion without an answer does not hold the total back.
    assert weighted_total(specs, scores) is not None


def test_pass_fail_criteria_never_change_the_total():
    specs = [CriterionSpec(1, 40, None), CriterionSpec(2, 100, 5)]
    assert weighted_total(specs, {2: 5}) == 100
    assert weighted_total(specs, {1: 0, 2: 5}) == 100
    assert running_total(specs, {2: 0}) == (0, 1, 1)


# --- the live total of the form ---------------------------------------------------------------


@given(scored_calls(), st.data())
@SETTINGS
def test_running_total_counts_what_is_scored_so_far(case, data):
    criteria, scores, _passed = case
    specs = specs_of(criteria)
    scored_ids = [s.id for s in specs if s.is_scored]
    given_ids = data.draw(st.sets(st.sampled_from(scored_ids)))
    partial = {k: (v if k in given_ids else None) for k, v in scores.items()}
    total, done, count = running_total(specs, partial)
    assert count == len(scored_ids)
    assert done == len(given_ids)
    assert abs(float(total) - oracle_total(criteria, {k: scores[k] for k in given_ids})) \
        <= TOLERANCE
    assert 0 <= total <= 100
    if done == count:
        assert total == weighted_total(specs, scores)
    else:
        assert weighted_total(specs, partial) is None


# --- eligibility -------------------------------------------------------------------------------


@given(scored_calls(), st.data())
@SETTINGS
def test_fails_general_iff_a_general_criterion_is_marked_failed(case, data):
    criteria, _scores, passed = case
    specs = specs_of(criteria)
    # Stray pass/fail answers on scored criteria must not count.
    stray = {s.id: data.draw(st.sampled_from([True, False, None])) for s in specs if s.is_scored}
    answers = {**stray, **passed}
    expected = any(kind == "general" and answers.get(spec.id) is False
                   for kind, spec in criteria)
    assert fails_general(specs, answers) is expected
    # Not answered is not failed.
    assert fails_general(specs, {}) is False


# --- an application's figures over its reviews --------------------------------------------------


# Review totals as the arithmetic makes them: 0..100 in fifteenths (thirds and fifths).
totals = st.integers(min_value=0, max_value=1500).map(lambda n: Fraction(n, 15))
figures = st.builds(
    ReviewFigures,
    total=totals,
    failed_general=st.booleans(),
    recommendation=st.one_of(st.none(), st.sampled_from(RECOMMENDATIONS)),
    proposed_cents=st.one_of(st.none(), st.integers(min_value=0, max_value=5_000_000_00)),
)


@given(st.lists(figures, min_size=1, max_size=12))
@SETTINGS
def test_aggregate_matches_the_statistics_module(reviews):
    result = aggregate(reviews)
    floats = [float(r.total) for r in reviews]
    assert result.count == len(reviews)
    assert abs(float(result.mean) - statistics.fmean(floats)) <= TOLERANCE
    assert result.minimum <= result.mean <= result.maximum
    assert result.minimum == min(r.total for r in reviews)
    assert result.maximum == max(r.total for r in reviews)
    assert result.spread == result.maximum - result.minimum
    assert abs(float(result.spread) - (max(floats) - min(floats))) <= TOLERANCE
    assert abs(result.std_dev - statistics.pstdev(floats)) <= TOLERANCE
    assert result.ineligible is any(r.failed_general for r in reviews)
    assert result.recommendations == Counter(
        r.recommendation for r in reviews if r.recommendation is not None)
    assert sum(result.recommendations.values()) <= result.count
    proposals = [r.proposed_cents for r in reviews if r.proposed_cents is not None]
    if proposals:
        # The mean proposal in whole cents, half up: ⌊(2Σ + n) / 2n⌋.
        n = len(proposals)
        assert result.proposed_mean_cents == (2 * sum(proposals) + n) // (2 * n)
    else:
        assert result.proposed_mean_cents is None


@given(st.lists(figures, min_size=1, max_size=12))
@settings(max_examples=50, deadline=None)
def test_one_failed_review_makes_the_application_ineligible(reviews):
    passing = [ReviewFigures(r.total, False, r.recommendation) for r in reviews]
    assert aggregate(passing).ineligible is False
    failed = [*passing[:-1], ReviewFigures(passing[-1].total, True)]
    assert aggregate(failed).ineligible is True


@given(figures)
@SETTINGS
def test_a_single_review_has_no_spread(review):
    result = aggregate([review])
    assert result.mean == result.minimum == result.maximum == review.total
    assert result.spread == 0 and result.std_dev == 0


def test_no_reviews_no_figures():
    result = aggregate([])
    assert result.count == 0
    assert result.mean is None and result.spread is None and result.std_dev is None
    assert result.ineligible is False and not result.recommendations
    assert result.proposed_mean_cents is None


# --- rounding for display ----------------------------------------------------------------------


@given(st.integers(min_value=1, max_value=10**6).flatmap(
           lambda den: st.builds(Fraction, st.integers(min_value=0, max_value=100 * den),
                                 st.just(den))),
       st.integers(min_value=0, max_value=4))
@SETTINGS
def test_rounded_is_half_up(value, places):
    assert rounded(value, places) == oracle_half_up(value, places)


@pytest.mark.parametrize(("value", "places", "expected"), [
    (Fraction(1, 8), 2, "0.13"),  # 0.125: a half goes up, not to even
    (Fraction(3, 8), 2, "0.38"),  # 0.375
    (Fraction(5, 2), 0, "3"),  # 2.5
    (Fraction(7, 2), 0, "4"),  # 3.5
    (Fraction(1, 3), 2, "0.33"),
    (Fraction(2, 3), 2, "0.67"),
    (Fraction(1249, 20), 1, "62.5"),  # 62.45
    (0.125, 2, "0.13"),
    (2.675, 2, "2.68"),  # as written, not as the binary float 2.67499999...
    (100, 2, "100.00"),
])
def test_rounded_examples(value, places, expected):
    assert rounded(value, places) == Decimal(expected)
    assert str(rounded(value, places)) == expected


def test_rounded_none():
    assert rounded(None) is None


# --- a hand-computed example ------------------------------------------------------------------


def test_a_hand_computed_call():
    """The demo call's criteria: general (pass/fail), content 30 %, content 25 %, call-specific
    25 %, horizontal 10 % (0–3) and content 10 %."""
    specs = [CriterionSpec(1, 0, None), CriterionSpec(2, 30, 5), CriterionSpec(3, 25, 5),
             CriterionSpec(4, 25, 5), CriterionSpec(5, 10, 3), CriterionSpec(6, 10, 5)]
    # 30·4/5 + 25·3/5 + 25·5/5 + 10·2/3 + 10·4/5 = 24 + 15 + 25 + 6⅔ + 8 = 78⅔
    first = weighted_total(specs, {2: 4, 3: 3, 4: 5, 5: 2, 6: 4})
    assert first == Fraction(236, 3)
    assert rounded(first) == Decimal("78.67")
    # 30·3/5 + 25·2/5 + 25·3/5 + 10·1/3 + 10·2/5 = 18 + 10 + 15 + 3⅓ + 4 = 50⅓
    second = weighted_total(specs, {2: 3, 3: 2, 4: 3, 5: 1, 6: 2})
    assert second == Fraction(151, 3)
    # Half-way through the form: 24 + 15 so far, 2 of 5 scored.
    assert running_total(specs, {2: 4, 3: 3}) == (39, 2, 5)
    assert fails_general(specs, {1: True}) is False
    assert fails_general(specs, {1: False}) is True

    result = aggregate([
        ReviewFigures(first, False, "fund", 150_000_00),
        ReviewFigures(second, True, "do_not_fund", 100_000_01),
    ])
    # mean (78⅔ + 50⅓) / 2 = 64½; spread 28⅓; population std dev = spread / 2 = 14⅙
    assert result.mean == Fraction(129, 2) and rounded(result.mean) == Decimal("64.50")
    assert result.spread == Fraction(85, 3) and rounded(result.spread) == Decimal("28.33")
    assert result.std_dev == pytest.approx(85 / 6)
    assert rounded(result.std_dev) == Decimal("14.17")
    assert result.ineligible is True
    assert result.recommendations == Counter({"fund": 1, "do_not_fund": 1})
    # (150 000,00 + 100 000,01) / 2 = 125 000,005 € -> 125 000,01 € (half a cent goes up)
    assert result.proposed_mean_cents == 125_000_01
