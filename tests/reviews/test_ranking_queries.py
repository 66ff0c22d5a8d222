"""The ranking page runs the same number of SQL statements at 50 and at 500 applications (each
with three submitted reviews scoring ten criteria), and so do its exports. The page shows 100
rows at a time; the figures and the budget line are computed over the whole call."""

from __future__ import annotations

from app.organisations.models import Role
from app.reviews.ranking import forget_figures
from tests.reviews.officer_support import TEN_CRITERIA, bulk_call, bulk_organisations


def test_ranking_query_count_does_not_grow_with_applications(
        make_call, make_organisation, make_user, add_member, client, login_as, count_queries):
    ely = make_organisation(name="Laskennan ELY-keskus", type="regional_authority")
    officer = make_user(name="Esittelijä")
    add_member(ely, officer, Role.member, call_manager=True)
    reviewers = []
    for n in range(4):
        person = make_user(name=f"Arvioija {n}")
        add_member(ely, person, Role.member, reviewer=True)
        reviewers.append(person.id)
    leads = bulk_organisations(40)
    counts = {}
    for size in (50, 500):
        call = make_call(ely=ely, criteria=TEN_CRITERIA, total_budget_cents=5_000_000_00)
        bulk_call(call, size, reviewers, leads, list(call.criteria))
        login_as(officer)
        url = f"/calls/{call.id}/ranking"
        first = client.get(url)
        assert first.status_code == 200
        # 100 rows a page; across the pages every application once and one budget line.
        rows = lines = 0
        for page in range(1, -(-size // 100) + 1):
            html = client.get(f"{url}?page={page}").get_data(as_text=True)
            line = html.count('id="budget-line"')
            rows += html.count("<tr") - 1 - line
            lines += line
        assert (rows, lines) == (size, 1)
        for path in (url, url + ".csv", url + ".xlsx", url + "?sort=mean&eligible=1"):
            with count_queries() as counter:
                assert client.get(path).status_code == 200
            counts[size, path.removeprefix(url)] = counter.count
        forget_figures()  # computed afresh, not remembered: still the same count
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        counts[size, "cold"] = counter.count
    for suffix in ("", ".csv", ".xlsx", "?sort=mean&eligible=1", "cold"):
        assert counts[50, suffix] == counts[500, suffix], counts
    assert max(counts.values()) <= 20, counts
