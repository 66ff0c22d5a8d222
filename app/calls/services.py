"""Calls and their selection criteria. Plain functions: they flush; the view commits.

Applications are in applications.py.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, select

from app.auth.models import User
from app.calls.models import (
    LANGS,
    MAX_ADVANCE_PERCENT,
    Call,
    CallPhase,
    CallState,
    Criterion,
    CriterionKind,
    Filing,
    FundingModel,
)
from app.calls.permissions import can_manage_call, is_call_manager_of
from app.core import audit, clock
from app.core.changes import record_change
from app.core.codelists import ORGANISATION_TYPES, REGIONS, TARGET_GROUPS
from app.core.domain import DomainError, NotAllowed
from app.core.money import MAX_CENTS
from app.extensions import db
from app.organisations.models import Organisation

TEXT_FIELDS = tuple(f"{name}_{lang}" for name in ("title", "description") for lang in LANGS)
CALL_FIELDS = (
    *TEXT_FIELDS, "theme", "opens_at", "closes_at", "total_budget_cents", "max_support_percent",
    "eligible_types", "funding_model", "outcome_fee_cents", "min_employment_months",
    "report_interval_months", "final_report", "advance_percent", "regions",
    "support_percent_by_type", "contact_name", "contact_email", "contact_phone", "filing",
    "voucher_value_cents", "service_months", "voucher_target_groups",
)
CONTACT_FIELDS = ("contact_name", "contact_email", "contact_phone")
# Once a call is open, applicants rely on its terms: only these may still change (the contact
# person may change hands).
OPEN_CALL_FIELDS = (*TEXT_FIELDS, "closes_at", *CONTACT_FIELDS)
MAX_SERVICE_MONTHS = 24
_PHONE = re.compile(r"\+?[0-9 ()\-]{5,40}")
MAX_CRITERIA = 40


def editable_fields(call: Call, now: datetime | None = None) -> tuple[str, ...]:
    """The call fields that may change in its current phase."""
    phase = call.phase(now)
    if phase == CallPhase.closed:
        return ()
    if phase == CallPhase.open:
        return OPEN_CALL_FIELDS
    return CALL_FIELDS


def territory_refusal(call: Call, organisation: Organisation):
    """Why the call's territory keeps `organisation` out (a message naming the call's
    regions), or None: the rule of permissions.region_allows, in words."""
    from app.calls.permissions import region_allows

    if region_allows(call, organisation):
        return None
    return _l("This call is only for organisations in %(regions)s; %(org)s is not in any of "
              "them.", regions=", ".join(REGIONS.label(code) for code in call.regions),
              org=organisation.name)


def _require_manager_org(organisation: Organisation) -> None:
    if not (organisation.is_funding_authority and organisation.is_verified):
        raise DomainError(_l("Only a verified funding authority runs calls."))


def _require_manager(user: User, call: Call) -> None:
    """The service's own check of its actor, with the predicate the views use."""
    if not can_manage_call(user, call):
        raise NotAllowed(_l("Only the call managers of the funding authority change its calls."))


def _clean(data: dict) -> dict:
    clean = {}
    for name, value in data.items():
        if name not in CALL_FIELDS:
            continue
        if name in TEXT_FIELDS or name == "theme":
            value = (value or "").replace("\r\n", "\n").strip()
        elif name in CONTACT_FIELDS:
            value = " ".join((value or "").split())
        elif name == "eligible_types":
            value = ORGANISATION_TYPES.clean(value or [])
        elif name == "regions":
            value = REGIONS.clean(value or [])
        elif name == "voucher_target_groups":
            value = TARGET_GROUPS.clean(value or [])
        elif name == "support_percent_by_type":
            value = {code: share for code, share in (value or {}).items()
                     if code in ORGANISATION_TYPES and share is not None}
        elif name == "filing":
            value = Filing(value) if value in Filing.__members__ else Filing.platform
        elif name == "funding_model":
            value = FundingModel(value) if value in FundingModel.__members__ else FundingModel.grant
        elif name == "final_report":
            value = bool(value)
        elif name in ("total_budget_cents", "advance_percent"):
            value = value or 0
        clean[name] = value
    return clean


def _check(call: Call, now: datetime) -> None:
    """Rules that must hold whenever the call is saved."""
    if call.total_budget_cents is not None and not 0 <= call.total_budget_cents <= MAX_CENTS:
        raise DomainError(_l("Enter the support to be granted in the call, between 0 and "
                             "999 999 999,99 €."),
                          field="total_budget_cents")
    if not 1 <= (call.max_support_percent or 0) <= 100:
        raise DomainError(_l("The maximum support share is a whole percentage from 1 to 100."),
                          field="max_support_percent")
    if not 1 <= (call.report_interval_months or 0) <= 36:
        raise DomainError(_l("Reports are due every 1 to 36 months."),
                          field="report_interval_months")
    if not 0 <= (call.advance_percent or 0) <= MAX_ADVANCE_PERCENT:
        raise DomainError(_l("The advance is a whole percentage of the support from 0 to "
                             "%(max)s.", max=MAX_ADVANCE_PERCENT), field="advance_percent")
    if call.opens_at and call.closes_at and call.closes_at <= call.opens_at:
        raise DomainError(_l("The call must close after it opens."), field="closes_at")
    _check_terms(call)
    if call.state == CallState.published:
        if call.closes_at is None or call.closes_at <= now:
            raise DomainError(_l("The closing time of a published call must be in the future."),
                              field="closes_at")


def _check_terms(call: Call) -> None:
    """Per-type support shares, the contact person and the voucher terms."""
    for code, share in (call.support_percent_by_type or {}).items():
        if not isinstance(share, int) or not 1 <= share <= 100:
            raise DomainError(_l("The maximum support share of %(type)s must be a whole "
                                 "percentage from 1 to 100.",
                                 type=ORGANISATION_TYPES.label(code)),
                              field="support_percent_by_type")
    if call.contact_email:
        from email_validator import EmailNotValidError, validate_email

        try:
            validate_email(call.contact_email, check_deliverability=False)
        except EmailNotValidError:
            raise DomainError(_l("Enter a valid e-mail address, like name@example.fi."),
                              field="contact_email") from None
    if call.contact_phone and not _PHONE.fullmatch(call.contact_phone):
        raise DomainError(_l("Enter the phone number with digits, for example +358 29 502 0000."),
                          field="contact_phone")
    if call.service_months is not None and not 1 <= call.service_months <= MAX_SERVICE_MONTHS:
        raise DomainError(_l("The service lasts from 1 to %(max)s months.",
                             max=MAX_SERVICE_MONTHS), field="service_months")
    if call.voucher_value_cents is not None and not 0 < call.voucher_value_cents <= MAX_CENTS:
        raise DomainError(_l("Enter the value of one voucher, more than 0 €."),
                          field="voucher_value_cents")


def create_call(user: User, organisation: Organisation, data: dict,
                now: datetime | None = None) -> Call:
    """A new draft call run by `organisation`."""
    _require_manager_org(organisation)
    if not is_call_manager_of(user, organisation):
        raise NotAllowed(_l("Only the call managers of the funding authority create its calls."))
    now = clock.resolve(now)
    call = Call(organisation=organisation, created_by_id=user.id, created_at=now, updated_at=now,
                authority_name=organisation.name)  # the name kept if it is renamed
    for name, value in _clean(data).items():
        setattr(call, name, value)
    if not any(getattr(call, f"title_{lang}") for lang in LANGS):
        raise DomainError(_l("Give the call a title."), field="title_fi")
    _check(call, now)
    db.session.add(call)
    db.session.flush()
    audit.record("call.created", actor=user, obj=call, organisation=organisation)
    return call


def update_call(user: User, call: Call, data: dict, now: datetime | None = None) -> bool:
    """Save changes; a field frozen in this phase may not change. True when anything changed."""
    _require_manager(user, call)
    now = clock.resolve(now)
    allowed = editable_fields(call, now)
    if not allowed:
        raise DomainError(_l("A closed call cannot be changed."))
    changed = []
    for name, value in _clean(data).items():
        if getattr(call, name) == value:
            continue
        if name not in allowed:
            raise DomainError(_l("This can no longer be changed: the call is already open."),
                              field=name)
        setattr(call, name, value)
        changed.append(name)
    if not any(getattr(call, f"title_{lang}") for lang in LANGS):
        raise DomainError(_l("Give the call a title."), field="title_fi")
    if call.state == CallState.published and (call.opens_at is None or call.closes_at is None):
        raise DomainError(_l("A published call needs its opening and closing time."),
                          field="closes_at" if call.closes_at is None else "opens_at")
    if "closes_at" in changed and call.phase(now) != CallPhase.draft and call.closes_at <= now:
        raise DomainError(_l("The closing time of a published call must be in the future."),
                          field="closes_at")
    _check(call, now)
    if changed:
        call.updated_at = now
        if call.state == CallState.published:
            record_change("call", call.id)
        audit.record("call.updated", actor=user, obj=call, organisation=call.organisation,
                     fields=changed)
        db.session.flush()
    return bool(changed)


@dataclass(frozen=True)
class Missing:
    field: str
    message: object


def publish_checklist(call: Call, now: datetime | None = None) -> list[Missing]:
    """What must be in order before the call can be published (empty when ready)."""
    now = clock.resolve(now)
    missing = []
    if not call.title_fi:
        missing.append(Missing("title_fi", _l("A title in Finnish")))
    if not call.description_fi:
        missing.append(Missing("description_fi", _l("A description in Finnish")))
    if not call.theme:
        missing.append(Missing("theme", _l("The theme")))
    if call.opens_at is None:
        missing.append(Missing("opens_at", _l("The opening time")))
    if call.closes_at is None:
        missing.append(Missing("closes_at", _l("The closing time")))
    elif call.closes_at <= now:
        missing.append(Missing("closes_at", _l("A closing time in the future")))
    if not call.total_budget_cents:
        missing.append(Missing("total_budget_cents", _l("The support to be granted in the call")))
    if not call.eligible_types:
        missing.append(Missing("eligible_types", _l("At least one eligible organisation type")))
    if call.funding_model == FundingModel.outcome_based:
        if not call.outcome_fee_cents:
            missing.append(Missing("outcome_fee_cents", _l("The fee per outcome")))
        if not call.min_employment_months:
            missing.append(Missing("min_employment_months",
                                   _l("The minimum duration of employment")))
    if call.funding_model == FundingModel.service_voucher:
        if not call.voucher_value_cents:
            missing.append(Missing("voucher_value_cents", _l("The value of a voucher")))
        if not call.service_months:
            missing.append(Missing("service_months", _l("The length of the service")))
        if not call.voucher_target_groups:
            missing.append(Missing("voucher_target_groups",
                                   _l("The target groups of the vouchers")))
    if not call.scored_criteria:
        missing.append(Missing("criteria", _l("At least one scored selection criterion")))
    elif call.weight_total != 100:
        missing.append(Missing("criteria", _l(
            "Weights of the scored criteria that sum to exactly 100 %% (now %(total)s %%)",
            total=call.weight_total)))
    if not call.organisation.is_verified:
        missing.append(Missing("organisation", _l("A verified funding authority")))
    return missing


def publish_call(user: User, call: Call, now: datetime | None = None) -> None:
    """Make a draft public; from then on the clock decides when it is open."""
    _require_manager(user, call)
    now = clock.resolve(now)
    if call.state != CallState.draft:
        raise DomainError(_l("The call has already been published."))
    missing = publish_checklist(call, now)
    if missing:
        raise DomainError(_l("The call is not ready to publish: %(items)s.",
                             items=", ".join(str(m.message) for m in missing)))
    call.state = CallState.published
    call.authority_name = call.organisation.name  # its name when the call went public
    call.published_at = now
    call.updated_at = now
    db.session.flush()
    record_change("call", call.id)
    audit.record("call.published", actor=user, obj=call, organisation=call.organisation)


# --- criteria --------------------------------------------------------------------------------


def _require_criteria_editable(call: Call, now: datetime) -> None:
    if call.has_opened(now):
        raise DomainError(_l("The selection criteria are frozen: the call has opened."))


def _check_weights(call: Call) -> None:
    for criterion in call.criteria:
        if criterion.is_scored and not 1 <= criterion.weight <= 100:
            raise DomainError(_l("A scored criterion has a weight from 1 to 100."),
                              field="weight")
        if not criterion.is_scored and criterion.weight != 0:
            criterion.weight = 0
    # A published call must always be ready to open: its weights stay at exactly 100 %.
    if call.state == CallState.published and call.weight_total != 100:
        raise DomainError(_l("The weights of the scored criteria must sum to exactly 100 %% "
                             "(they would sum to %(total)s %%). Change the weights together "
                             "with the weights form.", total=call.weight_total), field="weight")
    if call.state == CallState.published and not call.scored_criteria:
        raise DomainError(_l("A published call needs at least one scored criterion."))


def _apply_criterion(criterion: Criterion, data: dict) -> None:
    kind = data.get("kind", criterion.kind)
    if kind not in CriterionKind.__members__:
        raise DomainError(_l("Choose the kind of criterion."), field="kind")
    criterion.kind = CriterionKind(kind)
    title = (data.get("title", criterion.title) or "").strip()
    if not title:
        raise DomainError(_l("Give the criterion a title."), field="title")
    criterion.title = title
    guidance = data.get("guidance", criterion.guidance) or ""
    criterion.guidance = guidance.replace("\r\n", "\n").strip()
    weight = data.get("weight", criterion.weight)
    criterion.weight = int(weight or 0) if criterion.is_scored else 0


def add_criterion(user: User, call: Call, data: dict, now: datetime | None = None) -> Criterion:
    """Add a criterion at the end of the list."""
    _require_manager(user, call)
    _require_criteria_editable(call, clock.resolve(now))
    if len(call.criteria) >= MAX_CRITERIA:
        raise DomainError(_l("A call can have at most %(n)s criteria.", n=MAX_CRITERIA))
    criterion = Criterion(position=max((c.position for c in call.criteria), default=0) + 1)
    _apply_criterion(criterion, data)
    call.criteria.append(criterion)
    try:
        _check_weights(call)
    except DomainError:
        call.criteria.remove(criterion)
        raise
    db.session.flush()
    audit.record("call.criterion_added", actor=user, obj=call, organisation=call.organisation,
                 criterion=criterion.id)
    return criterion


def update_criterion(user: User, criterion: Criterion, data: dict,
                     now: datetime | None = None) -> None:
    """Change one criterion (while the criteria are not frozen)."""
    call = criterion.call
    _require_manager(user, call)
    _require_criteria_editable(call, clock.resolve(now))
    before = {name: getattr(criterion, name) for name in ("kind", "title", "guidance", "weight")}
    try:
        _apply_criterion(criterion, data)
        _check_weights(call)
    except DomainError:
        for name, value in before.items():  # a refused change leaves the criterion as it was
            setattr(criterion, name, value)
        raise
    db.session.flush()
    audit.record("call.criterion_changed", actor=user, obj=call, organisation=call.organisation,
                 criterion=criterion.id)


def delete_criterion(user: User, criterion: Criterion, now: datetime | None = None) -> None:
    """Remove one criterion (while the criteria are not frozen)."""
    call = criterion.call
    _require_manager(user, call)
    _require_criteria_editable(call, clock.resolve(now))
    index = call.criteria.index(criterion)
    call.criteria.remove(criterion)
    try:
        _check_weights(call)
    except DomainError:
        call.criteria.insert(index, criterion)
        raise
    db.session.flush()
    audit.record("call.criterion_removed", actor=user, obj=call, organisation=call.organisation,
                 criterion=criterion.id)


def set_weights(user: User, call: Call, weights: dict[int, int],
                now: datetime | None = None) -> None:
    """Set the weights of several scored criteria at once (they must then sum to 100 %)."""
    _require_manager(user, call)
    _require_criteria_editable(call, clock.resolve(now))
    by_id = {c.id: c for c in call.criteria}
    before = {c.id: c.weight for c in call.criteria}
    for criterion_id, weight in weights.items():
        criterion = by_id.get(criterion_id)
        if criterion is not None and criterion.is_scored:
            criterion.weight = int(weight)
    try:
        if call.weight_total != 100:
            raise DomainError(_l("The weights of the scored criteria must sum to exactly 100 %% "
                                 "(they sum to %(total)s %%).", total=call.weight_total),
                              field="weight")
        _check_weights(call)
    except DomainError:
        for criterion in call.criteria:
            criterion.weight = before[criterion.id]
        raise
    db.session.flush()
    audit.record("call.weights_changed", actor=user, obj=call, organisation=call.organisation)


# --- lists -----------------------------------------------------------------------------------


def public_calls(phase: CallPhase, now: datetime | None = None) -> Select:
    """Published calls in one phase: open and upcoming by the nearest date, closed newest first."""
    now = clock.resolve(now)
    stmt = select(Call).where(Call.state == CallState.published)
    if phase == CallPhase.open:
        return stmt.where(Call.opens_at <= now, Call.closes_at > now).order_by(
            Call.closes_at, Call.id)
    if phase == CallPhase.upcoming:
        return stmt.where(Call.opens_at > now).order_by(Call.opens_at, Call.id)
    return stmt.where(Call.closes_at <= now).order_by(Call.closes_at.desc(), Call.id.desc())


def managed_calls(organisations: list[Organisation]) -> Select:
    """Every call (drafts too) of the given ELY-centres, newest first."""
    ids = [o.id for o in organisations]
    return select(Call).where(Call.organisation_id.in_(ids)).order_by(
        Call.created_at.desc(), Call.id.desc())


def unpublish_call(user: User, call: Call, now: datetime | None = None) -> None:
    """Take a call that has not opened yet back to draft (e.g. to add a scored criterion)."""
    _require_manager(user, call)
    now = clock.resolve(now)
    if call.phase(now) != CallPhase.upcoming:
        raise DomainError(_l("Only a published call that has not opened yet can be returned "
                             "to draft."))
    call.state = CallState.draft
    call.updated_at = now
    db.session.flush()
    record_change("call", call.id, "delete")
    audit.record("call.unpublished", actor=user, obj=call, organisation=call.organisation)
