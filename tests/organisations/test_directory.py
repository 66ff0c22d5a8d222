"""The public directory: only verified organisations, filters, sorting, paging, htmx."""

import re

import pytest

from app.organisations.models import OrganisationStatus


def _html(response) -> str:
    return response.get_data(as_text=True)


def _names(page: str) -> list[str]:
    """Organisation names in the order the result cards show them."""
    return re.findall(r'<h3><a href="/organisations/\d+">([^<]+)</a></h3>', page)


@pytest.fixture
def catalogue(make_user, make_organisation, db):
    owner = make_user()
    orgs = {
        "alfa": make_organisation("Alfa Osuuskunta", type="ngo", owner=owner, regions=("MK01",),
                                  target_groups=("youth",), expertise="työhönvalmennus"),
        "beta": make_organisation("Beta Henkilöstöpalvelut Oy", type="staffing_firm", owner=owner,
                                  regions=("MK06", "MK01"), target_groups=("over_50",)),
        "gamma": make_organisation("gamma-säätiö", type="other", owner=owner, regions=("MK19",),
                                   target_groups=("youth", "immigrants"),
                                   expertise="Kotoutuminen ja kielikoulutus"),
        "hidden": make_organisation("Piilotettu Yhdistys", type="ngo", owner=owner, verified=False,
                                    regions=("MK01",), target_groups=("youth",)),
        "rejected": make_organisation("Hylätty Yhdistys", type="ngo", owner=owner, verified=False,
                                      regions=("MK01",), target_groups=("youth",)),
    }
    orgs["rejected"].status = OrganisationStatus.rejected
    db.session.commit()
    return orgs


def test_only_verified_organisations_are_listed(client, catalogue):
    response = client.get("/organisations")
    assert response.status_code == 200
    page = _html(response)
    assert _names(page) == ["Alfa Osuuskunta", "Beta Henkilöstöpalvelut Oy", "gamma-säätiö"]
    assert "Piilotettu" not in page and "Hylätty" not in page
    assert "3 organisations" in page
    assert page.count("<h1") == 1
    # Type and region labels come from the code lists, in the reader's language.
    assert "Staffing firm" in page and "Lapland" in page
    finnish = _html(client.get("/organisations", headers={"Accept-Language": "fi"}))
    assert 'lang="fi"' in finnish
    assert "Henkilöstöpalveluyritys" in finnish and "Lappi" in finnish


def test_unverified_organisations_do_not_appear_even_to_their_owners(client, login_as, catalogue,
                                                                     db):
    from sqlalchemy import select

    from app.organisations.models import Membership

    owner_id = db.session.scalar(select(Membership.user_id).where(
        Membership.organisation_id == catalogue["hidden"].id))
    from app.auth.models import User

    login_as(db.session.get(User, owner_id))
    assert "Piilotettu" not in _html(client.get("/organisations?q=piilo"))


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("q=alfa", ["Alfa Osuuskunta"]),
        ("q=ALFA", ["Alfa Osuuskunta"]),
        ("q=kielikoulutus", ["gamma-säätiö"]),  # expertise is searched too
        ("q=GAMMA-SAATIO", ["gamma-säätiö"]),  # typed without diacritics
        ("q=henkil%C3%B6st%C3%B6", ["Beta Henkilöstöpalvelut Oy"]),
        ("q=100%25", []),  # LIKE wildcards are literal
        ("q=_", []),
        ("type=staffing_firm", ["Beta Henkilöstöpalvelut Oy"]),
        ("type=ngo&type=other", ["Alfa Osuuskunta", "gamma-säätiö"]),
        ("region=MK01", ["Alfa Osuuskunta", "Beta Henkilöstöpalvelut Oy"]),
        ("region=MK01&region=MK19",
         ["Alfa Osuuskunta", "Beta Henkilöstöpalvelut Oy", "gamma-säätiö"]),
        ("target_group=youth", ["Alfa Osuuskunta", "gamma-säätiö"]),
        ("target_group=youth&region=MK19", ["gamma-säätiö"]),
        ("target_group=youth&type=ngo&region=MK01", ["Alfa Osuuskunta"]),
        ("type=regional_authority", []),
        ("type=nonsense", ["Alfa Osuuskunta", "Beta Henkilöstöpalvelut Oy", "gamma-säätiö"]),
    ],
)
def test_filters(client, catalogue, query, expected):
    page = _html(client.get(f"/organisations?{query}"))
    assert _names(page) == expected


def test_sorting(client, catalogue, db):
    from datetime import timedelta

    from app.core.db import utcnow

    catalogue["alfa"].verified_at = utcnow() - timedelta(days=3)
    catalogue["beta"].verified_at = utcnow() - timedelta(days=1)
    catalogue["gamma"].verified_at = utcnow() - timedelta(days=2)
    db.session.commit()
    assert _names(_html(client.get("/organisations?sort=-name"))) == [
        "gamma-säätiö", "Beta Henkilöstöpalvelut Oy", "Alfa Osuuskunta"]
    assert _names(_html(client.get("/organisations?sort=newest"))) == [
        "Beta Henkilöstöpalvelut Oy", "gamma-säätiö", "Alfa Osuuskunta"]
    assert _names(_html(client.get("/organisations?sort=bogus"))) == [
        "Alfa Osuuskunta", "Beta Henkilöstöpalvelut Oy", "gamma-säätiö"]


def test_filters_are_kept_in_the_form(client, catalogue):
    page = _html(client.get("/organisations?q=alfa&type=ngo&region=MK01&sort=-name"))
    assert 'value="alfa"' in page
    assert re.search(r'<input checked id="type-\d+" name="type" type="checkbox" value="ngo">', page)
    assert re.search(r'<input id="type-\d+" name="type" type="checkbox" value="other">', page)
    assert '<option selected value="-name">' in page
    assert 'href="/organisations">Clear filters</a>' in page


def test_empty_state(client, catalogue):
    page = _html(client.get("/organisations?q=zzzz"))
    assert "No organisations match your search." in page
    assert "0 organisations" in page
    assert _names(page) == []


def test_empty_directory(client):
    page = _html(client.get("/organisations"))
    assert "No organisations have been verified yet." in page
    assert "Clear filters" not in page


def test_pagination(client, make_user, make_organisation):
    owner = make_user()
    for n in range(25):
        make_organisation(f"Org {n:02d}", owner=owner)
    first = _html(client.get("/organisations"))
    assert _names(first) == [f"Org {n:02d}" for n in range(20)]
    assert "25 organisations, page 1 of 2" in first
    assert 'rel="next"' in first and 'rel="prev"' not in first
    second = _html(client.get("/organisations?page=2"))
    assert _names(second) == [f"Org {n:02d}" for n in range(20, 25)]
    assert 'rel="prev"' in second and 'rel="next"' not in second
    # Filters survive paging.
    filtered = _html(client.get("/organisations?q=org&page=2"))
    assert 'href="/organisations?q=org&amp;page=1"' in filtered
    beyond = client.get("/organisations?page=99")
    assert beyond.status_code == 200
    assert "There are no more organisations." in _html(beyond)
    for junk in ("abc", "-1", "1e9", "９"):
        assert client.get(f"/organisations?page={junk}").status_code == 200


def test_htmx_gets_the_fragment(client, catalogue):
    response = client.get("/organisations?type=ngo", headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert "HX-Request" in response.headers.get("Vary", "")
    page = _html(response)
    assert "<html" not in page and "<h1" not in page
    assert _names(page) == ["Alfa Osuuskunta"]
    assert 'id="result-count" hx-swap-oob="innerHTML"' in page
    full = _html(client.get("/organisations?type=ngo"))
    assert 'hx-get="/organisations"' in full and 'hx-target="#directory-results"' in full
    assert 'hx-swap-oob' not in full


def test_the_directory_runs_the_same_number_of_queries_for_5_and_50(client, make_user,
                                                                    make_organisation,
                                                                    count_queries):
    owner = make_user()
    for n in range(5):
        make_organisation(f"A {n}", owner=owner, regions=("MK01", "MK02"),
                          target_groups=("youth", "disabled"))
    with count_queries() as small:
        assert client.get("/organisations").status_code == 200
    for n in range(45):
        make_organisation(f"B {n}", owner=owner, regions=("MK01", "MK02"),
                          target_groups=("youth", "disabled"))
    with count_queries() as large:
        assert client.get("/organisations").status_code == 200
    assert small.count == large.count, (small.statements, large.statements)
    assert large.count <= 6


def test_search_ignores_the_case_of_finnish_letters(client, make_organisation, db):
    make_organisation("Äänekosken Työpaja")
    assert _names(_html(client.get("/organisations?q=ääne"))) == ["Äänekosken Työpaja"]
