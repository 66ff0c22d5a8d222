"""Hypothesis on every form (issue 12 §4): hostile and plausible values, no 5xx, and a refused
(4xx) request stores nothing.

The forms are discovered, not listed: every POST rule of the URL map is posted empty as the
roles the authorization matrix lets use it, on the matrix world plus editable objects (a draft
application, a draft call, a draft service model); the form the view validates is the one that
reads the request (attack_support.discover). Each form then gets EXAMPLES generated bodies
(every field: text with control characters, huge strings, numbers as text, dates, choices,
repeated values, missing; sometimes an unknown field or a bad CSRF token), each inside a
savepoint that is rolled back afterwards, so that every example starts from the same world.
A POST rule whose view validates no input field (a bare action button) gets the fixed hostile
bodies of ACTION_BODIES instead.
"""

from __future__ import annotations

import os
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from werkzeug.datastructures import MultiDict

from app.extensions import limiter
from app.organisations.models import Role
from tests.security.attack_support import (
    FormSpy,
    as_body,
    discover,
    form_data_strategy,
    row_counter,
    url_of,
)
from tests.security.test_authorization_matrix import (  # noqa: F401 - `world` is a fixture
    MATRIX,
    expected_for,
    world,
)

# 300 examples per form (issue 12). `make test` runs the PostgreSQL pass with fewer (see the
# Makefile) to keep CI within its time; the SQLite pass always runs the full number.
EXAMPLES = int(os.environ.get("KOHTAAMO_ATTACK_EXAMPLES", "300"))
PREFERENCE = ["owner_a", "member_a", "call_manager", "reviewer", "admin", "conflicted_reviewer",
              "member_b", "observer", "anonymous"]
GROUPS = ["auth", "organisations", "practices", "calls", "applications", "reviews", "projects",
          "other"]
# Button forms that answer 400 to any body but their exact choices (e.g. approve/decline):
# every generated body may rightly be a 400 there; the CSRF session is proven by the others.
ALL_400_IS_RIGHT = {"organisations.join_request_decide"}
ACTION_BODIES = [
    [("unknown", "\x00")],
    [("csrf_token", "")],
    [("id", "1"), ("id", "2"), ("id", "-1")],
    [("next", "//evil.example"), ("next", "javascript:alert(1)")],
    [("decision", "\u202e" * 1000), ("x" * 5000, "y")],
]


def _group(endpoint: str) -> str:
    blueprint = endpoint.split(".")[0]
    return blueprint if blueprint in GROUPS else "other"


def _roles(endpoint: str) -> list[str]:
    """The roles the matrix lets post to `endpoint`, most likely users first."""
    row = MATRIX.get(endpoint, {}).get("POST")
    if row is None:  # a new rule: test_authorization_matrix asks for its row
        return PREFERENCE
    allowed = []
    for role in PREFERENCE:
        expected = expected_for(row, role)
        expected = set(expected if isinstance(expected, tuple) else (expected,))
        if role == "anonymous" and not expected & {200, 204, 400, 422}:
            continue
        if expected & {200, 204, 302, 400, 409, 422}:
            allowed.append(role)
    return allowed or PREFERENCE


def _editable(people, args, scoped, group, make_application, make_call, make_practice, db):
    """URL arguments that reach the editing forms: drafts of A's application, the ELY-centre's
    call and A's service model, besides the matrix world's (submitted, open, published) ones."""
    from app.applications.models import Application
    from app.calls.models import Call
    from app.organisations.models import Organisation

    base = scoped.get(group, args)
    if callable(base):
        base = base()
    extra = []
    if group in ("applications", "calls"):
        a = db.session.get(Organisation, args["org_id"])
        open_call = db.session.get(Call, scoped["calls"]["call_id"])
        draft = make_application(call=open_call, organisation=a)
        draft = db.session.get(Application, draft.id)
        extra.append({**base, "application_id": draft.id, "line_id": draft.staff_lines[0].id})
        draft_call = make_call(ely=open_call.organisation, phase="draft")
        extra.append({**base, "call_id": draft_call.id,
                      "criterion_id": draft_call.criteria[0].id})
    if group == "practices":
        a = db.session.get(Organisation, args["org_id"])
        extra.append({**base, "practice_id": make_practice(organisation=a).id})
    if group == "other":
        from tests.search.matrix import thesaurus_args

        extra.append({**base, **thesaurus_args(people, args)})
        extra.append({**base, **scoped["questions"]()})  # a question on a published model
        extra.append({**base, **scoped["announcements"]()})  # a draft announcement of a call
        extra.append({**base, **scoped["follows"]()})  # owner_a's follow of a region
        extra.append({**base, **scoped["events"]})  # A's event, member_b registered
        extra.append({**base, **scoped["partners"]()})  # A's partner call, B's thread
        extra.append({**base, **scoped["partners_b"]()})  # B's partner call: A may answer
    return [*extra, base]


def _routes(app, group):
    """(endpoint, URL overrides) of the group; every section of an application is a form."""
    from app.applications.sections import SECTION_KEYS

    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.endpoint):
        if "POST" not in rule.methods or _group(rule.endpoint) != group:
            continue
        if rule.endpoint == "applications.application_section_save":
            for key in SECTION_KEYS:
                yield rule.endpoint, {"section": key}
        else:
            yield rule.endpoint, {}


def _fuzz(route, client, connection, count, login):
    """EXAMPLES generated bodies to one form; the statuses, or the failure as text."""
    token = login(route.role)
    baseline = count(connection)
    done = []

    @settings(max_examples=EXAMPLES, deadline=None, derandomize=True, database=None,
              suppress_health_check=list(HealthCheck))
    @given(data=form_data_strategy(route.fields), htmx=st.booleans())
    def post(data, htmx):
        limiter.reset()
        login(route.role)
        headers = {"HX-Request": "true"} if htmx else {}
        nested = connection.begin_nested()
        try:
            response = client.post(route.url, data=MultiDict(as_body(data, token)),
                                   headers=headers)
            status = response.status_code
            after = count(connection) if 400 <= status < 500 else baseline
        finally:
            nested.rollback()
        done.append(status)
        assert status < 500, f"{status} for {data!r}"[:600]
        changed = {t: (baseline[t], after[t]) for t in baseline if baseline[t] != after[t]}
        assert not changed, f"{status} stored rows {changed} for {data!r}"[:600]

    try:
        post()
    except AssertionError as error:
        return str(error)[:900]
    return done


# The groups are split over two files so that the two test processes (`--dist loadfile`) share
# them: this file takes these, test_attack_forms_more.py the rest.
HERE = ["applications", "calls", "other"]


@pytest.mark.parametrize("group", HERE)
def test_every_form_survives_hypothesis(group, app, client, login_as, world, db, monkeypatch,  # noqa: F811
                                        make_application, make_call, make_practice):
    fuzz_group(group, app, client, login_as, world, db, monkeypatch, make_application,
               make_call, make_practice)


def fuzz_group(group, app, client, login_as, world, db, monkeypatch,  # noqa: F811
               make_application, make_call, make_practice):
    """Every form of `group` gets EXAMPLES generated bodies; no 5xx, nothing stored on a 4xx."""
    people, args, scoped = world
    argsets = _editable(people, args, scoped, group, make_application, make_call, make_practice,
                        db)
    spy = FormSpy(monkeypatch)
    cookie = app.config["SESSION_COOKIE_NAME"]
    sessions: dict[str, tuple[str, str]] = {}

    def login(role):
        """Sign in as `role` (one session per role, reused): its cookie and CSRF token."""
        if role not in sessions:
            client.delete_cookie(cookie)
            if role != "anonymous":
                login_as(people[role])
            token = client.csrf_token()
            sessions[role] = (client.get_cookie(cookie).value, token)
        client.set_cookie(cookie, sessions[role][0])
        return sessions[role][1]

    connection = db.engines[None]
    count = row_counter(db)
    failures, covered, actions = [], [], []
    started = time.monotonic()
    for endpoint, overrides in _routes(app, group):
        roles = _roles(endpoint)
        route = discover(app, client, spy, login, endpoint, roles,
                         [{**a, **overrides} for a in argsets])
        if route is None:
            # A bare action (only the CSRF token): the fixed hostile bodies, as its users.
            rule = next(r for r in app.url_map.iter_rules() if r.endpoint == endpoint)
            # the world's own arguments first, then the extra objects' (e.g. an announcement)
            url = next((u for a in reversed(argsets)
                        if (u := url_of(app, rule, {**a, **overrides})) is not None), None)
            if url is None:
                failures.append(f"{endpoint}: the test world has no arguments for its URL")
                continue
            token = login(roles[0])
            for body in ACTION_BODIES:
                nested = connection.begin_nested()
                try:
                    response = client.post(url, data=MultiDict([*body, ("csrf_token", token)]))
                finally:
                    nested.rollback()
                if response.status_code >= 500:
                    failures.append(f"{endpoint} {body!r}: {response.status_code}")
            actions.append(endpoint)
            continue
        began = time.monotonic()
        done = _fuzz(route, client, connection, count, login)
        if isinstance(done, str):
            failures.append(f"{endpoint} {overrides} as {route.role}: {done}")
            done = []
        covered.append((endpoint, overrides.get("section", ""), route.form, len(route.fields),
                        len(done), f"{time.monotonic() - began:.1f}s"))
        if len(done) < EXAMPLES and not any(f.startswith(endpoint) for f in failures):
            failures.append(f"{endpoint}: only {len(done)} examples")
        if done and all(status == 400 for status in done) and endpoint not in ALL_400_IS_RIGHT:
            # every body refused as a bad request (e.g. a lost CSRF session): nothing was tested
            failures.append(f"{endpoint}: every example answered 400")
    elapsed = time.monotonic() - started
    print(f"\n{group}: {len(covered)} forms, {sum(c[4] for c in covered)} examples, "
          f"{len(actions)} action routes, {elapsed:.1f} s")
    for c in covered:
        print("  ", *c)
    print("   action routes (no input field):", ", ".join(actions))
    assert covered or group == "other" or actions
    assert not failures, "\n".join(failures)


def test_discovery_finds_the_known_forms(app, client, login_as, world, db, monkeypatch):  # noqa: F811
    """The discovery is not vacuous: forms the suite must fuzz are found with their fields."""
    people, args, scoped = world
    spy = FormSpy(monkeypatch)
    cookie = app.config["SESSION_COOKIE_NAME"]

    def login(role):
        client.delete_cookie(cookie)
        if role != "anonymous":
            login_as(people[role])

    route = discover(app, client, spy, login, "organisations.edit", ["owner_a"], [args])
    assert route.form == "OrganisationForm"
    names = {f.name: f.kind for f in route.fields}
    assert names["name"] == "text" and names["regions"] == "multi"
    assert names["contact_email"] == "email"
    register = discover(app, client, spy, login, "auth.register", ["anonymous"], [args])
    assert {f.name for f in register.fields} >= {"name", "email", "password", "language"}
    # a role that may not use the form finds nothing
    assert discover(app, client, spy, login, "organisations.edit", ["member_b"], [args]) is None
    assert Role.owner  # the matrix roles are the organisations' roles
