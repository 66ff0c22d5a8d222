"""The public list of events (filters, past events, pagination, empty state), the iCalendar
files parsed back, the events on call, model and organisation pages (with query counts),
and events in the site search."""

from __future__ import annotations

import re
from datetime import UTC, timedelta

import pytest
from icalendar import Calendar

from app.events.models import EventFormat, EventKind, EventState
from tests.events.helpers import add_event


def _titles(html: str, *titles) -> list[str]:
    return [title for title in titles if title in html]


def test_list_filters_and_past_events(client, make_organisation, make_call):
    north = make_organisation(name="Pohjoisen yhdistys", regions=("MK19",))
    south = make_organisation(name="Etelän yhdistys", regions=("MK10",))
    call = make_call()
    add_event(north, title="Pohjoinen koulutus", kind=EventKind.training,
              format=EventFormat.online, place="", online_url="https://x.fi/a",
              languages=["sv"])
    add_event(south, title="Etelän infotilaisuus", kind=EventKind.info_session, call_id=call.id,
              description="Kerromme palvelusetelistä.", days=3)
    add_event(south, title="Luonnos", state=EventState.draft)
    add_event(south, title="Mennyt tapaaminen", days=-10)
    add_event(south, title="Peruttu tapaaminen", state=EventState.cancelled, days=5)
    every = ("Pohjoinen koulutus", "Etelän infotilaisuus", "Luonnos", "Mennyt tapaaminen",
             "Peruttu tapaaminen")
    html = client.get("/events").get_data(as_text=True)
    assert _titles(html, *every) == ["Pohjoinen koulutus", "Etelän infotilaisuus",
                                     "Peruttu tapaaminen"]
    assert html.index("Etelän infotilaisuus") < html.index("Pohjoinen koulutus")  # by start
    assert "Cancelled" in html
    cases = {
        "kind=training": ["Pohjoinen koulutus"],
        "format=online": ["Pohjoinen koulutus"],
        "language=sv": ["Pohjoinen koulutus"],
        "region=MK19": ["Pohjoinen koulutus"],
        f"organisation={south.id}": ["Etelän infotilaisuus", "Peruttu tapaaminen"],
        f"call={call.id}": ["Etelän infotilaisuus"],
        "q=palveluseteli": ["Etelän infotilaisuus"],  # part of a word
        "q=palveluseteli+olematon": [],  # every word must match
        "q=PALVELUSETELIST": ["Etelän infotilaisuus"],
        "q=etelän+info": ["Etelän infotilaisuus"],
        "q=etelan+INFO": ["Etelän infotilaisuus"],  # typed without diacritics
        "when=past": ["Mennyt tapaaminen"],
        "kind=nonsense": ["Pohjoinen koulutus", "Etelän infotilaisuus", "Peruttu tapaaminen"],
    }
    for query, expected in cases.items():
        html = client.get(f"/events?{query}").get_data(as_text=True)
        assert sorted(_titles(html, *every)) == sorted(expected), query
    empty = client.get("/events?kind=training&region=MK10").get_data(as_text=True)
    assert "No events match the filters." in empty
    fragment = client.get("/events?kind=training", headers={"HX-Request": "true"})
    assert "<html" not in fragment.get_data(as_text=True)
    assert "Pohjoinen koulutus" in fragment.get_data(as_text=True)


def test_empty_state_and_pagination(client, make_organisation):
    assert "No upcoming events have been published." in client.get("/events").get_data(
        as_text=True)
    organisation = make_organisation()
    for n in range(21):
        add_event(organisation, title=f"Sarjatapahtuma {n:02d}", days=1 + n)
    first = client.get("/events").get_data(as_text=True)
    second = client.get("/events?page=2").get_data(as_text=True)
    assert "Sarjatapahtuma 19" in first and "Sarjatapahtuma 20" not in first
    assert "Sarjatapahtuma 20" in second and "Sarjatapahtuma 00" not in second
    assert "21 events" in first


def _calendar(response) -> Calendar:
    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    return Calendar.from_ical(response.get_data())


def test_event_calendar_file(client, login_as, make_user, make_organisation):
    owner = make_user()
    organisation = make_organisation(owner=owner, contact_email="info@yhdistys.fi")
    event = add_event(organisation, title="Kalenteritapahtuma", place="Mikkeli, Kauppatori",
                      description="**Tervetuloa** [ohjelmaan](https://x.fi)!")
    response = client.get(f"/events/{event.id}.ics")
    assert 'attachment; filename="event-' in response.headers["Content-Disposition"]
    vevents = _calendar(response).walk("VEVENT")
    assert len(vevents) == 1
    item = vevents[0]
    assert str(item["UID"]) == f"event-{event.id}@localhost"
    assert int(item["SEQUENCE"]) == event.lock_version
    assert item.decoded("DTSTART") == event.starts_at.astimezone(UTC)
    assert item.decoded("DTEND") == event.ends_at.astimezone(UTC)
    assert str(item["SUMMARY"]) == "Kalenteritapahtuma"
    assert str(item["DESCRIPTION"]) == "Tervetuloa ohjelmaan!"
    assert str(item["LOCATION"]) == "Mikkeli, Kauppatori"
    assert str(item["URL"]).endswith(f"/events/{event.id}")
    assert str(item["STATUS"]) == "CONFIRMED"
    assert item["ORGANIZER"].params["CN"] == organisation.name
    assert "DTSTAMP" in item
    # the UID and the link come from the site's address, not from the request's Host
    other_host = _calendar(client.get(f"/events/{event.id}.ics", headers={"Host": "127.0.0.1"}))
    assert "127.0.0.1" not in other_host.to_ical().decode()
    assert str(other_host.walk("VEVENT")[0]["UID"]) == f"event-{event.id}@localhost"
    # cancelled: the same UID, a higher SEQUENCE, STATUS:CANCELLED
    login_as(owner)
    client.post(f"/events/{event.id}/cancel", data={"reason": "Tila suljettu."})
    item = _calendar(client.get(f"/events/{event.id}.ics")).walk("VEVENT")[0]
    assert str(item["UID"]) == f"event-{event.id}@localhost"
    assert str(item["STATUS"]) == "CANCELLED" and int(item["SEQUENCE"]) > 1
    draft = add_event(organisation, state=EventState.draft)
    assert client.get(f"/events/{draft.id}.ics").status_code == 404  # even for its members


def test_calendar_round_trip_across_dst(client, make_organisation):
    """10.00 in Helsinki is 08.00 UTC in winter time and 07.00 UTC in summer time."""
    from datetime import date, datetime
    from zoneinfo import ZoneInfo

    helsinki = ZoneInfo("Europe/Helsinki")
    organisation = make_organisation()
    year = date.today().year + 1
    events = {}
    for day, utc_hour in ((date(year, 3, 10), 8), (date(year, 6, 10), 7),
                          (date(year, 11, 10), 8)):
        starts = datetime(year, day.month, day.day, 10, tzinfo=helsinki).astimezone(UTC)
        events[add_event(organisation, starts_at=starts).id] = utc_hour
    feed = _calendar(client.get("/events.ics"))
    found = {int(str(v["UID"]).split("-")[1].split("@")[0]): v for v in feed.walk("VEVENT")}
    for event_id, utc_hour in events.items():
        start = found[event_id].decoded("DTSTART")
        assert start.utcoffset() == timedelta(0) and start.hour == utc_hour
        assert start.astimezone(helsinki).hour == 10


def test_feed_has_published_and_recent_cancelled_events_only(client, make_organisation):
    organisation = make_organisation()
    shown = [add_event(organisation, title="Tuleva").id,
             add_event(organisation, title="Peruttu", state=EventState.cancelled).id,
             add_event(organisation, title="Kuukausi sitten", days=-30).id]
    hidden = [add_event(organisation, title="Luonnos", state=EventState.draft).id,
              add_event(organisation, title="Vanha", days=-120).id]
    feed = _calendar(client.get("/events.ics"))
    ids = {int(str(v["UID"]).split("-")[1].split("@")[0]) for v in feed.walk("VEVENT")}
    assert set(shown) <= ids and not set(hidden) & ids
    statuses = {str(v["SUMMARY"]): str(v["STATUS"]) for v in feed.walk("VEVENT")}
    assert statuses["Peruttu"] == "CANCELLED" and statuses["Tuleva"] == "CONFIRMED"


def test_events_on_call_model_and_organisation_pages_in_one_query(
        client, make_organisation, make_call, make_practice, count_queries):
    organisation = make_organisation(name="Järjestäjä ry")
    call = make_call()
    practice = make_practice(organisation=organisation, published=True)
    add_event(organisation, title="Haun tilaisuus", call_id=call.id)
    add_event(organisation, title="Mallin esittely", practice_id=practice.id)
    add_event(organisation, title="Luonnostapahtuma", state=EventState.draft, call_id=call.id)
    add_event(organisation, title="Mennyt", days=-3, call_id=call.id)
    pages = {f"/calls/{call.id}": ["Haun tilaisuus"],
             f"/practices/{practice.id}-{practice.slug}": ["Mallin esittely"],
             f"/organisations/{organisation.id}": ["Haun tilaisuus", "Mallin esittely"]}
    every = ("Haun tilaisuus", "Mallin esittely", "Luonnostapahtuma", "Mennyt")
    counts = {}
    for url, expected in pages.items():
        html = client.get(url).get_data(as_text=True)
        assert _titles(html, *every) == expected, url
        with count_queries() as counter:
            client.get(url)
        counts[url] = counter.count
    # more events (of other organisations) on the pages cost no more queries
    for n in range(3):
        add_event(make_organisation(name=f"Muu järjestäjä {n}"), title=f"Lisä {n}",
                  call_id=call.id, practice_id=practice.id)
    for url in pages:
        with count_queries() as counter:
            html = client.get(url).get_data(as_text=True)
        assert ("Lisä 2" in html and "Muu järjestäjä 2" in html) == ("organisations" not in url)
        assert counter.count == counts[url], url
    from app.events.queries import upcoming_for

    call_id = call.id
    with count_queries() as counter:
        found = upcoming_for(call_id=call_id)
        assert [e.organisation.name for e in found]
    assert counter.count == 1, counter.statements


def test_site_search_finds_published_upcoming_events_only(client, make_organisation):
    organisation = make_organisation()
    add_event(organisation, title="Työnantajafoorumi Mikkelissä")
    add_event(organisation, title="Työnantajafoorumi luonnos", state=EventState.draft)
    add_event(organisation, title="Työnantajafoorumi peruttu", state=EventState.cancelled)
    add_event(organisation, title="Työnantajafoorumi mennyt", days=-5)
    html = client.get("/search?q=työnantajafoorumi").get_data(as_text=True)
    assert "Työnantajafoorumi Mikkelissä" in html
    for hidden in ("luonnos", "peruttu", "mennyt"):
        assert f"Työnantajafoorumi {hidden}" not in html
    assert "Upcoming events" not in client.get("/search?q=olematonsana").get_data(as_text=True)


@pytest.mark.parametrize("q", ["rekrytointimessut lappeenranta", "REKRYTOINTIMESSUT saimaan",
                               "tyovoima messut", "TYÖVOIMA Messut", "rekry 50%"])
def test_site_search_events_need_every_word_in_one_of_their_texts(client, make_organisation, q):
    """Each word (any case, typed with or without ä/ö) in the title, the description, the
    place or the organisation's name; %, _ and \\ are letters, not wildcards."""
    organisation = make_organisation(name="Saimaan Työvoima Oy")
    add_event(organisation, title="Rekrytointimessut", place="Lappeenranta",
              description="Rekry 50% alennuksella")
    add_event(organisation, title="Rekrytointimessut toisaalla", place="Imatra",
              description="Tule")
    other = make_organisation(name="Muu järjestö")
    add_event(other, title="Messut", place="Kotka", description="Rekry 5")
    html = client.get("/search", query_string={"q": q}).get_data(as_text=True)
    section = html.split('id="event-results-title"', 1)[1].split("</section>", 1)[0]
    found = sorted(re.findall(r'<a href="/events/\d+">([^<]+)</a>', section))
    expected = {"rekrytointimessut lappeenranta": ["Rekrytointimessut"],
                "REKRYTOINTIMESSUT saimaan": ["Rekrytointimessut",
                                              "Rekrytointimessut toisaalla"],
                "tyovoima messut": ["Rekrytointimessut", "Rekrytointimessut toisaalla"],
                "TYÖVOIMA Messut": ["Rekrytointimessut", "Rekrytointimessut toisaalla"],
                "rekry 50%": ["Rekrytointimessut"]}[q]
    assert found == expected


def test_manage_lists_own_events_with_counts(client, login_as, make_user, make_organisation):
    owner = make_user()
    mine = make_organisation(owner=owner)
    other = make_organisation()
    add_event(mine, title="Oma luonnos", state=EventState.draft, capacity=8)
    add_event(other, title="Toisen luonnos", state=EventState.draft)
    login_as(owner)
    html = client.get("/events/manage").get_data(as_text=True)
    assert "Oma luonnos" in html and "Toisen luonnos" not in html and "0 / 8" in html


def test_the_list_shows_places_left_and_full_events_in_a_bounded_number_of_queries(
        client, make_user, make_organisation, count_queries):
    from app.events import registration as reg
    from app.extensions import db

    organisation = make_organisation()
    roomy = add_event(organisation, title="Tilava tapaaminen", capacity=3, days=2)
    full = add_event(organisation, title="Täysi infotilaisuus", capacity=1, days=3)
    for n, event in enumerate((roomy, full, full)):
        reg.register(make_user(email=f"paikka{n}@example.fi"), event.id)
    db.session.commit()
    html = client.get("/events").get_data(as_text=True)
    roomy_card = html[html.index("Tilava tapaaminen"):html.index("Täysi infotilaisuus")]
    full_card = html[html.index("Täysi infotilaisuus"):]
    assert "2 places left" in roomy_card and "Full" not in roomy_card
    assert "Full: you can join the waiting list" in full_card
    with count_queries() as one_page:
        client.get("/events")
    for n in range(6):
        add_event(organisation, title=f"Lisätapahtuma {n}", capacity=5, days=4 + n)
    with count_queries() as more:
        client.get("/events")
    assert more.count == one_page.count  # no statement per event


def test_the_event_page_says_how_many_places_are_left_or_that_it_is_full(
        client, make_user, make_organisation):
    from app.events import registration as reg
    from app.extensions import db

    event = add_event(make_organisation(), title="Kahden paikan tapaaminen", capacity=2)
    reg.register(make_user(email="eka@example.fi"), event.id)
    db.session.commit()
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "1 place left" in html and "registration-full" not in html
    assert ">Register</button>" in html
    for n in range(3):
        reg.register(make_user(email=f"toka{n}@example.fi"), event.id)
    db.session.commit()
    html = client.get(f"/events/{event.id}").get_data(as_text=True)
    assert "All places are taken and 2 people are on the waiting list." in html
    assert ">Join the waiting list</button>" in html and "place left" not in html
