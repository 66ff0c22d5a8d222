"""The funding-models demo (app/demo/voucher_data.py): an open service-voucher pilot with six
applying providers of which four are approved and listed on the public comparison page (one
of them in Swedish), and an open outcome-based call with a staged fee table and a draft whose
outcome plan's fee budget is its support applied for; idempotent, and a second seed makes
nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.applications import outcomes, vouchers
from app.applications.models import Application, ApplicationState, OutcomePlan, VoucherOffer
from app.calls import providers
from app.calls.models import Call, CallPhase, FundingModel, OutcomeFee
from app.demo import voucher_data
from app.demo.seed import seed_demo
from app.organisations.services import forget_memberships


@pytest.fixture
def seeded(db):
    summary = seed_demo(db.session)
    db.session.commit()
    forget_memberships()
    return summary


def _call(db, spec) -> Call:
    return db.session.scalar(select(Call).where(Call.title_fi == spec["title_fi"]))


def test_the_voucher_pilot_is_open_with_its_terms(seeded, db):
    call = _call(db, voucher_data.VOUCHER_CALL)
    assert call.funding_model == FundingModel.service_voucher
    assert call.phase() == CallPhase.open
    assert call.voucher_value_cents == 2_400_00 and call.service_months == 4
    assert call.voucher_target_groups == ["long_term_unemployed", "over_50"]
    assert providers.has_registry(call)


def test_six_providers_applied_and_four_are_in_the_registry(seeded, db):
    call = _call(db, voucher_data.VOUCHER_CALL)
    applications = list(db.session.scalars(select(Application).where(
        Application.call_id == call.id)))
    assert len(applications) == 6
    assert all(a.voucher_offer is not None for a in applications)
    states = sorted(str(a.state) for a in applications)
    assert states.count("approved") == 4 and "submitted" in states and "draft" in states
    listed = providers.approved_providers(call)
    assert len(listed) == 4
    approved = [a for a in applications if a.state == ApplicationState.approved]
    assert all(vouchers.missing(a.voucher_offer) == [] for a in approved)
    assert {p.text_language for p in listed} == {"fi", "sv"}
    assert [p.name for p in providers.filtered(listed, language="sv")] == [
        next(p.name for p in listed if p.text_language == "sv")]
    assert all(a.granted_cents == 0 for a in approved)


def test_the_comparison_page_shows_the_four(seeded, db, client):
    call = _call(db, voucher_data.VOUCHER_CALL)
    html = client.get(f"/calls/{call.id}/providers").get_data(as_text=True)
    assert html.count('<tr id="provider-') == 4
    assert 'lang="sv"' in html
    assert "Nuorisoverstas" not in html  # waiting for its decision


def test_the_open_outcome_call_has_staged_fees_and_a_planned_draft(seeded, db):
    call = _call(db, voucher_data.OUTCOME_CALL)
    assert call.funding_model == FundingModel.outcome_based
    assert call.phase() == CallPhase.open
    assert any(len(fee.stages) == 2 for fee in call.fees)
    assert sum(s["percent"] for s in call.fees[0].stages) == 100
    draft = db.session.scalar(select(Application).where(
        Application.call_id == call.id,
        Application.project_name == voucher_data.OUTCOME_DRAFT["project_name"]))
    assert draft.state == ApplicationState.draft
    budget = outcomes.budget_of(draft)
    assert budget.outcomes == sum(voucher_data.OUTCOME_DRAFT["counts"])
    assert draft.support_cents == budget.total_cents == 12 * 3_000_00 + 2 * 2_500_00 + \
        4 * 1_200_00
    assert outcomes.problems(draft) == []


def test_a_second_seed_makes_nothing(seeded, db):
    counted = (Call, Application, VoucherOffer, OutcomePlan, OutcomeFee)
    before = {model: db.session.scalar(select(func.count()).select_from(model))
              for model in counted}
    again = seed_demo(db.session)
    db.session.commit()
    assert again.created.get("funding_models", 0) == 0
    after = {model: db.session.scalar(select(func.count()).select_from(model))
             for model in counted}
    assert after == before
