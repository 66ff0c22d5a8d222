"""Every URL rule of the applications blueprint × the roles around an application × its states
and the call's phases, for plain and htmx requests, against a table written out here.

The roles are those of tests.fixtures.calls.make_cast (beyond the main matrix's: an editor of
the applicant, an editor of a partner that is invited but has not accepted, and call managers
who are members of the applicant or of its accepted partner). Each scenario is one cast; each
request runs inside a savepoint that is rolled back, so every role meets the same objects.

Codes: 200 page, 302 redirect, 403 refused to someone who sees the application (or the call),
404 to someone who does not, and "invalid input" (400 or 422: validation failures are moving
from 400 to 422) for an empty form that a permitted person sends. Anonymous visitors are sent
to the log-in page (plain) or get 401 (htmx).
"""

from __future__ import annotations

import pytest

from tests.fixtures.calls import CAST_ROLES

SCENARIOS = {
    # name: (application state, call phase)
    "call_draft": (None, "draft"),  # no application can exist in a draft call
    "draft": ("draft", "open"),
    "draft_closed_call": ("draft", "closed"),
    "submitted": ("submitted", "open"),
    "in_review": ("in_review", "open"),
    "more_info_requested": ("more_info_requested", "open"),
    "approved": ("approved", "closed"),
}
SIGNED_IN = [role for role in CAST_ROLES if role != "anonymous"]

OK = (200,)
REDIRECT = (302,)
INVALID = (400, 422)
CHANGED_OR_INVALID = (200, 204, 302, 400, 422)  # a permitted content POST, whatever its input
REFUSED = (403,)
HIDDEN = (404,)

WRITERS = {"lead_owner", "lead_editor"}
# Members of the lead or of the accepted partner (the conflicted call managers among them).
APPLICANT_SIDE = WRITERS | {"lead_member", "partner_editor", "conflicted_manager",
                            "partner_conflicted_manager"}
VIEWERS = {
    "draft": APPLICANT_SIDE | {"invited_partner_editor"},
    "draft_closed_call": APPLICANT_SIDE | {"invited_partner_editor"},
    "submitted": APPLICANT_SIDE | {"call_manager"},
    "in_review": APPLICANT_SIDE | {"call_manager"},
    "more_info_requested": APPLICANT_SIDE | {"call_manager", "invited_partner_editor"},
    "approved": APPLICANT_SIDE | {"call_manager"},
}
EDITABLE = {"draft", "draft_closed_call", "more_info_requested"}
CALL_MANAGERS = {"call_manager", "conflicted_manager", "partner_conflicted_manager"}
ELY_MEMBERS = CALL_MANAGERS | {"reviewer"}
# Editors and owners of verified NGOs (the call's eligible type).
APPLYING = {"lead_owner", "lead_editor", "partner_editor", "invited_partner_editor"}

CONTENT_POSTS = [
    "application_section_save", "application_section_autosave", "application_budget_totals",
    "application_line_add", "application_line_save", "application_line_delete",
    "application_partner_invite", "application_partner_remove", "application_practice_link",
    "application_practice_unlink", "application_attachment_add",
    "application_attachment_delete", "application_staff_model_save", "application_costs_save",
    # the cast's call is a grant: the outcome plan and the provider offer are refused (422)
    # to its writers, and as every other content change to everyone else
    "application_outcomes_save", "application_outcomes_totals", "application_offer_save",
]
# A partner's part of the budget: the cast's partner_id is a cooperation partner (accepted, or
# the invited one), which has no part, so everyone who sees the application is refused; the
# parts of co-implementers are in tests/security/test_part_matrix.py.
PART_POSTS = [
    "application_part_totals", "application_part_line_add", "application_part_line_save",
    "application_part_line_delete", "application_part_figures_save",
]


def _application_row(scenario, allowed, code, refused=REFUSED) -> dict:
    """Viewers in `allowed` get `code`, other viewers `refused`, everyone else 404."""
    viewers = VIEWERS[scenario]
    return {role: (code if role in allowed else refused) if role in viewers else HIDDEN
            for role in SIGNED_IN}


def expected(scenario: str) -> dict[tuple[str, str], dict[str, tuple]]:
    """(endpoint, method) -> role -> acceptable codes, for the signed-in roles."""
    state, phase = SCENARIOS[scenario]
    published = phase != "draft"
    rows = {("applications_mine", "GET"): dict.fromkeys(SIGNED_IN, OK)}
    if published:
        lists = {role: OK if role in CALL_MANAGERS else REFUSED if role in ELY_MEMBERS
                 else HIDDEN for role in SIGNED_IN}
    else:
        lists = {role: REFUSED if role in ELY_MEMBERS else HIDDEN for role in SIGNED_IN}
    rows["call_applications", "GET"] = rows["call_applications_csv", "GET"] = lists
    for method, done in (("GET", OK), ("POST", INVALID)):
        rows["application_new", method] = {
            role: HIDDEN if not published and role not in ELY_MEMBERS
            else done if phase == "open" and role in APPLYING else REFUSED
            for role in SIGNED_IN}
    if state is None:
        return rows

    editors = WRITERS if scenario in EDITABLE else set()
    viewers = VIEWERS[scenario]
    revision_viewers = viewers - {"invited_partner_editor"}
    has_revisions = scenario not in ("draft", "draft_closed_call")
    row = _application_row
    for endpoint in ("application_detail", "application_print",
                     "application_attachment_download", "eura", "eura_json"):
        rows[endpoint, "GET"] = row(scenario, viewers, OK)
    rows["application_revisions", "GET"] = row(scenario, revision_viewers, OK)
    rows["application_compare", "GET"] = row(scenario, revision_viewers,
                                             OK if has_revisions else HIDDEN)
    # the confirmation page sends back to the application while its content is open
    rows["application_submitted", "GET"] = row(scenario, viewers,
                                               REDIRECT if scenario in EDITABLE else OK)
    # the submit page: others who see the application are sent on (or refused)
    rows["application_submit", "GET"] = row(scenario, editors, OK, refused=(302, 403))
    # a pending invitation (open states) or the closed call stops the submission
    rows["application_submit", "POST"] = row(scenario, editors, INVALID)
    for endpoint in CONTENT_POSTS:
        rows[endpoint, "POST"] = row(scenario, editors, CHANGED_OR_INVALID)
    for endpoint in PART_POSTS:
        rows[endpoint, "POST"] = row(scenario, set(), CHANGED_OR_INVALID)
    answering = {"invited_partner_editor"} if scenario in EDITABLE else set()
    rows["application_partner_accept", "POST"] = row(scenario, answering, REDIRECT)
    rows["application_partner_decline", "POST"] = row(scenario, answering, REDIRECT)
    withdrawing = WRITERS if state in ("submitted", "in_review", "more_info_requested") else set()
    rows["application_withdraw", "POST"] = row(scenario, withdrawing, REDIRECT)
    # the conflicted call managers see the application but never act on it
    rows["application_review", "POST"] = row(
        scenario, {"call_manager"} if state == "submitted" else set(), REDIRECT)
    requesting = {"call_manager"} if state in ("submitted", "in_review") else set()
    rows["application_request_info", "GET"] = row(scenario, requesting, OK)
    rows["application_request_info", "POST"] = row(scenario, requesting, INVALID)
    # the former decision page sends whoever sees the application to the decision page
    # (app.reviews.decision_views: tests/reviews/test_decision_views.py)
    rows["application_decide", "GET"] = row(scenario, viewers, REDIRECT)
    return rows


def test_every_rule_of_the_blueprint_is_in_the_table(app):
    endpoints = {(rule.endpoint.removeprefix("applications."), method)
                 for rule in app.url_map.iter_rules() if rule.endpoint.startswith("applications.")
                 for method in rule.methods - {"HEAD", "OPTIONS"}}
    assert endpoints == set(expected("draft"))


def _requests(app, args, rows):
    """(endpoint, method, url) for the table's rows: every GET before any POST (a POST may
    delete a stored file that a later GET would download)."""
    from flask import url_for

    rules = {rule.endpoint: rule for rule in app.url_map.iter_rules()}
    found = []
    with app.test_request_context():
        for endpoint, method in rows:
            rule = rules[f"applications.{endpoint}"]
            url = url_for(rule.endpoint, **{name: args[name] for name in rule.arguments})
            found.append((endpoint, method, url))
    return sorted(found, key=lambda item: (item[1] != "GET", item[0]))


@pytest.mark.parametrize("scenario", list(SCENARIOS))
def test_application_matrix(app, db, login_as, make_cast, scenario):
    state, phase = SCENARIOS[scenario]
    cast = make_cast(state, phase)
    rows = expected(scenario)
    requests = _requests(app, cast.url_args(), rows)
    clients = {}
    for role in CAST_ROLES:
        client = app.test_client()
        if role != "anonymous":
            login_as(cast.people[role], client)
        clients[role] = (client, client.csrf_token())
    db.session.commit()  # from here on the test's own session stays out of the way
    connection = db.engines[None]  # the test's connection (see tests/conftest.py)
    wrong, checked = [], 0
    for endpoint, method, url in requests:
        for role in CAST_ROLES:
            client, token = clients[role]
            for htmx in (False, True):
                headers = {"HX-Request": "true"} if htmx else {}
                savepoint = connection.begin_nested()
                try:
                    if method == "GET":
                        response = client.get(url, headers=headers)
                    else:
                        response = client.post(url, data={"csrf_token": token}, headers=headers)
                    response.close()
                    code = response.status_code
                except Exception as error:  # noqa: BLE001 - a crash is a wrong answer too
                    code = f"{type(error).__name__}: {error}"
                finally:
                    if savepoint.is_active:
                        savepoint.rollback()
                checked += 1
                label = f"{method} {endpoint} as {role}{' (htmx)' if htmx else ''}"
                if role == "anonymous":
                    if code == 302 and "/login" in response.headers.get("Location", ""):
                        continue
                    if htmx and code == 401:
                        continue
                    wrong.append(f"{label}: {code}, expected the log-in page (302) or 401")
                    continue
                acceptable = rows[endpoint, method][role]
                if code not in acceptable:
                    wrong.append(f"{label}: {code}, expected {acceptable}")
    assert checked == len(requests) * len(CAST_ROLES) * 2
    assert not wrong, f"{scenario}: {len(wrong)} of {checked} answers wrong:\n" + "\n".join(wrong)
