"""Every URL rule × every role, for full pages and htmx requests, against a table.

A new URL rule without a row here fails `test_every_rule_is_in_the_table`: decide who may
use it and add the row. Codes: 200 page, 204 no content, 302 redirect (for anonymous: to the
log-in page), 400 bad/expired token or form, 403 refused, 404 hidden, 405 method not allowed.
POST rows send a form with a valid CSRF token but no other fields, so a permitted POST
usually answers with its own validation (200/302/400) and a refused one with 403/404.

The role "observer" is a national observer: a member of a verified national authority with
the observer flag (Membership.is_observer). It is an outsider to every organisation of the
world, so a row that does not name "observer" expects for it what it expects for "member_b"
(`every` and `signed_in` leave it out unless it is given); the rows of the projects
blueprint (tests/projects/matrix.py) name it: it reads every project, report and dashboard
and changes nothing.
"""

from __future__ import annotations

import pytest

from app.organisations.models import Invitation, JoinRequest, Role

ROLES = [
    "anonymous", "member_a", "owner_a", "member_b", "reviewer", "conflicted_reviewer",
    "call_manager", "admin", "observer",
]
OK = (200, 302)  # a page, or a redirect after a done action / validation round-trip


def every(code, **overrides):
    """The same expectation for every role, with exceptions ("observer" only when given: it
    falls back to member_b's expectation, see expected_for)."""
    return {role: overrides.get(role, code) for role in ROLES
            if role != "observer" or role in overrides}


def expected_for(row: dict, role: str):
    """A row's expectation for `role`; the observer is an outsider like member_b."""
    if role == "observer" and role not in row:
        return row["member_b"]
    return row[role]


def signed_in(code, anonymous=302, **overrides):
    """Login required: anonymous users are sent to the log-in page."""
    return every(code, anonymous=anonymous, **overrides)


# endpoint -> {method: {role: expected code or tuple of acceptable codes}}
MATRIX: dict[str, dict[str, dict]] = {
    "main.home": {"GET": every(200)},
    "main.health": {"GET": every(200)},
    "health.healthz": {"GET": every(200)},
    "health.readyz": {"GET": every((200, 503))},  # 503 until the test's index is built
    "main.csrf_token": {"GET": every(200)},
    "main.set_language": {"POST": every(302)},
    "static": {"GET": every(200)},
    # accounts
    # An empty form is refused input: 422 with the messages.
    "auth.register": {"GET": every(200, **{r: 302 for r in ROLES[1:]}),
                      "POST": every(422, **{r: 302 for r in ROLES[1:]})},
    "auth.register_done": {"GET": every(200)},
    "auth.verify_email": {"GET": every(200), "POST": every(400)},
    "auth.resend_verification": {"POST": signed_in(302)},
    "auth.login": {"GET": every(200, **{r: 302 for r in ROLES[1:]}),
                   "POST": every(422, **{r: 302 for r in ROLES[1:]})},
    "auth.logout": {"POST": every(302)},
    "auth.logout_everywhere": {"POST": signed_in(302)},
    "auth.forgot_password": {"GET": every(200), "POST": every(422)},
    "auth.unlock_request": {"GET": every(200), "POST": every(422)},
    "auth.unlock_confirm": {"GET": every(200), "POST": every(400)},
    "auth.reset_password": {"GET": every(400), "POST": every(400)},
    "auth.account": {"GET": signed_in(200)},
    "auth.profile_update": {"POST": signed_in(400)},
    "auth.password_change": {"POST": signed_in(400)},
    "auth.email_change": {"POST": signed_in(400)},
    "auth.email_confirm": {"GET": every(200), "POST": every(400)},
    "auth.export_data": {"GET": signed_in(200)},
    "auth.delete_account": {"GET": signed_in(200), "POST": signed_in(200)},
}

# The rows of each domain live beside its tests.
from tests.announcements.matrix import MATRIX as ANNOUNCEMENT_MATRIX  # noqa: E402
from tests.api.matrix import MATRIX as API_MATRIX  # noqa: E402
from tests.applications.matrix import MATRIX as CALL_MATRIX  # noqa: E402
from tests.events.matrix import MATRIX as EVENT_MATRIX  # noqa: E402
from tests.follows.matrix import MATRIX as FOLLOW_MATRIX  # noqa: E402
from tests.organisations.matrix import MATRIX as ORGANISATION_MATRIX  # noqa: E402
from tests.partners.matrix import MATRIX as PARTNER_MATRIX  # noqa: E402
from tests.practices.matrix import MATRIX as PRACTICE_MATRIX  # noqa: E402
from tests.projects.matrix import MATRIX as PROJECT_MATRIX  # noqa: E402
from tests.questions.matrix import MATRIX as QUESTION_MATRIX  # noqa: E402
from tests.reviews.matrix import MATRIX as REVIEW_MATRIX  # noqa: E402
from tests.search.matrix import MATRIX as SEARCH_MATRIX  # noqa: E402

MATRIX.update(ORGANISATION_MATRIX)
MATRIX.update(PRACTICE_MATRIX)
MATRIX.update(CALL_MATRIX)
MATRIX.update(SEARCH_MATRIX)
MATRIX.update(API_MATRIX)
MATRIX.update(REVIEW_MATRIX)
MATRIX.update(PROJECT_MATRIX)
MATRIX.update(PARTNER_MATRIX)
MATRIX.update(QUESTION_MATRIX)
MATRIX.update(EVENT_MATRIX)
MATRIX.update(ANNOUNCEMENT_MATRIX)
MATRIX.update(FOLLOW_MATRIX)


@pytest.fixture
def world(make_user, make_organisation, add_member, db):
    """Organisations A (NGO), B (NGO) and an ELY-centre, with a person in every role."""
    from datetime import timedelta

    from app.core.db import utcnow

    people = {role: make_user(email=f"{role}@example.fi") for role in ROLES[1:]}
    people["admin"].is_admin = True
    a = make_organisation(name="Yhdistys A ry", owner=people["owner_a"])
    b = make_organisation(name="Yhdistys B ry", owner=make_user())
    ely = make_organisation(name="Testin ELY-keskus", type="regional_authority", owner=make_user())
    member_a = add_member(a, people["member_a"], Role.member)
    add_member(b, people["member_b"], Role.member)
    add_member(ely, people["reviewer"], Role.member, reviewer=True)
    add_member(ely, people["conflicted_reviewer"], Role.member, reviewer=True)
    add_member(a, people["conflicted_reviewer"], Role.member)
    add_member(ely, people["call_manager"], Role.member, call_manager=True)
    ministry = make_organisation(name="Testiministeriö", type="national_authority",
                                 owner=make_user())
    add_member(ministry, people["observer"], Role.member).is_observer = True
    invitation = Invitation(organisation=a, email="new@example.fi", role=Role.member,
                            expires_at=utcnow() + timedelta(days=1))
    outsider = make_user(email="asker@example.fi")
    join_request = JoinRequest(organisation=a, user=outsider, message="Hei")
    db.session.add_all([invitation, join_request])
    db.session.commit()
    args = {
        "org_id": a.id,
        "membership_id": member_a.id,
        "invitation_id": invitation.id,
        "request_id": join_request.id,
        "token": "not-a-valid-token",
        "filename": "css/app.css",
    }
    from tests.fixtures.calls import matrix_objects
    from tests.practices.matrix import practice_args

    # URL arguments per blueprint: practices and applications both have an attachment_id.
    call_args = {**args, **matrix_objects(ely, a, people["owner_a"])}
    scoped = {
        "practices": {**args, **practice_args(db, a, b)},
        "calls": call_args,
        "applications": call_args,
    }
    from tests.api.matrix import api_args

    scoped["api"] = api_args(args, scoped, a)
    scoped["reviews"] = {**call_args, **review_args(people, call_args)}
    from tests.search.matrix import thesaurus_args

    scoped["search_admin"] = lambda: thesaurus_args(people, args)
    from tests.projects.matrix import project_args

    # made only for the rows that use it (an approved project takes a while to make)
    scoped["projects"] = lambda: project_args(people, ely, a, args)
    from tests.partners.matrix import partner_call_args

    scoped["partners"] = lambda: partner_call_args(db, people, a, b, args)
    from tests.partners.matrix import answerable_call_args

    scoped["partners_b"] = lambda: answerable_call_args(db, people, b, args)
    from tests.questions.matrix import question_args

    scoped["questions"] = lambda: question_args(db, people, a, b)
    from tests.announcements.matrix import announcement_args

    scoped["announcements"] = lambda: announcement_args(people, call_args)
    from tests.events.matrix import event_args

    scoped["events"] = event_args(db, a, args)
    from tests.events.test_registration_helpers import registration_args

    scoped["events"] = registration_args(people, scoped["events"])
    from tests.follows.matrix import follow_args

    scoped["follows"] = lambda: follow_args(people, args)
    return people, args, scoped


def review_args(people, call_args) -> dict:
    """The world's `reviewer` assigned (by the call manager, not yet declared) to the matrix
    application: the review the reviewer routes are asked about. The row is made directly:
    assigning through the service would take the application into review, and the
    applications rows expect it submitted."""
    from app.applications.models import Application
    from app.extensions import db
    from app.organisations.services import forget_memberships
    from app.reviews.models import Review

    application = db.session.get(Application, call_args["application_id"])
    review = Review(application_id=application.id, call_id=application.call_id,
                    reviewer_id=people["reviewer"].id, assigned_by_id=people["call_manager"].id)
    db.session.add(review)
    db.session.commit()
    forget_memberships()
    return {"review_id": review.id}


def _cases():
    """One case per URL rule and method; the roles are asked inside it (the world is made once
    for all of them: it was most of this suite's time)."""
    from app import create_app

    app = create_app("test")
    for rule in app.url_map.iter_rules():
        row = MATRIX.get(rule.endpoint)
        if row is None:
            continue
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            if method in row:
                yield pytest.param(rule.endpoint, method, id=f"{rule.endpoint}-{method}")


def test_every_rule_is_in_the_table(app):
    missing = []
    for rule in app.url_map.iter_rules():
        row = MATRIX.get(rule.endpoint)
        for method in rule.methods - {"HEAD", "OPTIONS"}:
            if row is None or method not in row:
                missing.append(f"{method} {rule.rule} ({rule.endpoint})")
    assert not missing, "URL rules without an expected answer:\n" + "\n".join(sorted(missing))


@pytest.mark.parametrize("endpoint,method", list(_cases()))
def test_matrix(app, db, login_as, world, endpoint, method):
    """Every role asks for the rule, each from the same world: a role's requests run inside a
    savepoint that is rolled back before the next role's (a permitted POST may change it)."""
    from app.extensions import limiter
    from app.organisations.services import forget_memberships

    people, args, scoped = world
    args = scoped.get(endpoint.split(".")[0], args)
    if callable(args):
        args = args()  # made once, outside the roles' savepoints
    rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
    with app.test_request_context():
        from flask import url_for

        url = url_for(endpoint, **{name: args[name] for name in rule.arguments})
    connection = db.engines[None]
    failures = []
    for role in ROLES:
        db.session.remove()
        nested = connection.begin_nested()
        try:
            limiter.reset()
            forget_memberships()
            client = app.test_client()
            if role != "anonymous":
                login_as(db.session.merge(people[role], load=False), client)
            failures += _ask(client, endpoint, method, role, url)
        finally:
            db.session.remove()
            nested.rollback()
            forget_memberships()
    assert not failures, "\n".join(failures)


def _ask(client, endpoint: str, method: str, role: str, url: str) -> list[str]:
    """What is wrong with the answers `role` gets (a full page, and an htmx request)."""
    expected = expected_for(MATRIX[endpoint][method], role)
    expected = expected if isinstance(expected, tuple) else (expected,)
    if method == "POST" and (400 in expected or 200 in expected):
        # The matrix posts an empty form: a page that shows the form again with its messages
        # (200 or 400 in the table) answers 422 now; bare action forms still answer 400.
        expected = (*expected, 422)
    failures = []
    variants = [{}, {"HX-Request": "true"}] if method == "GET" else [{}]
    for headers in variants:
        htmx = " (htmx)" if headers else ""  # the client adds its Accept-Language to a dict
        if method == "GET":
            response = client.get(url, headers=dict(headers))
        else:
            response = client.post(url, data={}, headers=dict(headers))
        response.close()
        if role == "anonymous" and htmx and response.status_code == 401:
            # htmx asking for a signed-in page: 401 with a message instead of the log-in page
            # swapped into the form (the same rule as the 302 to the log-in page below).
            if not (302 in expected and "signed out" in response.get_data(as_text=True)):
                failures.append(f"{method} {url} as {role}{htmx}: 401 without the message")
            continue
        if response.status_code not in expected:
            failures.append(f"{method} {url} as {role}{htmx}: "
                            f"got {response.status_code}, expected {expected}")
        elif role == "anonymous" and response.status_code == 302 and expected == (302,):
            if MATRIX[endpoint][method].get("member_a") not in (302, OK) \
                    and "/login" not in response.headers["Location"]:
                failures.append(f"{method} {url} as anonymous: sent to "
                                f"{response.headers['Location']}, not to the log-in page")
    return failures
