"""The announcement pages through real requests: who may write, refused input tied to its
field, what is public (never a draft or a withdrawn one), the Atom feed parsed back, the home
page's new ones, theme pages that ignore case, query counts and escaping."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import timedelta
from urllib.parse import quote

import pytest
from sqlalchemy import select

from app.announcements.models import Announcement
from app.core.db import utcnow
from app.organisations.models import Role
from tests.announcements.conftest import THEME

ATOM = "{http://www.w3.org/2005/Atom}"


def _form(authority, **overrides) -> dict:
    data = {"organisation_id": str(authority.ely.id), "kind": "info_session", "language": "fi",
            "title": "Infotilaisuus haun hakijoille", "body": "Tule **kuulemaan** hausta.",
            "call_id": str(authority.call.id), "theme": "", "action": "draft"}
    data.update(overrides)
    return data


def _error_of(html: str, field: str) -> str:
    match = re.search(rf'<p class="error" id="{field}-error">(.*?)</p>', html, re.S)
    return match.group(1).strip() if match else ""


def _entries(client, url: str) -> list[str]:
    response = client.get(url)
    assert response.status_code == 200
    assert response.content_type.startswith("application/atom+xml")
    root = ET.fromstring(response.data)  # noqa: S314 - our own output; raises unless well-formed
    assert root.tag == f"{ATOM}feed"
    return [entry.find(f"{ATOM}title").text for entry in root.findall(f"{ATOM}entry")]


def test_outsiders_cannot_announce_through_the_routes(
        client, login_as, db, authority, make_user, make_organisation, add_member, make_call,
        announce):
    ngo_member = make_user()
    add_member(make_organisation(), ngo_member, Role.owner)
    plain_ely_member = make_user()
    add_member(authority.ely, plain_ely_member, Role.editor)
    mine = announce(authority.manager, authority.ely, call_id=authority.call.id)
    for person in (ngo_member, plain_ely_member):
        login_as(person)
        assert client.get("/announcements/new").status_code == 403
        assert client.post("/announcements/new", data=_form(authority)).status_code == 403
        assert client.get("/announcements/manage").status_code == 403
        assert client.get(f"/announcements/{mine.id}/edit").status_code in (403, 404)
        assert client.post(f"/announcements/{mine.id}/withdraw", data={}).status_code in (403,
                                                                                        404)
        # The link to write one is not even shown on the call page.
        assert "/announcements/new" not in client.get(
            f"/calls/{authority.call.id}").get_data(as_text=True)
    from tests.fixtures.calls import call_manager_of

    other_call = make_call()
    login_as(call_manager_of(other_call))
    # Another authority's call manager writes only for their own authority, and this
    # authority's call is not one of its calls.
    for organisation_id in (authority.ely.id, other_call.organisation_id):
        answer = client.post("/announcements/new", data=_form(
            authority, organisation_id=str(organisation_id)))
        assert answer.status_code == 422
        assert _error_of(answer.get_data(as_text=True), "call_id")
    # Published, so visible, but not theirs to change: 404 (they are no member of it).
    assert client.get(f"/announcements/{mine.id}/edit").status_code == 404
    assert client.post(f"/announcements/{mine.id}/withdraw", data={}).status_code == 404
    assert db.session.scalars(select(Announcement.id)).all() == [mine.id]
    assert not db.session.get(Announcement, mine.id).is_withdrawn


def test_refused_input_is_shown_at_its_field_and_nothing_is_saved(client, login_as, db,
                                                                  authority):
    login_as(authority.manager)
    answer = client.post("/announcements/new", data=_form(authority, title="", body="Tallessa"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 422
    assert _error_of(html, "title") == "Give the announcement a title."
    assert "Tallessa" in html  # what was typed is kept
    answer = client.post("/announcements/new", data=_form(authority, call_id="", theme=" "))
    assert answer.status_code == 422
    assert _error_of(answer.get_data(as_text=True), "theme") == (
        "Link the announcement to a call or give it a theme.")
    answer = client.post("/announcements/new", data=_form(authority, kind="rumour"))
    assert answer.status_code == 422 and _error_of(answer.get_data(as_text=True), "kind")
    assert db.session.scalars(select(Announcement.id)).all() == []


def test_a_draft_is_private_until_published_and_withdrawn_is_gone(
        app, client, login_as, db, authority, audit_actions):
    login_as(authority.manager)
    answer = client.post("/announcements/new", data=_form(authority, title="Luonnostiedote"))
    assert answer.status_code == 302
    draft = db.session.scalars(select(Announcement)).one()
    assert draft.is_draft
    call_page = f"/calls/{authority.call.id}"
    # The manager sees the draft (marked as one); the public sees it nowhere.
    assert "A draft" in client.get(f"/announcements/{draft.id}").get_data(as_text=True)
    anonymous = app.test_client()
    assert anonymous.get(f"/announcements/{draft.id}").status_code == 404
    for url in ("/announcements", call_page, "/", f"/announcements/themes/{quote(THEME)}"):
        assert "Luonnostiedote" not in anonymous.get(url).get_data(as_text=True), url
    assert _entries(anonymous, "/announcements.atom") == []

    login_as(authority.manager)
    assert client.post(f"/announcements/{draft.id}/publish", data={}).status_code == 302
    for url in ("/announcements", call_page, "/", f"/announcements/{draft.id}",
                f"/announcements/themes/{quote(THEME)}"):
        assert "Luonnostiedote" in anonymous.get(url).get_data(as_text=True), url
    assert _entries(anonymous, "/announcements.atom") == ["Luonnostiedote"]

    login_as(authority.manager)
    confirm = client.get(f"/announcements/{draft.id}/withdraw")
    assert confirm.status_code == 200 and "Withdraw the announcement?" in confirm.get_data(
        as_text=True)
    assert not db.session.get(Announcement, draft.id).is_withdrawn  # asking changes nothing
    assert client.post(f"/announcements/{draft.id}/withdraw", data={}).status_code == 302
    assert db.session.get(Announcement, draft.id).is_withdrawn
    assert "announcement.withdrawn" in audit_actions(authority.ely)
    # Still in the managers' list, marked withdrawn.
    manage = client.get("/announcements/manage?state=withdrawn").get_data(as_text=True)
    assert "Luonnostiedote" in manage
    assert anonymous.get(f"/announcements/{draft.id}").status_code == 404
    for url in ("/announcements", call_page, "/", f"/announcements/themes/{quote(THEME)}"):
        assert "Luonnostiedote" not in anonymous.get(url).get_data(as_text=True), url
    assert _entries(anonymous, "/announcements.atom") == []


def test_an_edit_from_an_older_form_answers_409_with_the_form(client, login_as, db, authority,
                                                              announce):
    made = announce(authority.manager, authority.ely, title="Alkuperäinen",
                    call_id=authority.call.id)
    login_as(authority.manager)
    page = client.get(f"/announcements/{made.id}/edit").get_data(as_text=True)
    old_version = re.search(r'name="lock_version" type="hidden" value="(\d+)"', page).group(1)
    saved = client.post(f"/announcements/{made.id}/edit", data=_form(
        authority, title="Toisen tallentama", lock_version=old_version, action="save"))
    assert saved.status_code == 302
    answer = client.post(f"/announcements/{made.id}/edit", data=_form(
        authority, title="Minun versioni", lock_version=old_version, action="save"))
    html = answer.get_data(as_text=True)
    assert answer.status_code == 409
    assert "Someone else changed this announcement" in html
    assert 'value="Minun versioni"' in html and "Toisen tallentama" in html
    assert db.session.get(Announcement, made.id).title == "Toisen tallentama"
    # The form now carries the saved version: saving again is a knowing overwrite.
    current = re.search(r'name="lock_version" type="hidden" value="(\d+)"', html).group(1)
    assert client.post(f"/announcements/{made.id}/edit", data=_form(
        authority, title="Minun versioni", lock_version=current,
        action="save")).status_code == 302
    assert db.session.get(Announcement, made.id).title == "Minun versioni"


def test_the_feed_parses_and_filters_by_call_and_theme(client, db, authority, announce,
                                                       make_call):
    other = make_call(ely=authority.ely, theme="Nuorten polut", title_fi="Toinen haku")
    now = utcnow()
    announce(authority.manager, authority.ely, title="Haun tiedote", call_id=authority.call.id,
             now=now - timedelta(hours=3))
    announce(authority.manager, authority.ely, title="Toisen haun tiedote", call_id=other.id,
             now=now - timedelta(hours=2))
    announce(authority.manager, authority.ely, title="Teematiedote", theme="nuorten POLUT",
             language="sv", now=now - timedelta(hours=1))
    announce(authority.manager, authority.ely, title="Luonnos", theme="Nuorten polut",
             publish=False)
    assert _entries(client, "/announcements.atom") == [
        "Teematiedote", "Toisen haun tiedote", "Haun tiedote"]
    assert _entries(client, f"/announcements.atom?call={authority.call.id}") == ["Haun tiedote"]
    # The theme: its own announcements and those of its calls, whatever the case.
    assert _entries(client, "/announcements.atom?theme=NUORTEN%20polut") == [
        "Teematiedote", "Toisen haun tiedote"]
    root = ET.fromstring(client.get("/announcements.atom").data)  # noqa: S314 - our own output
    entry = root.find(f"{ATOM}entry")
    assert entry.find(f"{ATOM}title").get("{http://www.w3.org/XML/1998/namespace}lang") == "sv"
    assert entry.find(f"{ATOM}category").get("term") == "info_session"
    # A call that is not public has no feed.
    draft_call = make_call(ely=authority.ely, phase="draft")
    assert client.get(f"/announcements.atom?call={draft_call.id}").status_code == 404
    # The pages that show announcements point to their feed.
    for url, feed in (("/announcements", "/announcements.atom"), ("/", "/announcements.atom"),
                      (f"/calls/{authority.call.id}",
                       f"/announcements.atom?call={authority.call.id}")):
        head = client.get(url).get_data(as_text=True).split("</head>")[0]
        assert 'rel="alternate" type="application/atom+xml"' in head
        assert f'href="{feed}"' in head, url


def test_the_home_page_shows_only_new_ones(client, app, db, authority, announce, monkeypatch):
    now = utcnow()
    announce(authority.manager, authority.ely, title="Tuore tiedote", theme="A",
             now=now - timedelta(days=2))
    announce(authority.manager, authority.ely, title="Vanha tiedote", theme="A",
             now=now - timedelta(days=20))
    for n in range(6):
        announce(authority.manager, authority.ely, title=f"Sarja {n}", theme="A",
                 now=now - timedelta(days=3, minutes=n))
    home = client.get("/").get_data(as_text=True)
    assert "Tuore tiedote" in home and "Vanha tiedote" not in home
    assert "Sarja 0" in home and "Sarja 3" in home and "Sarja 4" not in home  # at most five
    monkeypatch.setitem(app.config, "ANNOUNCEMENT_NEW_DAYS", 1)
    home = client.get("/").get_data(as_text=True)
    assert "Tuore tiedote" not in home and "New announcements" not in home
    # Time moves on (the clock is the one place that says what "now" is).
    monkeypatch.setitem(app.config, "ANNOUNCEMENT_NEW_DAYS", 14)
    monkeypatch.setattr("app.core.clock.now", lambda: now + timedelta(days=11, hours=12))
    home = client.get("/").get_data(as_text=True)
    assert "Tuore tiedote" in home and "Sarja 0" not in home


def test_theme_pages_ignore_case_and_spacing(client, db, authority, announce):
    announce(authority.manager, authority.ely, title="Haun kautta", call_id=authority.call.id)
    announce(authority.manager, authority.ely, title="Suoraan teemaan",
             theme="uusia työmahdollisuuksia TYÖPAIKKOJA kehittämällä")
    announce(authority.manager, authority.ely, title="Muu teema", theme="Nuorten polut")
    for spelling in (THEME, THEME.upper(), "  " + THEME.lower().replace(" ", "   ")):
        page = client.get(f"/announcements/themes/{quote(spelling)}")
        html = page.get_data(as_text=True)
        assert page.status_code == 200, spelling
        assert "Haun kautta" in html and "Suoraan teemaan" in html
        assert "Muu teema" not in html
    themes = client.get("/announcements/themes").get_data(as_text=True)
    assert themes.count(f">{THEME}</a>") == 1 and ">Nuorten polut</a>" in themes
    assert client.get("/announcements/themes/ei-tällaista-teemaa").status_code == 404
    listed = client.get("/announcements?theme=NUORTEN+POLUT").get_data(as_text=True)
    assert "Muu teema" in listed and "Haun kautta" not in listed


def test_the_public_list_filters_and_the_managers_list_sorts(client, login_as, db, authority,
                                                             announce):
    announce(authority.manager, authority.ely, title="Ruotsinkielinen", theme="A", language="sv",
             kind="results")
    announce(authority.manager, authority.ely, title="Suomenkielinen", theme="A", kind="change")
    announce(authority.manager, authority.ely, title="Aaa luonnos", theme="A", publish=False)
    html = client.get("/announcements?language=sv").get_data(as_text=True)
    assert "Ruotsinkielinen" in html and "Suomenkielinen" not in html
    assert 'lang="sv"><a href' in html  # the title carries its own language
    html = client.get("/announcements?kind=change").get_data(as_text=True)
    assert "Suomenkielinen" in html and "Ruotsinkielinen" not in html
    html = client.get(f"/announcements?authority={authority.ely.id}&kind=general").get_data(
        as_text=True)
    assert "No announcement matches these filters." in html
    login_as(authority.manager)
    html = client.get("/announcements/manage?sort=title").get_data(as_text=True)
    assert html.index("Aaa luonnos") < html.index("Ruotsinkielinen") < html.index("Suomenkielinen")
    html = client.get("/announcements/manage?state=draft").get_data(as_text=True)
    assert "Aaa luonnos" in html and "Suomenkielinen" not in html


def test_pages_run_a_fixed_number_of_queries(client, db, authority, announce, count_queries,
                                             make_call):
    def measure(url):
        client.get(url)  # warm up: memberships, translations
        with count_queries() as counter:
            assert client.get(url).status_code == 200
        return counter.count

    call_page = f"/calls/{authority.call.id}"
    announce(authority.manager, authority.ely, title="Yksi", call_id=authority.call.id)
    before = {url: measure(url) for url in (call_page, "/announcements", "/")}
    for n in range(6):
        other = make_call(ely=authority.ely, title_fi=f"Haku {n}")
        announce(authority.manager, authority.ely, title=f"Lisää {n}", call_id=authority.call.id)
        announce(authority.manager, authority.ely, title=f"Muu {n}", call_id=other.id)
    after = {url: measure(url) for url in before}
    assert after == before


@pytest.mark.parametrize("where", ["title", "body"])
def test_script_in_an_announcement_is_inert(client, db, authority, announce, where):
    payload = '<script>alert("x")</script><img src=x onerror=alert(1)>'
    values = {"title": "Turvallinen otsikko", "body": "Turvallinen teksti"}
    values[where] = payload + values[where]
    announce(authority.manager, authority.ely, call_id=authority.call.id, theme="A", **values)
    made = db.session.scalars(select(Announcement)).one()
    for url in (f"/announcements/{made.id}", "/announcements", f"/calls/{authority.call.id}",
                "/", "/announcements/themes/A"):
        html = client.get(url).get_data(as_text=True)
        assert "<script>alert" not in html and "<img src=x" not in html, url
        assert "onerror=alert(1)>" not in html or "&lt;img" in html, url
    feed = client.get("/announcements.atom").get_data(as_text=True)
    assert "<script>" not in feed
    ET.fromstring(feed.encode())  # noqa: S314 - our own output (well-formed)
