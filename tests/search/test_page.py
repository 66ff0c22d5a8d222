"""The /search page: works without JavaScript, answers htmx with the results fragment."""

from __future__ import annotations

import pytest

from app.core.changes import record_change


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


def test_search_is_reachable_from_the_home_page_and_every_page(client):
    home = client.get("/").get_data(as_text=True)
    form = home.split('class="home-search"', 1)[1].split("</form>", 1)[0]
    assert 'action="/search"' in home.split('class="home-search"', 1)[0].rsplit("<form", 1)[1]
    assert '<label for="home-q">' in form and 'id="home-q" name="q"' in form
    nav = client.get("/organisations").get_data(as_text=True).split('class="main-nav"', 1)[1]
    assert 'href="/search"' in nav.split("</nav>", 1)[0]
    footer = home.split("<footer", 1)[1]
    assert 'href="/feeds/practices.atom"' in footer and 'href="/api/v1/openapi.json"' in footer


def test_the_home_search_box_leads_to_results(client, models):
    response = client.get("/search?q=työhönvalmennusta")  # what the home form submits
    assert "2 service models" in response.get_data(as_text=True)
