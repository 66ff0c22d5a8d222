"""The public organisation directory: filters, sorting and pagination in SQL."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, select

from app.core.codelists import ORGANISATION_TYPES, REGIONS, TARGET_GROUPS
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

    @classmethod
    def from_args(cls, args) -> DirectoryFilter:
        sort = args.get("sort", "name")
        return cls(
            q=(args.get("q", "") or "")[:100].strip(),
            types=ORGANISATION_TYPES.clean(args.getlist("type")),
            regions=REGIONS.clean(args.getlist("region")),
            target_groups=TARGET_GROUPS.clean(args.getlist("target_group")),
            sort=sort if sort in SORTS else "name",
        )

    @property
    def active(self) -> bool:
        return bool(self.q or self.types or self.regions or self.target_groups)


def directory_query(flt: DirectoryFilter) -> Select:
    """Verified organisations matching the filter, sorted."""
    stmt = select(Organisation).where(Organisation.status == OrganisationStatus.verified)
    if flt.q:
        escaped = flt.q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(
            func.lower(Organisation.name).like(pattern, escape="\\")
            | func.lower(Organisation.expertise).like(pattern, escape="\\")
        )
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
