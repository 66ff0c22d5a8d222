"""Every htmx form, refused input in a real browser: the message is visible and nothing typed is
lost.

htmx swaps 422 (refused input) and 409 (conflict) answers, which carry the form again with its
messages (base.html's htmx-config); static/js/app.js shows every other failure in place. For
each htmx form of the application (CASES, keyed by the endpoint the form posts to) one invalid
value is typed with JavaScript on and the form's button pressed (or its autosave waited for);
then the message must be visible and the typed value still in the input.
tests/security/test_htmx_form_cases.py fails when a template gets an htmx form without a case
here.

Two failures that are not refused input follow: signed out in another tab (401, then a fresh
CSRF token and the same save sent again once signed in), and no connection at all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import urlsplit

import pytest
from playwright.sync_api import Locator, Page, expect

from tests.browser import TIMEOUT_MS
from tests.browser.support import (
    add_member,
    create_application,
    create_draft_call,
    create_draft_practice,
    create_open_call,
    create_organisation,
    create_review,
    create_user,
    log_in,
    log_out,
    switch_language,
    valid_business_id,
)

pytestmark = pytest.mark.browser

WRITER = ("Liisa Lomake", "lomakkeet.kirjoittaja@example.fi")
MANAGER = ("Heikki Hakuvastaava", "lomakkeet.hakuvastaava@example.fi")
REVIEWER = ("Arja Arvioija", "lomakkeet.arvioija@example.fi")
DECIDER = ("Raili Ratkaisija", "lomakkeet.ratkaisija@example.fi")  # confirms the decisions
STAFF_ROLE = "Työhönvalmentaja"
SCORED = "Toimintamallin toteutettavuus"  # a scored criterion of the default ones (40 %)

# One character over the limit of an application's text (forms.TEXT_MAX) and far over that of
# the Markdown preview (edit_views.preview: the field's own, 20 000).
TOO_LONG_TEXT = ("Osatyökykyiset työnhakijat ohjataan työkokeiluun. " * 410)[:20_001]
TOO_LONG_PREVIEW = ("Työhönvalmennus etenee vaiheittain. " * 1200)[:40_001]
UNKNOWN_BUSINESS_ID = valid_business_id(899)  # a correct check digit, no such organisation
HOURLY_MODEL = "Hours × hourly rate (annual salary / 1720 h)"  # the staff-cost model's radio
# A group application: the accepted co-implementer's part of the budget and its line.
PART = "#section-budget .budget-part:not(#section-part-lead)"
PART_ROLE = "Osatoteuttajan valmentaja"
CO_IMPLEMENTER = ("Olli Osatoteuttaja", "lomakkeet.osatoteuttaja@example.fi")


@dataclass(frozen=True)
class Case:
    """One invalid value typed into one htmx form.

    `form` (a CSS selector) is looked up again after the answer is swapped in; `label` names
    the field the invalid `value` goes into, `before` the valid values typed first. `press` is
    the form's button (its accessible name), None for an autosave (or the live totals), which
    the typing sends by itself. The request to a path matching `response` must answer `status`.
    `message` must then be visible in `where` (a CSS selector), or when `where` is None at the
    field itself (its `.error`, and the input marked aria-invalid), and `summary`, when given,
    is an error summary that must be visible too.
    """

    id: str
    page: str  # "application", "criteria", "practice", "review", "report", "outcome_application",
    # "voucher_application", "group_application" (a co-implementer) or "question" (a question
    # on the writer's model, to answer): the form's page
    form: str
    label: str
    value: str
    response: str
    message: str
    press: str | re.Pattern | None = "Save"
    status: int = 422
    where: str | None = None
    summary: str | None = None
    before: tuple[tuple[str, str], ...] = ()
    open: str | None = None  # the text of a <summary> to open first (the form is inside)


def _section(key: str) -> str:
    return f"#section-{key} form[data-section-form]"


def _section_save(key: str, label: str, value: str, message: str, case_id: str,
                  **options) -> Case:
    return Case(case_id, "application", _section(key), label, value,
                rf"/sections/{key}$", message, summary=f"#section-{key} .error-summary",
                **options)


# endpoint -> the cases of the htmx form(s) that post to it
CASES: dict[str, tuple[Case, ...]] = {
    "applications.application_section_save": (
        _section_save("project", "Project name", "", "Give the project a name.", "project-empty"),
        _section_save("background", "Background and need", TOO_LONG_TEXT,
                      "cannot be longer than 20000 characters", "text-20001-characters"),
        _section_save("duration", "End date", "2026-08-01",
                      "The project must end after it starts.", "duration-end-before-start",
                      before=(("Start date", "2026-09-01"),)),
        _section_save("indicators", "Participants", "-5", "The number cannot be negative.",
                      "indicators-negative"),
        _section_save("funding", "Support applied for (EU and state) (€)", "1e400",
                      "Enter a number, for example 1 234,56.", "funding-exponent"),
        _section_save("funding", "Own private funding (€)", "€ 500",
                      "Use the digits 0–9 (for example 1 234,56).", "funding-euro-sign-first"),
    ),
    "applications.application_section_autosave": (
        Case("text-20001-characters", "application", _section("method"), "Method",
             TOO_LONG_TEXT, r"/sections/method/autosave$", "Not saved:", press=None,
             where="#autosave-method"),
    ),
    "applications.application_budget_totals": (
        Case("funding-nan", "application", _section("funding"), "Own private funding (€)", "NaN",
             r"/budget/totals$", "Some numbers are not valid yet", press=None, status=200,
             where="#budget-totals"),
        Case("staff-line-months-nan", "application",
             '#section-budget form[action$="/budget/lines"]', "Months", "NaN",
             r"/budget/totals$", "Some numbers are not valid yet", press=None, status=200,
             where="#budget-totals"),
    ),
    "applications.application_line_add": (
        Case("months-nan", "application", '#section-budget form[action$="/budget/lines"]',
             "Months", "NaN", r"/budget/lines$", "Enter a number, for example 1 234,56.",
             press="Add the line", summary="#section-budget .error-summary",
             before=(("Role", "Projektipäällikkö"),)),
    ),
    "applications.application_line_save": (
        Case("share-150-percent", "application",
             '#section-budget details.line-edit form:not(.inline-form)',
             "Share of full time (%)", "150", r"/budget/lines/\d+$",
             "The number is too large: at most 100", press="Save the line",
             summary="#section-budget .error-summary", open=f"Edit or remove: {STAFF_ROLE}"),
    ),
    # the budget's staff-cost model, the lead's costs outside the flat rate and a
    # co-implementer's part (its live totals, a new line, a line and its figures)
    "applications.application_staff_model_save": (
        Case("hourly-with-monthly-lines", "application",
             '#section-budget form[action$="/budget/model"]', HOURLY_MODEL, "hourly",
             r"/budget/model$", "Remove them first", press="Save the model",
             where="#staff_cost_model-error", summary="#section-budget .error-summary"),
    ),
    "applications.application_costs_save": (
        Case("participant-costs-two-commas", "application",
             '#section-budget form[action$="/budget/costs"]',
             "Participants' wages and allowances (€)", "12,34,56", r"/budget/costs$",
             "Enter a number, for example 1 234,56.", press="Save the figures",
             summary="#section-budget .error-summary"),
    ),
    "applications.application_part_totals": (
        Case("months-nan", "group_application", f"{PART} form[action$='/lines']", "Months",
             "NaN", r"/parts/\d+/totals$", "Some numbers are not valid yet", press=None,
             status=200, where="#budget-totals"),
    ),
    "applications.application_part_line_add": (
        Case("months-nan", "group_application", f"{PART} form[action$='/lines']", "Months",
             "NaN", r"/parts/\d+/lines$", "Enter a number, for example 1 234,56.",
             press="Add the line", summary="#section-budget .error-summary",
             before=(("Role", "Kunnan työhönvalmentaja"),)),
    ),
    "applications.application_part_line_save": (
        Case("share-150-percent", "group_application",
             f"{PART} details.line-edit form:not(.inline-form)", "Share of full time (%)",
             "150", r"/parts/\d+/lines/\d+$", "The number is too large: at most 100",
             press="Save the line", summary="#section-budget .error-summary",
             open=f"Edit or remove: {PART_ROLE}"),
    ),
    "applications.application_part_figures_save": (
        Case("support-exponent", "group_application", f"{PART} form[action$='/figures']",
             "Support applied for (EU and state) (€)", "1e400", r"/parts/\d+/figures$",
             "Enter a number, for example 1 234,56.", press="Save the figures",
             summary="#section-budget .error-summary"),
    ),
    "applications.application_partner_invite": (
        Case("unknown-business-id", "application", '#section-partners form[action$="/partners"]',
             "Partner organisation: name or Business ID", UNKNOWN_BUSINESS_ID,
             r"/partners$", "No registered organisation has this Business ID.", press="Invite",
             summary="#section-partners .error-summary"),
    ),
    "applications.application_practice_link": (
        Case("no-such-number", "application",
             '#section-service_models form[action$="/practices"]', "Service model",
             "999999999", r"/practices$", "Choose a published service model.", press="Link",
             summary="#section-service_models .error-summary"),
    ),
    "applications.application_outcomes_save": (
        Case("count-with-decimals", "outcome_application",
             "#section-outcomes form[data-outcome-form]",
             "Planned outcomes: Työsuhde, joka kestää vähintään 6 kk", "2,5", r"/outcomes$",
             "Enter a whole number", press="Save the outcome plan",
             summary="#section-outcomes .error-summary"),
    ),
    "applications.application_outcomes_totals": (
        Case("count-nan", "outcome_application", "#section-outcomes form[data-outcome-form]",
             "Planned outcomes: Yritystoiminta alkaa", "NaN", r"/outcomes/totals$",
             "Some numbers are not valid yet", press=None, status=200,
             where="#outcomes-totals"),
    ),
    "applications.application_offer_save": (
        Case("capacity-in-words", "voucher_application", "#section-offer form[data-offer-form]",
             "Jobseekers at a time", "kymmenen", r"/offer$", "Enter a number",
             press="Save the provider offer", summary="#section-offer .error-summary",
             before=(("The service in plain language", "Autamme löytämään työpaikan."),)),
    ),
    "calls.criteria_weights": (
        Case("weights-sum-105", "criteria", '#criteria-panel form[action$="/criteria/weights"]',
             f"{SCORED} (%)", "45", r"/criteria/weights$",
             "must sum to exactly 100 % (they sum to 105 %)", press="Save the weights",
             where="#criteria-panel .error-summary"),
    ),
    "calls.criterion_save": (
        Case("title-empty", "criteria",
             "#criteria-panel .criteria-list > li:nth-child(2) form:not(.inline-form)",
             "Criterion", "", r"/criteria/\d+$", "This field is required.",
             summary="#criteria-panel .error-summary"),
    ),
    "calls.criterion_add": (
        Case("weight-over-100", "criteria", '#criteria-panel form.stack[action$="/criteria"]',
             "Weight (%)", "150", r"/criteria$", "The number is too large: at most 100",
             press="Add", summary="#criteria-panel .error-summary",
             before=(("Criterion", "Vaikuttavuus"),)),
        Case("title-empty", "criteria", '#criteria-panel form.stack[action$="/criteria"]',
             "Criterion", "", r"/criteria$", "This field is required.", press="Add",
             summary="#criteria-panel .error-summary", before=(("Weight (%)", "10"),)),
    ),
    "reviews.review_save": (
        Case("proposed-amount-two-commas", "review", "#review-form", "Proposed amount (€)",
             "12,34,56", r"/reviews/\d+/save$", "Enter a number, for example 1 234,56.",
             summary="#review-form .error-summary"),
    ),
    "reviews.review_autosave": (
        Case("proposed-amount-words", "review", "#review-form", "Proposed amount (€)",
             "kymmenen tuhatta", r"/reviews/\d+/autosave$",
             "Not saved: Enter a number, for example 1 234,56.", press=None,
             where="#review-autosave"),
    ),
    "projects.report_save": (
        Case("count-with-decimals", "report", "#report-form", "Women", "1,5",
             r"/reports/\d+$", "Not saved: Women: Enter a whole number.", press=None,
             where="#report-autosave"),
    ),
    "practices.autosave": (
        Case("title-emptied", "practice", "form.practice-form", "Title", "",
             r"/practices/\d+/autosave$", "Not saved: Give the service model a title.",
             press=None, where="#autosave-status"),
    ),
    "questions.reply": (
        Case("answer-5001-characters", "question", "#reply-form", "Your message",
             ("Ensimmäinen tapaaminen on viikon sisällä. " * 130)[:5_001],
             r"/questions/\d+/reply$", "at most 5,000 characters", press="Send the answer",
             summary="#question-thread .error-summary"),
    ),
    "partners.thread_post": (
        Case("message-5001-characters", "partner_thread", "#message-form", "Message",
             ("Sovitaan tapaaminen ensi viikolle. " * 150)[:5_001],
             r"/messages$", "at most 5,000 characters", press="Send the message",
             summary="#partner-thread .error-summary"),
    ),
    "practices.preview": (
        Case("text-40001-characters", "practice", "form.practice-form", "The method",
             TOO_LONG_PREVIEW, r"/practices/preview$", "The text is too long to preview.",
             press=re.compile(r"^Preview\W+The method$"), status=422, where="#preview-method"),
    ),
}


# --- the people, organisations and calls the forms belong to -------------------------------


@dataclass
class World:
    server: object
    writer_id: int
    ngo_id: int
    ely_id: int
    open_call_id: int
    writer_state: dict
    manager_state: dict
    manager_id: int = 0
    reviewer_id: int = 0
    reviewer_state: dict | None = None

    def application(self) -> dict:
        """A fresh draft application (with one staff line) in the open call."""
        return create_application(self.server, self.open_call_id, self.ngo_id, self.writer_id,
                                  project_name="Lomakkeet kuntoon", staff_line=STAFF_ROLE)

    def open(self, new_page, kind: str) -> Page:
        """A page, signed in, on a fresh object of `kind` to edit."""
        if kind == "application":
            path, state = f"/calls/applications/{self.application()['id']}", self.writer_state
        elif kind in ("outcome_application", "voucher_application"):
            from tests.browser.test_funding_models import funding_application

            application_id = funding_application(self.server, self.ely_id, self.ngo_id,
                                                 self.writer_id, kind.split("_")[0])
            path, state = f"/calls/applications/{application_id}", self.writer_state
        elif kind == "group_application":
            application_id = group_application(self.server, self.open_call_id, self.ngo_id,
                                               self.writer_id)
            path, state = f"/calls/applications/{application_id}", self.writer_state
        elif kind == "review":
            review_id = create_review(self.server, self.open_call_id, self.ngo_id,
                                      self.writer_id, self.manager_id, self.reviewer_id,
                                      project_name="Lomakkeiden arvioitava hanke")
            path, state = f"/reviews/{review_id}", self.reviewer_state
        elif kind == "report":
            report_id = create_project_report(self.server, self.open_call_id, self.ngo_id,
                                              self.writer_id, self.manager_id,
                                              project_name="Lomakkeiden raportoiva hanke")
            path, state = f"/reports/{report_id}", self.writer_state
        elif kind == "question":
            from tests.questions.browser import question_to_answer

            path = question_to_answer(self.server, self.writer_id, self.ngo_id)
            state = self.writer_state
        elif kind == "partner_thread":
            from tests.partners.browser import thread_to_answer

            path = thread_to_answer(self.server, self.writer_id, self.ngo_id)
            state = self.writer_state
        elif kind == "criteria":
            call_id = create_draft_call(self.server, self.ely_id, title="Lomakehaku")
            path, state = f"/calls/{call_id}/criteria", self.manager_state
        else:
            practice_id = create_draft_practice(self.server, self.writer_id, self.ngo_id,
                                                title="Lomakkeiden malli")
            path, state = f"/practices/{practice_id}/edit", self.writer_state
        page = new_page(storage_state=state)
        page.goto(path)
        expect(page.locator("html")).to_have_attribute("lang", "en")
        return page


def group_application(server, call_id: int, organisation_id: int, writer_id: int) -> int:
    """A fresh draft of `organisation_id` (with a lead's line) whose accepted co-implementer
    (one organisation for every such draft, made the first time) has one monthly line; the
    lead's writer edits every part."""
    from sqlalchemy import select

    from app.applications import services as applications
    from app.auth.models import User
    from app.calls.budget import LineValues
    from app.calls.models import Call
    from app.extensions import db
    from app.organisations.models import Organisation
    from app.organisations.services import forget_memberships
    from tests.fixtures.calls import during

    business_id = valid_business_id(803)
    if server.run(lambda: db.session.scalar(select(Organisation.id).where(
            Organisation.business_id == business_id))) is None:
        owner_id = create_user(server, CO_IMPLEMENTER[1], CO_IMPLEMENTER[0])
        create_organisation(server, owner_id, "Lomakekunta", business_id, type="municipality")
    application_id = create_application(server, call_id, organisation_id, writer_id,
                                        project_name="Lomakkeet yhdessä",
                                        staff_line=STAFF_ROLE)["id"]

    def _create():
        from app.applications.models import Application

        forget_memberships()
        application = db.session.get(Application, application_id)
        writer = db.session.get(User, writer_id)
        partner_owner = db.session.scalar(select(User).where(User.email == CO_IMPLEMENTER[1]))
        organisation = db.session.scalar(select(Organisation).where(
            Organisation.business_id == business_id))
        now = during(db.session.get(Call, call_id))
        partner = applications.invite_partner(writer, application, organisation, now=now,
                                              kind="co_implementer")
        db.session.flush()
        forget_memberships()
        applications.respond_to_partnership(partner_owner, partner, True, now=now)
        forget_memberships()
        applications.add_line(writer, application, LineValues(
            kind="monthly", role=PART_ROLE, months_centi=1200, fte_centi=5000,
            monthly_salary_cents=3_000_00), partner=partner)
        db.session.commit()
        forget_memberships()
        return application_id

    return server.run(_create)


def create_project_report(server, call_id: int, organisation_id: int, writer_id: int,
                          manager_id: int, *, project_name: str) -> int:
    """A complete application of `organisation_id` written by `writer_id`, approved the real
    way (submitted, reviewed, proposed by the call manager `manager_id` and confirmed by
    another decision maker of the ELY-centre, made here once), so a project: the id of its
    first progress report, a draft its writer may edit."""
    from sqlalchemy import select

    from app.applications.models import Application
    from app.auth.models import User
    from app.calls.models import Call
    from app.extensions import db
    from app.organisations.models import Membership, Role
    from app.organisations.services import forget_memberships
    from app.projects.models import Project
    from tests.fixtures.calls import advance, fill_application

    def _create():
        forget_memberships()
        manager = db.session.get(User, manager_id)
        ely_id = db.session.get(Call, call_id).organisation_id
        decider = db.session.scalar(select(User).where(User.email == DECIDER[1]))
        if decider is None:
            decider = User(email=DECIDER[1], name=DECIDER[0], password_hash="!",
                           language="en")
            db.session.add(decider)
            db.session.add(Membership(organisation_id=ely_id, user=decider, role=Role.member,
                                      is_call_manager=True))
            db.session.flush()
            forget_memberships()
        application = Application(call_id=call_id, organisation_id=organisation_id,
                                  project_name=project_name, created_by_id=writer_id)
        fill_application(application)
        db.session.add(application)
        db.session.flush()
        advance(application, "approved", db.session.get(User, writer_id), manager)
        db.session.commit()
        forget_memberships()
        return db.session.get(Project, application.id).reports[0].id

    return server.run(_create)


def _signed_in_state(browser, server, email_address: str) -> dict:
    """The cookies of a browser signed in as `email_address` (one log-in for many pages)."""
    context = browser.new_context(base_url=server.url, locale="fi-FI")
    context.set_default_timeout(TIMEOUT_MS)
    try:
        page = context.new_page()
        page.goto("/")
        switch_language(page, "en")
        log_in(page, email_address)
        return context.storage_state()
    finally:
        context.close()


@pytest.fixture(scope="module")
def world(browser, live_server) -> World:
    manager_id = create_user(live_server, MANAGER[1], MANAGER[0])
    ely_id = create_organisation(live_server, manager_id, "Lomakkeiden ELY-keskus",
                                 valid_business_id(801), type="regional_authority")
    _make_call_manager(live_server, ely_id, manager_id)
    call_id = create_open_call(live_server, ely_id, title="Lomakkeiden haku 2026")
    writer_id = create_user(live_server, WRITER[1], WRITER[0])
    ngo_id = create_organisation(live_server, writer_id, "Lomakepolku ry",
                                 valid_business_id(802))
    reviewer_id = create_user(live_server, REVIEWER[1], REVIEWER[0])
    add_member(live_server, ely_id, reviewer_id, "member", reviewer=True)
    return World(live_server, writer_id, ngo_id, ely_id, call_id,
                 _signed_in_state(browser, live_server, WRITER[1]),
                 _signed_in_state(browser, live_server, MANAGER[1]),
                 manager_id, reviewer_id, _signed_in_state(browser, live_server, REVIEWER[1]))


def _make_call_manager(server, organisation_id: int, user_id: int) -> None:
    from sqlalchemy import update

    from app.extensions import db
    from app.organisations.models import Membership

    def _set():
        db.session.execute(update(Membership).where(
            Membership.organisation_id == organisation_id, Membership.user_id == user_id,
        ).values(is_call_manager=True))
        db.session.commit()

    server.run(_set)


# --- typing and checking ---------------------------------------------------------------------


def type_value(field: Locator, value: str) -> None:
    """Type `value` into the field as a paste would. A `maxlength` shorter than the value is
    removed first: the browser enforces it only on typing, and the server's refusal (of what an
    older browser, a script or a saved form sends) is what is tested here."""
    if field.get_attribute("type") == "radio":  # a choice: the radio with `value` is chosen
        assert field.get_attribute("value") == value
        field.check()
        return
    field.evaluate("(el, n) => { if (el.maxLength >= 0 && el.maxLength < n) "
                   "el.removeAttribute('maxlength'); }", len(value))
    field.fill(value)


def _posts_to(pattern: str):
    return lambda response: (response.request.method == "POST"
                             and re.search(pattern, urlsplit(response.url).path) is not None)


def check_case(page: Page, case: Case) -> None:
    form = page.locator(case.form)
    expect(form).to_have_count(1)
    if case.open:
        page.locator("summary", has_text=case.open).click()
    for label, value in case.before:
        type_value(form.get_by_label(label, exact=True), value)
    field = form.get_by_label(case.label, exact=True)
    field_id = field.get_attribute("id")
    assert field_id, f"{case.label!r} has no id"

    with page.expect_response(_posts_to(case.response)) as answer:
        type_value(field, case.value)
        if case.press:
            form.get_by_role("button", name=case.press, exact=True).click()
    response = answer.value
    assert response.status == case.status, (
        f"{response.request.method} {urlsplit(response.url).path} answered {response.status}, "
        f"not {case.status}: {response.text()[:500]}")

    # The answer may have replaced the form: find the field again by its id.
    field = page.locator(f"#{field_id}")
    if case.where is None:
        message = page.locator(f"#{field_id}-error")
        expect(field).to_have_attribute("aria-invalid", "true")
    else:
        message = page.locator(case.where)
    expect(message).to_be_visible()
    expect(message).to_contain_text(case.message)
    if case.summary:
        expect(page.locator(case.summary)).to_be_visible()
    expect(field).to_be_visible()
    expect(field).to_have_value(case.value)
    if field.get_attribute("type") == "radio":
        expect(field).to_be_checked()  # the choice is kept
    for label, value in case.before:
        expect(page.locator(case.form).get_by_label(label, exact=True)).to_have_value(value)
    expect(page.locator(".request-error")).to_have_count(0)  # refused, not failed


PARAMS = [pytest.param(endpoint, case, id=f"{endpoint}-{case.id}")
          for endpoint, cases in CASES.items() for case in cases]


@pytest.mark.parametrize(("endpoint", "case"), PARAMS)
def test_refused_input_is_shown_and_kept(endpoint, case, world, new_page):
    page = world.open(new_page, case.page)
    check_case(page, case)


# --- failures that are not refused input -----------------------------------------------------

SIGNED_OUT = "You have been signed out"
OFFLINE = "No connection: nothing was saved."


def _saved(server, application_id: int, name: str) -> str:
    from app.applications.models import Application
    from app.extensions import db

    def _read():
        db.session.expire_all()
        return getattr(db.session.get(Application, application_id), name)

    return server.run(_read)


def _answered(pattern: str, status: int):
    posts = _posts_to(pattern)
    return lambda response: posts(response) and response.status == status


def test_signed_out_in_another_tab_keeps_the_text_and_saves_after_signing_in(
        world, new_context, live_server):
    context = new_context()
    page = context.new_page()
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto("/")
    switch_language(page, "en")
    log_in(page, WRITER[1])  # a session of its own: signing out ends no other test's
    application = world.application()
    page.goto(f"/calls/applications/{application['id']}")
    section = page.locator("#section-background")
    field = section.get_by_label("Background and need")
    status = page.locator("#autosave-background")

    other = context.new_page()  # the same browser, so the same cookies: signed out here too
    other.goto("/")
    switch_language(other, "en")
    log_out(other)

    # New text, Save: refused as signed out (after the script has fetched a fresh token for
    # the changed session and sent it again). The autosave that the typing starts a few
    # seconds later is answered the same: wait for both before signing in again.
    text = "Kainuussa on paljon osatyökykyisiä, jotka haluavat töihin."
    with page.expect_response(_answered(r"/sections/background/autosave$", 401)), \
            page.expect_response(_answered(r"/sections/background$", 401)):
        field.fill(text)
        section.get_by_role("button", name="Save", exact=True).click()
    alert = section.locator(".request-error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(SIGNED_OUT)
    expect(alert).to_have_attribute("role", "alert")
    expect(status).to_contain_text(SIGNED_OUT)
    expect(field).to_have_value(text)
    assert _saved(live_server, application["id"], "background") == ""

    # Signed in again in the other page: Save in this one is refused for the old CSRF token,
    # the script fetches a fresh one and sends the same save again, which is stored.
    log_in(other, WRITER[1])
    with page.expect_response(lambda r: urlsplit(r.url).path == "/csrf-token"), \
            page.expect_response(_answered(r"/sections/background$", 200)):
        section.get_by_role("button", name="Save", exact=True).click()
    expect(status).to_have_text("Saved")
    expect(section.locator(".request-error")).to_have_count(0)
    expect(field).to_have_value(text)
    assert _saved(live_server, application["id"], "background") == text


def test_offline_save_shows_a_message_and_keeps_the_text(world, new_page, live_server):
    page = world.open(new_page, "application")
    application_id = int(urlsplit(page.url).path.rsplit("/", 1)[1])
    section = page.locator("#section-method")
    field = section.get_by_label("Method")
    text = "1. Kartoitus\n2. Työkokeilu\n3. Tuki työpaikalla"

    # Offline: Save fails, and so does the autosave that the typing starts a few seconds later
    # (waited for, so that it cannot save the text once the browser is back online).
    page.context.set_offline(True)
    with page.expect_event("requestfailed", lambda r: urlsplit(r.url).path.endswith(
            "/sections/method/autosave")):
        field.fill(text)
        section.get_by_role("button", name="Save", exact=True).click()
    alert = section.locator(".request-error")
    expect(alert).to_be_visible()
    expect(alert).to_contain_text(OFFLINE)
    expect(page.locator("#autosave-method")).to_contain_text(OFFLINE)
    expect(field).to_have_value(text)
    assert _saved(live_server, application_id, "method") == ""

    # Back online, the same text saves with the same button.
    page.context.set_offline(False)
    with page.expect_response(_answered(r"/sections/method$", 200)):
        section.get_by_role("button", name="Save", exact=True).click()
    expect(page.locator("#autosave-method")).to_have_text("Saved")
    expect(section.locator(".request-error")).to_have_count(0)
    expect(field).to_have_value(text)
    assert _saved(live_server, application_id, "method") == text





