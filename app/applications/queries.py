"""Read-side queries for application lists, scoped to the user's organisations, with what the
templates touch loaded eagerly so that a page runs a fixed number of statements."""

from __future__ import annotations

from sqlalchemy import Select, case, exists, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.applications import states
from app.applications.models import Application, ApplicationPartner, ApplicationState
from app.calls.models import Call
from app.organisations.models import Organisation
from app.organisations.partnership import PartnerState

S = ApplicationState
# The order in which an applicant wants to see their applications: what needs them first.
STATE_ORDER = (S.more_info_requested, S.draft, S.submitted, S.supplemented, S.in_review,
               S.approved, S.rejected)
# What the call managers see (never drafts), from the states table.
MANAGER_STATES = states.MANAGER_STATES


def _state_rank():
    return case({state.value: rank for rank, state in enumerate(STATE_ORDER)},
                value=Application.state, else_=len(STATE_ORDER))


def _list_options():
    return (
        joinedload(Application.call).joinedload(Call.organisation),
        joinedload(Application.organisation),
        selectinload(Application.staff_lines),
        selectinload(Application.partners).joinedload(ApplicationPartner.organisation),
    )


def my_applications(organisation_ids: list[int]) -> Select:
    """Applications led by the organisations, or to which they are invited or partners."""
    partner = exists().where(
        ApplicationPartner.application_id == Application.id,
        ApplicationPartner.organisation_id.in_(organisation_ids),
        ApplicationPartner.state.in_([PartnerState.invited, PartnerState.accepted]),
    )
    return (
        select(Application)
        .options(*_list_options())
        .where(or_(Application.organisation_id.in_(organisation_ids), partner))
        .order_by(_state_rank(), Application.updated_at.desc(), Application.id.desc())
    )


def call_applications(call: Call, state: str | None = None, org_type: str | None = None) -> Select:
    """A call's applications for its call managers: never drafts (not submitted, or withdrawn)."""
    stmt = (
        select(Application)
        .options(*_list_options())
        .where(Application.call_id == call.id, Application.state.in_(MANAGER_STATES))
    )
    if state:
        stmt = stmt.where(Application.state == state)
    if org_type:
        stmt = stmt.join(Organisation, Organisation.id == Application.organisation_id).where(
            Organisation.type == org_type)
    return stmt.order_by(Application.first_submitted_at, Application.id)
