"""The XSS payload list in every text field, checked on every page that shows it (issue 12 §4).

The payloads (attack_support.XSS_PAYLOADS) go in through the real forms, as the role that
writes them: a profile name, an organisation's profile, a service model (every Markdown
section, then published), and an application's text sections. Then every page, feed, JSON
answer and export that shows them is fetched and parsed (html.parser for HTML, ElementTree
for Atom, whose HTML content is parsed again): no element or attribute of a payload may exist
and template syntax is never evaluated.
"""

from __future__ import annotations

import html
import json
import xml.etree.ElementTree as ET
from html.parser import HTMLParser

import pytest

from tests.fixtures.organisations import organisation_form_data
from tests.fixtures.practices import form_data
from tests.security.attack_support import MARK, XSS_PAYLOADS

ALL = "\n\n".join(XSS_PAYLOADS)  # every payload in one long text field
SHORT = XSS_PAYLOADS[1]  # for fields of one short line


def _fitting(limit: int) -> str:
    """As many payloads as fit in `limit` characters (a summary has at most 1,000)."""
    text = ""
    for payload in XSS_PAYLOADS:
        if len(text) + len(payload) + 1 > limit:
            break
        text += payload + "\n"
    return text
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "data", "xlink:href", "poster"}


class Elements(HTMLParser):
    """Every start tag with its attributes, and the text."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, dict]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.tags.append((tag, {name: value or "" for name, value in attrs}))

    handle_startendtag = handle_starttag

    def handle_data(self, data):
        self.text.append(data)


def harmful(markup: str) -> list[str]:
    """What in `markup` comes from a payload (or would run anything)."""
    parser = Elements()
    parser.feed(markup)
    parser.close()
    found = []
    for tag, attrs in parser.tags:
        if tag == "script" and not attrs.get("src", "").startswith("/static/"):
            found.append(f"<script {attrs}>")
        # strict CSP: the app has no inline styles, frames, MathML or plugins of its own
        if tag in ("base", "iframe", "object", "embed", "style", "math", "frame") or (
                tag == "meta" and "http-equiv" in attrs):
            found.append(f"<{tag} {attrs}>")
        if tag in ("link", "form", "a") and "evil.example" in attrs.get("href", "") + attrs.get(
                "action", ""):
            found.append(f"<{tag} {attrs}> (a payload's address)")
        if MARK in attrs.get("style", ""):
            found.append(f"<{tag} style={attrs['style']!r}>")
        for name, value in attrs.items():
            if name.startswith("on"):
                found.append(f"<{tag} {name}={value!r}>")
            squeezed = "".join(value.split()).lower()
            if name in URL_ATTRIBUTES and squeezed.startswith((
                    "javascript:", "data:", "vbscript:")) and squeezed != "data:,":
                # (`data:,` is the app's own empty favicon)
                found.append(f"<{tag} {name}={value!r}>")
            if (name.startswith(("hx-", "data-hx-")) and
                    ("logout" in value or MARK in value)):
                found.append(f"<{tag} {name}={value!r}>")
            # (a payload inside an attribute's value is text: an attribute break-out would
            # show up as the elements and attributes checked here)
    return found


def test_the_checker_sees_every_payload_unescaped():
    """The checker is not blind: each payload, pasted raw into a page, is found."""
    blind = []
    for payload in XSS_PAYLOADS:
        if payload.startswith(("{{", "{%", "=HYPERLINK", "[", "!")):
            continue  # text, Markdown or a formula: harmless until something evaluates it
        if not harmful(f"<html><body><p>{payload}</p></body></html>"):
            blind.append(payload)
    assert not blind
    assert not harmful("<p>" + html.escape(ALL) + "</p><script src=\"/static/js/app.js\">"
                       "</script><input value=\"" + html.escape(SHORT) + "\">")


@pytest.fixture
def written(app, client, login_as, make_user, make_organisation, make_call, make_application,
            make_practice, db):
    """Payloads written through the forms by their writers; the pages that show them."""
    owner = make_user(email="kirjoittaja@example.fi")
    organisation = make_organisation(owner=owner, name="XSS-testi ry")
    login_as(owner)
    answers = {}
    answers["profile"] = client.post("/account/profile", data={"name": SHORT, "language": "en"})
    answers["organisation"] = client.post(
        f"/organisations/{organisation.id}/edit",
        data=organisation_form_data(name=f"{MARK} {XSS_PAYLOADS[3][:60]}", description=ALL,
                                    expertise=ALL, business_id=organisation.business_id,
                                    website="javascript:alert(1)"))
    practice = make_practice(organisation=organisation, author=owner)
    answers["practice"] = client.post(f"/practices/{practice.id}/edit", data=form_data(
        practice, title=f"{MARK} {SHORT}", summary=_fitting(1000), problem=ALL, method=ALL,
        employer_cooperation=ALL, results=ALL, adoption=ALL, tags=f"{MARK}, {SHORT}"))
    answers["publish"] = client.post(f"/practices/{practice.id}/publish",
                                     data={"change_note": _fitting(500)})
    call = make_call()
    application = make_application(call=call, organisation=organisation)
    for section in ("background", "method", "expected_results"):
        answers[section] = client.post(
            f"/calls/applications/{application.id}/sections/{section}",
            data={section: ALL})
    refused = {k: r.status_code for k, r in answers.items() if r.status_code not in (200, 302)}
    # The organisation's website is refused (not a web address): send it again without it.
    if "organisation" in refused:
        answers["organisation"] = client.post(
            f"/organisations/{organisation.id}/edit",
            data=organisation_form_data(name=f"{MARK} {XSS_PAYLOADS[3][:60]}", description=ALL,
                                        expertise=ALL, business_id=organisation.business_id))
        refused = {k: r.status_code for k, r in answers.items()
                   if r.status_code not in (200, 302)}
    assert not refused, refused
    db.session.expire_all()
    practice_url = f"/practices/{practice.id}"
    pages = {
        "account": "/account",
        "organisation": f"/organisations/{organisation.id}",
        "directory": "/organisations?q=XSS-testi",
        "practice": practice_url,
        "practice versions": f"{practice_url}/versions",
        "practice version 1": f"{practice_url}/versions/1",
        "practices": "/practices",
        "search": "/search?q=alert",
        "search all": "/search",
        "home": "/",
        "application": f"/calls/applications/{application.id}",
        "application print": f"/calls/applications/{application.id}/print",
        "applications mine": "/calls/applications/mine",
    }
    return {"owner": owner, "organisation": organisation, "practice": practice,
            "application": application, "pages": pages}


def _follow(client, url):
    response = client.get(url, follow_redirects=True)
    assert response.status_code == 200, (url, response.status_code)
    return response


def _no_payload_survives_on_any_page(written, client):
    problems = {}
    shown = 0
    for name, url in written["pages"].items():
        response = _follow(client, url)
        markup = response.get_data(as_text=True)
        shown += MARK in markup
        found = harmful(markup)
        if found:
            problems[name] = found[:5]
        # htmx asks for fragments of the same pages
        fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
        if harmful(fragment):
            problems[f"{name} (htmx)"] = harmful(fragment)[:5]
    assert not problems, problems
    assert shown >= 8, "the payloads are not shown on the pages at all: the check is empty"


def _templates_are_never_run(written, client):
    for name in ("organisation", "practice", "application"):
        markup = _follow(client, written["pages"][name]).get_data(as_text=True)
        text = html.unescape(markup)
        assert "{{7*7}}" in text, name  # shown as typed, not evaluated
        assert "${7*7}#{7*7}" in text, name


def _feeds_are_xml_without_payloads(written, client):
    for url in ("/feeds/practices.atom", "/feeds/search.atom?q=alert"):
        response = client.get(url)
        assert response.status_code == 200, url
        root = ET.fromstring(response.get_data())  # noqa: S314 - our own feed, parsed to check it
        contents = [e.text or "" for e in root.iter() if e.text]
        assert any(MARK in c for c in contents), f"{url}: the payloads are not in the feed"
        # Atom text constructs: type="html" is HTML a reader renders, "text" is plain text
        for element in root.iter():
            if element.get("type") == "html" and element.text:
                assert not harmful(element.text), (url, harmful(element.text))
            if element.get("type") == "xhtml":
                markup = ET.tostring(element, encoding="unicode")
                assert not harmful(markup), (url, harmful(markup))


def _json_api_carries_payloads_as_data(written, client):
    practice, organisation = written["practice"], written["organisation"]
    for url in (f"/api/v1/practices/{practice.id}", f"/api/v1/organisations/{organisation.id}",
                "/api/v1/practices?q=alert", "/account/data.json"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.mimetype == "application/json", url
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        payload = json.loads(response.get_data())
        assert MARK in json.dumps(payload, ensure_ascii=False), url
        # JSON carries the text as typed (data, not markup); markup the API renders
        # (a key naming HTML) is cleaned as on the pages
        for key, value in _strings(payload):
            if "html" in key.lower():
                assert not harmful(value), (url, harmful(value))


def _strings(value, key=""):
    if isinstance(value, str):
        yield key, value
    elif isinstance(value, dict):
        for name, item in value.items():
            yield from _strings(item, name)
    elif isinstance(value, list):
        for item in value:
            yield from _strings(item, key)


def _mail_with_a_payload_name_has_clean_headers(written, client, mailbox):
    organisation = written["organisation"]
    response = client.post(f"/organisations/{organisation.id}/invitations",
                           data={"email": "kutsuttu@example.fi", "role": "member"})
    assert response.status_code in (200, 302), response.status_code
    message = mailbox.last("kutsuttu@example.fi")
    for header, value in message.items():
        assert "\n" not in value and "\r" not in value, header
    assert message.get_content_type() in ("text/plain", "multipart/alternative")
    for part in message.walk():
        if part.get_content_type() == "text/html":
            assert not harmful(part.get_content())


def test_payloads_are_inert_everywhere(written, client, mailbox):
    """One world of payloads (written once: it takes a while), every place that shows them."""
    _no_payload_survives_on_any_page(written, client)
    _templates_are_never_run(written, client)
    _feeds_are_xml_without_payloads(written, client)
    _json_api_carries_payloads_as_data(written, client)
    _mail_with_a_payload_name_has_clean_headers(written, client, mailbox)
