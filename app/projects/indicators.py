"""The figures of a progress report: aggregated counts only (the breakdowns of the ESF+
common output and result indicators), and the rules that every breakdown adds up to its total.

No personal data about jobseekers is ever stored: only counts per period.

A breakdown is either *exact* (its parts add up to the total: gender, age, labour-market
status, education level; referrals) or *at most* (the parts are some of the total: results
on leaving, "of which" figures). `check(figures)` returns every problem, each naming the
breakdown and the difference.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l

MAX_COUNT = 1_000_000

# key -> label. The order is the form's order.
FIELDS: dict[str, object] = {
    # participants who started in the period
    "started": _l("Participants who started"),
    "women": _l("Women"),
    "men": _l("Men"),
    "gender_other": _l("Other gender or not stated"),
    "age_under_18": _l("Under 18"),
    "age_18_29": _l("18–29 years"),
    "age_30_54": _l("30–54 years"),
    "age_55_plus": _l("55 and over"),
    "unemployed": _l("Unemployed"),
    "long_term_unemployed": _l("of whom long-term unemployed"),
    "inactive": _l("Inactive (outside the labour force)"),
    "employed_at_entry": _l("Employed"),
    "disabled": _l("With disabilities or partially able to work"),
    "isced_0_2": _l("Lower secondary at most (ISCED 0–2)"),
    "isced_3_4": _l("Upper secondary or post-secondary (ISCED 3–4)"),
    "isced_5_8": _l("Tertiary (ISCED 5–8)"),
    "foreign_background": _l("With a foreign background"),
    # referrals
    "referred": _l("Referred by the employment authority"),
    "referral_started": _l("Started"),
    "referral_declined": _l("Declined to take part"),
    "referral_no_show": _l("Did not arrive"),
    # results on leaving
    "left": _l("Left the service"),
    "employed": _l("Employed"),
    "wage_subsidy": _l("of whom with a pay subsidy"),
    "business": _l("Started a business"),
    "education": _l("In education or training"),
    "other_positive": _l("Other positive outcome"),
    # six months after leaving, when known
    "followed_6m": _l("Followed up six months after leaving"),
    "employed_6m": _l("Employed"),
    "wage_subsidy_6m": _l("of whom with a pay subsidy"),
    "business_6m": _l("Running a business"),
    "education_6m": _l("In education or training"),
    "other_positive_6m": _l("Other positive outcome"),
}

SECTIONS: dict[str, tuple[object, tuple[str, ...]]] = {
    "participants": (_l("Participants"), (
        "started", "women", "men", "gender_other", "age_under_18", "age_18_29", "age_30_54",
        "age_55_plus", "unemployed", "long_term_unemployed", "inactive", "employed_at_entry",
        "disabled", "isced_0_2", "isced_3_4", "isced_5_8", "foreign_background")),
    "referrals": (_l("Referrals"), (
        "referred", "referral_started", "referral_declined", "referral_no_show")),
    "results": (_l("Results on leaving"), (
        "left", "employed", "wage_subsidy", "business", "education", "other_positive")),
    "results_6m": (_l("Six months after leaving"), (
        "followed_6m", "employed_6m", "wage_subsidy_6m", "business_6m", "education_6m",
        "other_positive_6m")),
}


@dataclass(frozen=True)
class Breakdown:
    key: str
    label: object
    total: str
    parts: tuple[str, ...]
    exact: bool  # the parts add up to the total; otherwise they are at most the total


BREAKDOWNS: tuple[Breakdown, ...] = (
    Breakdown("gender", _l("Gender"), "started", ("women", "men", "gender_other"), True),
    Breakdown("age", _l("Age"), "started",
              ("age_under_18", "age_18_29", "age_30_54", "age_55_plus"), True),
    Breakdown("status", _l("Labour-market status at entry"), "started",
              ("unemployed", "inactive", "employed_at_entry"), True),
    Breakdown("long_term", _l("Long-term unemployed"), "unemployed",
              ("long_term_unemployed",), False),
    Breakdown("disabled", _l("With disabilities or partially able to work"), "started",
              ("disabled",), False),
    Breakdown("education_level", _l("Education level"), "started",
              ("isced_0_2", "isced_3_4", "isced_5_8"), True),
    Breakdown("foreign", _l("Foreign background"), "started", ("foreign_background",), False),
    Breakdown("referrals", _l("Referrals"), "referred",
              ("referral_started", "referral_declined", "referral_no_show"), True),
    Breakdown("results", _l("Results on leaving"), "left",
              ("employed", "business", "education", "other_positive"), False),
    Breakdown("wage_subsidy", _l("Employed with a pay subsidy"), "employed",
              ("wage_subsidy",), False),
    Breakdown("results_6m", _l("Six months after leaving"), "followed_6m",
              ("employed_6m", "business_6m", "education_6m", "other_positive_6m"), False),
    Breakdown("wage_subsidy_6m", _l("Employed with a pay subsidy six months after leaving"),
              "employed_6m", ("wage_subsidy_6m",), False),
)

# Cumulative checks across reports: nobody leaves who has not started, and nobody is followed
# up who has not left.
CUMULATIVE: tuple[Breakdown, ...] = (
    Breakdown("left_started", _l("Left the service"), "started", ("left",), False),
    Breakdown("followed_left", _l("Followed up six months after leaving"), "left",
              ("followed_6m",), False),
)

# The figures a project sets targets for (application.target_*) and charts against them.
TARGETS = {
    "started": "target_participants",
    "employed": "target_employed",
    "business": "target_business_started",
    "education": "target_in_education",
}


@dataclass(frozen=True)
class Problem:
    """A breakdown that does not add up: `difference` = parts - total."""

    breakdown: Breakdown
    total: int
    parts: int

    @property
    def difference(self) -> int:
        return self.parts - self.total

    @property
    def field(self) -> str:
        return self.breakdown.parts[0]

    def message(self) -> str:
        from flask_babel import gettext as _

        names = " + ".join(str(FIELDS[key]) for key in self.breakdown.parts)
        values = dict(breakdown=self.breakdown.label, names=names, parts=self.parts,
                      total_name=FIELDS[self.breakdown.total], total=self.total)
        if self.breakdown.exact and self.parts < self.total:
            return _("%(breakdown)s: %(names)s = %(parts)s, which is %(difference)s less than "
                     "%(total_name)s (%(total)s).", difference=-self.difference, **values)
        return _("%(breakdown)s: %(names)s = %(parts)s, which is %(difference)s more than "
                 "%(total_name)s (%(total)s).", difference=self.difference, **values)

    def __str__(self) -> str:
        return self.message()


def clean(figures: Mapping | None) -> dict[str, int]:
    """Known keys with whole, non-negative counts (missing and blank are 0)."""
    figures = figures or {}
    result = {}
    for key in FIELDS:
        value = figures.get(key)
        try:
            number = int(value) if value not in (None, "") else 0
        except (TypeError, ValueError, OverflowError):  # OverflowError: float infinity
            number = 0
        result[key] = min(max(number, 0), MAX_COUNT)
    return result


def _check(figures: Mapping, breakdowns: Iterable[Breakdown]) -> list[Problem]:
    values = clean(figures)
    problems = []
    for breakdown in breakdowns:
        total = values[breakdown.total]
        parts = sum(values[key] for key in breakdown.parts)
        if (breakdown.exact and parts != total) or (not breakdown.exact and parts > total):
            problems.append(Problem(breakdown, total, parts))
    return problems


def check(figures: Mapping | None) -> list[Problem]:
    """Every breakdown of one report's figures that does not add up to its total."""
    return _check(figures or {}, BREAKDOWNS)


def check_cumulative(cumulative: Mapping) -> list[Problem]:
    """The checks that hold only over the whole project so far."""
    return _check(cumulative, CUMULATIVE)


def cumulative(reports: Iterable) -> dict[str, int]:
    """Sum of the figures of `reports` (Report rows or plain dicts of figures)."""
    totals = {key: 0 for key in FIELDS}
    for report in reports:
        figures = clean(getattr(report, "figures", report))
        for key in FIELDS:
            totals[key] += figures[key]
    return totals


def suppress(value: int | None, threshold: int = 5) -> str:
    """A public figure: "< 5" for 1–4 so that no person can be recognised."""
    if value is None:
        return "–"
    if 0 < value < threshold:
        return f"< {threshold}"
    return str(value)
