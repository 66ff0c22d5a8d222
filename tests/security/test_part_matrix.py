"""The budget routes of a group project × the people around it, against a table written out
here: who may edit the lead's part (the staff-cost model, the costs outside the flat rate) and
each co-implementer's part (its live totals, staff lines and figures).

The lead's editors edit every part; a co-implementer's editors only their own (another
co-implementer's part is refused, and a line of another part is not found through their part's
URL); its plain members, a cooperation partner's people and the lead's plain members see the
application but are refused; the ELY-centre's people see it only once it has been submitted,
and then nobody edits anything. Codes as in tests/security/test_application_matrix.py.
"""

from __future__ import annotations

import pytest

from app.applications import services as applications
from app.calls.budget import LineValues
from app.organisations.models import Role
from tests.fixtures.calls import add_partner, advance, forget_memberships

ROLES = (
    "anonymous", "lead_owner", "lead_editor", "lead_member", "a_editor", "a_member", "b_editor",
    "coop_editor", "call_manager", "reviewer", "outsider", "admin",
)
SIGNED_IN = [role for role in ROLES if role != "anonymous"]
CHANGED_OR_INVALID = (200, 204, 302, 400, 422)
REFUSED = (403,)
HIDDEN = (404,)
LEAD_WRITERS = {"lead_owner", "lead_editor"}
APPLICANT_SIDE = LEAD_WRITERS | {"lead_member", "a_editor", "a_member", "b_editor",
                                 "coop_editor"}
PART_ROUTES = ("application_part_totals", "application_part_line_add",
               "application_part_line_save", "application_part_line_delete",
               "application_part_figures_save")
LINE_ROUTES = ("application_part_line_save", "application_part_line_delete")


def complete_part(writer, application, partner, role="Valmentaja"):
    """A co-implementer's part that passes the checklist: one monthly line (10 months × 100 %
    × 3 000 € = 30 000 €, + 40 % = 42 000 €) and a balanced plan (80 % support)."""
    line = applications.add_line(writer, application, LineValues(
        kind="monthly", role=role, months_centi=1000, fte_centi=10000,
        monthly_salary_cents=3_000_00), partner=partner)
    applications.save_part_figures(writer, application, partner, {
        "support_cents": 33_600_00, "own_public_cents": 8_400_00})
    return line


@pytest.fixture
def group_world(db, make_user, make_organisation, add_member, make_application):
    """make(state) -> (people, url arguments of every target)."""

    def _make(state):
        people = {}

        def person(role, organisation=None, member_role=Role.member, **flags):
            people[role] = people.get(role) or make_user(name=f"Testi {role}")
            if organisation is not None:
                add_member(organisation, people[role], member_role, **flags)
            return people[role]

        from flask_login import AnonymousUserMixin

        people["anonymous"] = AnonymousUserMixin()
        lead = make_organisation(name="Päätoteuttaja ry", owner=person("lead_owner"))
        person("lead_editor", lead, Role.editor)
        person("lead_member", lead)
        org_a = make_organisation(name="Osatoteuttaja A ry")
        person("a_editor", org_a, Role.editor)
        person("a_member", org_a)
        org_b = make_organisation(name="Osatoteuttaja B ry")
        person("b_editor", org_b, Role.editor)
        coop_org = make_organisation(name="Työnantaja Oy", type="employer")
        person("coop_editor", coop_org, Role.editor)
        ely = make_organisation(name="Osien ELY-keskus", type="regional_authority")
        person("call_manager", ely, call_manager=True)
        person("reviewer", ely, reviewer=True)
        person("outsider", make_organisation(name="Ulkopuolinen ry"))
        people["admin"] = make_user(name="Ylläpitäjä", admin=True)
        owner = people["lead_owner"]
        application = make_application(
            call=_call(ely, people["call_manager"]), organisation=lead, writer=owner)
        a = add_partner(owner, application, org_a, people["a_editor"], kind="co_implementer")
        b = add_partner(owner, application, org_b, people["b_editor"], kind="co_implementer")
        coop = add_partner(owner, application, coop_org, people["coop_editor"])
        forget_memberships()
        line_a = complete_part(people["a_editor"], application, a, "A:n valmentaja")
        forget_memberships()
        line_b = complete_part(people["b_editor"], application, b, "B:n valmentaja")
        db.session.flush()
        advance(application, state, owner, manager=people["call_manager"])
        db.session.commit()
        forget_memberships()
        base = {"application_id": application.id}
        targets = {
            "a": {**base, "partner_id": a.id, "line_id": line_a.id},
            "b": {**base, "partner_id": b.id, "line_id": line_b.id},
            "coop": {**base, "partner_id": coop.id, "line_id": line_a.id},
            "a_with_b_line": {**base, "partner_id": a.id, "line_id": line_b.id},
            "lead": base,
        }
        return people, targets

    return _make


def _call(ely, manager):
    """An open grant call of `ely` for NGOs (the employer is only a cooperation partner)."""
    from tests.fixtures.calls import create_published_call

    return create_published_call(manager, ely, "open", title_fi="Osien haku",
                                 eligible_types=["ngo"], max_support_percent=80)


def expected(state: str) -> list[tuple[str, str, dict]]:
    """(endpoint, target, role -> acceptable codes) for the signed-in roles."""
    editable = state == "draft"
    viewers = APPLICANT_SIDE | ({"call_manager"} if state != "draft" else set())

    def row(allowed, code=CHANGED_OR_INVALID):
        allowed = allowed if editable else set()
        return {role: (code if role in allowed else REFUSED) if role in viewers else HIDDEN
                for role in SIGNED_IN}

    rows = []
    for endpoint in ("application_staff_model_save", "application_costs_save"):
        rows.append((endpoint, "lead", row(LEAD_WRITERS)))
    for endpoint in PART_ROUTES:
        rows.append((endpoint, "a", row(LEAD_WRITERS | {"a_editor"})))
        rows.append((endpoint, "b", row(LEAD_WRITERS | {"b_editor"})))
        rows.append((endpoint, "coop", row(set())))  # a cooperation partner has no part
    for endpoint in LINE_ROUTES:
        # B's line through A's part: those who may edit A's part do not find it there
        rows.append((endpoint, "a_with_b_line", row(LEAD_WRITERS | {"a_editor"}, HIDDEN)))
    return rows


@pytest.mark.parametrize("state", ["draft", "submitted"])
def test_part_matrix(app, db, login_as, group_world, state):
    from flask import url_for

    people, targets = group_world(state)
    rows = expected(state)
    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    requests = []
    with app.test_request_context():
        for endpoint, target, row in rows:
            rule = rules[f"applications.{endpoint}"]
            args = targets[target]
            requests.append((endpoint, target, row, url_for(
                rule.endpoint, **{name: args[name] for name in rule.arguments})))
    clients = {}
    for role in ROLES:
        client = app.test_client()
        if role != "anonymous":
            login_as(people[role], client)
        clients[role] = (client, client.csrf_token())
    db.session.commit()
    connection = db.engines[None]
    wrong, checked, allowed = [], 0, 0
    for endpoint, target, row, url in requests:
        for role in ROLES:
            client, token = clients[role]
            for htmx in (False, True):
                headers = {"HX-Request": "true"} if htmx else {}
                savepoint = connection.begin_nested()
                try:
                    response = client.post(url, data={"csrf_token": token}, headers=headers)
                    response.close()
                    code = response.status_code
                except Exception as error:  # noqa: BLE001 - a crash is a wrong answer too
                    code = f"{type(error).__name__}: {error}"
                finally:
                    if savepoint.is_active:
                        savepoint.rollback()
                checked += 1
                label = f"POST {endpoint} [{target}] as {role}{' (htmx)' if htmx else ''}"
                if role == "anonymous":
                    if code == 302 and "/login" in response.headers.get("Location", ""):
                        continue
                    if htmx and code == 401:
                        continue
                    wrong.append(f"{label}: {code}, expected the log-in page or 401")
                    continue
                acceptable = row[role]
                allowed += acceptable == CHANGED_OR_INVALID
                if code not in acceptable:
                    wrong.append(f"{label}: {code}, expected {acceptable}")
    assert checked == len(requests) * len(ROLES) * 2
    # the table is not all refusals: in a draft the writers of each part are let in
    assert (allowed > 0) == (state == "draft")
    assert not wrong, f"{state}: {len(wrong)} of {checked} answers wrong:\n" + "\n".join(wrong)


def test_every_budget_route_is_in_the_table(app):
    budget_routes = {rule.endpoint.removeprefix("applications.")
                     for rule in app.url_map.iter_rules()
                     if "/budget/" in rule.rule or "/parts/" in rule.rule}
    budget_routes.discard("application_budget_totals")  # the lead's live totals: the main table
    budget_routes -= {"application_line_add", "application_line_save",
                      "application_line_delete"}
    assert budget_routes == {endpoint for endpoint, _target, _row in expected("draft")}
