"""Turn the declarative demo data (data.py) into rows, idempotently.

Each step looks up what already exists (people by e-mail, organisations by Business ID) and
only adds what is missing; it never changes or deletes existing rows, so a database where
someone has been clicking around keeps their changes. No mail is sent: rows are created
directly rather than through the services that would mail someone, and the one step that does
use such services (reviews and decisions) takes its mail back out of the outbox.

Service models (practices_data.py) are written through the practice services, which mail
nobody, so that they get versions, audit entries and search change rows like real ones; their
partners and adoptions are created as rows.

To extend the demo (calls, ...), add the data to data.py, write a step
`seed_things(session, ctx) -> int` here and append it to STEPS.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from functools import cached_property

from flask import current_app
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.auth.models import User
from app.auth.passwords import hash_password
from app.calls.models import Call
from app.core import audit
from app.core.changes import record_unrecorded
from app.core.db import utcnow
from app.demo import (
    announcements_data,
    authorities_data,
    calls_data,
    data,
    group_data,
    practices_data,
    projects_data,
    reviews_data,
    voucher_data,
)
from app.demo.event_registrations_data import seed_event_registrations
from app.demo.events_data import seed_events
from app.demo.follows_data import seed_follows
from app.demo.partner_calls_data import seed_partner_calls
from app.demo.partners_finder_data import seed_partner_finder
from app.demo.questions_data import seed_questions
from app.organisations.models import (
    Invitation,
    JoinRequest,
    Membership,
    Organisation,
    OrganisationStatus,
    Role,
)
from app.organisations.partnership import PartnerState
from app.organisations.services import forget_memberships
from app.practices import community, services
from app.practices.models import Adoption, Practice, PracticePartner


@dataclass
class SeedContext:
    """What the steps share: the rows found or created so far, and one password hash."""

    session: Session
    now: datetime = field(default_factory=utcnow)
    users: dict[str, User] = field(default_factory=dict)  # by e-mail
    organisations: dict[str, Organisation] = field(default_factory=dict)  # by data key
    practices: dict[str, Practice] = field(default_factory=dict)  # by slug
    # Models created in this run: only they get their partners and adoptions, so that a
    # partnership or adoption someone has removed is not brought back by the next seed.
    new_practices: set[str] = field(default_factory=set)
    calls: dict[str, Call] = field(default_factory=dict)  # by calls_data key
    # Calls created in this run: only their applications are reviewed and decided.
    new_calls: set[str] = field(default_factory=set)

    @cached_property
    def password_hash(self) -> str:
        # argon2 is slow on purpose: hash once, and only if some account is missing.
        return hash_password(data.PASSWORD)

    @property
    def admin(self) -> User | None:
        return self.users.get(data.ADMIN_EMAIL)

    def user(self, email: str) -> User:
        if email not in self.users:
            raise KeyError(f"demo data refers to an unknown person {email}")
        return self.users[email]

    def organisation(self, key: str) -> Organisation:
        if key not in self.organisations:
            raise KeyError(f"demo data refers to an unknown organisation {key}")
        return self.organisations[key]


@dataclass
class SeedSummary:
    """How many rows each step created (0 everywhere on a second run)."""

    created: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.created.values())

    def __str__(self) -> str:
        return ", ".join(
            f"{name.replace('_', ' ')}: {count}" for name, count in self.created.items()
        )


# --- steps ----------------------------------------------------------------------------------


def seed_users(session: Session, ctx: SeedContext) -> int:
    emails = [person["email"] for person in data.USERS]
    existing = {u.email: u for u in session.scalars(select(User).where(User.email.in_(emails)))}
    created = 0
    for person in data.USERS:
        user = existing.get(person["email"])
        if user is None:
            user = User(
                email=person["email"],
                name=person["name"],
                language=person.get("language", "fi"),
                password_hash=ctx.password_hash,
                email_verified_at=ctx.now,
                password_changed_at=ctx.now,
                is_admin=person.get("admin", False),
            )
            session.add(user)
            created += 1
        ctx.users[person["email"]] = user
    session.flush()
    return created


def seed_organisations(session: Session, ctx: SeedContext) -> int:
    ids = [spec["business_id"] for spec in data.ORGANISATIONS]
    existing = {
        o.business_id: o
        for o in session.scalars(select(Organisation).where(Organisation.business_id.in_(ids)))
    }
    created = 0
    for spec in data.ORGANISATIONS:
        organisation = existing.get(spec["business_id"])
        if organisation is None:
            verified = spec.get("verified", True)
            organisation = Organisation(
                name=spec["name"],
                business_id=spec["business_id"],
                type=spec["type"],
                is_funding_authority=spec.get("is_funding_authority", False),
                description=spec.get("description", ""),
                website=spec.get("website", ""),
                contact_email=spec.get("contact_email", ""),
                expertise=spec.get("expertise", ""),
                status=OrganisationStatus.verified if verified else OrganisationStatus.unverified,
                verified_at=ctx.now if verified else None,
                verified_by_id=ctx.admin.id if verified and ctx.admin else None,
            )
            organisation.regions = list(spec.get("regions", []))
            organisation.target_groups = list(spec.get("target_groups", []))
            session.add(organisation)
            created += 1
        ctx.organisations[spec["key"]] = organisation
    session.flush()
    return created


def seed_memberships(session: Session, ctx: SeedContext) -> int:
    org_ids = [o.id for o in ctx.organisations.values()]
    existing = {
        (m.organisation_id, m.user_id)
        for m in session.scalars(select(Membership).where(Membership.organisation_id.in_(org_ids)))
    }
    created = 0
    for spec in data.ORGANISATIONS:
        organisation = ctx.organisation(spec["key"])
        for email, role, *extra in spec.get("members", []):
            user = ctx.user(email)
            if (organisation.id, user.id) in existing:
                continue
            call_roles = extra[0] if extra else {}
            ely = organisation.is_funding_authority
            session.add(Membership(
                organisation=organisation,
                user=user,
                role=Role(role),
                is_call_manager=ely and call_roles.get("call_manager", False),
                is_reviewer=ely and call_roles.get("reviewer", False),
                is_observer=organisation.is_national_authority
                and call_roles.get("observer", False),
            ))
            existing.add((organisation.id, user.id))
            created += 1
    session.flush()
    return created


def seed_join_requests(session: Session, ctx: SeedContext) -> int:
    """A request is added once; if the owners have answered it, it is not asked again."""
    created = 0
    for spec in data.JOIN_REQUESTS:
        organisation = ctx.organisation(spec["organisation"])
        user = ctx.user(spec["email"])
        asked = session.scalar(select(func.count()).select_from(JoinRequest).where(
            JoinRequest.organisation_id == organisation.id, JoinRequest.user_id == user.id))
        if asked:
            continue
        session.add(JoinRequest(organisation=organisation, user=user,
                                message=spec.get("message", "")))
        created += 1
    session.flush()
    return created


def seed_invitations(session: Session, ctx: SeedContext) -> int:
    """An invitation is added unless one is still open or has been accepted."""
    created = 0
    max_age = timedelta(seconds=current_app.config["INVITATION_MAX_AGE"])
    for spec in data.INVITATIONS:
        organisation = ctx.organisation(spec["organisation"])
        earlier = session.scalars(select(Invitation).where(
            Invitation.organisation_id == organisation.id, Invitation.email == spec["email"]))
        if any(inv.is_open or inv.accepted_at is not None for inv in earlier):
            continue
        inviter = ctx.users.get(spec.get("invited_by", ""))
        session.add(Invitation(
            organisation=organisation,
            email=spec["email"],
            role=Role(spec.get("role", "member")),
            invited_by_id=inviter.id if inviter else None,
            created_at=ctx.now,
            expires_at=ctx.now + max_age,
        ))
        created += 1
    session.flush()
    return created


def _at(day: str, hour: int = 9) -> datetime:
    """A demo date as a UTC time of day (the models were written over several years)."""
    return datetime.combine(date.fromisoformat(day), time(hour), tzinfo=UTC)


def _content(fields: dict) -> dict:
    return {name: practices_data.unwrap(value) if isinstance(value, str) else value
            for name, value in fields.items()}


def _create_practice(ctx: SeedContext, spec: dict) -> Practice:
    """Write, publish and revise a model through the services, then date it in the past."""
    author = ctx.user(spec["author"])
    practice = services.create_practice(author, ctx.organisation(spec["organisation"]),
                                        _content(spec["content"]))
    practice.external_id = practices_data.external_id(spec)
    first = spec["published_on"]
    if first is None:  # a draft
        return practice
    practice.first_published_on = date.fromisoformat(first)
    stamps = [(services.publish_practice(author, practice), first)]
    for revision in spec.get("revisions", []):
        services.save_practice(author, practice, _content(revision["changes"]), None)
        version = services.publish_practice(author, practice, revision["change_note"])
        stamps.append((version, revision["published_on"]))
    for version, day in stamps:
        version.created_at = _at(day)
    practice.created_at = _at(first, 8)
    practice.published_at = practice.updated_at = _at(stamps[-1][1])
    validated = spec.get("validated")
    if validated:
        community.validate_practice(ctx.user(validated["person"]),
                                    ctx.organisation(validated["organisation"]), practice,
                                    validated["statement"])
        practice.validated_at = _at(validated["on"], 13)
    return practice


def seed_practices(session: Session, ctx: SeedContext) -> int:
    """Service models, matched by their external id "demo-<slug>"."""
    ids = [practices_data.external_id(spec) for spec in practices_data.PRACTICES]
    existing = {
        p.external_id: p
        for p in session.scalars(select(Practice).where(Practice.external_id.in_(ids)))
    }
    created = 0
    for spec in practices_data.PRACTICES:
        practice = existing.get(practices_data.external_id(spec))
        if practice is None:
            practice = _create_practice(ctx, spec)
            ctx.new_practices.add(spec["slug"])
            created += 1
        ctx.practices[spec["slug"]] = practice
    session.flush()
    return created


def seed_practice_partners(session: Session, ctx: SeedContext) -> int:
    """Partner organisations of the models created in this run (rows, not mails)."""
    created = 0
    for spec in practices_data.PRACTICES:
        if spec["slug"] not in ctx.new_practices or not spec.get("partners"):
            continue
        practice = ctx.practices[spec["slug"]]
        invited_at = _at(spec["published_on"], 10)
        for key, state in spec.get("partners", []):
            answered = state != PartnerState.invited
            session.add(PracticePartner(
                practice=practice,
                organisation=ctx.organisation(key),
                state=PartnerState(state),
                invited_by_id=ctx.user(spec["author"]).id,
                created_at=invited_at,
                responded_at=invited_at + timedelta(days=3) if answered else None,
            ))
            created += 1
    session.flush()
    return created


def seed_adoptions(session: Session, ctx: SeedContext) -> int:
    """"We use this too" from other demo organisations, for the models created in this run."""
    created = 0
    for spec in practices_data.PRACTICES:
        if spec["slug"] not in ctx.new_practices or not spec.get("adoptions"):
            continue
        practice = ctx.practices[spec["slug"]]
        for item in spec["adoptions"]:
            organisation = ctx.organisation(item["organisation"])
            adopter = next(m.user for m in organisation.memberships if m.role == Role.owner)
            session.add(Adoption(
                practice=practice,
                organisation=organisation,
                regions=list(item["regions"]),
                since=date.fromisoformat(item["since"]),
                note=item["note"],
                created_by_id=adopter.id,
                created_at=_at(item["since"], 11),
            ))
            created += 1
        practice.adoption_count = len(practice.adoptions)
    session.flush()
    return created


Step = Callable[[Session, SeedContext], int]

# In order: later steps use what earlier ones found or created.
STEPS: list[tuple[str, Step]] = [
    ("users", seed_users),
    ("organisations", seed_organisations),
    ("memberships", seed_memberships),
    ("join_requests", seed_join_requests),
    ("invitations", seed_invitations),
    ("practices", seed_practices),
    ("practice_partners", seed_practice_partners),
    ("adoptions", seed_adoptions),
    ("calls", calls_data.seed_calls),
    ("reviews", reviews_data.seed_reviews),
    ("projects", projects_data.seed_projects),
    ("authorities", authorities_data.seed_authorities),
    ("funding_models", voucher_data.seed_funding_models),
    ("group_project", group_data.seed_group_project),
    ("questions", seed_questions),
    ("announcements", announcements_data.seed_announcements),
    ("events", seed_events),
    ("event_registrations", seed_event_registrations),
    ("partner_finder", seed_partner_finder),
    ("partner_calls", seed_partner_calls),
    ("follows", seed_follows),
]


def seed_demo(session: Session, progress: Callable[[str, int], None] | None = None) -> SeedSummary:
    """Add whatever demo data is missing; the caller commits. Returns the counts created."""
    ctx = SeedContext(session)
    summary = SeedSummary()
    for name, step in STEPS:
        count = step(session, ctx)
        summary.created[name] = count
        if progress is not None:
            progress(name, count)
    if summary.total:
        audit.record("demo.seeded", actor=None, **summary.created)
        session.flush()
        # Rows made directly (not through the services) still reach the search index.
        for kind, model in (("organisation", Organisation), ("practice", Practice),
                            ("call", Call)):
            record_unrecorded(kind, model, session)
    forget_memberships()
    return summary


def has_users(session: Session) -> bool:
    return session.scalar(select(User.id).limit(1)) is not None
