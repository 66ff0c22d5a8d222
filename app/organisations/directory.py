"""The public organisation directory: filters, sorting and pagination in SQL.

Ceased organisations (valid_to passed) are listed by default and marked "Ceased": someone
who looks one up by its name finds it and the page that says where its tasks moved. A
partner search ticks "Hide ceased organisations" (`active=1`) to see only those working today.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select

from app.core import clock
from app.core.codelists import ORGANISATION_TYPES, REGIONS, TARGET_GROUPS
from app.core.db import contains_folded
from app.organisations.models import (
    Organisation,
    OrganisationRegion,
    OrganisationStatus,
    OrganisationTargetGroup,
)

SORTS = {
    "name": (_l("Name (A–Ö)"), (func.lower(Organisation.name), Organisation.id)),
    "-name": (_l("Name (Ö–A)"), (func.lower(Organisation.name).desc(), Organisation.id.desc())),
    "newest": (_l("Newest first"), (Organisation.verified_at.desc(), Organisation.id.desc())),
}


@dataclass
class DirectoryFilter:
    q: str = ""
    types: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    target_groups: list[str] = field(default_factory=list)
    sort: str = "name"
    hide_ceased: bool = False

    @classmethod
    def from_args(cls, args) -> DirectoryFilter:
        sort = args.get("sort", "name")
        return cls(
            q=(args.get("q", "") or "")[:100].strip(),
            types=ORGANISATION_TYPES.clean(args.getlist("type")),
            regions=REGIONS.clean(args.getlist("region")),
            target_groups=TARGET_GROUPS.clean(args.getlist("target_group")),
            sort=sort if sort in SORTS else "name",
            hide_ceased=args.get("active", "") in ("1", "y", "on"),
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.types or self.regions or self.target_groups
                    or self.hide_ceased)


def directory_query(flt: DirectoryFilter, today: date | None = None) -> Select:
    """Verified organisations matching the filter, sorted."""
    stmt = select(Organisation).where(Organisation.status == OrganisationStatus.verified)
    if flt.hide_ceased:
        today = today or clock.local_date()
        stmt = stmt.where(or_(Organisation.valid_to.is_(None), Organisation.valid_to >= today))
    if flt.q:
        stmt = stmt.where(contains_folded(Organisation.name, flt.q)
                          | contains_folded(Organisation.expertise, flt.q))
    if flt.types:
        stmt = stmt.where(Organisation.type.in_(flt.types))
    if flt.regions:
        stmt = stmt.where(
            Organisation.id.in_(
                select(OrganisationRegion.organisation_id).where(OrganisationRegion.code.in_(flt.regions))
            )
        )
    if flt.target_groups:
        stmt = stmt.where(
            Organisation.id.in_(
                select(OrganisationTargetGroup.organisation_id).where(
                    OrganisationTargetGroup.code.in_(flt.target_groups)
                )
            )
        )
    return stmt.order_by(*SORTS[flt.sort][1])
