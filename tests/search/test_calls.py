"""Funding calls are found from the same search box: open and upcoming ones only, decided by
the clock at query time, in the language they are written in."""

from __future__ import annotations

from datetime import timedelta

from app.core import clock
from app.search.service import search_calls


def _titles(q):
    found, _total = search_calls(q)
    return [item.call.title_fi or item.call.title_sv for item in found]


def test_open_and_upcoming_calls_are_found_closed_and_drafts_are_not(make_call):
    make_call(phase="open", title_fi="Työpaikkojen kehittämisen haku")
    make_call(phase="upcoming", title_fi="Työpaikkojen kehittäminen II")
    make_call(phase="closed", title_fi="Työpaikkojen kehittämisen vanha haku")
    make_call(phase="draft", title_fi="Työpaikkojen kehittämisen luonnos")
    titles = _titles("työpaikkojen kehittäminen")
    assert sorted(titles) == ["Työpaikkojen kehittäminen II", "Työpaikkojen kehittämisen haku"]


def test_inflected_and_swedish_queries(make_call):
    make_call(title_fi="Osatyökykyisten työllistäminen",
              title_sv="Sysselsättning av partiellt arbetsföra", description_fi="Haku.")
    assert _titles("osatyökykyinen") == ["Osatyökykyisten työllistäminen"]
    assert _titles("sysselsättningen") == ["Osatyökykyisten työllistäminen"]
    assert _titles("kalastus") == []


def test_a_call_that_closes_leaves_the_results_without_a_rebuild(make_call, monkeypatch):
    call = make_call(phase="open", title_fi="Välityömarkkinoiden haku")
    assert _titles("välityömarkkinat") == ["Välityömarkkinoiden haku"]
    later = call.closes_at + timedelta(minutes=1)
    monkeypatch.setattr(clock, "now", lambda: later)
    assert _titles("välityömarkkinat") == []


def test_the_search_page_shows_matching_calls(client, make_call):
    call = make_call(phase="open", title_fi="Työpaikkojen kehittämisen haku")
    html = client.get("/search?q=työpaikka").get_data(as_text=True)
    assert "Open and upcoming funding calls" in html
    assert f'href="/calls/{call.id}"' in html
    assert "Työpaikkojen kehittämisen haku" in html
    assert "open, closes" in html
    html = client.get("/search?q=työpaikka&page=2").get_data(as_text=True)
    assert "funding calls" not in html  # the sections are shown on the first page only


def test_an_unpublished_call_leaves_the_index(make_call, db, login_as):
    from app.calls import services
    from tests.fixtures.calls import call_manager_of

    call = make_call(phase="upcoming", title_fi="Kuntakokeilun haku")
    assert _titles("kuntakokeilu") == ["Kuntakokeilun haku"]
    services.unpublish_call(call_manager_of(call), call)
    db.session.commit()
    assert _titles("kuntakokeilu") == []


def test_an_edited_call_is_found_by_its_new_title(make_call, db):
    """Updating a published call writes its search change in the same transaction."""
    from app.calls import services
    from tests.fixtures.calls import call_manager_of

    call = make_call(phase="open", title_fi="Kuntakokeilun haku")
    assert _titles("kuntakokeilu") == ["Kuntakokeilun haku"]
    services.update_call(call_manager_of(call), call, {"title_fi": "Palkkatukihaku"})
    db.session.commit()
    assert _titles("palkkatuki") == ["Palkkatukihaku"]
    assert _titles("kuntakokeilu") == []
