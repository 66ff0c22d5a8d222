"""The ranking as CSV and XLSX, and the number formats of the ranking page.

Both exports have the page's columns, headers in the user's language, text neutralised so that
a spreadsheet never runs it as a formula (app.applications.list_views.neutralise), and for the
applications on which the viewer is conflicted only the title and a note: no figures.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction

from babel.numbers import get_decimal_symbol, get_group_symbol
from flask import Response
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_babel import ngettext

from app.applications.sections import STATE_LABELS
from app.core import spreadsheets
from app.core.codelists import current_language
from app.core.money import format_money
from app.reviews.models import DecisionOutcome, ProposalState, Recommendation
from app.reviews.ranking import Ranking, RankingRow
from app.reviews.scoring import rounded

RECOMMENDATION_LABELS = {
    Recommendation.fund: _l("Fund"),
    Recommendation.fund_with_conditions: _l("Fund with conditions"),
    Recommendation.do_not_fund: _l("Do not fund"),
}
PROPOSAL_LABELS = {
    (ProposalState.proposed, DecisionOutcome.approved): _l("Approval proposed"),
    (ProposalState.proposed, DecisionOutcome.rejected): _l("Rejection proposed"),
    (ProposalState.returned, DecisionOutcome.approved): _l("Proposal returned"),
    (ProposalState.returned, DecisionOutcome.rejected): _l("Proposal returned"),
    (ProposalState.confirmed, DecisionOutcome.approved): _l("Approved"),
    (ProposalState.confirmed, DecisionOutcome.rejected): _l("Rejected"),
}


def decision_label(row: RankingRow) -> str:
    decision = row.decision
    if decision is None:
        return ""
    return str(PROPOSAL_LABELS[ProposalState(decision.state), DecisionOutcome(decision.outcome)])


@dataclass(frozen=True)
class NumberFormat:
    """Numbers as app.core.money formats them in the interface language ("12 345,67 €"),
    without going through Babel for each of the ranking's thousand cells."""

    group: str
    decimal: str

    @classmethod
    def current(cls) -> NumberFormat:
        language = current_language()
        return cls(get_group_symbol(language), get_decimal_symbol(language))

    def number(self, value: Decimal | None) -> str:
        """A value with two decimals, grouped by thousands."""
        if value is None:
            return ""
        if value < 0:
            return format_money(int(value * 100), with_unit=False)
        whole, _sep, fraction = f"{value:.2f}".partition(".")
        return f"{int(whole):,}".replace(",", self.group) + self.decimal + fraction

    def money(self, cents: int | None) -> str:
        if cents is None:
            return ""
        if cents < 0:
            return format_money(cents)
        return f"{cents // 100:,}".replace(",", self.group) + \
            f"{self.decimal}{cents % 100:02d}\u00a0€"

    def score(self, value: Fraction | float | None) -> str:
        return self.number(rounded(value))


@dataclass(slots=True)
class RowView:
    """A ranking row as the page shows it, formatted once in Python (a call's ranking has
    hundreds of rows; formatting in the template costs several times more)."""

    row: RankingRow
    css: str = ""
    rank: str = ""
    title: str = ""
    url: str | None = None
    lead: str = ""
    state: str = ""
    mean: str = ""
    low_high: str = ""
    std_dev: str = ""
    reviews: str = ""
    conflicted: str = ""
    recommendations: tuple = ()
    requested: str = ""
    proposed: str = ""
    running: str = ""
    decision: str = ""
    decision_url: str | None = None


def row_views(ranking: Ranking, fmt: NumberFormat, state_labels: dict, rows: list,
              application_url, decision_url) -> list[RowView]:
    """`rows` of `ranking` ready to show; hidden rows keep only their title."""
    labels = [(value.value, str(label)) for value, label in RECOMMENDATION_LABELS.items()]
    views = []
    for row in rows:
        application = row.application
        if row.hidden:
            views.append(RowView(row, css="conflicted", title=application.project_name))
            continue
        css = row.group + (" over-budget" if row.rank is not None and not row.within_budget
                           else "")
        scored = row.mean is not None
        views.append(RowView(
            row, css=css, rank="–" if row.rank is None else str(row.rank),
            title=application.project_name,
            url=application_url(application.id) if application_url else None,
            lead=application.organisation.name, state=state_labels[application.state],
            mean=fmt.score(row.mean) if scored else "",
            low_high=f"{fmt.score(row.minimum)}–{fmt.score(row.maximum)}" if scored else "",
            std_dev=fmt.score(row.std_dev) if scored else "",
            reviews=f"{row.submitted_count} / {row.assigned_count}",
            conflicted=ngettext("+ %(num)s conflicted", "+ %(num)s conflicted",
                                row.conflicted_count) if row.conflicted_count else "",
            recommendations=tuple(f"{label}: {row.recommendations[value]}"
                                  for value, label in labels if row.recommendations[value]),
            requested=fmt.money(row.requested_cents), proposed=fmt.money(row.proposed_mean_cents),
            running=fmt.money(row.running_total_cents), decision=decision_label(row),
            decision_url=decision_url(application.id) if decision_url else None))
    return views


def columns() -> list[str]:
    """The exports' headers, in the user's language."""
    return [_("Rank"), _("Application"), _("Lead applicant"), _("State"), _("Mean score"),
            _("Lowest score"), _("Highest score"), _("Standard deviation"),
            _("Reviews submitted"), _("Reviewers assigned"), _("Conflicted reviewers"),
            _("Eligible"), str(RECOMMENDATION_LABELS[Recommendation.fund]),
            str(RECOMMENDATION_LABELS[Recommendation.fund_with_conditions]),
            str(RECOMMENDATION_LABELS[Recommendation.do_not_fund]),
            _("Support applied for (€)"), _("Proposed amount, mean (€)"),
            _("Running total (€)"), _("Within the budget"), _("Decision"), _("Note")]


def _values(row: RankingRow) -> list:
    """One row's cells: text as str, numbers as int or Decimal, blanks as None."""
    application = row.application
    if row.hidden:
        return [None, application.project_name, *[None] * 18,
                _("You are conflicted on this application: its figures are not shown.")]
    yes, no = _("yes"), _("no")
    eligible = "" if row.mean is None and not row.ineligible else (no if row.ineligible else yes)
    note = ""
    if row.mean is None and not row.ineligible:
        note = _("No counted reviews yet.")
    return [
        row.rank, application.project_name, application.organisation.name,
        str(STATE_LABELS[application.state]), rounded(row.mean), rounded(row.minimum),
        rounded(row.maximum), rounded(row.std_dev), row.submitted_count, row.assigned_count,
        row.conflicted_count, eligible,
        row.recommendations.get(Recommendation.fund.value, 0),
        row.recommendations.get(Recommendation.fund_with_conditions.value, 0),
        row.recommendations.get(Recommendation.do_not_fund.value, 0),
        spreadsheets.euros(row.requested_cents), spreadsheets.euros(row.proposed_mean_cents),
        spreadsheets.euros(row.running_total_cents),
        "" if row.rank is None else (yes if row.within_budget else no),
        decision_label(row), note,
    ]


def _filename(ranking: Ranking, extension: str) -> str:
    return f"call-{ranking.call.id}-ranking.{extension}"


def ranking_csv(ranking: Ranking) -> Response:
    """UTF-8 with a BOM and semicolons, as Excel expects in Finland."""
    return spreadsheets.csv_response(columns(), (_values(row) for row in ranking.rows),
                                     _filename(ranking, "csv"))


# 1-based: support applied for, proposed amount, running total
MONEY_COLUMNS = frozenset({16, 17, 18})


def ranking_xlsx(ranking: Ranking) -> Response:
    """One sheet; text cells are strings (never formulas), numbers are numbers."""
    return spreadsheets.xlsx_response(columns(), (_values(row) for row in ranking.rows),
                                      _filename(ranking, "xlsx"), _("Ranking"),
                                      money_columns=MONEY_COLUMNS)
