"""Score arithmetic, free of the database: a review's weighted total, an application's mean and
spread over its counted reviews, eligibility and recommendation counts.

    weighted total of a review = Σ weight × score / scale maximum   (weights sum to 100: 0–100)
    an application's score     = the mean of the totals of its counted reviews
    counted reviews            = submitted, and the reviewer is not conflicted
    ineligible                 = a counted review failed a general (pass/fail) criterion

Exact arithmetic (Fraction) throughout; rounding happens only for display (`rounded`).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction


@dataclass(frozen=True)
class CriterionSpec:
    """What the arithmetic needs of a criterion: its id, weight and scale (None: pass/fail)."""

    id: int
    weight: int
    scale_max: int | None

    @property
    def is_scored(self) -> bool:
        return self.scale_max is not None


def specs(criteria) -> list[CriterionSpec]:
    """CriterionSpecs of a call's Criterion rows."""
    return [CriterionSpec(c.id, c.weight or 0, c.scale_max) for c in criteria]


def weighted_total(criteria: Iterable[CriterionSpec],
                   scores: Mapping[int, int | None]) -> Fraction | None:
    """Σ weight × score / scale max over the scored criteria; None while one is unscored."""
    # Summed over a common denominator in integers, one Fraction at the end: the same exact
    # value, about ten times faster than adding Fractions (the ranking sums thousands).
    numerator, denominator = 0, 1
    for criterion in criteria:
        if not criterion.is_scored:
            continue
        score = scores.get(criterion.id)
        if score is None:
            return None
        scale = criterion.scale_max
        if denominator % scale:
            common = denominator * scale // math.gcd(denominator, scale)
            numerator *= common // denominator
            denominator = common
        numerator += criterion.weight * score * (denominator // scale)
    return Fraction(numerator, denominator)


def running_total(criteria: Iterable[CriterionSpec],
                  scores: Mapping[int, int | None]) -> tuple[Fraction, int, int]:
    """The total so far (unscored criteria count 0), how many scored criteria have a score,
    and how many there are: the live figure of the scoring form."""
    total, done, count = Fraction(0), 0, 0
    for criterion in criteria:
        if not criterion.is_scored:
            continue
        count += 1
        score = scores.get(criterion.id)
        if score is not None:
            done += 1
            total += Fraction(criterion.weight * score, criterion.scale_max)
    return total, done, count


def fails_general(criteria: Iterable[CriterionSpec], passed: Mapping[int, bool | None]) -> bool:
    """Whether a general (pass/fail) criterion is marked failed."""
    return any(not c.is_scored and passed.get(c.id) is False for c in criteria)


@dataclass(frozen=True)
class ReviewFigures:
    """One counted review, as the aggregate sees it."""

    total: Fraction
    failed_general: bool
    recommendation: str | None = None
    proposed_cents: int | None = None


@dataclass
class Aggregate:
    """An application's figures over its counted reviews."""

    count: int = 0
    mean: Fraction | None = None
    minimum: Fraction | None = None
    maximum: Fraction | None = None
    std_dev: float | None = None  # population standard deviation (display only)
    ineligible: bool = False
    recommendations: Counter = field(default_factory=Counter)
    proposed_mean_cents: int | None = None

    @property
    def spread(self) -> Fraction | None:
        if self.minimum is None or self.maximum is None:
            return None
        return self.maximum - self.minimum


def aggregate(reviews: Iterable[ReviewFigures]) -> Aggregate:
    reviews = list(reviews)
    result = Aggregate(count=len(reviews))
    result.recommendations = Counter(r.recommendation for r in reviews if r.recommendation)
    result.ineligible = any(r.failed_general for r in reviews)
    proposals = [r.proposed_cents for r in reviews if r.proposed_cents is not None]
    if proposals:
        # the mean rounded half up, in integers: floor(s / n + 1/2) = (2s + n) // 2n
        result.proposed_mean_cents = (2 * sum(proposals) + len(proposals)) // (2 * len(proposals))
    if not reviews:
        return result
    # Over a common denominator in integers: exact, and far faster than summing Fractions
    # (the ranking aggregates every application of a call in one request).
    totals = [Fraction(r.total) for r in reviews]
    n = len(totals)
    common = math.lcm(*(t.denominator for t in totals))
    scaled = [t.numerator * (common // t.denominator) for t in totals]
    total = sum(scaled)
    result.mean = Fraction(total, n * common)
    result.minimum, result.maximum = min(totals), max(totals)
    # population variance = (n Σa² - (Σa)²) / (n² L²) for totals a / L
    variance = Fraction(n * sum(a * a for a in scaled) - total * total, n * n * common * common)
    result.std_dev = math.sqrt(variance)
    return result


def rounded(value: Fraction | float | None, places: int = 2) -> Decimal | None:
    """A figure for display, rounded half up."""
    if value is None:
        return None
    quantum = Decimal(1).scaleb(-places)
    if isinstance(value, Fraction):
        return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(
            quantum, rounding=ROUND_HALF_UP)
    return Decimal(str(value)).quantize(quantum, rounding=ROUND_HALF_UP)
