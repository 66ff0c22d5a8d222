"""Call texts in the reader's language; a text shown in another language is marked visibly
("Not available in English; shown in Finnish.") and carries its own `lang`."""

from __future__ import annotations

import pytest

from app.calls.views import fallback_note, fallback_tag


def _get(client, url, language):
    return client.get(url, headers={"Accept-Language": language}).get_data(as_text=True)


@pytest.mark.parametrize("reader,shown,note", [
    ("en", "fi", "Not available in English; shown in Finnish."),
    ("en", "sv", "Not available in English; shown in Swedish."),
    ("sv", "fi", "Not available in Swedish; shown in Finnish."),
    ("sv", "en", "Not available in Swedish; shown in English."),
    ("fi", "sv", "Not available in Finnish; shown in Swedish."),
    ("fi", "en", "Not available in Finnish; shown in English."),
])
def test_every_pair_of_languages_has_its_note(app, reader, shown, note):
    with app.test_request_context():
        assert str(fallback_note(shown, reader)) == note
        assert fallback_note(reader, reader) == ""
        assert fallback_tag(reader, reader) == ""
        assert str(fallback_tag(shown, reader)).startswith("(in ")


def test_a_finnish_only_call_is_marked_on_english_pages(app, make_call):
    call = make_call(title_fi="Vain suomeksi", description_fi="Kuvaus vain suomeksi.")
    client = app.test_client()
    html = _get(client, f"/calls/{call.id}", "en")
    assert "Not available in English; shown in Finnish." in html
    assert '<div lang="fi"><p>Kuvaus vain suomeksi.</p>' in html
    assert '<span lang="fi">Vain suomeksi</span> <span class="lang-tag">(in Finnish)</span>' in html
    listing = _get(client, "/calls", "en")
    assert '<span lang="fi">Vain suomeksi</span> <span class="lang-tag">(in Finnish)</span>' \
        in listing


def test_a_text_in_the_readers_language_is_not_marked(app, make_call):
    call = make_call(title_fi="Suomeksi", title_en="In English", description_fi="Kuvaus.",
                     description_en="The description.")
    client = app.test_client()
    html = _get(client, f"/calls/{call.id}", "en")
    assert "Not available in" not in html and "lang-tag" not in html
    assert '<div lang="en"><p>The description.</p>' in html
    assert "Kuvaus." not in html
    finnish = _get(client, f"/calls/{call.id}", "fi")
    assert '<div lang="fi"><p>Kuvaus.</p>' in finnish and "lang-tag" not in finnish


def test_title_and_description_languages_are_told_apart(app, make_call):
    """An English title over a description that exists only in Finnish: each is marked for
    what it is (the description's lang is not the title's)."""
    call = make_call(title_fi="Otsikko", title_en="Title", description_fi="Vain suomeksi.")
    html = _get(app.test_client(), f"/calls/{call.id}", "en")
    assert '<span lang="en">Title</span>' in html
    assert '<div lang="fi"><p>Vain suomeksi.</p>' in html
    assert html.count("Not available in English; shown in Finnish.") == 1


def test_the_call_in_application_pages_is_marked(client, login_as, make_call, make_application):
    call = make_call(title_fi="Suomenkielinen haku")
    application = make_application(call=call)
    login_as(application.created_by)  # reads English (tests/fixtures/auth.py)
    html = client.get(f"/calls/applications/{application.id}").get_data(as_text=True)
    assert '<span lang="fi">Suomenkielinen haku</span> <span class="lang-tag">(in Finnish)' in html


def test_the_feed_marks_a_title_in_another_language(app, make_call):
    make_call(title_fi="Syötteen haku")
    xml = _get(app.test_client(), "/feeds/calls.atom", "en")
    assert 'xml:lang="fi">Syötteen haku</title>' in xml
