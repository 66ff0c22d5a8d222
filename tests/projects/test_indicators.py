"""The figures of a progress report (app.projects.indicators): every breakdown adds up to its
total (exactly, or at most), each problem names the breakdown and the difference; junk is
cleaned to whole non-negative counts; cumulative sums; small public figures are suppressed."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from app.projects import indicators
from app.projects.indicators import BREAKDOWNS, FIELDS


def consistent(started: int = 20) -> dict[str, int]:
    """Figures in which every breakdown adds up."""
    figures = {key: 0 for key in FIELDS}
    figures.update(
        started=started, women=started // 2, men=started - started // 2,
        age_18_29=started // 4, age_30_54=started - started // 4,
        unemployed=started - 2, long_term_unemployed=3, inactive=2,
        isced_0_2=started // 2, isced_3_4=started - started // 2 - 1, isced_5_8=1,
        disabled=4, foreign_background=2,
        referred=started + 5, referral_started=started, referral_declined=3,
        referral_no_show=2,
        left=10, employed=4, wage_subsidy=2, business=1, education=2, other_positive=1,
        followed_6m=6, employed_6m=3, wage_subsidy_6m=1, business_6m=1,
    )
    return figures


def test_consistent_figures_have_no_problems():
    assert indicators.check(consistent()) == []
    assert indicators.check({}) == []  # an empty report adds up (all zero)
    assert indicators.check(None) == []


@pytest.mark.parametrize("breakdown", BREAKDOWNS, ids=lambda b: b.key)
def test_every_breakdown_that_is_off_is_named_with_its_difference(breakdown):
    figures = consistent()
    part = breakdown.parts[-1]
    slack = figures[breakdown.total] - sum(figures[key] for key in breakdown.parts)
    figures[part] += slack + 3  # the parts are now three more than the total
    problems = [p for p in indicators.check(figures) if p.breakdown.key == breakdown.key]
    assert len(problems) == 1
    problem = problems[0]
    assert problem.difference == problem.parts - problem.total == 3
    assert problem.field == breakdown.parts[0]
    message = problem.message()
    assert str(breakdown.label) in message
    assert str(FIELDS[breakdown.total]) in message
    assert f"which is {problem.difference} more than" in message
    assert f"({figures[breakdown.total]})" in message


@pytest.mark.parametrize("breakdown", [b for b in BREAKDOWNS if b.exact], ids=lambda b: b.key)
def test_an_exact_breakdown_may_not_fall_short(breakdown):
    figures = consistent()
    figures[breakdown.total] += 2  # the parts are now two less than the total
    problems = {p.breakdown.key: p for p in indicators.check(figures)}
    problem = problems[breakdown.key]
    assert problem.difference == -2
    assert "which is 2 less than" in problem.message()


@pytest.mark.parametrize("breakdown", [b for b in BREAKDOWNS if not b.exact],
                         ids=lambda b: b.key)
def test_an_at_most_breakdown_may_fall_short(breakdown):
    figures = consistent()
    figures[breakdown.total] += 2
    assert breakdown.key not in {p.breakdown.key for p in indicators.check(figures)}


def test_the_kinds_of_breakdowns():
    exact = {b.key for b in BREAKDOWNS if b.exact}
    assert exact == {"gender", "age", "status", "education_level", "referrals"}
    assert {"results", "long_term", "wage_subsidy", "results_6m"} <= {
        b.key for b in BREAKDOWNS if not b.exact}


def test_gender_message_in_full():
    figures = consistent(10)
    figures["women"] = 7  # 7 + 5 + 0 = 12
    [problem] = [p for p in indicators.check(figures) if p.breakdown.key == "gender"]
    assert problem.message() == (
        "Gender: Women + Men + Other gender or not stated = 12, which is 2 more than "
        "Participants who started (10).")


def test_clean_turns_junk_into_whole_non_negative_counts():
    cleaned = indicators.clean({"started": "12", "women": -3, "men": "kolme", "gender_other": None,
                                "age_18_29": "", "age_30_54": 4.0, "referred": [1],
                                "left": 10**12, "unknown_key": 5, "employed": "7.5"})
    assert set(cleaned) == set(FIELDS)
    assert cleaned["started"] == 12
    assert cleaned["women"] == 0 and cleaned["men"] == 0 and cleaned["gender_other"] == 0
    assert cleaned["age_18_29"] == 0 and cleaned["age_30_54"] == 4
    assert cleaned["referred"] == 0 and cleaned["employed"] == 0
    assert cleaned["left"] == indicators.MAX_COUNT
    assert "unknown_key" not in cleaned
    assert indicators.clean(None) == {key: 0 for key in FIELDS}


@settings(max_examples=100, deadline=None)
@given(st.dictionaries(st.sampled_from(sorted(FIELDS)),
                       st.one_of(st.integers(), st.text(max_size=5), st.none(),
                                 st.floats(allow_nan=True))))
def test_clean_never_raises_and_checks_only_cleaned_counts(junk):
    cleaned = indicators.clean(junk)
    assert all(isinstance(v, int) and 0 <= v <= indicators.MAX_COUNT for v in cleaned.values())
    problems = indicators.check(junk)
    assert [p.breakdown.key for p in problems] == [
        p.breakdown.key for p in indicators.check(cleaned)]


def test_cumulative_sums_reports_and_plain_dicts():
    class Row:
        def __init__(self, figures):
            self.figures = figures

    first, second = consistent(10), consistent(6)
    total = indicators.cumulative([Row(first), second, Row({"started": "x"})])
    assert total["started"] == 16
    assert total["women"] == first["women"] + second["women"]
    assert total["left"] == 20
    assert set(total) == set(FIELDS)
    assert indicators.cumulative([]) == {key: 0 for key in FIELDS}


def test_cumulative_checks_span_the_whole_project():
    # Over the project nobody leaves who did not start, nobody is followed who did not leave.
    assert indicators.check_cumulative({"started": 5, "left": 5, "followed_6m": 5}) == []
    problems = indicators.check_cumulative({"started": 5, "left": 7, "followed_6m": 9})
    assert [(p.breakdown.key, p.difference) for p in problems] == [("left_started", 2),
                                                                   ("followed_left", 2)]
    assert "Left the service" in problems[0].message()


@pytest.mark.parametrize(("value", "shown"), [
    (None, "–"), (0, "0"), (1, "< 5"), (4, "< 5"), (5, "5"), (123, "123")])
def test_suppress_small_public_figures(value, shown):
    assert indicators.suppress(value) == shown


def test_suppress_with_another_threshold():
    assert indicators.suppress(9, threshold=10) == "< 10"
    assert indicators.suppress(10, threshold=10) == "10"
