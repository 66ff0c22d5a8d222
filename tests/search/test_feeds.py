"""Atom feeds of service models: /feeds/practices.atom and /feeds/search.atom."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from datetime import UTC, date, datetime
from urllib.parse import parse_qs, urlsplit

import pytest

from app.core import atom
from app.practices import services
from app.practices.models import PracticeVersion
from tests.fixtures.practices import owner_of

A = "{http://www.w3.org/2005/Atom}"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
STAMP = "%Y-%m-%dT%H:%M:%SZ"
XSS = '<script>alert("x")</script> & <b>Työ</b>'


def parse(response) -> ET.Element:
    assert response.status_code == 200, response.get_data(as_text=True)[:500]
    assert response.headers["Content-Type"] == "application/atom+xml; charset=utf-8"
    return ET.fromstring(response.get_data())  # noqa: S314 - our own output


def entries(root) -> list[ET.Element]:
    return root.findall(f"{A}entry")


def titles(root) -> list[str]:
    return [entry.findtext(f"{A}title") for entry in entries(root)]


def assert_no_script_element(response, root) -> None:
    assert not [e for e in root.iter() if e.tag.rsplit("}", 1)[-1].lower() == "script"]
    assert b"<script" not in response.get_data()


@pytest.fixture
def models(db, make_practice, make_organisation):
    """Two published coaching models, an unrelated one, a draft and an archived model."""
    polku = make_organisation(name="Polku Työhön ry")
    made = {
        "youth": make_practice(organisation=polku, title="Työhönvalmennus nuorille",
                               regions=["MK01"], target_groups=["youth"], published=True),
        "immigrants": make_practice(organisation=polku,
                                    title="Työhönvalmennus maahanmuuttajille",
                                    regions=["MK08"], target_groups=["immigrants"],
                                    published=True),
        "swedish": make_practice(title="Arbetsträning för unga", language="sv",
                                 summary="Handledare stöder unga på arbetsplatsen.",
                                 tags=["arbetsträning"],
                                 target_groups=["youth"], published=True),
        "draft": make_practice(title="Luonnos työhönvalmennuksesta", published=False),
        "archived": make_practice(title="Arkistoitu työhönvalmennus", published=True),
    }
    archived = made["archived"]
    services.archive_practice(owner_of(db, archived.organisation), archived)
    db.session.commit()
    return made


# --- /feeds/practices.atom -----------------------------------------------------------------


def test_practices_feed_is_valid_atom_with_only_published_models(client, models):
    response = client.get("/feeds/practices.atom")
    root = parse(response)
    assert root.tag == f"{A}feed"
    assert root.get(XML_LANG) == "en"
    for tag in ("id", "title", "updated", "author"):
        assert root.find(f"{A}{tag}") is not None, tag
    assert root.find(f"{A}link[@rel='self']").get("href") == \
        "http://localhost/feeds/practices.atom"
    assert root.find(f"{A}link[@rel='alternate']").get("href") == "http://localhost/practices"
    found = titles(root)
    assert {"Työhönvalmennus nuorille", "Työhönvalmennus maahanmuuttajille",
            "Arbetsträning för unga"} == set(found)
    assert "Luonnos työhönvalmennuksesta" not in found
    assert "Arkistoitu työhönvalmennus" not in found
    assert "Accept-Language" in response.headers["Vary"]


def test_practices_feed_entries_have_every_part(client, models):
    root = parse(client.get("/feeds/practices.atom"))
    by_title = {entry.findtext(f"{A}title"): entry for entry in entries(root)}
    practice = models["swedish"]
    entry = by_title["Arbetsträning för unga"]
    assert entry.findtext(f"{A}id") == f"http://localhost/practices/{practice.id}"
    link = entry.find(f"{A}link[@rel='alternate']").get("href")
    assert link == f"http://localhost/practices/{practice.id}-{practice.slug}"
    assert entry.find(f"{A}title").get(XML_LANG) == "sv"
    assert entry.find(f"{A}summary").get(XML_LANG) == "sv"
    assert entry.findtext(f"{A}summary") == "Handledare stöder unga på arbetsplatsen."
    assert entry.findtext(f"{A}author/{A}name") == practice.organisation.name
    for tag in ("updated", "published"):
        datetime.strptime(entry.findtext(f"{A}{tag}"), STAMP)
    categories = [(c.get("term"), c.get("label")) for c in entry.findall(f"{A}category")]
    assert categories == [("youth", "Young people")]
    for other in entries(root):
        assert other.find(f"{A}link").get("href").startswith("http://localhost/practices/")


def test_the_model_page_link_resolves(client, models):
    root = parse(client.get("/feeds/practices.atom"))
    for entry in entries(root):
        path = urlsplit(entry.find(f"{A}link").get("href")).path
        assert client.get(path).status_code == 200, path


def test_publish_adds_and_archive_removes(client, db, make_practice, models):
    new = make_practice(title="Uusi malli", published=False)
    assert "Uusi malli" not in titles(parse(client.get("/feeds/practices.atom")))
    services.publish_practice(owner_of(db, new.organisation), new)
    db.session.commit()
    assert titles(parse(client.get("/feeds/practices.atom")))[0] == "Uusi malli"
    services.archive_practice(owner_of(db, new.organisation), new)
    db.session.commit()
    assert "Uusi malli" not in titles(parse(client.get("/feeds/practices.atom")))


def test_an_updated_model_moves_to_the_top_and_keeps_its_first_publication(client, db, models):
    practice = models["youth"]
    author = owner_of(db, practice.organisation)
    first = db.session.get(PracticeVersion, practice.current_version_id)
    first.created_at = practice.published_at = datetime(2024, 5, 1, 9, 30, tzinfo=UTC)
    practice.first_published_on = date(2024, 5, 1)
    db.session.commit()
    root = parse(client.get("/feeds/practices.atom"))
    assert titles(root)[-1] == "Työhönvalmennus nuorille"  # its only version is the oldest
    services.save_practice(author, practice, {"title": "Työhönvalmennus nuorille 2.0"},
                           practice.lock_version)
    services.publish_practice(author, practice, "Uusi nimi")
    db.session.commit()
    root = parse(client.get("/feeds/practices.atom"))
    top = entries(root)[0]
    assert top.findtext(f"{A}title") == "Työhönvalmennus nuorille 2.0"
    assert top.findtext(f"{A}id") == f"http://localhost/practices/{practice.id}"  # same id
    assert top.findtext(f"{A}published") == "2024-05-01T09:30:00Z"
    assert top.findtext(f"{A}updated") > "2024-05-01T09:30:00Z"
    assert root.findtext(f"{A}updated") == top.findtext(f"{A}updated")


def test_an_imported_model_keeps_its_earlier_first_publication(client, db, models):
    practice = models["swedish"]
    practice.first_published_on = date(2019, 3, 4)  # as an import says
    db.session.commit()
    root = parse(client.get("/feeds/practices.atom"))
    entry = next(e for e in entries(root) if e.findtext(f"{A}title") == "Arbetsträning för unga")
    assert entry.findtext(f"{A}published") == "2019-03-04T00:00:00Z"


def test_unpublished_changes_stay_out_of_the_feed(client, db, models):
    practice = models["immigrants"]
    services.save_practice(owner_of(db, practice.organisation), practice,
                           {"title": "Salainen uusi nimi", "summary": "Salainen tiivistelmä"},
                           practice.lock_version)
    db.session.commit()
    body = client.get("/feeds/practices.atom").get_data(as_text=True)
    assert "Työhönvalmennus maahanmuuttajille" in body and "Salainen" not in body


def test_xss_in_titles_and_summaries_is_escaped(client, make_practice, db):
    make_practice(title=XSS, summary=f"Tiivistelmä {XSS}", published=True)
    response = client.get("/feeds/practices.atom")
    root = parse(response)
    assert titles(root) == [XSS]  # the text round-trips exactly
    # A plain-text summary: what the author typed comes back as text, never as markup.
    assert entries(root)[0].findtext(f"{A}summary") == f"Tiivistelmä {XSS}"
    assert_no_script_element(response, root)
    assert b"&lt;script&gt;" in response.get_data()


def test_an_empty_feed_is_valid(client, db):
    root = parse(client.get("/feeds/practices.atom"))
    assert entries(root) == []
    datetime.strptime(root.findtext(f"{A}updated"), STAMP)


def test_feed_language_follows_the_interface(client, models):
    root = parse(client.get("/feeds/practices.atom", headers={"Accept-Language": "fi"}))
    assert root.get(XML_LANG) == "fi"
    categories = {c.get("label") for c in root.iter(f"{A}category")}
    assert categories == {"Nuoret", "Maahanmuuttajat"}  # labels in the interface language


def test_practices_feed_runs_the_same_queries_for_3_and_20_models(client, make_practice,
                                                                 make_organisation,
                                                                 count_queries):
    organisation = make_organisation()
    for _ in range(3):
        make_practice(organisation=organisation, published=True)
    with count_queries() as few:
        assert len(entries(parse(client.get("/feeds/practices.atom")))) == 3
    for _ in range(17):
        make_practice(published=True)  # each with its own organisation
    with count_queries() as many:
        assert len(entries(parse(client.get("/feeds/practices.atom")))) == 20
    assert few.count == many.count <= 2, many.statements


def test_practices_feed_holds_at_most_50(client, make_practice, monkeypatch):
    from app.search import feeds

    monkeypatch.setattr(feeds, "FEED_SIZE", 2)
    for n in range(3):
        make_practice(title=f"Malli {n}", published=True)
    assert titles(parse(client.get("/feeds/practices.atom"))) == ["Malli 2", "Malli 1"]


# --- /feeds/search.atom --------------------------------------------------------------------


def test_search_feed_lists_only_matching_published_models(client, models):
    response = client.get("/feeds/search.atom?q=työhönvalmennus")
    root = parse(response)
    assert set(titles(root)) == {"Työhönvalmennus nuorille", "Työhönvalmennus maahanmuuttajille"}
    assert "työhönvalmennus" in root.findtext(f"{A}title")
    self_url = root.find(f"{A}link[@rel='self']").get("href")
    assert self_url.startswith("http://localhost/feeds/search.atom?")
    assert parse_qs(urlsplit(self_url).query) == {"q": ["työhönvalmennus"], "sort": ["relevance"]}
    assert root.findtext(f"{A}id") == self_url
    alternate = root.find(f"{A}link[@rel='alternate']").get("href")
    assert alternate.startswith("http://localhost/search?")
    for entry in entries(root):
        assert entry.find(f"{A}link").get("href").startswith("http://localhost/practices/")
        assert entry.findtext(f"{A}id").startswith("http://localhost/practices/")


def test_search_feed_respects_the_facets(client, models):
    root = parse(client.get("/feeds/search.atom?q=työhönvalmennus&regions=MK08"))
    assert titles(root) == ["Työhönvalmennus maahanmuuttajille"]
    assert "työhönvalmennus" in root.findtext(f"{A}title")
    assert "(Kymenlaakso)" in root.findtext(f"{A}title")  # the chosen region is named too
    root = parse(client.get("/feeds/search.atom?target_groups=youth"))
    assert set(titles(root)) == {"Työhönvalmennus nuorille", "Arbetsträning för unga"}
    root = parse(client.get("/feeds/search.atom?target_groups=youth&language=sv"))
    assert titles(root) == ["Arbetsträning för unga"]


def test_search_feed_without_words_is_newest_first(client, db, models):
    for practice, day in ((models["youth"], 1), (models["immigrants"], 3),
                          (models["swedish"], 2)):
        practice.first_published_on = datetime(2024, 1, day).date()
    db.session.commit()
    from app.core.changes import record_change

    for practice in (models["youth"], models["immigrants"], models["swedish"]):
        record_change("practice", practice.id)
    db.session.commit()
    root = parse(client.get("/feeds/search.atom"))
    assert titles(root) == ["Työhönvalmennus maahanmuuttajille", "Arbetsträning för unga",
                            "Työhönvalmennus nuorille"]
    self_url = root.find(f"{A}link[@rel='self']").get("href")
    assert parse_qs(urlsplit(self_url).query) == {"sort": ["newest"]}
    # An explicit sort wins over the default.
    root = parse(client.get("/feeds/search.atom?q=työhönvalmennus&sort=newest"))
    assert titles(root) == ["Työhönvalmennus maahanmuuttajille", "Työhönvalmennus nuorille"]


def test_search_feed_never_shows_drafts_or_archived_models(client, db, models):
    body = client.get("/feeds/search.atom?q=työhönvalmennus").get_data(as_text=True)
    assert "Luonnos" not in body and "Arkistoitu" not in body
    practice = models["youth"]
    services.archive_practice(owner_of(db, practice.organisation), practice)
    db.session.commit()
    root = parse(client.get("/feeds/search.atom?q=työhönvalmennus"))
    assert titles(root) == ["Työhönvalmennus maahanmuuttajille"]


def test_search_feed_escapes_the_query_and_titles(client, make_practice):
    make_practice(title=f"Työhönvalmennus {XSS}", published=True)
    response = client.get("/feeds/search.atom", query_string={"q": f"työhönvalmennus {XSS}"})
    root = parse(response)
    assert XSS in root.findtext(f"{A}title")
    assert titles(root) == [f"Työhönvalmennus {XSS}"]
    assert_no_script_element(response, root)


@pytest.mark.parametrize("query", [
    "?q=%00", "?q=ty%00%01%0b%1f%ef%bf%bfö", "?q=" + "x" * 100_000, "?q=%ff%fe%c3",
    "?page=abc", "?page=-1&per_page=100000", "?sort=evil", "?sort=", "?q=%22%22%22",
    "?target_groups=nope&regions=MK01&regions=%00", "?stage=" + "x" * 5000,
    "?" + "&".join(["regions=MK01"] * 500), "?q=<script>alert(1)</script>",
    "?q=työhönvalmennus&q=toinen", "?language=xx&validated=maybe&org_type=",
    "?q=a+OR+OR+-%22", "?q=" + "-" * 600, "?q=%E2%80%AE%ef%b7%90",
])
def test_hostile_query_strings_never_fail(client, models, query):
    response = client.get("/feeds/search.atom" + query)
    assert response.status_code in (200, 400)
    if response.status_code == 200:
        root = parse(response)
        assert_no_script_element(response, root)
        assert len(root.findtext(f"{A}title")) < 1000


def test_control_characters_never_reach_the_xml():
    assert atom.xml_safe("a\x00b\x0bc\x1f\ufffed\ud800e\tf\n") == "abcde\tf\n"
    feed = atom.new_feed(feed_id="x", title="\x00Kohtaamo\x07", self_url="x", alternate_url="y",
                         updated=datetime(2025, 1, 1, tzinfo=UTC), language="fi")
    root = ET.fromstring(atom.to_bytes(feed))  # noqa: S314 - our own output
    assert root.findtext(f"{A}title") == "Kohtaamo"


def test_search_feed_runs_the_same_queries_for_3_and_20_models(client, make_practice,
                                                              make_organisation,
                                                              count_queries):
    organisation = make_organisation()
    for _ in range(3):
        make_practice(organisation=organisation, published=True)
    url = "/feeds/search.atom?q=työhönvalmennus"
    client.get(url)  # the index catches up with the new models
    with count_queries() as few:
        assert len(entries(parse(client.get(url)))) == 3
    for _ in range(17):
        make_practice(published=True)
    client.get(url)
    with count_queries() as many:
        assert len(entries(parse(client.get(url)))) == 20
    assert few.count == many.count <= 4, (few.statements, many.statements)


# --- discovery -----------------------------------------------------------------------------


def test_the_search_page_links_to_its_feed(client, models):
    html = client.get("/search?q=työhönvalmennus&regions=MK08&page=2").get_data(as_text=True)
    head = html.split("</head>", 1)[0]
    assert '<link rel="alternate" type="application/atom+xml"' in head
    feed = "/feeds/search.atom?q=ty%C3%B6h%C3%B6nvalmennus&amp;regions=MK08&amp;sort=relevance"
    assert f'href="{feed}"' in head
    assert "Subscribe to this search (Atom)" in html
    body = html.split("</head>", 1)[1]
    assert f'href="{feed}"' in body
    root = parse(client.get(feed.replace("&amp;", "&")))
    assert titles(root) == ["Työhönvalmennus maahanmuuttajille"]


def test_the_search_page_feed_link_drops_junk(client, models):
    html = client.get("/search", query_string={"q": "<script>", "regions": "nope",
                                               "sort": "evil"}).get_data(as_text=True)
    assert 'href="/feeds/search.atom?q=%3Cscript%3E&amp;sort=relevance"' in html


def test_the_practices_list_links_to_the_feed(client, models):
    html = client.get("/practices").get_data(as_text=True)
    head, body = html.split("</head>", 1)
    assert ('<link rel="alternate" type="application/atom+xml" '
            'title="New and updated service models" href="/feeds/practices.atom">') in head
    assert 'href="/feeds/practices.atom"' in body
