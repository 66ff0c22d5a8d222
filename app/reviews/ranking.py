"""The ranking of a call's applications for its presenting officer, call managers and decision
makers: each application's weighted mean over its counted reviews, the spread between the
reviewers, eligibility, recommendations, the support applied for and the running total
against the call's budget, with the budget line where the money runs out.

    rank order      eligible applications with a mean, best first (ties: submitted first);
                    then those without a counted review; then the ineligible ones
    running total   the support applied for, summed in rank order over the eligible
                    applications with a mean
    budget line     after the last of them whose running total fits in the call's budget

Whatever the number of applications, `call_ranking` runs the same few SQL statements: the
applications (with their lead and partners), the call's reviews, their scores, the criteria,
the reviewers' memberships and the decisions, one query each. The arithmetic is
app.reviews.scoring's.

Conflict of interest: a review by a conflicted reviewer (declared, or a member of the lead or
of a partner) is left out of every figure. An application on which the viewer is conflicted
shows its title only: no figures, no amounts, no rank. It is left out of the running total and
the budget line the viewer sees too (a total that jumped past it would tell its amount).
"""

from __future__ import annotations

import threading
from collections import Counter, OrderedDict
from dataclasses import dataclass, field
from fractions import Fraction

from sqlalchemy import case, func, select
from sqlalchemy.orm import joinedload, load_only, selectinload

from app.applications.models import Application, ApplicationPartner
from app.applications.permissions import is_conflicted
from app.applications.states import MANAGER_STATES
from app.calls.models import Call
from app.extensions import db
from app.organisations.models import Organisation
from app.reviews import scoring
from app.reviews.models import Decision, Declaration, Recommendation, Review, ReviewScore
from app.reviews.permissions import member_organisation_ids, review_is_conflicted

# sort key -> descending by default (the most interesting first)
SORTS = {"rank": False, "mean": True, "spread": True, "requested": True, "name": False}
SCORED, UNSCORED, INELIGIBLE, HIDDEN = "scored", "unscored", "ineligible", "hidden"


@dataclass(eq=False)
class RankingRow:
    """One application in the ranking. For a `hidden` row (the viewer is conflicted on it)
    only `application` (its title) is meant to be shown; every figure stays empty."""

    application: Application
    rank: int | None = None  # 1, 2, ... over the eligible applications with a mean
    mean: Fraction | None = None  # 0-100
    minimum: Fraction | None = None
    maximum: Fraction | None = None
    std_dev: float | None = None
    submitted_count: int = 0  # counted reviews: submitted, reviewer not conflicted
    assigned_count: int = 0  # assigned reviewers who are not conflicted
    conflicted_count: int = 0  # assigned reviewers who are conflicted
    ineligible: bool = False  # a counted review failed a general criterion
    recommendations: Counter = field(default_factory=Counter)
    requested_cents: int | None = None  # the support applied for
    proposed_mean_cents: int | None = None  # the mean of the reviewers' proposed amounts
    running_total_cents: int | None = None  # in rank order, eligible applications with a mean
    within_budget: bool = False
    decision: Decision | None = None
    hidden: bool = False
    position: int = 0  # in rank order (every row)

    @property
    def spread(self) -> Fraction | None:
        if self.minimum is None or self.maximum is None:
            return None
        return self.maximum - self.minimum

    @property
    def group(self) -> str:
        if self.hidden:
            return HIDDEN
        if self.ineligible:
            return INELIGIBLE
        return SCORED if self.mean is not None else UNSCORED


@dataclass(frozen=True)
class RankingFilters:
    eligible_only: bool = False
    state: str | None = None
    recommendation: str | None = None

    @classmethod
    def from_args(cls, args) -> RankingFilters:
        """From query arguments; anything unknown is ignored."""
        state = args.get("state") or None
        if state not in {s.value for s in MANAGER_STATES}:
            state = None
        recommendation = args.get("recommendation") or None
        if recommendation not in {r.value for r in Recommendation}:
            recommendation = None
        return cls(eligible_only=args.get("eligible") in ("1", "on", "true"), state=state,
                   recommendation=recommendation)

    @property
    def active(self) -> bool:
        return bool(self.eligible_only or self.state or self.recommendation)

    def keep(self, row: RankingRow) -> bool:
        if not self.active:
            return True
        if row.hidden:  # the viewer may not filter by what they may not see
            return False
        if self.eligible_only and row.group != SCORED:
            return False
        if self.state and row.application.state != self.state:
            return False
        return not (self.recommendation and not row.recommendations.get(self.recommendation))


@dataclass
class Ranking:
    call: Call
    rows: list[RankingRow]  # as shown: filtered and sorted
    all_rows: list[RankingRow]  # every application in rank order, hidden ones last
    budget_cents: int
    # The budget line is drawn after rows[line_index] (-1: before the first row); None when
    # there is none to draw (no eligible application with a mean shown, or another sort).
    line_index: int | None
    line_total_cents: int  # what the applications above the line apply for together
    sort: str = "rank"
    descending: bool = False
    filters: RankingFilters = field(default_factory=RankingFilters)

    @property
    def by_rank(self) -> bool:
        return self.sort == "rank" and not self.descending

    @property
    def hidden_count(self) -> int:
        return sum(1 for row in self.all_rows if row.hidden)

    @property
    def all_fit(self) -> bool:
        """Every eligible application with a mean fits in the budget."""
        return all(row.within_budget for row in self.all_rows if row.rank is not None)

    @property
    def requested_total_cents(self) -> int:
        """The support applied for by the applications the viewer sees."""
        return sum(row.requested_cents or 0 for row in self.all_rows if not row.hidden)

    @property
    def has_line(self) -> bool:
        """Whether there is a budget line in rank order (shown only when sorted by rank)."""
        return any(row.rank is not None for row in self.all_rows)


# What the ranking shows and the conflict rule reads: the application's title, state, support
# applied for and submission times, its lead's name, and its partners. Nothing else is loaded
# (a call has hundreds of applications): other columns load on access, one row at a time.
APPLICATION_OPTIONS = (
    load_only(Application.id, Application.call_id, Application.organisation_id,
              Application.state, Application.project_name, Application.support_cents,
              Application.first_submitted_at, Application.submitted_at,
              Application.lock_version),
    joinedload(Application.organisation).load_only(Organisation.id, Organisation.name)
    .lazyload(Organisation.region_rows),
    joinedload(Application.organisation).lazyload(Organisation.target_group_rows),
    selectinload(Application.partners).load_only(
        ApplicationPartner.id, ApplicationPartner.application_id,
        ApplicationPartner.organisation_id, ApplicationPartner.state,
        ApplicationPartner.kind, ApplicationPartner.support_cents)
    .joinedload(ApplicationPartner.organisation).load_only(Organisation.id, Organisation.name)
    .lazyload(Organisation.region_rows),
    selectinload(Application.partners).joinedload(ApplicationPartner.organisation)
    .lazyload(Organisation.target_group_rows),
)


@dataclass(slots=True)
class _Review:
    """What the ranking reads of a review (a row, not an ORM object: a call has thousands).
    It has the attributes that permissions.review_is_conflicted reads."""

    id: int
    application_id: int
    reviewer_id: int
    declaration: Declaration
    submitted_at: object
    recommendation: Recommendation | None
    proposed_cents: int | None
    application: Application


_REVIEW_COLUMNS = (Review.id, Review.application_id, Review.reviewer_id, Review.declaration,
                   Review.submitted_at, Review.recommendation, Review.proposed_cents)


def _applications(call: Call) -> list[Application]:
    return list(db.session.scalars(
        select(Application)
        .where(Application.call_id == call.id, Application.state.in_(list(MANAGER_STATES)))
        .options(*APPLICATION_OPTIONS)
        .order_by(Application.first_submitted_at, Application.id)))


def _scores(call: Call) -> dict[int, tuple[dict, dict]]:
    """{review id: ({criterion id: score}, {criterion id: passed})} of submitted reviews.

    Read through the DB-API cursor: at 500 applications these are 15,000 rows, and
    SQLAlchemy's result rows cost more than the query. The statement is SQLAlchemy's, its
    only parameter an integer id rendered inline."""
    statement = (
        select(ReviewScore.review_id, ReviewScore.criterion_id, ReviewScore.score,
               ReviewScore.passed)
        .join(Review, Review.id == ReviewScore.review_id)
        .where(Review.call_id == int(call.id), Review.submitted_at.is_not(None)))
    connection = db.session.connection()
    sql = str(statement.compile(dialect=connection.dialect,
                                compile_kwargs={"literal_binds": True}))
    cursor = connection.connection.cursor()
    try:
        cursor.execute(sql)
        rows = cursor.fetchall()
    finally:
        cursor.close()
    result: dict[int, tuple[dict, dict]] = {}
    for review_id, criterion_id, score, passed in rows:
        scores, passes = result.setdefault(review_id, ({}, {}))
        scores[criterion_id] = score
        # SQLite answers 0/1 for a boolean
        passes[criterion_id] = None if passed is None else bool(passed)
    return result


@dataclass(frozen=True, slots=True)
class _Figures:
    """An application's figures over its reviews: they depend on the reviews, their scores,
    the criteria and who is conflicted, never on who looks."""

    submitted_count: int = 0
    assigned_count: int = 0
    conflicted_count: int = 0
    mean: Fraction | None = None
    minimum: Fraction | None = None
    maximum: Fraction | None = None
    std_dev: float | None = None
    ineligible: bool = False
    recommendations: tuple = ()
    proposed_mean_cents: int | None = None

    def apply(self, row: RankingRow) -> None:
        row.submitted_count, row.assigned_count = self.submitted_count, self.assigned_count
        row.conflicted_count = self.conflicted_count
        row.mean, row.minimum, row.maximum = self.mean, self.minimum, self.maximum
        row.std_dev, row.ineligible = self.std_dev, self.ineligible
        row.recommendations = Counter(dict(self.recommendations))
        row.proposed_mean_cents = self.proposed_mean_cents


def _figures(reviews: list[_Review], specs, scores, memberships) -> _Figures:
    """The figures over the counted reviews. `specs`: (scored, general) criteria, each
    function given only the kind it reads."""
    scored, general = specs
    counted, assigned, conflicted = [], 0, 0
    for review in reviews:
        if review_is_conflicted(review, memberships):
            conflicted += 1
            continue
        assigned += 1
        if review.submitted_at is None:
            continue
        given, passed = scores.get(review.id, ({}, {}))
        total = scoring.weighted_total(scored, given)
        if total is None:  # the criteria changed after it was submitted: not complete
            continue
        counted.append(scoring.ReviewFigures(
            total, scoring.fails_general(general, passed),
            str(review.recommendation) if review.recommendation else None,
            review.proposed_cents))
    figures = scoring.aggregate(counted)
    return _Figures(figures.count, assigned, conflicted, figures.mean, figures.minimum,
                    figures.maximum, figures.std_dev, figures.ineligible,
                    tuple(sorted(figures.recommendations.items())),
                    figures.proposed_mean_cents)


# --- figures of a call, remembered while nothing they depend on changes ---------------------
#
# Computing the figures reads every score of the call (15,000 rows at 500 applications). They
# are kept per process, keyed by a signature of everything they are made of: the criteria, the
# applications (ids and row versions, lead and partners), the reviews (per reviewer: how many,
# their ids, row versions and last change; every change to a review bumps its version), the
# scores (count and sums) and the reviewers' memberships (automatic conflicts). Any change to
# one of them gives a new key, so what is shown is always computed from the current rows.

_CACHE: OrderedDict[tuple, dict[int, _Figures]] = OrderedDict()
_CACHE_SIZE = 16
_CACHE_LOCK = threading.Lock()


def forget_figures() -> None:
    with _CACHE_LOCK:
        _CACHE.clear()


def _signature(call: Call, applications: list[Application], specs) -> tuple[tuple, dict]:
    """(the cache key, the reviewers' memberships) in three small queries."""
    per_reviewer = tuple(tuple(row) for row in db.session.execute(
        select(Review.reviewer_id, func.count(Review.id), func.sum(Review.id),
               func.sum(Review.application_id), func.sum(Review.lock_version),
               func.max(Review.updated_at), func.count(Review.submitted_at))
        .where(Review.call_id == call.id).group_by(Review.reviewer_id)
        .order_by(Review.reviewer_id)))
    score_sums = tuple(db.session.execute(
        select(func.count(ReviewScore.id), func.sum(ReviewScore.id),
               func.sum(ReviewScore.criterion_id), func.sum(ReviewScore.score),
               func.sum(case((ReviewScore.passed.is_(True), 1), else_=0)),
               func.sum(case((ReviewScore.passed.is_(False), 1), else_=0)))
        .join(Review, Review.id == ReviewScore.review_id)
        .where(Review.call_id == call.id)).one())
    memberships = member_organisation_ids([row[0] for row in per_reviewer])
    key = (
        call.id, tuple(specs[0]), tuple(specs[1]),
        tuple((a.id, a.lock_version, a.organisation_id,
               tuple(p.organisation_id for p in a.partners)) for a in applications),
        per_reviewer, score_sums,
        tuple(sorted((user, tuple(sorted(orgs))) for user, orgs in memberships.items())),
    )
    return key, memberships


def _call_figures(call: Call, applications: list[Application]) -> dict[int, _Figures]:
    """{application id: its figures}, computed or remembered (see above)."""
    all_specs = scoring.specs(call.criteria)
    specs = ([c for c in all_specs if c.is_scored], [c for c in all_specs if not c.is_scored])
    key, memberships = _signature(call, applications, specs)
    with _CACHE_LOCK:
        cached = _CACHE.get(key)
        if cached is not None:
            _CACHE.move_to_end(key)
            return cached
    by_id = {a.id: a for a in applications}
    reviews_of: dict[int, list[_Review]] = {a.id: [] for a in applications}
    for row in db.session.execute(select(*_REVIEW_COLUMNS).where(Review.call_id == call.id)
                                  .order_by(Review.id)):
        if row.application_id in by_id:  # reviews of withdrawn drafts do not count
            reviews_of[row.application_id].append(
                _Review(*row, application=by_id[row.application_id]))
    scores = _scores(call)
    figures = {a.id: _figures(reviews_of[a.id], specs, scores, memberships)
               for a in applications}
    with _CACHE_LOCK:
        _CACHE[key] = figures
        while len(_CACHE) > _CACHE_SIZE:
            _CACHE.popitem(last=False)
    return figures


def _rank_key(row: RankingRow):
    application = row.application
    submitted = application.first_submitted_at or application.submitted_at
    mean = row.mean if row.mean is not None else Fraction(-1)
    # the float orders almost every pair cheaply; the exact value decides when they are equal
    return ({SCORED: 0, UNSCORED: 1, INELIGIBLE: 2, HIDDEN: 3}[row.group], -float(mean), -mean,
            submitted is None, submitted.timestamp() if submitted else 0, application.id)


def _sort_value(row: RankingRow, sort: str):
    if sort == "mean":
        return row.mean
    if sort == "spread":
        return row.spread
    if sort == "requested":
        return row.requested_cents
    return None


def _sorted(rows: list[RankingRow], sort: str, descending: bool) -> list[RankingRow]:
    """Rows in the chosen order; rows without the value (and hidden rows) last."""
    if sort == "rank":
        return sorted(rows, key=lambda r: r.position, reverse=descending)
    if sort == "name":
        visible = sorted((r for r in rows if not r.hidden),
                         key=lambda r: (r.application.project_name.casefold(), r.position),
                         reverse=descending)
        return visible + [r for r in rows if r.hidden]
    with_value = [r for r in rows if not r.hidden and _sort_value(r, sort) is not None]
    chosen = {id(r) for r in with_value}
    without = [r for r in rows if id(r) not in chosen]
    with_value.sort(key=lambda r: r.position)
    with_value.sort(key=lambda r: _sort_value(r, sort), reverse=descending)
    return with_value + without


def call_ranking(call: Call, viewer, *, sort: str | None = None,
                 filters: RankingFilters | None = None,
                 descending: bool | None = None) -> Ranking:
    """The ranking of `call`'s submitted applications as `viewer` may see it (see the module
    doc), sorted by `sort` (one of SORTS; rank order by default) and filtered by `filters`.
    The running totals and the budget line always follow rank order."""
    sort = sort if sort in SORTS else "rank"
    descending = SORTS[sort] if descending is None else descending
    filters = filters or RankingFilters()

    applications = _applications(call)
    figures = _call_figures(call, applications)
    decisions = {d.application_id: d for d in db.session.scalars(
        select(Decision).where(Decision.call_id == call.id))}

    rows = []
    for application in applications:
        row = RankingRow(application)
        if is_conflicted(viewer, application):
            row.hidden = True
        else:
            figures[application.id].apply(row)
            row.requested_cents = application.requested_support_cents
            row.decision = decisions.get(application.id)
        rows.append(row)
    rows.sort(key=_rank_key)

    budget = call.total_budget_cents or 0
    running, rank = 0, 0
    for position, row in enumerate(rows):
        row.position = position
        if row.group == SCORED:
            rank += 1
            row.rank = rank
            running += row.requested_cents
            row.running_total_cents = running
            row.within_budget = running <= budget

    shown = _sorted([r for r in rows if filters.keep(r)], sort, descending)
    line_index, line_total = None, 0
    if sort == "rank" and not descending:
        ranked = [i for i, r in enumerate(shown) if r.rank is not None]
        if ranked:
            fitting = [i for i in ranked if shown[i].within_budget]
            line_index = fitting[-1] if fitting else ranked[0] - 1
            line_total = shown[fitting[-1]].running_total_cents if fitting else 0
    return Ranking(call=call, rows=shown, all_rows=rows, budget_cents=budget,
                   line_index=line_index, line_total_cents=line_total, sort=sort,
                   descending=descending, filters=filters)
