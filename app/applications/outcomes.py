"""The outcome plan of an application in an outcome-based call: how many outcomes of each row
of the call's fee table the applicant plans. The fee budget follows (app.calls.fees.fee_budget:
count x fee per row, with the stage amounts), and it is the support applied for: the service
writes it into `support_cents`, so that the ranking, its budget line and the decision read the
same figure as for a grant (an outcome-based project is paid its fees, no flat rate, no other
funding: the rest of the funding plan is zero).

Plain functions: they check their actor, flush and write the audit log; the view commits.
"""

from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.applications.models import Application, OutcomePlan
from app.auth.models import User
from app.calls.fees import FeeBudget, fee_budget
from app.calls.models import FundingModel
from app.core import audit, clock
from app.core.domain import DomainError

MAX_COUNT = 10_000
OTHER_PLAN_FIELDS = ("municipal", "other_public", "own_public", "private", "own")


def is_outcome_based(application: Application) -> bool:
    return application.call.funding_model == FundingModel.outcome_based


def counts_of(application: Application) -> dict[int, int]:
    """{fee id: planned count} as saved."""
    return {plan.fee_id: int(plan.count or 0) for plan in application.outcome_plans}


def budget_of(application: Application, counts: dict[int, int] | None = None) -> FeeBudget:
    """The fee budget of the saved plan, or of `counts` (a preview of unsaved input)."""
    return fee_budget(application.call.fees, counts_of(application) if counts is None
                      else counts)


def requested_cost_cents(application: Application) -> int:
    """What the applicant asks to be approved as its cost, by the call's funding model: the
    fee budget (outcome-based), nothing (service vouchers: an approved provider is paid by
    the vouchers), or the budget's total eligible cost (grant)."""
    model = application.call.funding_model
    if model == FundingModel.outcome_based:
        return budget_of(application).total_cents
    if model == FundingModel.service_voucher:
        return 0
    from app.applications.sections import totals

    return totals(application).total_cents


def save_outcome_plan(user: User, application: Application, counts: dict[int, int | None],
                      now: datetime | None = None) -> FeeBudget:
    """Save the planned count of every row of the call's fee table (`counts`: {fee id:
    count}; a row left out keeps its count) and set the support applied for to the fee
    budget. Counts are whole numbers from 0 to MAX_COUNT."""
    from app.applications.services import _touch, require_writer

    now = clock.resolve(now)
    require_writer(user, application)
    if not is_outcome_based(application):
        raise DomainError(_l("Only an application in an outcome-based call has an outcome "
                             "plan."))
    fees = {fee.id: fee for fee in application.call.fees}
    if not fees:
        raise DomainError(_l("The call has no fee table yet: there is nothing to plan."))
    unknown = [fee_id for fee_id in counts if fee_id not in fees]
    if unknown:
        raise DomainError(_l("The fee table of the call has changed: reload the page."))
    for fee_id, count in counts.items():
        if count is None or not 0 <= int(count) <= MAX_COUNT:
            raise DomainError(_l("Enter a whole number from 0 to %(max)s.", max=MAX_COUNT),
                              field=f"fee-{fee_id}")
    existing = {plan.fee_id: plan for plan in application.outcome_plans}
    before = counts_of(application)
    for fee_id, count in counts.items():
        plan = existing.get(fee_id)
        if plan is None:
            application.outcome_plans.append(OutcomePlan(fee_id=fee_id, count=int(count)))
        else:
            plan.count = int(count)
    budget = fee_budget(application.call.fees, {**before, **{k: int(v) for k, v in
                                                              counts.items()}})
    application.support_cents = budget.total_cents
    for name in OTHER_PLAN_FIELDS:
        setattr(application, f"{name}_cents", 0)
    _touch(user, application, now)
    after = counts_of(application)
    if after != before:
        audit.record("application.outcome_plan_saved", actor=user, obj=application,
                     organisation=application.organisation, fee_budget=budget.total_cents,
                     counts={str(k): v for k, v in sorted(after.items())})
    return budget


def problems(application: Application) -> list:
    """What stops an outcome-based application from being submitted: the call must have a
    fee table, and at least one outcome must be planned."""
    from app.applications.sections import Problem

    if not application.call.fees:
        return [Problem("section-outcomes", _l(
            "The call has no fee table yet, so no outcomes can be planned. Ask the call's "
            "contact person."), "outcomes")]
    if budget_of(application).outcomes < 1:
        return [Problem("section-outcomes", _l(
            "Plan at least one outcome in the outcome plan."), "outcomes")]
    return []


def snapshot(application: Application) -> dict:
    """The outcome plan as plain JSON values, for the application's revisions."""
    budget = budget_of(application)
    return {
        "rows": [{"fee_id": row.fee.id, "label": row.fee.label,
                  "outcome_type": str(row.fee.outcome_type), "min_months": row.fee.min_months,
                  "fee_cents": row.fee.fee_cents, "count": row.count,
                  "total_cents": row.total_cents,
                  "stages": [{"label": stage.get("label", ""), "percent": stage.get("percent"),
                              "amount_cents": amount}
                             for stage, amount in zip(row.fee.stage_list, row.stage_amounts,
                                                      strict=True)]}
                 for row in budget.rows],
        "total_cents": budget.total_cents,
    }
