"""The API's database reads: public objects only, eager-loaded so that a page runs the same
number of statements whatever its length."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Select, func, select
from sqlalchemy.orm import joinedload, selectinload

from app.applications.models import (
    Application,
    ApplicationPartner,
    ApplicationPractice,
    ApplicationState,
)
from app.calls.models import Call, CallPhase, CallState
from app.core import clock
from app.extensions import db
from app.organisations.models import Organisation, OrganisationRegion, OrganisationStatus
from app.practices.models import (
    Adoption,
    Practice,
    PracticePartner,
    PracticeState,
    PracticeVersion,
)


def _published_practice():
    return (Practice.state == PracticeState.published) & Practice.current_version_id.is_not(None)


def _contains(column, text: str):
    """Case-insensitive substring match, with LIKE's wildcards taken literally."""
    escaped = text.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return func.lower(column).like(f"%{escaped}%", escape="\\")


# --- service models ---------------------------------------------------------------------------


def practice_extras(ids: list[int]) -> dict[int, dict]:
    """What the search index does not hold, for one page of hits in one query: the import
    id, the slug (for the page's URL) and the summary of the current published version."""
    if not ids:
        return {}
    rows = db.session.execute(
        select(Practice.id, Practice.external_id, Practice.slug,
               PracticeVersion.content["summary"].as_string())
        .join(PracticeVersion, PracticeVersion.id == Practice.current_version_id)
        .where(Practice.id.in_(ids), _published_practice())
    )
    return {pid: {"external_id": external_id, "slug": slug, "summary": summary or ""}
            for pid, external_id, slug, summary in rows}


def published_practice(practice_id: int) -> Practice | None:
    """A published model with everything its API detail shows; None for drafts, archived
    models and ids that do not exist."""
    return db.session.scalar(
        select(Practice)
        .where(Practice.id == practice_id, _published_practice())
        .options(
            joinedload(Practice.organisation),
            selectinload(Practice.current_version),
            selectinload(Practice.validated_by_organisation),
            selectinload(Practice.partners).selectinload(PracticePartner.organisation),
            selectinload(Practice.attachments),
            selectinload(Practice.adoptions).selectinload(Adoption.organisation),
        )
    )


# --- organisations --------------------------------------------------------------------------


def verified_organisations(q: str = "", types: list[str] | None = None,
                           regions: list[str] | None = None) -> Select:
    """Verified organisations, by name; `q` is a part of the name."""
    stmt = select(Organisation).where(Organisation.status == OrganisationStatus.verified)
    if q:
        stmt = stmt.where(_contains(Organisation.name, q))
    if types:
        stmt = stmt.where(Organisation.type.in_(types))
    if regions:
        stmt = stmt.where(Organisation.id.in_(
            select(OrganisationRegion.organisation_id).where(OrganisationRegion.code.in_(regions))
        ))
    return stmt.order_by(func.lower(Organisation.name), Organisation.id)


def verified_organisation(organisation_id: int) -> Organisation | None:
    return db.session.scalar(
        select(Organisation).where(Organisation.id == organisation_id,
                                   Organisation.status == OrganisationStatus.verified))


# --- calls ------------------------------------------------------------------------------------


def _public_call():
    # A published call always has both dates; one without them would be in no phase.
    return ((Call.state == CallState.published) & Call.opens_at.is_not(None)
            & Call.closes_at.is_not(None))


def published_calls(phase: str | None = None, now: datetime | None = None) -> Select:
    """Published calls, all of them or those in one phase by the clock: open and upcoming
    by the nearest date, closed and all newest first."""
    now = clock.resolve(now)
    stmt = (select(Call).where(_public_call())
            .options(selectinload(Call.organisation), selectinload(Call.criteria)))
    if phase == CallPhase.open:
        return stmt.where(Call.opens_at <= now, Call.closes_at > now).order_by(
            Call.closes_at, Call.id)
    if phase == CallPhase.upcoming:
        return stmt.where(Call.opens_at > now).order_by(Call.opens_at, Call.id)
    if phase == CallPhase.closed:
        return stmt.where(Call.closes_at <= now).order_by(Call.closes_at.desc(), Call.id.desc())
    return stmt.order_by(Call.opens_at.desc(), Call.id.desc())


def published_call(call_id: int) -> Call | None:
    return db.session.scalar(
        select(Call).where(Call.id == call_id, _public_call())
        .options(selectinload(Call.organisation), selectinload(Call.criteria)))


# --- projects ---------------------------------------------------------------------------------


def _project_options():
    return (
        selectinload(Application.organisation),
        selectinload(Application.call),
        selectinload(Application.partners).selectinload(ApplicationPartner.organisation),
        selectinload(Application.practice_links).selectinload(ApplicationPractice.practice)
        .selectinload(Practice.current_version),
    )


def projects() -> Select:
    """Approved applications, the most recently approved first."""
    return (
        select(Application)
        .where(Application.state == ApplicationState.approved)
        .options(*_project_options())
        .order_by(Application.decided_at.desc(), Application.id.desc())
    )


def project(project_id: int) -> Application | None:
    """An approved application; None for every other state and for ids that do not exist."""
    return db.session.scalar(
        select(Application)
        .where(Application.id == project_id, Application.state == ApplicationState.approved)
        .options(*_project_options()))


def paginate(stmt: Select, page: int, per_page: int):
    """One page of `stmt` and the total (two statements plus the eager loads)."""
    return db.paginate(stmt, page=page, per_page=per_page, max_per_page=per_page,
                       error_out=False)
