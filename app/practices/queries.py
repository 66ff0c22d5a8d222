"""Read-only queries for the service model pages: bounded, eager-loaded, paginated."""

from __future__ import annotations

from dataclasses import dataclass, field

from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import joinedload, selectinload

from app.core.codelists import LANGUAGES, REGIONS, TARGET_GROUPS
from app.core.fields import parse_int
from app.extensions import db
from app.organisations.models import ROLE_RANK, Membership, Organisation, OrganisationStatus, Role
from app.organisations.partnership import PartnerState
from app.practices.models import (
    Adoption,
    Practice,
    PracticePartner,
    PracticeState,
    PracticeVersion,
)

PER_PAGE = 20
ORG_PER_PAGE = 10
DASHBOARD_PER_PAGE = 20


def _published_title():
    return func.lower(PracticeVersion.content["title"].as_string())


SORTS = {
    "newest": (_l("Newest first"),
               lambda: (Practice.first_published_on.desc(), Practice.published_at.desc(),
                        Practice.id.desc())),
    "title": (_l("Title (A–Ö)"), lambda: (_published_title(), Practice.id)),
    "adopted": (_l("Most adopted"),
                lambda: (Practice.adoption_count.desc(), Practice.published_at.desc(),
                         Practice.id.desc())),
}


@dataclass
class ListFilter:
    """The public list's filters, read from the query string (junk is ignored)."""

    target_groups: list[str] = field(default_factory=list)
    regions: list[str] = field(default_factory=list)
    languages: list[str] = field(default_factory=list)
    organisation_id: int | None = None
    sort: str = "newest"

    @classmethod
    def from_args(cls, args) -> ListFilter:
        sort = args.get("sort", "newest")
        org = args.get("organisation", "")
        return cls(
            target_groups=TARGET_GROUPS.clean(args.getlist("target_group")),
            regions=REGIONS.clean(args.getlist("region")),
            languages=LANGUAGES.clean(args.getlist("language")),
            organisation_id=parse_int(org),
            sort=sort if sort in SORTS else "newest",
        )

    @property
    def active(self) -> bool:
        return bool(self.target_groups or self.regions or self.languages or self.organisation_id)


def _json_list_contains(column, codes: list[str]):
    """Any of `codes` in a JSON list (codes are code-list values: no quotes or wildcards
    other than `_`, which is escaped)."""
    text = column.as_string()
    clauses = [text.like('%"' + code.replace("_", "\\_") + '"%', escape="\\") for code in codes]
    return or_(*clauses)


def published_query(flt: ListFilter) -> Select:
    """Published models matching the filter, read from their current published version."""
    stmt = (
        select(Practice)
        .join(PracticeVersion, PracticeVersion.id == Practice.current_version_id)
        .where(Practice.state == PracticeState.published)
        .options(selectinload(Practice.current_version), selectinload(Practice.organisation))
    )
    if flt.target_groups:
        stmt = stmt.where(_json_list_contains(PracticeVersion.content["target_groups"],
                                              flt.target_groups))
    if flt.regions:
        stmt = stmt.where(_json_list_contains(PracticeVersion.content["regions"], flt.regions))
    if flt.languages:
        stmt = stmt.where(PracticeVersion.content["language"].as_string().in_(flt.languages))
    if flt.organisation_id:
        stmt = stmt.where(Practice.organisation_id == flt.organisation_id)
    return stmt.order_by(*SORTS[flt.sort][1]())


def practices_for_organisation(org: Organisation, include_unpublished: bool) -> Select:
    """The organisation's models, newest change first: all of them for its members, only the
    published ones for everyone else. Eager-loads what the list partial shows."""
    stmt = (
        select(Practice)
        .where(Practice.organisation_id == org.id)
        .options(selectinload(Practice.current_version))
        .order_by(Practice.updated_at.desc(), Practice.id.desc())
    )
    if not include_unpublished:
        stmt = stmt.where(Practice.state == PracticeState.published,
                          Practice.current_version_id.is_not(None))
    return stmt


def practices_for_organisations(org_ids: list[int]) -> Select:
    """Every model of the given organisations (drafts and archived ones too: for their
    members' dashboard), newest change first, with what the dashboard list shows. The
    organisations themselves are already in the session (the user's memberships)."""
    return (
        select(Practice)
        .where(Practice.organisation_id.in_(org_ids))
        .options(selectinload(Practice.current_version))
        .order_by(Practice.updated_at.desc(), Practice.id.desc())
    )


def load_practice(practice_id: int, *, full: bool = False) -> Practice | None:
    """One model with its organisation; `full` also loads everything the model page shows."""
    options = [joinedload(Practice.organisation)]
    if not full:
        # can_view_practice reads the partners of a model that is not published.
        options.append(selectinload(Practice.partners))
    else:
        options += [
            selectinload(Practice.current_version),
            selectinload(Practice.contact),
            selectinload(Practice.validated_by),
            selectinload(Practice.validated_by_organisation),
            selectinload(Practice.partners).selectinload(PracticePartner.organisation),
            selectinload(Practice.adoptions).selectinload(Adoption.organisation),
            selectinload(Practice.attachments),
        ]
    return db.session.scalar(select(Practice).where(Practice.id == practice_id).options(*options))


def versions_query(practice: Practice) -> Select:
    """The versions of a model, newest first, with their authors."""
    return (
        select(PracticeVersion)
        .where(PracticeVersion.practice_id == practice.id)
        .options(selectinload(PracticeVersion.created_by))
        .order_by(PracticeVersion.number.desc())
    )


def version_numbers(practice: Practice) -> list[int]:
    return list(db.session.scalars(
        select(PracticeVersion.number)
        .where(PracticeVersion.practice_id == practice.id)
        .order_by(PracticeVersion.number.desc())
    ))


def version(practice: Practice, number: int) -> PracticeVersion | None:
    return db.session.scalar(
        select(PracticeVersion)
        .options(selectinload(PracticeVersion.created_by))
        .where(PracticeVersion.practice_id == practice.id, PracticeVersion.number == number)
    )


def partner_candidates(practice: Practice, q: str = "", limit: int = 100) -> list[Organisation]:
    """Verified organisations that could be invited as partners (name search, bounded)."""
    taken = [practice.organisation_id, *(p.organisation_id for p in practice.partners)]
    stmt = (
        select(Organisation)
        .where(Organisation.status == OrganisationStatus.verified, Organisation.id.not_in(taken))
        .order_by(func.lower(Organisation.name), Organisation.id)
        .limit(limit)
    )
    q = (q or "").strip()[:100]
    if q:
        escaped = q.lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{escaped}%"
        stmt = stmt.where(func.lower(Organisation.name).like(pattern, escape="\\"))
    return list(db.session.scalars(stmt))


def organisation_members(organisation_id: int) -> list[Membership]:
    """The members of an organisation (for the contact person select), by name."""
    from app.auth.models import User

    return list(db.session.scalars(
        select(Membership)
        .join(User, User.id == Membership.user_id)
        .options(selectinload(Membership.user))
        .where(Membership.organisation_id == organisation_id, User.deleted_at.is_(None))
        .order_by(func.lower(User.name), User.id)
        .limit(500)
    ))


def pending_partner_invitations(user) -> list[PracticePartner]:
    """Unanswered partner invitations to organisations where the user is an editor or owner."""
    from app.organisations.services import memberships_by_organisation

    if not getattr(user, "is_authenticated", False):
        return []
    org_ids = [m.organisation_id for m in memberships_by_organisation(user).values()
               if ROLE_RANK[m.role] >= ROLE_RANK[Role.editor]]
    if not org_ids:
        return []
    return list(db.session.scalars(
        select(PracticePartner)
        .options(joinedload(PracticePartner.practice).joinedload(Practice.organisation),
                 joinedload(PracticePartner.practice).selectinload(Practice.current_version),
                 joinedload(PracticePartner.organisation))
        .where(PracticePartner.organisation_id.in_(org_ids),
               PracticePartner.state == PartnerState.invited)
        .order_by(PracticePartner.created_at, PracticePartner.id)
        .limit(50)
    ))
