"""Every known XSS payload, in every text of a service model, is harmless on every page that
shows it: the model page, versions, the diff, the history, the preview, the lists."""

from html.parser import HTMLParser

import flask
import pytest
from flask import render_template_string

from app.organisations.models import Role
from app.practices import community, services
from app.practices.models import SECTIONS
from tests.core.test_markdown import PAYLOADS, assert_harmless
from tests.fixtures.practices import (
    TEMPLATE_TAGS,
    assert_markup_harmless,
    form_data,
    inner_html,
    owner_of,
    use_english,
)

TABLE_TAGS = TEMPLATE_TAGS | {"table", "caption", "thead", "tbody", "tr", "th", "td"}
OWN_SCRIPTS = ("/static/vendor/htmx.min.js", "/static/js/app.js")


class _AllElements(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found = []

    def handle_starttag(self, tag, attrs):
        self.found.append((tag, dict(attrs)))


def assert_page_harmless(html: str) -> None:
    """The whole page: nothing a payload could have added beside the page's own markup."""
    parser = _AllElements()
    parser.feed(html)
    for tag, attrs in parser.found:
        assert tag not in {"iframe", "object", "embed", "svg", "math", "base", "style", "frame",
                           "applet", "img"}, (tag, attrs)
        if tag == "script":
            assert attrs.get("src") in OWN_SCRIPTS, attrs
        if tag == "meta":
            assert "http-equiv" not in attrs, attrs
        if tag == "link":
            if attrs == {"rel": "icon", "href": "data:,"}:  # the page's own empty favicon
                continue
            if attrs.get("rel") == "alternate":  # the page's own feed, on this site
                assert attrs.get("type") == "application/atom+xml", attrs
                assert attrs.get("href", "").startswith("/feeds/"), attrs
                continue
            assert attrs.get("rel") == "stylesheet", attrs
            assert attrs.get("href", "").startswith("/static/"), attrs
        if tag == "form":
            assert (attrs.get("action") or "/").startswith("/"), attrs
        for name, value in attrs.items():
            value = (value or "").strip().lower()
            assert not name.startswith(("on", "xlink", "style")), (tag, name, value)
            assert not value.startswith(("javascript:", "data:", "vbscript:")), (tag, name, value)
            if name.startswith(("hx-", "data-hx-")):
                assert "/account/delete" not in value and "/logout" not in value, (tag, name, value)
                assert value != "load", (tag, name, value)


def _markdown(payload: str) -> str:
    return f"Intro\n\n{payload}\n\nOutro"


@pytest.fixture
def hostile(make_organisation, make_practice, make_user, add_member, db):
    """A published model with the payload in every text, a second version, a validation
    statement and an adoption note: hostile(title, summary, text, tags)."""

    def _make(title, summary, text, tags):
        organisation = make_organisation()
        practice = make_practice(
            organisation=organisation, published=True, change_note=text, title=title,
            summary=summary, tags=tags, **{name: _markdown(text) for name in SECTIONS})
        owner = owner_of(db, organisation)
        services.save_practice(owner, practice, {name: f"{text} lisäys" for name in SECTIONS}, None)
        services.publish_practice(owner, practice, text)
        centre = make_organisation(type="regional_authority")
        reviewer = make_user()
        add_member(centre, reviewer, Role.member, reviewer=True)
        community.validate_practice(reviewer, centre, practice, text)
        adopter = make_organisation()
        community.record_adoption(owner_of(db, adopter), adopter, practice, regions=["MK01"],
                                  since=None, note=text)
        db.session.commit()
        return practice

    return _make


@pytest.mark.parametrize("payload", PAYLOADS)
def test_each_payload_is_harmless_on_the_reading_pages(client, hostile, payload):
    practice = hostile(f"T {payload}", payload, payload, [payload[:60], "ok"])
    url = f"/practices/{practice.id}-{practice.slug}"

    page = client.get(url).get_data(as_text=True)
    assert_page_harmless(page)
    assert_markup_harmless(inner_html(page, "practice-content"))
    for name in SECTIONS:
        assert_harmless(inner_html(page, f"text-{name}"))
    assert_markup_harmless(inner_html(page, "validation-statement"))
    assert_markup_harmless(inner_html(page, "adoption-list"))

    page = client.get(f"/practices/{practice.id}/versions/1").get_data(as_text=True)
    assert_page_harmless(page)
    assert_markup_harmless(inner_html(page, "practice-content"))
    for name in SECTIONS:
        assert_harmless(inner_html(page, f"text-{name}"))

    page = client.get(f"/practices/{practice.id}/diff?from=1&to=2").get_data(as_text=True)
    assert_page_harmless(page)
    assert "<ins>" in page and "<del>" in page
    assert_markup_harmless(inner_html(page, "practice-content"))

    page = client.get(f"/practices/{practice.id}/versions").get_data(as_text=True)
    assert_page_harmless(page)
    assert_markup_harmless(inner_html(page, "versions"), TABLE_TAGS)


def test_all_payloads_are_harmless_on_lists_and_writing_pages(client, app, login_as, make_user,
                                                              make_organisation, add_member,
                                                              hostile, db):
    everything = "\n\n".join(PAYLOADS)
    practice = hostile("T " + " ".join(PAYLOADS[:4]), " ".join(PAYLOADS[:12]), everything,
                       [p[:60] for p in PAYLOADS[:20]])
    assert len(practice.title) <= 200

    page = client.get("/practices").get_data(as_text=True)
    assert_page_harmless(page)
    assert_markup_harmless(inner_html(page, "practice-results"), TEMPLATE_TAGS | {"nav"})

    with app.test_request_context("/"):
        assert_markup_harmless(render_template_string(
            '{% include "practices/_org_practices.html" %}', organisation=practice.organisation))
        flask.g._login_user = owner_of(db, practice.organisation)
        assert_markup_harmless(render_template_string(
            '{% include "practices/_org_practices.html" %}', organisation=practice.organisation))

    # The writers' pages show the same texts in their fields.
    login_as(owner_of(db, practice.organisation))
    use_english(client)
    for url in (f"/practices/{practice.id}/edit", f"/practices/{practice.id}/publish",
                f"/practices/{practice.id}/partners", f"/practices/{practice.id}-{practice.slug}"):
        assert_page_harmless(client.get(url).get_data(as_text=True))
    fragment = client.post("/practices/preview", headers={"HX-Request": "true"}, data={
        "preview_field": "problem", "problem": _markdown(everything)}).get_data(as_text=True)
    assert_markup_harmless(fragment)
    stale = form_data(db.session.get(type(practice), practice.id), lock_version="1",
                      method=everything + " minun")
    conflict = client.post(f"/practices/{practice.id}/edit", data=stale)
    assert conflict.status_code == 409
    assert_page_harmless(conflict.get_data(as_text=True))

    person = make_user()
    add_member(make_organisation(), person, Role.editor)
    login_as(person)
    assert_page_harmless(client.get(f"/practices/{practice.id}/adopt").get_data(as_text=True))
