"""Helpers for the browser tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

AXE_JS = Path(__file__).resolve().parents[2] / "static" / "vendor" / "axe.min.js"
PASSWORD = "vihreä kettu juoksee aamulla"
LANGUAGE_BUTTONS = {"fi": "Suomeksi", "sv": "På svenska", "en": "In English"}


# --- data made directly in the live server's database ----------------------------------------


def create_user(server, email_address: str, name: str = "Testi Käyttäjä", *, admin: bool = False,
                verified: bool = True, language: str = "en", password: str = PASSWORD) -> int:
    """A user in the live server's database (as `flask users create-admin` makes one)."""
    from app.auth.models import User
    from app.auth.passwords import hash_password
    from app.core.db import utcnow
    from app.extensions import db

    def _create():
        user = User(email=email_address.lower(), name=name, password_hash=hash_password(password),
                    language=language, email_verified_at=utcnow() if verified else None,
                    is_admin=admin)
        db.session.add(user)
        db.session.commit()
        return user.id

    return server.run(_create)


def create_organisation(server, owner_id: int, name: str, business_id: str, *,
                        verified: bool = True, type: str = "ngo") -> int:
    """An organisation owned by `owner_id` in the live server's database."""
    from app.core.db import utcnow
    from app.extensions import db
    from app.organisations.models import Membership, Organisation, OrganisationStatus, Role

    def _create():
        organisation = Organisation(
            name=name, business_id=business_id, type=type,
            # a regional authority here runs calls: the capability an administrator grants
            is_funding_authority=type == "regional_authority",
            description="Työllisyyspalveluja osatyökykyisille.",
            status=OrganisationStatus.verified if verified else OrganisationStatus.unverified,
            verified_at=utcnow() if verified else None,
        )
        organisation.regions = ["MK10"]
        organisation.target_groups = ["partially_able_to_work"]
        db.session.add(organisation)
        db.session.add(Membership(organisation=organisation, user_id=owner_id, role=Role.owner))
        db.session.commit()
        return organisation.id

    return server.run(_create)


def valid_business_id(seed: int) -> str:
    """A Finnish Business ID (Y-tunnus) with a correct check digit, different for each seed."""
    from app.organisations.business_id import check_digit

    body = (seed * 104729 + 3_000_000) % 10_000_000
    while True:
        digit = check_digit(f"{body:07d}")
        if digit is not None:
            return f"{body:07d}-{digit}"
        body = (body + 1) % 10_000_000


# --- the interface ---------------------------------------------------------------------------


def switch_language(page: Page, code: str) -> None:
    """Use the header's language switcher and wait for the page in that language."""
    page.get_by_role("button", name=LANGUAGE_BUTTONS[code], exact=True).click()
    expect(page.locator("html")).to_have_attribute("lang", code)


def log_in(page: Page, email_address: str, password: str = PASSWORD) -> None:
    """Log in through the form (the page must be in English)."""
    page.goto("/login")
    page.get_by_label("E-mail address").fill(email_address)
    page.get_by_label("Password", exact=True).fill(password)
    page.locator("main").get_by_role("button", name="Log in").click()
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


def log_out(page: Page) -> None:
    page.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("link", name="Log in")).to_be_visible()


AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]


def axe_violations(page: Page, axe_source: str, impacts=("serious", "critical")) -> list[dict]:
    """Run axe-core on the page; the violations with the given impacts."""
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # Evaluated through the DevTools protocol: the page's CSP (no inline scripts) allows it.
        page.evaluate(axe_source + "\n;undefined")
    result = page.evaluate(
        "async (tags) => await window.axe.run(document, "
        "{runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})",
        AXE_TAGS,
    )
    return [v for v in result["violations"] if v.get("impact") in impacts]


def describe_violations(violations: list[dict]) -> str:
    lines = []
    for violation in violations:
        lines.append(f"- {violation['id']} ({violation['impact']}): {violation['help']}")
        for node in violation["nodes"][:10]:
            lines.append(f"    {node['target']}: {node.get('failureSummary', '').strip()[:300]}")
    return "\n".join(lines)


def register_and_verify(page: Page, server, name: str, email_address: str,
                        password: str = PASSWORD) -> None:
    """Register through the form, open the link in the verification mail and confirm it.

    The page must be in English; afterwards the new user is logged in.
    """
    page.goto("/register")
    page.get_by_label("Your name").fill(name)
    page.get_by_label("E-mail address").fill(email_address)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_label("Password again").fill(password)
    page.get_by_label("English", exact=True).check()
    page.get_by_role("button", name="Create account").click()
    expect(page).to_have_url(re.compile(r"/register/done$"))

    page.goto(server.mail_link(email_address, "/verify"))
    page.get_by_role("button", name="Verify my address").click()
    expect(page).to_have_url(re.compile(r"/dashboard$"))
    expect(page.locator(".flashes")).to_contain_text("Your e-mail address is verified")
    expect(page.get_by_role("button", name="Log out")).to_be_visible()


# --- more data: memberships, published service models, open calls ----------------------------


def add_member(server, organisation_id: int, user_id: int, role: str = "editor", *,
               call_manager: bool = False, reviewer: bool = False) -> None:
    """Make `user_id` a member of the organisation with `role` (member, editor or owner)."""
    from app.extensions import db
    from app.organisations.models import Membership, Role

    def _add():
        db.session.add(Membership(organisation_id=organisation_id, user_id=user_id,
                                  role=Role(role), is_call_manager=call_manager,
                                  is_reviewer=reviewer))
        db.session.commit()

    server.run(_add)


def practice_content(**overrides) -> dict:
    """Content that passes the publish checklist (as practices.services.save_practice takes it)."""
    from tests.fixtures.practices import practice_data

    return practice_data(**overrides)


def publish_practice(server, author_id: int, organisation_id: int, change_note: str = "",
                     **content) -> dict:
    """A service model created and published as version 1 through the app's services (which
    also queue it for the search index). Returns {"id": ..., "path": the public page's path}."""
    from app.auth.models import User
    from app.extensions import db
    from app.organisations.models import Organisation
    from app.organisations.services import forget_memberships
    from app.practices import services

    def _publish():
        author = db.session.get(User, author_id)
        organisation = db.session.get(Organisation, organisation_id)
        practice = services.create_practice(author, organisation, practice_content(**content))
        services.publish_practice(author, practice, change_note)
        db.session.commit()
        forget_memberships()
        return {"id": practice.id, "path": f"/practices/{practice.id}-{practice.slug}"}

    return server.run(_publish)


def create_open_call(server, ely_id: int, *, title: str, eligible=("ngo",),
                     max_support: int = 80, **fields) -> int:
    """A published call of the ELY-centre `ely_id`, open now (as tests/fixtures/calls.py's
    make_call builds one, with the default criteria), queued for the search index."""
    from app.calls.models import Call, CallState, Criterion, CriterionKind, FundingModel
    from app.core.changes import record_change
    from app.core.db import utcnow
    from app.extensions import db
    from app.organisations.services import forget_memberships
    from tests.fixtures.calls import DEFAULT_CRITERIA, phase_times

    def _create():
        opens_at, closes_at = phase_times("open")
        call = Call(
            organisation_id=ely_id,
            state=CallState.published,
            title_fi=title,
            description_fi=fields.pop("description_fi", "Haetaan hankkeita, jotka kehittävät "
                                      "työpaikkoja osatyökykyisille."),
            theme=fields.pop("theme", "Uusia työmahdollisuuksia työpaikkoja kehittämällä"),
            opens_at=opens_at,
            closes_at=closes_at,
            total_budget_cents=fields.pop("total_budget_cents", 1_000_000_00),
            max_support_percent=max_support,
            eligible_types=list(eligible),
            funding_model=FundingModel.grant,
            report_interval_months=6,
            final_report=True,
            published_at=utcnow(),
            **fields,
        )
        for position, (kind, criterion, weight) in enumerate(DEFAULT_CRITERIA, start=1):
            call.criteria.append(Criterion(kind=CriterionKind(kind), title=criterion,
                                           weight=weight, position=position))
        db.session.add(call)
        db.session.flush()
        record_change("call", call.id)  # as the call services do
        db.session.commit()
        forget_memberships()
        return call.id

    return server.run(_create)


# --- drafts to edit: an application, a draft call, a service model ---------------------------


def create_application(server, call_id: int, organisation_id: int, writer_id: int, *,
                       project_name: str = "Töihin yhdessä", staff_line: str | None = None,
                       **fields) -> dict:
    """A draft application of `organisation_id` in the call, written by `writer_id`, as the
    services start one (nothing else filled in unless given in `fields`); with `staff_line`
    one complete monthly staff line with that role. Returns {"id": ..., "line_id": ...}."""
    from app.applications.models import Application, StaffCostKind, StaffLine
    from app.extensions import db
    from app.organisations.services import forget_memberships

    def _create():
        application = Application(call_id=call_id, organisation_id=organisation_id,
                                  project_name=project_name, created_by_id=writer_id, **fields)
        if staff_line:
            application.staff_lines = [StaffLine(
                role=staff_line, kind=StaffCostKind.monthly, months_centi=1200,
                fte_centi=5000, monthly_salary_cents=3_000_00, position=1)]
        db.session.add(application)
        db.session.commit()
        forget_memberships()
        return {"id": application.id,
                "line_id": application.staff_lines[0].id if staff_line else None}

    return server.run(_create)


def create_draft_call(server, ely_id: int, *, title: str) -> int:
    """A draft call of the ELY-centre `ely_id` (its criteria still editable), with the default
    criteria of tests/fixtures/calls.py (scored weights 40 + 30 + 10 + 20)."""
    from app.calls.models import Call, CallState, Criterion, CriterionKind, FundingModel
    from app.extensions import db
    from app.organisations.services import forget_memberships
    from tests.fixtures.calls import DEFAULT_CRITERIA, phase_times

    def _create():
        opens_at, closes_at = phase_times("upcoming")
        call = Call(organisation_id=ely_id, state=CallState.draft, title_fi=title,
                    description_fi="Haun kuvaus.", theme="Uusia työmahdollisuuksia",
                    opens_at=opens_at, closes_at=closes_at, total_budget_cents=1_000_000_00,
                    max_support_percent=80, eligible_types=["ngo"],
                    funding_model=FundingModel.grant, report_interval_months=6,
                    final_report=True)
        for position, (kind, criterion, weight) in enumerate(DEFAULT_CRITERIA, start=1):
            call.criteria.append(Criterion(kind=CriterionKind(kind), title=criterion,
                                           weight=weight, position=position))
        db.session.add(call)
        db.session.commit()
        forget_memberships()
        return call.id

    return server.run(_create)


def create_draft_practice(server, author_id: int, organisation_id: int, *, title: str) -> int:
    """A draft service model (title and summary only) made through the app's services."""
    from app.auth.models import User
    from app.extensions import db
    from app.organisations.models import Organisation
    from app.organisations.services import forget_memberships
    from app.practices import services

    def _create():
        author = db.session.get(User, author_id)
        organisation = db.session.get(Organisation, organisation_id)
        practice = services.create_practice(author, organisation, {
            "title": title, "language": "fi", "summary": "Työkokeilu valmentajan tuella."})
        db.session.commit()
        forget_memberships()
        return practice.id

    return server.run(_create)


def create_complete_application(server, call_id: int, organisation_id: int, writer_id: int, *,
                                project_name: str = "Töihin yhdessä") -> int:
    """A draft application with every required part complete (tests/fixtures/calls.py's
    fill_application: texts, duration, targets, one staff line, a balanced funding plan),
    ready to be submitted. Returns its id."""
    from app.applications.models import Application
    from app.extensions import db
    from app.organisations.services import forget_memberships
    from tests.fixtures.calls import fill_application

    def _create():
        application = Application(call_id=call_id, organisation_id=organisation_id,
                                  project_name=project_name, created_by_id=writer_id)
        fill_application(application)
        db.session.add(application)
        db.session.commit()
        forget_memberships()
        return application.id

    return server.run(_create)


def create_review(server, call_id: int, organisation_id: int, writer_id: int, manager_id: int,
                  reviewer_id: int, *, project_name: str = "Arvioitava hanke",
                  declare: bool = True) -> int:
    """A complete application of `organisation_id` in the open call, submitted by `writer_id`;
    the call manager `manager_id` assigns the reviewer `reviewer_id` (a member of the call's
    ELY-centre with the reviewer role), who with `declare` has declared no conflict of
    interest. Everything through the services. Returns the review's id."""
    from app.applications import workflow
    from app.applications.models import Application
    from app.auth.models import User
    from app.extensions import db
    from app.organisations.services import forget_memberships
    from app.reviews import services
    from tests.fixtures.calls import fill_application

    def _create():
        forget_memberships()
        writer, manager, reviewer = (db.session.get(User, i)
                                     for i in (writer_id, manager_id, reviewer_id))
        application = Application(call_id=call_id, organisation_id=organisation_id,
                                  project_name=project_name, created_by_id=writer_id)
        fill_application(application)
        db.session.add(application)
        db.session.flush()
        workflow.submit_application(writer, application)
        review = services.assign_reviewer(manager, application, reviewer)
        if declare:
            services.declare(reviewer, review, conflict=False)
        db.session.commit()
        forget_memberships()
        return review.id

    return server.run(_create)
