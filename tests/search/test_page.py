"""The /search page: works without JavaScript, answers htmx with the results fragment."""

from __future__ import annotations

import pytest

from app.search.changes import record_change


@pytest.fixture
def models(db, make_practice, make_organisation):
    organisation = make_organisation(name="Polku Työhön ry", expertise="työhönvalmennus")
    record_change("organisation", organisation.id)
    db.session.commit()
    make_practice(organisation=organisation, title="Työhönvalmennus nuorille",
                  regions=["MK01"], target_groups=["youth"], published=True)
    make_practice(organisation=organisation, title="Työhönvalmennus maahanmuuttajille",
                  regions=["MK08"], target_groups=["immigrants"], published=True)
    make_practice(title="Luonnos työhönvalmennuksesta", published=False)


def test_the_page_without_javascript(client, models):
    response = client.get("/search?q=työhönvalmennus")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert '<form method="get" action="/search"' in html
    assert "<mark>Työhönvalmennus</mark> nuorille" in html
    assert "Luonnos" not in html
    assert 'role="status"' in html and "2 service models" in html
    assert 'name="regions" value="MK08"' in html  # facet checkboxes with counts
    assert "Polku Työhön ry" in html  # the organisations section
    assert "HX-Request" in response.headers["Vary"]


def test_htmx_gets_the_fragment_with_out_of_band_count_and_facets(client, models):
    response = client.get("/search?q=työhönvalmennus&regions=MK08",
                          headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert "<html" not in html
    assert 'id="result-count" hx-swap-oob="innerHTML"' in html
    assert 'id="search-facets"' in html and "hx-swap-oob" in html
    assert "maahanmuuttajille" in html and "nuorille</a>" not in html
    assert "1 service model" in html
    # The feed link follows the search the results now show.
    assert 'id="search-feed-link" hx-swap-oob="true"' in html
    assert "/feeds/search.atom?q=ty%C3%B6h%C3%B6nvalmennus&amp;regions=MK08" in html


def test_empty_result_suggests_a_spelling(client, models):
    html = client.get("/search?q=työhönvalmenus").get_data(as_text=True)
    assert "<mark>" in html  # one typo is forgiven
    html = client.get("/search?q=tyhönvalmnnus").get_data(as_text=True)
    assert "Did you mean" in html and "työhönvalmennus" in html


@pytest.mark.parametrize("query", [
    "?q=%22", "?q=" + "x" * 5000, "?page=99999999", "?page=-1", "?sort=evil",
    "?regions=nope&regions=MK01", "?q=<script>alert(1)</script>", "?per_page=1000",
])
def test_odd_requests_still_answer(client, models, query):
    response = client.get("/search" + query)
    assert response.status_code == 200
    assert "<script>alert(1)</script>" not in response.get_data(as_text=True)


def test_the_empty_page_lists_the_newest(client, models):
    html = client.get("/search").get_data(as_text=True)
    assert "2 service models" in html
