"""The demo data: what `flask demo seed` creates, that it is idempotent, and the CLI."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.auth.models import User
from app.auth.passwords import password_problem, verify_password
from app.core.audit import AuditLog
from app.core.codelists import ORGANISATION_TYPES, REGIONS, TARGET_GROUPS
from app.demo import authorities_data, data
from app.demo.seed import seed_demo
from app.notifications.models import Notification
from app.organisations import business_id
from app.organisations.models import (
    Invitation,
    JoinRequest,
    JoinRequestState,
    Membership,
    Organisation,
    OrganisationRegion,
    OrganisationStatus,
    OrganisationTargetGroup,
    Role,
)
from app.reviews.models import Decision, Review

COUNTED = (User, Organisation, OrganisationRegion, OrganisationTargetGroup, Membership,
           JoinRequest, Invitation, AuditLog, Review, Decision, Notification)


def _counts(db) -> dict[str, int]:
    return {
        model.__name__: db.session.scalar(select(func.count()).select_from(model))
        for model in COUNTED
    }


@pytest.fixture
def seeded(db):
    summary = seed_demo(db.session)
    db.session.commit()
    return summary


def _organisations(db) -> list[Organisation]:
    return list(db.session.scalars(select(Organisation)))


def test_the_declared_data_is_consistent():
    emails = [person["email"] for person in data.USERS]
    assert len(emails) == len(set(emails))
    assert password_problem(data.PASSWORD, email=data.ADMIN_EMAIL) is None
    keys = {spec["key"] for spec in data.ORGANISATIONS}
    assert len(keys) == len(data.ORGANISATIONS)
    for spec in data.ORGANISATIONS:
        assert business_id.is_valid(spec["business_id"]), spec["name"]
        assert spec["type"] in ORGANISATION_TYPES
        assert set(spec["regions"]) <= set(REGIONS.codes)
        assert set(spec["target_groups"]) <= set(TARGET_GROUPS.codes)
        assert any(role == "owner" for _email, role, *_ in spec["members"]), spec["name"]
        for email, _role, *_ in spec["members"]:
            assert email in emails
    for item in data.JOIN_REQUESTS + data.INVITATIONS:
        assert item["organisation"] in keys


def test_every_organisation_type_is_present(seeded, db):
    types = {org.type for org in _organisations(db)}
    expected = {"ngo", "staffing_firm", "employment_area", "employer", "education",
                "regional_authority"}
    assert expected <= types
    counts = {t: sum(org.type == t for org in _organisations(db)) for t in expected}
    assert counts["ngo"] >= 4
    assert counts["staffing_firm"] >= 2
    assert counts["regional_authority"] >= 2


def test_business_ids_are_valid_and_unique(seeded, db):
    ids = [org.business_id for org in _organisations(db)]
    assert ids and all(business_id.is_valid(value) for value in ids)
    # Units of one organisation share its Business ID, each with a name of its own.
    keys = [(org.business_id, org.unit_name) for org in _organisations(db)]
    assert len(keys) == len(set(keys))


def test_ely_centres_have_call_managers_and_reviewers(seeded, db):
    centres = [org for org in _organisations(db) if org.type == "regional_authority"]
    assert len(centres) >= 2
    by_name = {org.name: org for org in centres}
    assert "Etelä-Savon elinvoimakeskus" in by_name
    assert by_name["Etelä-Savon elinvoimakeskus"].regions == ["MK10"]
    for centre in centres:
        members = centre.memberships
        assert any(m.role == Role.owner for m in members), centre.name
        assert any(m.is_call_manager for m in members), centre.name
        assert any(m.is_reviewer for m in members), centre.name
        assert all(m.role != Role.owner for m in members if m.is_call_manager or m.is_reviewer)


def test_call_roles_only_in_ely_centres(seeded, db):
    outside = db.session.scalars(
        select(Membership).join(Organisation).where(
            Organisation.type != "regional_authority",
            Membership.is_call_manager | Membership.is_reviewer,
        )
    ).all()
    assert outside == []


def test_verification_state(seeded, db):
    unverified = [org for org in _organisations(db) if org.status == OrganisationStatus.unverified]
    assert len(unverified) == 1
    assert unverified[0].type == "ngo"
    admin = db.session.scalar(select(User).where(User.email == data.ADMIN_EMAIL))
    for org in _organisations(db):
        if org.status == OrganisationStatus.verified:
            assert org.verified_at is not None
            assert org.verified_by_id == admin.id


def test_profiles_are_filled_in(seeded, db):
    for org in _organisations(db):
        assert org.description and org.expertise and org.regions, org.name
    assert any(org.target_groups for org in _organisations(db))
    swedish = [org for org in _organisations(db) if org.name.endswith(" rf")]
    assert swedish and "MK15" in swedish[0].regions


def test_people_and_roles(seeded, db):
    admin = db.session.scalar(select(User).where(User.email == data.ADMIN_EMAIL))
    assert admin.is_admin and admin.is_verified
    users = db.session.scalars(select(User)).all()
    assert len(users) == len(data.USERS)
    assert all(user.is_verified for user in users)
    # One hash for everyone, and it is the documented password.
    assert len({user.password_hash for user in users}) == 1
    assert verify_password(admin.password_hash, data.PASSWORD)
    assert any(user.language == "sv" for user in users)
    roles = {m.role for m in db.session.scalars(select(Membership))}
    assert roles == {Role.owner, Role.editor, Role.member}


def test_pending_join_request_and_open_invitation(seeded, db):
    requests = db.session.scalars(select(JoinRequest)).all()
    assert [r.state for r in requests] == [JoinRequestState.pending]
    requester = requests[0].user
    assert db.session.scalar(
        select(func.count()).select_from(Membership).where(
            Membership.user_id == requester.id,
            Membership.organisation_id == requests[0].organisation_id,
        )
    ) == 0
    invitations = db.session.scalars(select(Invitation)).all()
    assert len(invitations) == 1 and invitations[0].is_open


def test_audit_entry(seeded, db):
    entries = db.session.scalars(select(AuditLog).where(AuditLog.action == "demo.seeded")).all()
    assert len(entries) == 1
    assert entries[0].details["organisations"] == len(data.ORGANISATIONS)


def test_seeding_twice_changes_nothing(seeded, db):
    assert seeded.total > 0
    before = _counts(db)
    again = seed_demo(db.session)
    db.session.commit()
    assert again.total == 0
    assert _counts(db) == before


def test_seeding_keeps_what_users_changed(seeded, db):
    org = db.session.scalar(select(Organisation).where(Organisation.name == "Pirkan Polku ry"))
    org.description = "Muokattu."
    request = db.session.scalars(select(JoinRequest)).one()
    request.state = JoinRequestState.rejected
    db.session.commit()
    seed_demo(db.session)
    db.session.commit()
    db.session.refresh(org)
    assert org.description == "Muokattu."
    assert db.session.scalar(select(func.count()).select_from(JoinRequest)) == 1


def test_cli_seed_and_logins(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    # + the partner finder's staffing firm (app/demo/partners_finder_data.py)
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == len(
        data.ORGANISATIONS) + len(authorities_data.ORGANISATIONS) + 1

    result = runner.invoke(args=["demo", "logins"])
    assert result.exit_code == 0, result.output
    assert data.ADMIN_EMAIL in result.output
    assert data.PASSWORD in result.output
    assert "http://127.0.0.1:5000" in result.output
    assert "Etelä-Savon elinvoimakeskus" in result.output
    assert "call manager" in result.output and "reviewer" in result.output
    # Who to sign in as for the review and the decisions.
    assert "presenting officer  juha.pesonen@" in result.output
    assert "decision maker      marjatta.kettunen@" in result.output
    assert "outi.laine@" in result.output

    before = _counts(db)
    result = runner.invoke(args=["demo", "seed"])
    assert result.exit_code == 0, result.output
    assert "nothing added" in result.output
    assert _counts(db) == before


def test_cli_seed_if_empty_skips_a_used_database(app, db, make_user):
    make_user(email="someone@example.fi")
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(func.count()).select_from(Organisation)) == 0


def test_cli_seed_if_empty_loads_an_empty_database(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "seed", "--if-empty"])
    assert result.exit_code == 0, result.output
    assert db.session.scalar(select(User).where(User.email == data.ADMIN_EMAIL)) is not None


def test_cli_logins_without_demo_data(app, db):
    result = app.test_cli_runner().invoke(args=["demo", "logins"])
    assert result.exit_code == 0, result.output
    assert "flask demo seed" in result.output


def test_a_demo_user_can_sign_in(seeded, client):
    response = client.post("/login", data={"email": "juha.pesonen@demo.kohtaamo.example",
                                           "password": data.PASSWORD})
    assert response.status_code == 302, response.get_data(as_text=True)
    assert client.get("/account").status_code == 200
