"""The fee table of an outcome-based call: one row per outcome type (employment lasting at
least N months, business started, education or training started, other), its fee and the
stages it is paid in (e.g. 30 % when the employment starts, 70 % when it has lasted six
months). Plain functions: they check their actor, flush and write the audit log; the view
commits (app.core.unit_of_work).

The table is part of the call's terms: like the call's money fields (services.CALL_FIELDS),
it changes only before the call opens, because applicants plan their outcomes on it and
projects claim their fees from it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from flask_babel import lazy_gettext as _l

from app.auth.models import User
from app.calls.models import Call, CallPhase, CallState, OutcomeFee, OutcomeType
from app.calls.permissions import can_edit_call
from app.core import audit, clock
from app.core.changes import record_change
from app.core.domain import DomainError, NotAllowed
from app.core.money import MAX_CENTS, half_up_div
from app.extensions import db

MAX_FEES = 20
MAX_STAGES = 4
MAX_LABEL = 200
MAX_STAGE_LABEL = 120
MAX_MONTHS = 60

OUTCOME_TYPE_LABELS = {
    OutcomeType.employment: _l("Employment lasting at least a given number of months"),
    OutcomeType.business: _l("Business started"),
    OutcomeType.education: _l("Education or training started"),
    OutcomeType.other: _l("Other outcome"),
}


@dataclass
class StageInput:
    label: str
    percent: int | None


@dataclass
class FeeInput:
    """One row as the form sends it (already typed: cents, whole numbers)."""

    outcome_type: str
    label: str
    fee_cents: int | None
    min_months: int | None = None
    stages: list[StageInput] = field(default_factory=list)


def can_edit_fees(user, call: Call, now: datetime | None = None) -> bool:
    """The call's managers while the call is editable and has not opened yet (the table is
    one of its terms)."""
    return can_edit_call(user, call, now) and call.phase(now) in (CallPhase.draft,
                                                                  CallPhase.upcoming)


def stage_fee_cents(fee_cents: int, percent: int) -> int:
    """The fee of one stage, rounded half up to the cent (as app.projects.claims pays it)."""
    return half_up_div(int(fee_cents) * int(percent), 100)


# --- the fee budget of an outcome plan ---------------------------------------------------------
#
# One rounding, documented once: what has been paid after stage k is round_half_up(fee x
# (the percents of stages 1..k) / 100) to the cent, and a stage's amount is that minus what had
# been paid before it. So the first stage is round_half_up(fee x its percent / 100), no stage
# is ever negative, and the LAST stage takes what is left: the stages of one fee always sum to
# the fee exactly (30 % + 70 % of 1 000,01 € is 300,00 € + 700,01 €). A planned row costs
# count x fee (exact: no rounding), and its stages count x stage amount; the fee budget is the
# sum of the rows.


def stage_amounts(fee_cents: int, stages: list[dict] | None) -> list[int]:
    """The amount (cents) of each stage of one outcome's fee: [fee] for no stages."""
    fee = int(fee_cents)
    if not stages:
        return [fee]
    amounts, paid, percent = [], 0, 0
    for stage in stages[:-1]:
        percent += int(stage.get("percent") or 0)
        after = half_up_div(fee * percent, 100)
        amounts.append(after - paid)
        paid = after
    return [*amounts, fee - paid]


@dataclass(frozen=True)
class PlannedRow:
    """One fee-table row of an outcome plan: `count` outcomes of `fee`."""

    fee: OutcomeFee
    count: int
    stage_amounts: tuple[int, ...]  # per outcome, per stage

    @property
    def total_cents(self) -> int:
        return self.count * int(self.fee.fee_cents)

    @property
    def stage_totals(self) -> tuple[int, ...]:
        """Per stage: count x the stage's amount (they sum to total_cents)."""
        return tuple(self.count * amount for amount in self.stage_amounts)


@dataclass(frozen=True)
class FeeBudget:
    rows: tuple[PlannedRow, ...]

    @property
    def total_cents(self) -> int:
        return sum(row.total_cents for row in self.rows)

    @property
    def outcomes(self) -> int:
        return sum(row.count for row in self.rows)


def fee_budget(fees: list[OutcomeFee], counts: dict[int, int]) -> FeeBudget:
    """The fee budget of planning `counts` ({fee id: count}; missing rows count 0) on the
    fee table `fees`, row by row in the table's order."""
    return FeeBudget(tuple(
        PlannedRow(fee=fee, count=int(counts.get(fee.id, 0) or 0),
                   stage_amounts=tuple(stage_amounts(fee.fee_cents, fee.stages)))
        for fee in fees))


def _require_editable(actor: User, call: Call, now: datetime) -> None:
    if not can_edit_call(actor, call, now):
        if call.phase(now) == CallPhase.closed:
            raise DomainError(_l("A closed call cannot be changed."))
        raise NotAllowed(_l("Only the call managers of the funding authority change its calls."))
    if not can_edit_fees(actor, call, now):
        raise DomainError(_l("The fee table is frozen: the call has opened, and applicants "
                             "rely on its terms."))


def _clean(values: FeeInput) -> dict:
    """The row's columns from `values`, or a DomainError on the field that is wrong."""
    kind = values.outcome_type
    if kind not in OutcomeType.__members__:
        raise DomainError(_l("Choose the type of outcome."), field="outcome_type")
    kind = OutcomeType(kind)
    label = " ".join((values.label or "").split())
    if not label:
        raise DomainError(_l("Name the outcome, e.g. “Employment lasting at least six "
                             "months”."), field="label")
    if len(label) > MAX_LABEL:
        raise DomainError(_l("Use at most %(n)s characters.", n=MAX_LABEL), field="label")
    months = values.min_months
    if kind == OutcomeType.employment:
        if months is None or not 1 <= months <= MAX_MONTHS:
            raise DomainError(_l("Enter how many months the employment must last, from 1 to "
                                 "%(max)s.", max=MAX_MONTHS), field="min_months")
    else:
        months = None  # only employment has a duration
    fee = values.fee_cents
    if fee is None or fee <= 0:
        raise DomainError(_l("Enter the fee per outcome."), field="fee_cents")
    if fee > MAX_CENTS:
        raise DomainError(_l("The fee is too large."), field="fee_cents")
    return {"outcome_type": kind, "label": label, "min_months": months, "fee_cents": fee,
            "stages": _clean_stages(values.stages)}


def _clean_stages(stages: list[StageInput]) -> list[dict]:
    """[] (the whole fee at once) or 1-4 stages with whole percents summing to exactly 100."""
    stages = [s for s in stages or [] if (s.label or "").strip() or s.percent is not None]
    if not stages:
        return []
    if len(stages) > MAX_STAGES:
        raise DomainError(_l("A fee is paid in at most %(max)s stages (there are %(n)s).",
                             max=MAX_STAGES, n=len(stages)), field="stages")
    clean = []
    for number, stage in enumerate(stages, start=1):
        label = " ".join((stage.label or "").split())
        if not label:
            raise DomainError(_l("Stage %(n)s: say when it is paid, e.g. “Employment starts”.",
                                 n=number), field="stages")
        if len(label) > MAX_STAGE_LABEL:
            raise DomainError(_l("Stage %(n)s: use at most %(max)s characters.", n=number,
                                 max=MAX_STAGE_LABEL), field="stages")
        if stage.percent is None or not 1 <= stage.percent <= 100:
            raise DomainError(_l("Stage %(n)s: the percent is a whole number from 1 to 100.",
                                 n=number), field="stages")
        clean.append({"label": label, "percent": int(stage.percent)})
    total = sum(stage["percent"] for stage in clean)
    if total < 100:
        raise DomainError(_l("The stages sum to %(sum)s %%: %(difference)s %% short of "
                             "100 %%.", sum=total, difference=100 - total), field="stages")
    if total > 100:
        raise DomainError(_l("The stages sum to %(sum)s %%: %(difference)s %% more than "
                             "100 %%.", sum=total, difference=total - 100), field="stages")
    return clean


def _changed(call: Call, now: datetime) -> None:
    call.updated_at = now
    if call.state == CallState.published:
        record_change("call", call.id)


def add_fee(actor: User, call: Call, values: FeeInput, now: datetime | None = None) -> OutcomeFee:
    """Add a row at the end of the call's fee table."""
    now = clock.resolve(now)
    _require_editable(actor, call, now)
    if len(call.fees) >= MAX_FEES:
        raise DomainError(_l("A fee table has at most %(n)s rows.", n=MAX_FEES))
    fee = OutcomeFee(position=max((f.position for f in call.fees), default=0) + 1,
                     **_clean(values))
    call.fees.append(fee)
    _changed(call, now)
    db.session.flush()
    audit.record("call.fee_added", actor=actor, obj=call, organisation=call.organisation,
                 fee=fee.id, outcome_type=str(fee.outcome_type), fee_cents=fee.fee_cents,
                 stages=[s["percent"] for s in fee.stages] or None)
    return fee


def update_fee(actor: User, fee: OutcomeFee, values: FeeInput,
               now: datetime | None = None) -> bool:
    """Change one row; True when anything changed."""
    now = clock.resolve(now)
    call = fee.call
    _require_editable(actor, call, now)
    clean = _clean(values)
    changed = sorted(name for name, value in clean.items() if getattr(fee, name) != value)
    if not changed:
        return False
    before = {"fee_cents": fee.fee_cents, "stages": [s["percent"] for s in fee.stages]}
    for name in changed:
        setattr(fee, name, clean[name])
    _changed(call, now)
    db.session.flush()
    audit.record("call.fee_changed", actor=actor, obj=call, organisation=call.organisation,
                 fee=fee.id, fields=changed, before=before)
    return True


def delete_fee(actor: User, fee: OutcomeFee, now: datetime | None = None) -> None:
    """Remove one row."""
    now = clock.resolve(now)
    call = fee.call
    _require_editable(actor, call, now)
    details = {"fee": fee.id, "outcome_type": str(fee.outcome_type), "label": fee.label,
               "fee_cents": fee.fee_cents}
    call.fees.remove(fee)
    _changed(call, now)
    db.session.flush()
    audit.record("call.fee_removed", actor=actor, obj=call, organisation=call.organisation,
                 **details)
