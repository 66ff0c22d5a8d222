"""The search page in a real browser: results follow the typing (htmx, debounced), the address
follows the results, facets narrow them, a shared link shows the same, Back returns."""

from __future__ import annotations

import re
from urllib.parse import parse_qs, quote, urlsplit

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    create_organisation,
    create_user,
    publish_practice,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

KAINUU = "Osatyökykyisten työllistäminen Kainuussa"
LAPLAND = "Osatyökykyisten työllistäminen Lapissa"
OTHER = "Nuorten kesätyöt kaupungissa"
QUERY = "osatyökykyisille työllistämistä"
# The address once the answer to the whole QUERY is shown (the words joined by + or %20).
QUERY_URL = re.compile(r"/search\?q=" + r"(\+|%20)".join(re.escape(quote(w)) for w in QUERY.split())
                       + "(&|$)")


@pytest.fixture(scope="module")
def models(live_server):
    """Published models (queued for the index in the same transaction, as the app does)."""
    owner_id = create_user(live_server, "haku.owner@example.fi", "Helmi Hakija")
    org_id = create_organisation(live_server, owner_id, "Pohjoisen Polut ry",
                                 valid_business_id(501))
    found = {}
    for title, region, summary in (
        (KAINUU, "MK18", "Palkkatukea ja työhönvalmennusta kainuulaisille työnantajille."),
        (LAPLAND, "MK19", "Työhönvalmennusta lappilaisissa yrityksissä."),
    ):
        found[title] = publish_practice(live_server, owner_id, org_id, title=title,
                                        summary=summary, regions=[region],
                                        target_groups=["partially_able_to_work"])
    # Models about something else: no word of the query anywhere in them.
    for title, region in ((OTHER, "MK01"), ("Kuntouttava toiminta maaseudulla", "MK12")):
        found[title] = publish_practice(
            live_server, owner_id, org_id, title=title, regions=[region],
            target_groups=["youth"], tags=["kesä"],
            summary="Kesäpaikkoja nuorille kaupungin yksiköissä.",
            problem="Nuoret eivät löydä kesäpaikkoja.",
            method="1. Haku\n2. Perehdytys\n3. Palaute",
            employer_cooperation="Kaupungin yksiköt tarjoavat paikat.",
            results="Sata nuorta sai kesäpaikan.",
            adoption="Tarvitaan koordinaattori.")
    return found


def params(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def hits(page):
    return page.locator("#search-results .search-hit")


def hit(page, title: str):
    return hits(page).filter(has=page.get_by_role("link", name=title))


def test_live_search_facets_shared_link_and_back(models, new_page):
    page = new_page()
    page.goto("/search")
    switch_language(page, "en")
    expect(page.get_by_role("heading", level=1)).to_have_text("Search service models")
    page.evaluate("() => { window.__samePage = true; }")  # gone if the whole page reloads

    # Typing alone (no Enter) fetches the results once typing pauses, and updates the address.
    requests = []
    page.on("request", lambda r: requests.append(r.url)
            if r.headers.get("hx-request") == "true" and "/search" in r.url else None)
    page.get_by_label("Words to search for").press_sequentially(QUERY, delay=20)
    # Wait for the answer to the whole query: on a busy machine a pause in the typing may
    # also have fetched the results of its first letters.
    expect(page).to_have_url(QUERY_URL)
    expect(hit(page, KAINUU)).to_have_count(1)
    expect(hit(page, LAPLAND)).to_have_count(1)  # inflected forms match the base forms
    expect(hit(page, OTHER)).to_have_count(0)
    assert page.evaluate("() => window.__samePage") is True
    assert 1 <= len(requests) < len(QUERY) / 2, requests  # debounced, not one per letter
    assert params(requests[-1])["q"] == [QUERY]
    assert params(page.url)["q"] == [QUERY]

    # The matched words of the title are marked.
    title = hit(page, KAINUU).locator("h3 a")
    expect(title.locator("mark")).to_have_count(2)
    expect(title.locator("mark").first).to_have_text(re.compile(r"^Osatyökykyisten$", re.I))
    expect(title.locator("mark").nth(1)).to_have_text(re.compile(r"^työllistäminen$", re.I))
    expect(page.locator("#result-count")).to_contain_text("service model")
    query_url = page.url

    # A region facet narrows the results, and the address gains it.
    regions = page.locator("#facet-regions")
    kainuu = regions.get_by_label(re.compile(r"^Kainuu"))
    kainuu.check()
    expect(hit(page, LAPLAND)).to_have_count(0)
    expect(hit(page, KAINUU)).to_have_count(1)
    expect(page).to_have_url(re.compile(r"[?&]regions=MK18(&|$)"))
    expect(page).to_have_url(re.compile(r"[?&]q=osaty"))
    expect(page.locator("#facet-regions").get_by_label(re.compile(r"^Kainuu"))).to_be_checked()
    assert page.evaluate("() => window.__samePage") is True
    narrowed_url = page.url
    narrowed_count = page.locator("#result-count").inner_text()

    # The address is a shareable link: another browser sees the same narrowed results.
    other = new_page()
    other.goto("/")
    switch_language(other, "en")
    other.goto(narrowed_url)
    expect(hit(other, KAINUU)).to_have_count(1)
    expect(hit(other, LAPLAND)).to_have_count(0)
    expect(other.get_by_label("Words to search for")).to_have_value(QUERY)
    expect(other.locator("#facet-regions").get_by_label(re.compile(r"^Kainuu"))).to_be_checked()
    expect(other.locator("#result-count")).to_have_text(narrowed_count)
    expect(hits(other)).to_have_count(hits(page).count())

    # Back returns the results before the facet.
    page.go_back()
    expect(page).to_have_url(query_url)
    expect(hit(page, LAPLAND)).to_have_count(1)
    expect(hit(page, KAINUU)).to_have_count(1)
    expect(page.locator("#facet-regions").get_by_label(re.compile(r"^Kainuu"))).not_to_be_checked()


def test_a_typo_still_finds_the_model(models, page):
    page.goto("/")
    switch_language(page, "en")
    page.goto("/search?q=ty%C3%B6llist%C3%A4minen+Kainuusa")  # "Kainuussa" with one s missing
    expect(hit(page, KAINUU)).to_have_count(1)
    expect(hits(page).first).to_contain_text(KAINUU)  # it matches both words: first

    # Typed into the box, without Enter, as well.
    box = page.get_by_label("Words to search for")
    box.fill("")
    box.press_sequentially("osatyökykyisten tyollistäminen", delay=20)  # ö typed as o
    expect(page).to_have_url(re.compile(r"q=osaty%C3%B6kykyisten(\+|%20)tyollist"))
    expect(hit(page, KAINUU)).to_have_count(1)
    expect(hit(page, LAPLAND)).to_have_count(1)
