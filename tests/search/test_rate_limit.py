"""The rate limit of /search (issue 13 §3): a person never meets it, a script does; htmx
repeats of the same settled query count once; configurable from the environment."""

from __future__ import annotations

import re

import pytest

HTMX = {"HX-Request": "true"}


def _limit(app, monkeypatch, **limits):
    monkeypatch.setitem(app.config, "RATE_LIMITS", {**app.config["RATE_LIMITS"], **limits})


def test_sixty_new_searches_a_minute_pass_and_the_next_is_refused(client):
    for i in range(60):
        assert client.get(f"/search?q=sana{i}").status_code == 200, i
    response = client.get("/search?q=yksi+liikaa")
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    html = response.get_data(as_text=True)
    assert "<html" in html and "Too many requests" in html
    assert "searched very many times" in html
    # The search feed shares the limit; another client does not.
    assert client.get("/feeds/search.atom?q=sana").status_code == 429
    other = client.get("/search?q=sana", environ_base={"REMOTE_ADDR": "192.0.2.7"})
    assert other.status_code == 200


def test_repeats_of_the_same_query_count_once(app, client, monkeypatch):
    _limit(app, monkeypatch, search="5 per minute")
    for _ in range(100):  # htmx sending the same settled query again and again
        assert client.get("/search?q=palkkatuki&sort=newest", headers=HTMX).status_code == 200
    for i in range(4):
        assert client.get(f"/search?q=sana{i}").status_code == 200, i
    assert client.get("/search?q=kuudes").status_code == 429
    # Other parameters make another search.
    assert client.get("/search?q=palkkatuki&sort=adopted").status_code == 429


def test_repeats_without_end_meet_the_limit_of_every_request(app, client, monkeypatch):
    _limit(app, monkeypatch, search_all="10 per minute")
    for _ in range(10):
        assert client.get("/search?q=palkkatuki", headers=HTMX).status_code == 200
    assert client.get("/search?q=palkkatuki", headers=HTMX).status_code == 429


def test_over_the_limit_htmx_gets_a_note_in_the_results_keeping_the_query(app, client,
                                                                          monkeypatch):
    _limit(app, monkeypatch, search="1 per minute")
    assert client.get("/search?q=ensimmäinen", headers=HTMX).status_code == 200
    response = client.get("/search?q=palkkatuki+nuorille", headers=HTMX)
    assert response.status_code == 429
    assert int(response.headers["Retry-After"]) > 0
    assert response.headers["X-Swap-Error"] == "1"  # app.js swaps it into #search-results
    assert "HX-Reswap" not in response.headers
    html = response.get_data(as_text=True)
    assert "<html" not in html and 'id="q"' not in html  # the box, and what is typed, stay
    assert 'class="empty search-limited" role="status"' in html
    assert "Too many searches" in html
    assert re.search(r'href="/search\?q=palkkatuki(\+|%20)nuorille"', html)


def test_the_limit_speaks_the_users_language(app, client, monkeypatch):
    _limit(app, monkeypatch, search="1 per minute")
    client.get("/search?q=eka")
    html = client.get("/search?q=toka", headers={"Accept-Language": "fi"}).get_data(as_text=True)
    assert '<html lang="fi">' in html


def test_the_search_box_sends_one_request_per_pause_in_typing(client):
    html = client.get("/search").get_data(as_text=True)
    form = html.split('class="search-form"', 1)[1].split(">", 1)[0]
    assert re.search(r'hx-trigger="[^"]*input changed delay:\d+ms from:#q', form)
    assert 'hx-sync="this:replace"' in form


def test_the_limits_come_from_the_environment(monkeypatch):
    from app.config import Config

    assert Config.RATE_LIMITS["search"] == "60 per minute"
    monkeypatch.setenv("RATELIMIT_SEARCH", "30 per minute")
    monkeypatch.setenv("RATELIMIT_SEARCH_ALL", "100 per minute")
    limits = Config.from_environment()["RATE_LIMITS"]
    assert limits["search"] == "30 per minute" and limits["search_all"] == "100 per minute"
    assert limits["login"] == Config.RATE_LIMITS["login"]


@pytest.mark.parametrize("path", ["/api/v1/practices?q=sana"])
def test_the_api_search_has_its_own_limit(app, client, monkeypatch, path):
    _limit(app, monkeypatch, api="2 per minute", search="1 per minute")
    assert client.get("/search?q=eka").status_code == 200
    assert client.get(path).status_code == 200  # not counted with the page's searches
    assert client.get(path + "x").status_code == 200
    assert client.get(path + "y").status_code == 429
