"""Every list runs the same number of SQL statements whatever its length."""

from __future__ import annotations

import pytest

from app.applications.models import ApplicationPartner
from app.organisations.partnership import PartnerState


def _count(client, count_queries, url) -> int:
    client.get(url)  # warm-up: the search index catches up with the change log
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count, len(response.get_json()["items"])


@pytest.fixture
def practices(make_practice, make_organisation):
    def _make(n):
        for i in range(n):
            organisation = make_organisation()
            make_practice(organisation=organisation, title=f"Kyselymalli {i}", published=True)

    return _make


@pytest.fixture
def organisations(make_organisation):
    def _make(n):
        for i in range(n):
            make_organisation(name=f"Kyselyjärjestö {i} ry", regions=("MK01", "MK02"))

    return _make


@pytest.fixture
def calls(make_call):
    def _make(n):
        for _ in range(n):
            make_call()

    return _make


@pytest.fixture
def projects(db, make_call, make_application, make_organisation):
    def _make(n):
        # a budget that all of them fit in (the decisions are checked against it)
        call = make_call(total_budget_cents=n * 107_520_00)
        for _ in range(n):
            application = make_application(call=call, state="approved")
            db.session.add(ApplicationPartner(application_id=application.id,
                                              organisation=make_organisation(),
                                              state=PartnerState.accepted))
        db.session.commit()

    return _make


@pytest.mark.parametrize("url,factory", [
    ("/api/v1/practices?per_page=100", "practices"),
    ("/api/v1/practices?q=kyselymalli&per_page=100", "practices"),
    ("/api/v1/organisations?per_page=100", "organisations"),
    ("/api/v1/calls?per_page=100", "calls"),
    ("/api/v1/projects?per_page=100", "projects"),
])
def test_queries_do_not_grow_with_the_page(request, client, count_queries, url, factory):
    make = request.getfixturevalue(factory)
    make(3)
    few, shown_few = _count(client, count_queries, url)
    make(17)
    many, shown_many = _count(client, count_queries, url)
    assert shown_many > shown_few >= 3
    assert many == few, f"{url}: {few} statements for {shown_few} items, {many} for {shown_many}"
