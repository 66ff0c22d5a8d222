"""Conflict of interest (esteellisyys) on every path: a reviewer who declared a conflict, and
one who is a member of a partner organisation, never see an application's content or the
other reviewers' scores, and never change a figure — whatever other role they hold (call
manager, presenting officer, platform administrator) and whichever route they take: pages,
htmx fragments, exports, the API, the ranking, notifications.

The routes are not listed by hand: every URL rule of the app whose arguments this world can
fill is requested, so a new route is covered the day it is added.

Funded projects too: a call manager who declared a conflict on an application that became a
project gets 404 on every private route of the project and its reports (project_id and
report_id rules), sees no figure of it on the dashboard, and changes nothing through any POST
route of the projects blueprint."""

from __future__ import annotations

import io
import zipfile

import pytest
from sqlalchemy import select

from app.applications.models import Application
from app.core.db import utcnow
from app.extensions import db as _db
from app.notifications.models import Notification
from app.organisations.models import Role
from app.organisations.services import forget_memberships
from app.reviews import services
from app.reviews.models import Decision, Review, ReviewScore
from tests.fixtures.calls import add_partner

SECRET_CONTENT = "Salainen-sisältö-QX17"
SECRET_COMMENT = "Arvioijan-kommentti-ZK42"
FILLABLE = {"application_id", "review_id", "call_id"}
BLUEPRINTS = ("applications", "reviews", "notifications", "calls", "api", "main", "auth")


def _score_everything(reviewer, review, score: int, comment: str) -> None:
    values = {}
    for criterion in review.application.call.criteria:
        if criterion.is_scored:
            values[criterion.id] = services.ScoreInput(score=min(score, criterion.scale_max),
                                                       comment=comment)
        else:
            values[criterion.id] = services.ScoreInput(passed=True, comment=comment)
    services.save_review(reviewer, review, values, "fund", None, comment)
    services.submit_review(reviewer, review)


@pytest.fixture
def conflict_world(db, make_call, make_application, make_organisation, make_user, add_member):
    officer = make_user(name="Esittelijä Eeva")
    ely = make_organisation(name="Konfliktin ELY-keskus", type="regional_authority")
    clean = [make_user(name=f"Arvioija {n}") for n in (1, 2)]
    for reviewer in clean:
        add_member(ely, reviewer, Role.member, reviewer=True)
    # X holds every role there is, the administrator's included, and declares a conflict.
    declared = make_user(name="Esteellinen Eino")
    declared.is_admin = True
    add_member(ely, declared, Role.owner, call_manager=True, reviewer=True)
    # Y becomes a member of a partner organisation after scoring: automatically conflicted.
    member_of_partner = make_user(name="Kumppanin Kaisa")
    add_member(ely, member_of_partner, Role.member, reviewer=True)
    call = make_call(ely=ely, manager=officer, phase="open")
    application = make_application(call=call, state="draft")
    application.background = SECRET_CONTENT
    partner_org = make_organisation(name="Kumppani ry")
    add_partner(application.created_by, application, partner_org,
                responder=_owner(partner_org), accept=True)
    _db.session.commit()
    from app.applications import workflow
    from tests.fixtures.calls import during

    workflow.submit_application(application.created_by, application, now=during(call))
    _db.session.commit()
    forget_memberships()
    reviews = {}
    for person in (*clean, declared, member_of_partner):
        reviews[person.id] = services.assign_reviewer(officer, application, person)
    _db.session.commit()
    for person, score in zip(clean, (5, 2), strict=True):
        services.declare(person, reviews[person.id], conflict=False)
        _score_everything(person, reviews[person.id], score, SECRET_COMMENT)
    services.declare(member_of_partner, reviews[member_of_partner.id], conflict=False)
    _score_everything(member_of_partner, reviews[member_of_partner.id], 0, SECRET_COMMENT)
    services.declare(declared, reviews[declared.id], conflict=True, ground="party_or_relative",
                     note="Sisar hakijan hallituksessa.")
    _db.session.commit()
    add_member(partner_org, member_of_partner, Role.member)
    forget_memberships()
    return {"call": call, "application": application, "officer": officer, "clean": clean,
            "declared": declared, "member_of_partner": member_of_partner, "reviews": reviews,
            "partner_org": partner_org}


def _owner(organisation):
    from app.organisations.models import Membership

    return _db.session.scalar(select(Membership).where(
        Membership.organisation_id == organisation.id, Membership.role == Role.owner)).user


def _text_of(response) -> str:
    data = response.get_data()
    if data[:2] == b"PK":  # an XLSX workbook: the text is in its zipped XML parts
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            return " ".join(book.read(name).decode("utf-8", "replace")
                            for name in book.namelist() if name.endswith(".xml"))
    return data.decode("utf-8", "replace")


def _urls(app, world, person):
    from flask import url_for

    values = {"application_id": world["application"].id, "call_id": world["call"].id}
    review_ids = [world["reviews"][person.id].id, world["reviews"][world["clean"][0].id].id]
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if rule.endpoint.split(".")[0] not in BLUEPRINTS or "GET" not in rule.methods:
                continue
            if not set(rule.arguments) <= FILLABLE:
                continue
            if "review_id" in rule.arguments:
                for review_id in review_ids:
                    yield url_for(rule.endpoint, **{k: v for k, v in values.items()
                                                    if k in rule.arguments},
                                  review_id=review_id)
            else:
                yield url_for(rule.endpoint, **{k: v for k, v in values.items()
                                                if k in rule.arguments})


def _figures() -> list:
    rows = [(r.id, r.reviewer_id, str(r.declaration), r.submitted_at, r.recommendation,
             r.proposed_cents, r.overall_comment) for r in _db.session.scalars(select(Review))]
    scores = [(s.review_id, s.criterion_id, s.score, s.passed, s.comment)
              for s in _db.session.scalars(select(ReviewScore))]
    decisions = [(d.application_id, str(d.state), d.granted_cents)
                 for d in _db.session.scalars(select(Decision))]
    applications = [(a.id, str(a.state), a.granted_cents)
                    for a in _db.session.scalars(select(Application))]
    return sorted(rows, key=str) + sorted(scores, key=str) + decisions + applications


@pytest.mark.parametrize("who", ["declared", "member_of_partner"])
def test_a_conflicted_reviewer_sees_no_content_on_any_route(app, client, login_as,
                                                            conflict_world, who):
    person = conflict_world[who]
    login_as(person)
    urls = sorted(set(_urls(app, conflict_world, person)))
    assert any("/reviews/" in u for u in urls) and any("ranking" in u for u in urls)
    # A member of a partner organisation is a party: the application is theirs to read as an
    # applicant, but the ELY-centre's reviews are never shown to a party.
    secrets = (SECRET_COMMENT,) if who == "member_of_partner" else (SECRET_CONTENT,
                                                                     SECRET_COMMENT)
    seen = []
    for url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            text = _text_of(response)
            for secret in secrets:
                if secret in text:
                    seen.append(f"{url} {headers} shows {secret}")
    assert not seen, "\n".join(seen)


@pytest.mark.parametrize("who", ["declared", "member_of_partner"])
def test_a_conflicted_reviewer_changes_no_figure_on_any_route(app, client, login_as,
                                                              conflict_world, who):
    from flask import url_for

    person = conflict_world[who]
    application = conflict_world["application"]
    criteria = application.call.criteria
    own = conflict_world["reviews"][person.id]
    payload = {"recommendation": "fund", "proposed_amount": "1000", "overall_comment": "x",
               "outcome": "approved", "granted": "1000", "approved_cost": "2000",
               "justification": "Hyvä.", "comment": "x", "conflict": "no",
               "declaration": "no_conflict", "reviewer": str(person.id),
               "application_ids": str(application.id), "reviewer_ids": str(person.id),
               "per_application": "3", "version": str(own.lock_version)}
    for criterion in criteria:
        payload[f"criterion-{criterion.id}-score"] = "5"
        payload[f"criterion-{criterion.id}-passed"] = "yes"
        payload[f"criterion-{criterion.id}-comment"] = "x"
    login_as(person)
    before = _figures()
    values = {"application_id": application.id, "call_id": application.call_id,
              "review_id": own.id}
    posted = []
    with app.test_request_context():
        rules = [(rule.endpoint, url_for(rule.endpoint, **{k: v for k, v in values.items()
                                                           if k in rule.arguments}))
                 for rule in app.url_map.iter_rules()
                 if "POST" in rule.methods and rule.endpoint.split(".")[0] == "reviews"
                 and set(rule.arguments) <= FILLABLE]
    for endpoint, url in rules:
        if endpoint.endswith(("close_reviewing", "reopen_reviewing", "review_roles")):
            continue  # call-level settings: no figure of an application
        response = client.post(url, data=dict(payload))
        posted.append(url)
        assert response.status_code < 500, url
        _db.session.expire_all()
        assert _figures() == before, f"{url} changed a figure"
    assert posted


def test_conflicted_reviews_are_left_out_of_every_figure(conflict_world):
    from app.reviews import ranking

    call = conflict_world["call"]
    officer = conflict_world["officer"]
    row = next(r for r in ranking.call_ranking(call, officer).rows
               if r.application.id == conflict_world["application"].id)
    # Only the two clean reviews count: every scored criterion at 5 (100) and at most 2
    # (scale 5: 40; scale 3: 66.67 on the horizontal criterion, weight 10).
    assert row.submitted_count == 2
    assert row.minimum is not None and row.minimum > 0  # the zero of the partner's member
    assert row.maximum == 100


def test_no_notice_reaches_a_conflicted_person(conflict_world):
    from app.applications import workflow

    declared = conflict_world["declared"]
    application = conflict_world["application"]
    officer = conflict_world["officer"]
    before = _db.session.scalar(select(Notification.id).order_by(Notification.id.desc())
                                .limit(1)) or 0
    workflow.request_more_info(officer, application, "Täydennä budjetti.",
                               utcnow().replace(year=utcnow().year + 1))
    workflow.supplement_application(application.created_by, application)
    _db.session.commit()
    fresh = list(_db.session.scalars(select(Notification).where(Notification.id > before)))
    assert fresh, "the supplement notified nobody"
    assert declared.id not in {n.user_id for n in fresh}


# --- funded projects -----------------------------------------------------------------------------

PROJECT_SECRET = "Raportin-salaisuus-PR93"
PROJECT_FILLABLE = {"project_id", "report_id", "call_id", "fmt"}
PUBLIC_PROJECT_ROUTES = {"projects.index", "projects.detail", "projects.statistics"}


@pytest.fixture
def project_conflict(db, make_project, make_user, add_member):
    """A project whose first report (with its claim) is submitted, and a call manager of the
    call's ELY-centre (an administrator too) who declared a conflict on its application."""
    from app.reviews.models import ConflictGround, Declaration
    from tests.projects.follow_up_support import submit_first

    project = make_project(project_name="Esteellisyyshanke")
    report = submit_first(project)
    report.done = PROJECT_SECRET
    declared = make_user(name="Esteellinen Elina", admin=True)
    add_member(project.call.organisation, declared, Role.member, call_manager=True,
               reviewer=True)
    _db.session.add(Review(application_id=project.id, call_id=project.call_id,
                           reviewer_id=declared.id, declaration=Declaration.conflict,
                           conflict_ground=ConflictGround.party_or_relative,
                           declared_at=utcnow()))
    _db.session.commit()
    forget_memberships()
    return {"project": project, "report": report, "declared": declared}


def _project_urls(app, world, method: str):
    from flask import url_for

    project, report = world["project"], world["report"]
    values = {"project_id": project.id, "report_id": report.id, "call_id": project.call_id,
              "fmt": "csv"}
    with app.test_request_context():
        for rule in app.url_map.iter_rules():
            if (rule.endpoint.split(".")[0] != "projects" or method not in rule.methods
                    or not set(rule.arguments) <= PROJECT_FILLABLE):
                continue
            yield rule, url_for(rule.endpoint, **{k: v for k, v in values.items()
                                                  if k in rule.arguments})


def test_a_conflicted_call_manager_sees_nothing_of_the_project(app, client, login_as,
                                                                project_conflict):
    login_as(project_conflict["declared"])
    urls = list(_project_urls(app, project_conflict, "GET"))
    # the private routes of the project and its reports (its public page is anybody's)
    private = {url for rule, url in urls if rule.endpoint not in PUBLIC_PROJECT_ROUTES
               and set(rule.arguments) & {"project_id", "report_id"}}
    assert any("/reports/" in u for u in private) and any("/follow-up" in u for u in private)
    for _rule, url in urls:
        for headers in ({}, {"HX-Request": "true"}):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            assert PROJECT_SECRET not in _text_of(response), f"{url} shows the report"
            if url in private:
                assert response.status_code == 404, f"{url}: {response.status_code}"
    board = client.get(f"/calls/{project_conflict['project'].call_id}/projects")
    html = board.get_data(as_text=True)
    assert "Esteellisyyshanke" in html and "You are conflicted on this project" in html
    assert "10 / 60" not in html


def test_a_conflicted_call_manager_changes_nothing_of_the_project(app, client, login_as,
                                                                   project_conflict):
    from app.projects.models import PaymentClaim, Report

    report = project_conflict["report"]
    line = report.claim.lines[0]
    payload = {"comment_narrative": "Korjaa.", "confirm": "1", "observer": "1",
               f"line-{line.id}-approved": "1", f"line-{line.id}-reason": "x", "done": "x"}

    def state():
        _db.session.expire_all()
        stored = _db.session.get(Report, report.id)
        claim = _db.session.scalar(select(PaymentClaim).where(PaymentClaim.report_id ==
                                                              report.id))
        return (str(stored.state), stored.done, stored.lock_version, str(claim.state),
                claim.lock_version)

    before = state()
    login_as(project_conflict["declared"])
    posted = []
    for _rule, url in _project_urls(app, project_conflict, "POST"):
        response = client.post(url, data=dict(payload))
        posted.append(url)
        assert response.status_code in (403, 404), f"{url}: {response.status_code}"
        assert state() == before, f"{url} changed the report"
    assert any(u.endswith("/accept") for u in posted)
    assert any(u.endswith("/return") for u in posted)
