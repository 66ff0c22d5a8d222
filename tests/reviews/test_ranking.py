"""The ranking: figures on a hand-computed example, rank order, the budget line and running
totals, decisions, conflicts (of reviewers and of the viewer), sorting, filters, the exports
and who may see it."""

from __future__ import annotations

import csv
import io
from decimal import Decimal
from fractions import Fraction

import pytest
from flask_babel import force_locale
from flask_babel import gettext as _

from app.core.money import format_money
from app.extensions import db
from app.organisations.models import Role
from app.reviews import services
from app.reviews.exports import NumberFormat
from app.reviews.models import Decision, DecisionOutcome, ProposalState
from app.reviews.ranking import RankingFilters, call_ranking
from app.reviews.scoring import rounded
from tests.reviews.officer_support import make_world, owner_of, review, submitted


@pytest.fixture
def world(make_call, make_organisation, make_user, add_member):
    return make_world(make_call, make_organisation, make_user, add_member, reviewers=5)


def _row(ranking, application):
    return next(r for r in ranking.all_rows if r.application.id == application.id)


def test_figures_of_a_hand_computed_example(world, make_application, add_member):
    """Weights 40/30/10/20 over scales 5, 5, 3, 5:
    (4, 3, 2, 5) -> 32 + 18 + 6.67 + 20 = 230/3 = 76.67
    (5, 5, 3, 5) -> 100
    (2, 1, 0, 3) -> 16 + 6 + 0 + 12 = 34
    mean 632/9 = 70.22, min 34, max 100, population standard deviation 27.33."""
    a, b, c, d, e = world.reviewers
    application = submitted(make_application, world.call, "Laskettu hanke")
    review(world, application, a, (4, 3, 2, 5), recommendation="fund",
           proposed_cents=80_000_00)
    review(world, application, b, (5, 5, 3, 5), recommendation="fund_with_conditions",
           proposed_cents=100_000_00)
    review(world, application, c, (2, 1, 0, 3), recommendation="do_not_fund")
    # Conflicted reviewers are left out of every figure: one declared, one who submitted and
    # then became a member of the lead applicant (an automatic conflict).
    review(world, application, d, conflict="service_or_board")
    review(world, application, e, (0, 0, 0, 0), passed=False, recommendation="do_not_fund",
           proposed_cents=1_00)
    add_member(application.organisation, e, Role.member)

    row = _row(call_ranking(world.call, world.officer), application)
    assert row.mean == Fraction(632, 9)
    assert rounded(row.mean) == Decimal("70.22")
    assert (row.minimum, row.maximum) == (34, 100)
    assert row.spread == 66
    assert rounded(row.std_dev) == Decimal("27.33")
    assert (row.submitted_count, row.assigned_count, row.conflicted_count) == (3, 3, 2)
    assert row.ineligible is False  # e failed the general criterion, but e does not count
    assert row.recommendations == {"fund": 1, "fund_with_conditions": 1, "do_not_fund": 1}
    assert row.proposed_mean_cents == 90_000_00  # (80 000 + 100 000) / 2; e's 1 € left out
    assert row.requested_cents == application.support_cents == 107_520_00
    assert row.rank == 1 and row.hidden is False


def test_figures_follow_every_change(world, make_application, add_member):
    """The figures are remembered between requests: each change shows at once."""
    a, b, c, *_ = world.reviewers
    application = submitted(make_application, world.call, "Muuttuva")
    first = review(world, application, a, (5, 5, 3, 5))
    review(world, application, b, (0, 0, 0, 0))
    assert _row(call_ranking(world.call, world.officer), application).mean == 50
    # a reviewer joins the lead applicant: an automatic conflict
    add_member(application.organisation, b, Role.member)
    row = _row(call_ranking(world.call, world.officer), application)
    assert (row.mean, row.conflicted_count) == (100, 1)
    # a review reopened, rescored and submitted again
    services.reopen_review(a, first)
    given = {cr.id: services.ScoreInput(score=0, comment="Uusi.") for cr in
             world.call.criteria if cr.is_scored}
    services.save_review(a, first, given, "do_not_fund", None, "Muutettu.")
    db.session.commit()
    assert _row(call_ranking(world.call, world.officer), application).mean is None
    services.submit_review(a, first)
    db.session.commit()
    assert _row(call_ranking(world.call, world.officer), application).mean == 0
    # another reviewer, and the weights of the criteria
    review(world, application, c, (5, 0, 0, 0))  # 40 with the weight 40 of the first
    assert _row(call_ranking(world.call, world.officer), application).mean == 20
    content = next(cr for cr in world.call.criteria if cr.weight == 40)
    horizontal = next(cr for cr in world.call.criteria if cr.weight == 10)
    content.weight, horizontal.weight = 10, 40
    db.session.commit()
    row = _row(call_ranking(world.call, world.officer), application)
    assert row.mean == 5  # (0 + 10) / 2
    assert row.recommendations == {"do_not_fund": 1, "fund": 1}


def test_a_review_counts_only_once_submitted(world, make_application):
    a, b, *_ = world.reviewers
    application = submitted(make_application, world.call, "Kesken")
    review(world, application, a, (5, 5, 3, 5))
    review(world, application, b, (0, 0, 0, 0), submit=False)
    row = _row(call_ranking(world.call, world.officer), application)
    assert (row.submitted_count, row.assigned_count, row.mean) == (1, 2, 100)


def test_rank_order_ties_unscored_and_ineligible_last(world, make_application):
    a, b, *_ = world.reviewers
    low = submitted(make_application, world.call, "Matala")  # submitted first
    ineligible = submitted(make_application, world.call, "Hylättävä")
    unscored = submitted(make_application, world.call, "Arvioimaton")
    best = submitted(make_application, world.call, "Paras")
    tie = submitted(make_application, world.call, "Tasapeli")  # same mean as low, later
    review(world, low, a, (3, 3, 3, 3))
    review(world, tie, a, (3, 3, 3, 3))
    review(world, best, a, (5, 5, 3, 5))
    review(world, ineligible, a, (5, 5, 3, 5), passed=False)  # the best mean, but ineligible
    review(world, ineligible, b, (5, 5, 3, 5))
    world.reviewers[2]  # unscored has no reviews at all
    ranking = call_ranking(world.call, world.officer)
    assert [r.application.project_name for r in ranking.rows] == [
        "Paras", "Matala", "Tasapeli", "Arvioimaton", "Hylättävä"]
    assert [r.rank for r in ranking.rows] == [1, 2, 3, None, None]
    assert _row(ranking, ineligible).ineligible
    assert _row(ranking, unscored).mean is None


def test_budget_line_after_the_last_application_that_fits(world, make_application):
    a = world.reviewers[0]
    # budget 300 000 €: 100 000 + 150 000 fit (250 000), the third (100 000) does not
    first = submitted(make_application, world.call, "Eka", support_cents=100_000_00)
    second = submitted(make_application, world.call, "Toka", support_cents=150_000_00)
    third = submitted(make_application, world.call, "Kolmas", support_cents=100_000_00)
    ineligible = submitted(make_application, world.call, "Ei kelpaa", support_cents=1_00)
    review(world, first, a, (5, 5, 3, 5))
    review(world, second, a, (4, 4, 2, 4))
    review(world, third, a, (3, 3, 1, 3))
    review(world, ineligible, a, (5, 5, 3, 5), passed=False)
    ranking = call_ranking(world.call, world.officer)
    assert [r.running_total_cents for r in ranking.rows] == [
        100_000_00, 250_000_00, 350_000_00, None]
    assert [r.within_budget for r in ranking.rows] == [True, True, False, False]
    assert ranking.line_index == 1 and ranking.line_total_cents == 250_000_00
    assert not ranking.all_fit

    world.call.total_budget_cents = 50_000_00  # not even the first fits
    assert call_ranking(world.call, world.officer).line_index == -1
    world.call.total_budget_cents = 1_000_000_00  # everything fits: the line after the last
    ranking = call_ranking(world.call, world.officer)
    assert ranking.line_index == 2 and ranking.all_fit


def test_the_page_draws_the_budget_line_as_a_row_of_text(world, make_application, client,
                                                         login_as):
    a = world.reviewers[0]
    for name, support, scores in (("Eka", 100_000_00, (5, 5, 3, 5)),
                                  ("Toka", 150_000_00, (4, 4, 2, 4)),
                                  ("Kolmas", 100_000_00, (3, 3, 1, 3))):
        review(world, submitted(make_application, world.call, name, support_cents=support), a,
               scores)
    login_as(world.officer)
    page = client.get(f"/calls/{world.call.id}/ranking").get_data(as_text=True)
    line = page.index("Budget runs out here: 250,000.00\u00a0€ of 300,000.00\u00a0€.")
    assert page.index("Toka") < line < page.index("Kolmas")
    assert '<tr class="budget-line" id="budget-line">' in page
    assert '<caption id="ranking-caption">' in page
    assert "350,000.00\u00a0€" in page  # the running total of the third

    sorted_page = client.get(f"/calls/{world.call.id}/ranking?sort=requested")
    text = sorted_page.get_data(as_text=True)
    assert "Budget runs out here" not in text
    assert "Sort by rank to see the budget line" in text
    assert text.index("Toka") < text.index("Eka")  # 150 000 first
    assert "350,000.00\u00a0€" in text  # running totals stay in rank order
    assert 'aria-sort="descending"' in text


def test_filters_and_sorting(world, make_application):
    a = world.reviewers[0]
    good = submitted(make_application, world.call, "Bravo", support_cents=10_000_00)
    other = submitted(make_application, world.call, "Alfa", support_cents=20_000_00)
    submitted(make_application, world.call, "Charlie")
    review(world, good, a, (5, 5, 3, 5), recommendation="fund")
    review(world, other, a, (2, 2, 2, 2), recommendation="do_not_fund")
    names = lambda r: [row.application.project_name for row in r.rows]  # noqa: E731
    assert names(call_ranking(world.call, world.officer, filters=RankingFilters(
        eligible_only=True))) == ["Bravo", "Alfa"]
    assert names(call_ranking(world.call, world.officer, filters=RankingFilters(
        recommendation="do_not_fund"))) == ["Alfa"]
    assert names(call_ranking(world.call, world.officer, sort="name")) == [
        "Alfa", "Bravo", "Charlie"]
    by_requested = call_ranking(world.call, world.officer, sort="requested")
    assert names(by_requested)[:2] == ["Charlie", "Alfa"] and by_requested.line_index is None
    assert names(call_ranking(world.call, world.officer, sort="mean", descending=False)) == [
        "Alfa", "Bravo", "Charlie"]  # rows without a mean stay last
    args = RankingFilters.from_args({"eligible": "1", "state": "bogus", "recommendation": "x"})
    assert args == RankingFilters(eligible_only=True)


def test_decisions_are_shown(world, make_application, client, login_as):
    a = world.reviewers[0]
    application = submitted(make_application, world.call, "Päätetty")
    review(world, application, a, (5, 5, 3, 5))
    db.session.add(Decision(application_id=application.id, call_id=world.call.id,
                            state=ProposalState.proposed, outcome=DecisionOutcome.approved,
                            granted_cents=50_000_00, justification="Pisteet."))
    db.session.commit()
    row = _row(call_ranking(world.call, world.officer), application)
    assert row.decision is not None and row.decision.granted_cents == 50_000_00
    login_as(world.officer)
    page = client.get(f"/calls/{world.call.id}/ranking").get_data(as_text=True)
    assert "Approval proposed" in page


def _conflicted_setup(world, make_application, add_member, make_user):
    """A call manager who is a member of one applicant's lead organisation."""
    a = world.reviewers[0]
    mine = submitted(make_application, world.call, "=HYPERLINK(\"http://x\")",
                     support_cents=123_456_00)
    other = submitted(make_application, world.call, "Vieras hanke", support_cents=10_000_00)
    review(world, mine, a, (5, 5, 3, 5), proposed_cents=99_999_00)
    review(world, other, a, (3, 3, 3, 3))
    manager = make_user(name="Jäävi Hakuvastaava")
    add_member(world.ely, manager, Role.member, call_manager=True)
    add_member(mine.organisation, manager, Role.member)
    return manager, mine, other


def test_a_conflicted_viewer_sees_only_the_title(world, make_application, add_member,
                                                 make_user, client, login_as):
    manager, mine, other = _conflicted_setup(world, make_application, add_member, make_user)
    ranking = call_ranking(world.call, manager)
    row = _row(ranking, mine)
    assert row.hidden and row.mean is None and row.requested_cents is None
    assert row.decision is None and row.rank is None and row.running_total_cents is None
    assert ranking.rows[-1] is row  # last, not in its place by score
    assert _row(ranking, other).rank == 1
    assert _row(ranking, other).running_total_cents == 10_000_00  # mine left out
    # the officer, not conflicted, sees it first with its figures
    assert _row(call_ranking(world.call, world.officer), mine).rank == 1

    login_as(manager)
    page = client.get(f"/calls/{world.call.id}/ranking").get_data(as_text=True)
    assert "=HYPERLINK(&#34;http://x&#34;)" in page or '=HYPERLINK("http://x")' in page
    assert "You are conflicted on this application" in page
    assert "123,456.00" not in page and "99,999.00" not in page and "133,456.00" not in page
    assert mine.organisation.name not in page
    assert f"/calls/applications/{mine.id}" not in page


def test_exports_parse_neutralise_and_hide_conflicted_figures(world, make_application,
                                                              add_member, make_user, client,
                                                              login_as):
    from openpyxl import load_workbook

    manager, mine, other = _conflicted_setup(world, make_application, add_member, make_user)
    login_as(world.officer)
    response = client.get(f"/calls/{world.call.id}/ranking.csv")
    assert response.status_code == 200
    assert response.headers["Content-Type"].startswith("text/csv")
    assert 'filename="call-' in response.headers["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.get_data().decode("utf-8-sig")),
                           delimiter=";"))
    header, body = rows[0], rows[1:]
    title = header.index("Application")
    assert body[0][title] == "'=HYPERLINK(\"http://x\")"  # neutralised
    assert body[0][header.index("Support applied for (€)")] == "123456.00".replace(".", ",")
    assert body[0][header.index("Mean score")] == "100,00"
    for row in body:
        assert not any(cell.startswith(("=", "+", "-", "@")) for cell in row)

    response = client.get(f"/calls/{world.call.id}/ranking.xlsx")
    assert response.status_code == 200
    assert 'filename="call-' in response.headers["Content-Disposition"]
    sheet = load_workbook(io.BytesIO(response.get_data())).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    assert values[0][title] == "Application"
    assert values[1][title] == "'=HYPERLINK(\"http://x\")"
    assert sheet.cell(row=2, column=title + 1).data_type == "s"  # text, never a formula
    assert values[1][header.index("Support applied for (€)")] == Decimal("123456") or \
        values[1][header.index("Support applied for (€)")] == 123456
    assert values[1][header.index("Mean score")] == 100
    assert isinstance(values[1][header.index("Reviews submitted")], int)

    # The conflicted manager: the title and a note, no figures, in both exports.
    login_as(manager)
    rows = list(csv.reader(io.StringIO(client.get(
        f"/calls/{world.call.id}/ranking.csv").get_data().decode("utf-8-sig")), delimiter=";"))
    mine_row = next(r for r in rows[1:] if "HYPERLINK" in r[title])
    assert [cell for i, cell in enumerate(mine_row) if i not in (title, len(header) - 1)
            and cell] == []
    assert "123456" not in ";".join(mine_row) and "conflicted" in mine_row[-1]
    sheet = load_workbook(io.BytesIO(client.get(
        f"/calls/{world.call.id}/ranking.xlsx").get_data())).active
    mine_cells = next(r for r in sheet.iter_rows(values_only=True)
                      if r[title] and "HYPERLINK" in r[title])
    assert [v for i, v in enumerate(mine_cells) if i not in (title, len(header) - 1)
            and v not in (None, "")] == []


def test_export_headers_follow_the_users_language(world, make_application, client, login_as):
    review(world, submitted(make_application, world.call, "Kielitesti"), world.reviewers[0])
    world.officer.language = "fi"  # the user's own language
    db.session.commit()
    login_as(world.officer)
    with force_locale("fi"):
        expected = _("State")
    rows = list(csv.reader(io.StringIO(client.get(
        f"/calls/{world.call.id}/ranking.csv").get_data().decode("utf-8-sig")), delimiter=";"))
    assert expected in rows[0]
    assert expected != "State"  # the catalog has it: the header really is translated


@pytest.mark.parametrize("language", ["fi", "sv", "en"])
def test_the_fast_number_format_matches_format_money(app, language):
    with app.test_request_context("/", headers={"Accept-Language": language}):
        fmt = NumberFormat.current()
        for cents in (0, 5, 99, 100, 123456, 100_000_00, 123_456_789_01, -1234):
            assert fmt.money(cents) == format_money(cents)


def test_who_may_see_the_ranking(world, make_application, make_user, make_organisation,
                                 add_member, client, login_as):
    review(world, submitted(make_application, world.call, "Näkyvyys"), world.reviewers[0])
    url = f"/calls/{world.call.id}/ranking"
    assert client.get(url).status_code in (302, 401)  # signed out: to the log-in
    for path in (url, url + ".csv", url + ".xlsx"):
        login_as(make_user())  # no membership in the centre
        assert client.get(path).status_code == 404
        login_as(world.reviewers[1])  # a member without the role
        assert client.get(path).status_code == 403
        login_as(world.officer)
        assert client.get(path).status_code == 200
        login_as(world.owner)  # the owner may decide, so sees the ranking
        assert client.get(path).status_code == 200
    outsider_owner = owner_of(make_organisation())
    login_as(outsider_owner)
    assert client.get(url).status_code == 404
    odd = "?sort=bogus&order=x&state=nope&eligible=maybe&recommendation=%E2%80%A6"
    assert client.get(url + odd).status_code == 404
    login_as(world.officer)
    assert client.get(url + odd).status_code == 200
