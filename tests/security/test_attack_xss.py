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
            make_practice, db, tmp_path, monkeypatch):
    """Payloads written through the forms by their writers; the pages that show them."""
    # An index of this test's own (the worker's shared one holds other tests' leftovers), so
    # the search page and feed show what this test wrote.
    from app.search import store

    monkeypatch.setitem(app.config, "SEARCH_INDEX_DIR", str(tmp_path / "search-index"))
    store.forget_handles()
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


# --- calls, reviews, decisions and reports (their writers: call manager, reviewer, officer,
# project writer) --------------------------------------------------------------------------------


class FormValues(HTMLParser):
    """The values a browser would send from the first POST form whose action ends with
    `action` (a form without an action posts to its own page, `action`)."""

    def __init__(self, action: str):
        super().__init__(convert_charrefs=True)
        self.action, self.inside, self.done = action, False, False
        self.data: list[tuple[str, str]] = []
        self._select = self._textarea = None
        self._text: list[str] = []

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "form" and not self.done and a.get("method") == "post" and (
                a.get("action", self.action) or self.action).endswith(self.action):
            self.inside = True
        if not self.inside or "disabled" in a:
            return
        if tag == "input" and a.get("name"):
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                self.data.append((a["name"], a.get("value", "on" if kind == "checkbox" else "")))
        elif tag == "select":
            self._select = a.get("name")
        elif tag == "option" and self._select and "selected" in a:
            self.data.append((self._select, a.get("value", "")))
        elif tag == "textarea":
            self._textarea, self._text = a.get("name"), []

    def handle_data(self, data):
        if self._textarea:
            self._text.append(data)

    def handle_endtag(self, tag):
        if tag == "form" and self.inside:
            self.inside, self.done = False, True
        elif tag == "select":
            self._select = None
        elif tag == "textarea" and self._textarea:
            self.data.append((self._textarea, "".join(self._text).removeprefix("\n")))
            self._textarea = None


def form_values(client, url: str, action: str, **overrides) -> dict:
    parser = FormValues(action)
    parser.feed(client.get(url).get_data(as_text=True))
    data: dict = {}
    for name, value in parser.data:
        if name in data:
            data[name] = [*([data[name]] if isinstance(data[name], str) else data[name]), value]
        else:
            data[name] = value
    data.pop("csrf_token", None)
    data.update(overrides)
    return data


def _errors(response) -> list[str]:
    """The messages of a refused form (for the assertion message)."""
    import re

    return re.findall(r'class="[^"]*error[^"]*"[^>]*>([^<]{0,200})',
                      response.get_data(as_text=True))


@pytest.fixture
def funding_written(app, client, login_as, make_user, make_organisation, add_member, make_call,
                    make_application, db):
    """A call, its criteria, a review, a decision and a progress report, each text written
    with the payloads by its writer; the pages that show them, per reader."""
    from app.applications import workflow
    from app.calls import services as call_services
    from app.projects.models import Project
    from tests.fixtures.calls import call_manager_of, decide, during
    from tests.fixtures.projects import writer_of
    from tests.reviews.support_reviewer import form_data as review_form
    from tests.reviews.support_reviewer import review_world

    call = make_call(phase="draft", criteria=())
    manager = call_manager_of(call)
    login_as(manager)
    answers = {}
    edit = f"/calls/{call.id}/edit"
    answers["call"] = client.post(edit, data=form_values(
        client, edit, edit, title_fi=f"{MARK} {SHORT}", title_sv=f"{MARK} {XSS_PAYLOADS[0]}",
        description_fi=ALL, description_sv=ALL, description_en=ALL,
        theme=f"{MARK} {XSS_PAYLOADS[2]}", contact_name=f"{MARK} {XSS_PAYLOADS[3][:60]}"))
    for n, (kind, weight) in enumerate((("general", "0"), ("content", "100"))):
        answers[f"criterion {n}"] = client.post(f"/calls/{call.id}/criteria", data={
            "new-criterion-kind": kind, "new-criterion-title": f"{MARK} {XSS_PAYLOADS[n]}",
            "new-criterion-weight": weight, "new-criterion-guidance": f"criterion-{MARK}\n\n{ALL}"})
    refused = {k: (r.status_code, _errors(r)) for k, r in answers.items()
               if r.status_code not in (200, 302)}
    assert not refused, refused
    db.session.expire_all()
    call_services.publish_call(manager, call, now=min(call.opens_at, call.created_at))
    db.session.commit()

    world = review_world(make_organisation, make_user, add_member, make_call, make_application,
                         reviewers=1, ely=call.organisation, manager=manager, call=call)
    application, reviewer = world.application, world.reviewers[0]
    review = world.review(reviewer)
    login_as(reviewer)
    review_text = f"review-{MARK}\n\n{ALL}"
    answers = {"declare": client.post(f"/reviews/{review.id}/declare",
                                      data={"declaration": "no_conflict"})}
    db.session.expire_all()
    review = world.review(reviewer)
    answers["review"] = client.post(f"/reviews/{review.id}/submit", data=review_form(
        review, comment=review_text, overall_comment=review_text))
    refused = {k: (r.status_code, _errors(r)) for k, r in answers.items()
               if r.status_code not in (200, 302)}
    assert not refused, refused

    db.session.expire_all()
    if application.state.value != "in_review":
        workflow.start_review(manager, application, now=during(call))
        db.session.commit()
    decide(application, approve=True, proposer=manager, justification=f"decision-{MARK}\n\n{ALL}",
           conditions=ALL)
    db.session.commit()
    project = db.session.get(Project, application.id)
    report = project.reports[0]
    writer = writer_of(project)
    login_as(writer)
    answer = client.post(f"/reports/{report.id}", data={
        "done": f"report-{MARK}\n\n{ALL}", "changed": ALL, "problems": ALL, "next_steps": ALL,
        "version": str(report.lock_version)})
    assert answer.status_code in (200, 302), _errors(answer)
    db.session.expire_all()
    a = f"/calls/applications/{application.id}"
    pages = {
        manager: {
            "call": f"/calls/{call.id}", "calls": "/calls", "calls manage": "/calls/manage",
            "call edit": edit, "criteria": f"/calls/{call.id}/criteria",
            "call documents": f"/calls/{call.id}/documents",
            "applications of call": f"/calls/{call.id}/applications",
            "application (officer)": a, "ranking": f"/calls/{call.id}/ranking",
            "decision": f"{a}/decision", "decision document": f"{a}/decision/document",
            "decisions": f"/calls/{call.id}/decisions", "report (officer)": f"/reports/{report.id}",
            "dashboard": f"/calls/{call.id}/projects", "follow-up": "/follow-up",
            "home (officer)": "/"},
        reviewer: {"reviews": "/reviews", "review": f"/reviews/{review.id}",
                   "application (reviewer)": a},
        writer: {"application (writer)": a, "application print": f"{a}/print",
                 "decision document (writer)": f"{a}/decision/document",
                 "report": f"/reports/{report.id}", "report revisions":
                 f"/reports/{report.id}/revisions", "project": f"/projects/{project.id}",
                 "projects": "/projects", "projects mine": "/projects/mine",
                 "applications mine": "/calls/applications/mine", "home": "/"},
    }
    return {"pages": pages, "call": call}


def test_call_review_decision_and_report_texts_are_inert(funding_written, client, login_as):
    problems, shown, texts = {}, {}, {}
    for reader, pages in funding_written["pages"].items():
        login_as(reader)
        for name, url in pages.items():
            markup = _follow(client, url).get_data(as_text=True)
            shown[name], texts[name] = MARK in markup, markup
            if harmful(markup):
                problems[name] = harmful(markup)[:5]
            fragment = client.get(url, headers={"HX-Request": "true"}).get_data(as_text=True)
            if harmful(fragment):
                problems[f"{name} (htmx)"] = harmful(fragment)[:5]
    assert not problems, problems
    for name in ("call", "calls", "criteria", "call edit", "review", "ranking", "decision",
                 "decision document", "report", "report (officer)", "project", "application "
                 "(writer)", "application (reviewer)"):
        assert shown[name], f"{name}: the payloads are not shown: the check is empty"
    # each writer's text where its readers see it
    for name, label in (("criteria", "criterion"), ("review", "review"),
                        ("decision document", "decision"), ("decision document (writer)",
                        "decision"), ("report", "report"), ("report (officer)", "report")):
        assert f"{label}-{MARK}" in texts[name], f"{name}: {label} text not shown"
    call_page = html.unescape(_follow(client, f"/calls/{funding_written['call'].id}")
                              .get_data(as_text=True))
    assert "${7*7}#{7*7}" in call_page and "{{7*7}}" in call_page


# --- spreadsheets ------------------------------------------------------------------------------

FORMULAS = ["=HYPERLINK(\"http://evil.example/zq\")", "\uff1d1+1", "\u200b=1+1",
            "\u202e@SUM(1)", "+1+1 zq", "-2+3 zq", "\ufeff\uff20SUM(1)", "\u2066\uff0b1"]
_INVISIBLE = "\u200b\u200c\u200d\u2060\ufeff\u200e\u200f\u202a\u202b\u202c\u202d\u202e" \
             "\u2066\u2067\u2068\u2069"


def _runs_as_formula(cell: str) -> bool:
    """Whether a spreadsheet would read the cell as a formula: its first visible character is
    a formula character (ASCII or full-width) and the cell does not start with the apostrophe
    that makes it text."""
    if cell.startswith("'"):
        return False
    visible = cell.lstrip(" \t\r\n" + _INVISIBLE)
    return visible[:1] in ("=", "+", "-", "@", "\uff1d", "\uff0b", "\uff0d", "\uff20") or \
        cell[:1] in ("\t", "\r")


def test_the_formula_oracle_is_not_blind():
    assert all(_runs_as_formula(f) for f in FORMULAS)
    assert not any(_runs_as_formula("'" + f) for f in FORMULAS)
    assert not _runs_as_formula("Hanke 1") and not _runs_as_formula("")


def test_exports_never_carry_a_formula(client, login_as, make_call, make_application, db):
    """Project names (written by applicants through the application form) that are formulas,
    in every export that lists them: the call's applications (CSV), the ranking and the
    project dashboard (CSV and XLSX)."""
    import csv
    import io

    from openpyxl import load_workbook

    from app.projects.models import Project
    from tests.fixtures.calls import advance, call_manager_of
    from tests.projects.follow_up_support import submit_first

    call = make_call()
    for n, formula in enumerate(FORMULAS):
        application = make_application(call=call, state="draft")
        login_as(application.created_by)
        answer = client.post(f"/calls/applications/{application.id}/sections/project",
                             data={"project_name": formula, "summary": f"Tiivistelmä {n}."})
        assert answer.status_code in (200, 302), _errors(answer)
        db.session.expire_all()
        assert application.project_name == formula  # stored as typed
        advance(application, "approved" if n % 2 else "in_review", application.created_by)
        db.session.commit()
        if n % 2:  # the dashboard exports the projects' submitted reports
            submit_first(db.session.get(Project, application.id))
    login_as(call_manager_of(call))
    for url in (f"/calls/{call.id}/applications.csv", f"/calls/{call.id}/ranking.csv",
                f"/calls/{call.id}/ranking.xlsx", f"/calls/{call.id}/projects.csv",
                f"/calls/{call.id}/projects.xlsx"):
        response = client.get(url)
        assert response.status_code == 200, url
        if url.endswith(".csv"):
            text = response.get_data().decode("utf-8-sig")
            cells = [c for row in csv.reader(io.StringIO(text), delimiter=";") for c in row]
        else:
            sheet = load_workbook(io.BytesIO(response.get_data())).active
            assert not [c.coordinate for row in sheet.iter_rows() for c in row
                        if c.data_type == "f"], url
            cells = [str(c.value) for row in sheet.iter_rows() for c in row
                     if c.value is not None]
        names = [c for c in cells if c.lstrip("'") in FORMULAS]
        expected = len(FORMULAS) if "projects" not in url else len(FORMULAS) // 2
        assert len(set(names)) >= expected, (url, names)  # the check is not empty
        assert not [c for c in cells if _runs_as_formula(c)], url
