"""The outcome plan of an application in an outcome-based call: the service (whole numbers
0..10 000, the fee budget becomes the support applied for, only the lead's writers, only a
draft, only outcome-based calls), the submission checklist and progress, the page (the plan
instead of the staff budget and the funding plan), the htmx save with 422 and nothing lost,
the live total, the revision snapshot and print page, and a decision on the fee budget (no
division by a zero total cost, no support share cut)."""

from __future__ import annotations

import re

import pytest

from app.applications import outcomes, revisions, sections
from app.applications.models import ApplicationState, OutcomePlan
from app.calls.models import OutcomeFee, OutcomeType
from app.core.domain import DomainError, NotAllowed
from app.extensions import db as _db
from tests.fixtures.calls import COMPLETE_TEXTS, advance, decide, during

OUTCOME = {"funding_model": "outcome_based", "outcome_fee_cents": 3_000_00,
           "min_employment_months": 6}
STAGES = [{"label": "Työsuhde alkaa", "percent": 30},
          {"label": "Työsuhde on kestänyt 6 kk", "percent": 70}]


def add_fee_table(call) -> tuple[OutcomeFee, OutcomeFee]:
    """Employment of six months (3 000,01 €: 30 % + 70 %) and a business start (2 500 € at
    once), added as the demo adds them (the call is open, so the service would refuse)."""
    employment = OutcomeFee(position=1, outcome_type=OutcomeType.employment,
                            label="Työsuhde, joka kestää vähintään 6 kk", min_months=6,
                            fee_cents=3_000_01, stages=[dict(s) for s in STAGES])
    business = OutcomeFee(position=2, outcome_type=OutcomeType.business,
                          label="Yritystoiminta alkaa", fee_cents=2_500_00, stages=[])
    call.fees.extend([employment, business])
    _db.session.commit()
    return employment, business


@pytest.fixture
def outcome_call(make_call):
    call = make_call(max_support=80, **OUTCOME)
    add_fee_table(call)
    return call


def fill_texts(application) -> None:
    """Every required part but the money: texts, duration and targets."""
    from datetime import date

    for name, value in COMPLETE_TEXTS.items():
        setattr(application, name, value)
    application.start_date, application.end_date = date(2026, 9, 1), date(2028, 8, 31)
    application.target_participants, application.target_employed = 60, 20
    application.target_business_started, application.target_in_education = 2, 0


@pytest.fixture
def draft(make_application, outcome_call, db):
    application = make_application(call=outcome_call, complete=False)
    fill_texts(application)
    db.session.commit()
    return application


def writer_of(application):
    from app.auth.models import User

    return _db.session.get(User, application.created_by_id)


def _html(response) -> str:
    return response.get_data(as_text=True)


def shows_money(html: str, cents: int) -> bool:
    """The amount as the page formats it in English (35,000.10) or Finnish (35 000,10)."""
    euros, rest = divmod(cents, 100)
    english = f"{euros:,}.{rest:02d}"
    finnish = f"{euros:,}".replace(",", "\u00a0") + f",{rest:02d}"
    return english in html or finnish in html


# --- the service -----------------------------------------------------------------------------


def test_the_plan_sets_the_support_to_the_fee_budget(db, draft, audit_actions):
    employment, business = draft.call.fees
    draft.own_cents = 5_000_00  # stale: the fee budget is the whole funding
    budget = outcomes.save_outcome_plan(writer_of(draft), draft,
                                        {employment.id: 10, business.id: 2})
    db.session.commit()
    assert budget.total_cents == 10 * 3_000_01 + 2 * 2_500_00 == 35_000_10
    assert draft.support_cents == 35_000_10
    assert draft.own_cents == 0 and draft.municipal_cents == 0
    assert outcomes.counts_of(draft) == {employment.id: 10, business.id: 2}
    row = budget.rows[0]
    # 30 % of 3 000,01 € is 900,003 € -> 900,00 €; the last stage takes the rest.
    assert row.stage_amounts == (900_00, 2_100_01)
    assert row.stage_totals == (9_000_00, 21_000_10)
    assert outcomes.requested_cost_cents(draft) == 35_000_10
    assert "application.outcome_plan_saved" in audit_actions(draft.organisation)


def test_saving_again_updates_the_rows_without_duplicates(db, draft):
    employment, business = draft.call.fees
    writer = writer_of(draft)
    outcomes.save_outcome_plan(writer, draft, {employment.id: 3, business.id: 1})
    outcomes.save_outcome_plan(writer, draft, {employment.id: 0})
    db.session.commit()
    assert db.session.query(OutcomePlan).filter_by(application_id=draft.id).count() == 2
    assert outcomes.counts_of(draft) == {employment.id: 0, business.id: 1}
    assert draft.support_cents == 2_500_00


@pytest.mark.parametrize("count", [-1, 10_001, None])
def test_counts_outside_0_to_10000_are_refused_at_their_field(db, draft, count):
    employment = draft.call.fees[0]
    with pytest.raises(DomainError) as refused:
        outcomes.save_outcome_plan(writer_of(draft), draft, {employment.id: count})
    assert refused.value.field == f"fee-{employment.id}"
    assert "0 to 10000" in str(refused.value.message)


def test_a_fee_row_of_another_call_is_refused(db, draft, make_call):
    other = make_call(**OUTCOME)
    foreign, _ = add_fee_table(other)
    with pytest.raises(DomainError):
        outcomes.save_outcome_plan(writer_of(draft), draft, {foreign.id: 1})


def test_only_the_leads_writers_plan(db, draft, make_user, add_member):
    from app.organisations.models import Role
    from app.organisations.services import forget_memberships

    reader = make_user()
    add_member(draft.organisation, reader, Role.member)
    forget_memberships()
    with pytest.raises(NotAllowed):
        outcomes.save_outcome_plan(reader, draft, {draft.call.fees[0].id: 1})
    outsider = make_user()
    with pytest.raises(NotAllowed):
        outcomes.save_outcome_plan(outsider, draft, {draft.call.fees[0].id: 1})


def test_a_grant_application_has_no_outcome_plan(db, make_application):
    application = make_application()
    with pytest.raises(DomainError):
        outcomes.save_outcome_plan(writer_of(application), application, {1: 1})


# --- the checklist, the progress and submitting -------------------------------------------


def test_the_checklist_asks_for_a_planned_outcome_not_a_staff_budget(db, draft):
    problems = sections.checklist(draft, now=during(draft.call))
    anchors = {p.anchor for p in problems}
    assert anchors == {"section-outcomes"}
    assert "Plan at least one outcome" in str(problems[0].message)
    # No staff line, no funding plan, no flat rate asked for.
    assert not any("staff" in str(p.message).lower() for p in problems)
    outcomes.save_outcome_plan(writer_of(draft), draft, {draft.call.fees[0].id: 4})
    db.session.commit()
    assert sections.checklist(draft, now=during(draft.call)) == []
    steps = {step.key: step.complete for step in sections.progress(draft)}
    assert steps["outcomes"] is True
    assert "budget" not in steps and "funding" not in steps


def test_a_call_without_a_fee_table_cannot_be_planned_on(db, make_application, make_call):
    call = make_call(**OUTCOME)
    application = make_application(call=call, complete=False)
    fill_texts(application)
    problems = sections.checklist(application, now=during(call))
    assert [p.anchor for p in problems] == ["section-outcomes"]
    assert "no fee table" in str(problems[0].message)


def test_a_planned_application_is_submitted_and_decided_on_its_fee_budget(db, draft):
    employment, business = draft.call.fees
    outcomes.save_outcome_plan(writer_of(draft), draft, {employment.id: 10, business.id: 2})
    db.session.commit()
    advance(draft, "in_review", writer_of(draft))
    snapshot = revisions.revisions_of(draft)[0].content
    assert snapshot["outcome_plan"]["total_cents"] == 35_000_10
    assert [row["count"] for row in snapshot["outcome_plan"]["rows"]] == [10, 2]
    assert snapshot["outcome_plan"]["rows"][0]["stages"][1]["amount_cents"] == 2_100_01
    # The call's maximum share (80 %) does not cut a fee budget: all of it is support.
    decision = decide(draft, approve=True, approved_cost_cents=35_000_10)
    assert draft.state == ApplicationState.approved
    assert decision.granted_cents == decision.approved_cost_cents == 35_000_10
    assert decision.support_basis_points == 10_000


def test_the_approved_cost_cannot_exceed_the_fee_budget(db, draft):
    from app.reviews import services as reviews
    from tests.fixtures.calls import after_close, call_manager_of, proposal_values

    outcomes.save_outcome_plan(writer_of(draft), draft, {draft.call.fees[1].id: 2})
    db.session.commit()
    advance(draft, "in_review", writer_of(draft))
    with pytest.raises(DomainError) as refused:
        reviews.propose_decision(call_manager_of(draft.call), draft, proposal_values(
            draft, approved_cost_cents=5_000_01), now=after_close(draft.call))
    assert refused.value.field == "approved_cost"


# --- the page ------------------------------------------------------------------------------


def test_the_page_shows_the_plan_instead_of_the_staff_budget(client, login_as, draft):
    login_as(writer_of(draft))
    html = _html(client.get(f"/calls/applications/{draft.id}"))
    assert 'id="section-outcomes"' in html
    assert "Työsuhde, joka kestää vähintään 6 kk" in html
    assert f'name="fee-{draft.call.fees[0].id}"' in html
    assert 'id="section-budget"' not in html
    assert 'id="section-funding"' not in html
    assert "Add a staff cost line" not in html
    assert 'href="#section-outcomes"' in html  # the progress indicator


def test_htmx_save_shows_the_total_and_progress(client, login_as, draft):
    employment, business = draft.call.fees
    login_as(writer_of(draft))
    response = client.post(f"/calls/applications/{draft.id}/outcomes",
                           data={f"fee-{employment.id}": "10", f"fee-{business.id}": "2"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = _html(response)
    assert shows_money(html, 35_000_10)
    assert 'id="progress"' in html and 'hx-swap-oob="true"' in html
    assert "The outcome plan has been saved." in html
    assert outcomes.counts_of(draft) == {employment.id: 10, business.id: 2}


def test_invalid_counts_answer_422_with_the_message_and_keep_the_input(client, login_as, draft,
                                                                        db):
    employment, business = draft.call.fees
    login_as(writer_of(draft))
    response = client.post(f"/calls/applications/{draft.id}/outcomes",
                           data={f"fee-{employment.id}": "2,5", f"fee-{business.id}": "3"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 422
    html = _html(response)
    error = re.search(rf'<p class="error" id="fee-{employment.id}-error">(.*?)</p>', html, re.S)
    assert error and "whole number" in error.group(1)
    assert f'aria-describedby="fee-{employment.id}-hint fee-{employment.id}-error"' in html
    assert 'value="2,5"' in html and 'value="3"' in html  # nothing typed is lost
    assert 'class="error-summary"' in html
    db.session.expire_all()
    assert outcomes.counts_of(draft) == {}  # nothing saved

    too_many = client.post(f"/calls/applications/{draft.id}/outcomes",
                           data={f"fee-{employment.id}": "10001"},
                           headers={"HX-Request": "true"})
    assert too_many.status_code == 422
    assert "at most 10" in _html(too_many)


def test_a_plain_post_redirects_or_shows_the_whole_page(client, login_as, draft):
    employment = draft.call.fees[0]
    login_as(writer_of(draft))
    ok = client.post(f"/calls/applications/{draft.id}/outcomes",
                     data={f"fee-{employment.id}": "1"})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("#section-outcomes")
    refused = client.post(f"/calls/applications/{draft.id}/outcomes",
                          data={f"fee-{employment.id}": "-1"})
    assert refused.status_code == 422
    assert "<h1>" in _html(refused) and 'value="-1"' in _html(refused)


def test_live_totals_save_nothing(client, login_as, draft, db):
    employment, business = draft.call.fees
    login_as(writer_of(draft))
    response = client.post(f"/calls/applications/{draft.id}/outcomes/totals",
                           data={f"fee-{employment.id}": "1", f"fee-{business.id}": "x"},
                           headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = _html(response)
    assert "not saved yet" in html
    assert "Some numbers are not valid yet" in html
    assert shows_money(html, 3_000_01)
    db.session.expire_all()
    assert outcomes.counts_of(draft) == {}


def test_others_cannot_save_or_preview(client, login_as, draft, make_user):
    login_as(make_user())
    url = f"/calls/applications/{draft.id}/outcomes"
    assert client.post(url, data={}).status_code == 404
    assert client.post(url + "/totals", data={}).status_code == 404


def test_a_submitted_plan_is_locked_and_printed(client, login_as, draft, db):
    outcomes.save_outcome_plan(writer_of(draft), draft, {draft.call.fees[0].id: 4})
    db.session.commit()
    advance(draft, "submitted", writer_of(draft))
    db.session.commit()
    login_as(writer_of(draft))
    response = client.post(f"/calls/applications/{draft.id}/outcomes",
                           data={f"fee-{draft.call.fees[0].id}": "5"})
    assert response.status_code == 403
    html = _html(client.get(f"/calls/applications/{draft.id}/print"))
    assert "Outcome plan and fee budget" in html
    assert shows_money(html, 12_000_04)
    assert f'name="fee-{draft.call.fees[0].id}"' not in html
