"""Pages in a real browser: scripts load under the CSP, htmx is there, the language sticks."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser.support import (
    create_organisation,
    create_user,
    log_in,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

# Reports every Content-Security-Policy violation, also those that never reach the console.
CSP_LISTENER = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", function (event) {
  window.__cspViolations.push(event.violatedDirective + " blocked " + (event.blockedURI || "inline")
    + " at " + event.sourceFile + ":" + event.lineNumber);
});
"""

PUBLIC_PAGES = ["/", "/register", "/login", "/password/forgot", "/organisations"]
SIGNED_IN_PAGES = ["/dashboard", "/account", "/organisations/new"]


class ProblemRecorder:
    """Console errors, page errors and failed requests seen by one page."""

    def __init__(self, page):
        self.problems: list[str] = []
        page.on("console", self._console)
        page.on("pageerror", lambda error: self.problems.append(f"page error: {error}"))
        page.on("requestfailed", self._request_failed)
        page.on("response", self._response)

    def _console(self, message):
        if message.type in ("error", "warning"):
            self.problems.append(f"console {message.type}: {message.text}")

    def _request_failed(self, request):
        # ERR_ABORTED: the browser dropped a request when the test moved on to the next page
        # (the print style sheet loads last); a missing file shows up as a 4xx response instead.
        if request.failure != "net::ERR_ABORTED":
            self.problems.append(f"request failed: {request.url} ({request.failure})")

    def _response(self, response):
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.append(f"{response.status} for {response.url}")


def _check_page(page, recorder, path):
    response = page.goto(path)
    assert response is not None and response.status == 200, (
        f"{path}: {response and response.status}")
    page.wait_for_load_state("networkidle")  # the icon and anything else the page asks for
    assert page.evaluate("() => typeof window.htmx") == "object", f"htmx did not load on {path}"
    version = page.evaluate("() => window.htmx.version")
    assert version.startswith("2."), f"htmx {version} on {path}: version 2 is required"
    violations = page.evaluate("() => window.__cspViolations")
    assert violations == [], f"CSP violations on {path}: {violations}"
    assert page.locator("html").get_attribute("lang") in {"fi", "sv", "en"}
    assert "content-security-policy" in response.headers


def test_no_csp_violations_and_htmx_loads(new_context, live_server):
    create_user(live_server, "csp@example.fi", "Cecilia Sp")
    context = new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    recorder = ProblemRecorder(page)
    for path in PUBLIC_PAGES:
        _check_page(page, recorder, path)
    page.goto("/")
    switch_language(page, "en")
    log_in(page, "csp@example.fi")
    for path in SIGNED_IN_PAGES:
        _check_page(page, recorder, path)
    assert recorder.problems == [], "\n".join(recorder.problems)


def test_language_switcher_changes_and_remembers_the_language(page):
    page.goto("/")
    html = page.locator("html")
    expect(html).to_have_attribute("lang", "fi")  # the default, also for a fi-FI browser

    switch_language(page, "sv")
    expect(page).to_have_url("/")  # back on the same page
    page.goto("/login")
    expect(html).to_have_attribute("lang", "sv")  # remembered on the next page

    switch_language(page, "en")
    expect(page).to_have_url("/login")
    expect(page.get_by_role("heading", level=1)).to_have_text("Log in")
    page.goto("/register")
    expect(html).to_have_attribute("lang", "en")
    # The current language is marked for assistive technology.
    expect(page.get_by_role("button", name="In English")).to_have_attribute("aria-current", "true")

    switch_language(page, "fi")
    page.goto("/")
    expect(html).to_have_attribute("lang", "fi")


def test_browser_language_is_used_until_one_is_chosen(new_page):
    page = new_page(locale="sv-SE", extra_http_headers={"Accept-Language": "sv-SE,sv;q=0.9"})
    page.goto("/")
    expect(page.locator("html")).to_have_attribute("lang", "sv")


def test_error_page_is_localised(page):
    response = page.goto("/no-such-page")
    assert response.status == 404
    expect(page.locator("html")).to_have_attribute("lang", "fi")
    switch_language(page, "en")
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_directory_search_updates_the_results_with_htmx(new_context, live_server):
    owner_id = create_user(live_server, "htmx.owner@example.fi", "Hilkka Htmx")
    create_organisation(live_server, owner_id, "Alfasilta Osuuskunta", valid_business_id(101))
    create_organisation(live_server, owner_id, "Beetapolku Säätiö", valid_business_id(102))
    context = new_context()
    context.add_init_script(CSP_LISTENER)
    page = context.new_page()
    recorder = ProblemRecorder(page)
    page.goto("/organisations")
    switch_language(page, "en")
    results = page.locator("#directory-results")
    expect(results).to_contain_text("Alfasilta Osuuskunta")
    expect(results).to_contain_text("Beetapolku Säätiö")
    page.evaluate("() => { window.__samePage = true; }")  # gone if the whole page reloads

    with page.expect_request(lambda r: r.headers.get("hx-request") == "true") as request_info:
        page.get_by_label("Search by name or expertise").fill("Beetapolku")
    assert "q=Beetapolku" in request_info.value.url
    expect(results).not_to_contain_text("Alfasilta Osuuskunta")
    expect(results).to_contain_text("Beetapolku Säätiö")
    expect(page.locator("#result-count")).to_contain_text("1")
    expect(page).to_have_url(re.compile(r"/organisations\?.*q=Beetapolku"))  # shareable address
    assert page.evaluate("() => window.__samePage") is True
    assert page.evaluate("() => window.__cspViolations") == []
    assert recorder.problems == [], "\n".join(recorder.problems)

    # The same address opened directly renders the full page with the same results.
    page.reload()
    expect(page.get_by_role("heading", level=1)).to_have_text("Organisations")
    expect(results).not_to_contain_text("Alfasilta Osuuskunta")
    expect(results).to_contain_text("Beetapolku Säätiö")
