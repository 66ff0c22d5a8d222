"""The GDPR download and account deletion go through app.core.personal_data: every domain
registers what it holds about a person; the account package knows no other domain."""

from __future__ import annotations

import ast
import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import func, insert, select

from app.auth import services
from app.core import personal_data
from app.core.audit import AuditLog
from app.core.db import utcnow
from app.core.domain import DomainError
from app.organisations.models import Invitation, JoinRequest, Membership, Role
from tests.fixtures.auth import PASSWORD

OLD_CAP = 5000  # the download used to stop at this many audit entries, silently


def _download(client) -> dict:
    response = client.get("/account/data.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    return json.loads(response.get_data(as_text=True))


def test_download_has_every_domains_sections_with_join_request_messages(
        client, login_as, make_user, make_organisation, add_member, make_practice, db):
    person = make_user(email="henkilo@example.fi", name="Henna Henkilö")
    own = make_organisation(name="Oma ry", owner=person)
    other = make_organisation(name="Toinen ry")
    db.session.add(JoinRequest(organisation=other, user=person,
                               message="Olen tehnyt työhönvalmennusta kymmenen vuotta."))
    db.session.add(Invitation(organisation=own, email="uusi@example.fi", role=Role.editor,
                              invited_by_id=person.id, expires_at=utcnow() + timedelta(days=1)))
    db.session.add(Invitation(organisation=other, email="henkilo@example.fi", role=Role.member,
                              expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    practice = make_practice(organisation=own, author=person, published=True)
    login_as(person)

    data = _download(client)

    assert data["account"]["email"] == "henkilo@example.fi"
    assert data["sessions"] and "password_hash" not in json.dumps(data)
    assert [m["organisation"] for m in data["memberships"]] == ["Oma ry"]
    assert data["join_requests"] == [{
        "organisation": {"id": other.id, "name": "Toinen ry", "business_id": other.business_id},
        "message": "Olen tehnyt työhönvalmennusta kymmenen vuotta.", "state": "pending",
        "created_at": data["join_requests"][0]["created_at"], "decided_at": None,
    }]
    assert [i["email"] for i in data["invitations_sent"]] == ["uusi@example.fi"]
    assert [i["organisation"]["name"] for i in data["invitations_received"]] == ["Toinen ry"]
    [model] = data["service_models"]
    assert model["id"] == practice.id
    assert set(model["roles"]) == {"creator", "contact_person", "last_editor"}
    assert [v["number"] for v in data["service_model_versions"]] == [1]
    assert {"practice.created", "practice.published"} <= {e["action"] for e in data["activity"]}


def test_the_whole_activity_log_is_exported_in_chunks(client, login_as, make_user, db,
                                                      count_queries, monkeypatch):
    person = make_user()
    total = OLD_CAP + 250
    db.session.execute(insert(AuditLog), [
        {"actor_id": person.id, "action": "test.event", "object_type": "user_account",
         "object_id": person.id, "details": {"n": n}}
        for n in range(total)
    ])
    db.session.commit()
    login_as(person)

    data = _download(client)

    activity = [e for e in data["activity"] if e["action"] == "test.event"]
    assert len(activity) == total  # no silent cap
    assert [e["details"]["n"] for e in activity] == list(range(total))

    # Read a chunk at a time (keyset pagination), never the whole log in one query.
    monkeypatch.setattr(personal_data, "CHUNK_SIZE", 1000)
    chunks = services.export_user_data(person)
    assert isinstance(chunks, Iterator)
    with count_queries() as counter:
        text = "".join(chunks)
    reads = [s for s in counter.statements
             if "FROM audit_log" in s and "audit_log.actor_id = " in s]
    assert len(reads) == total // 1000 + 1
    assert all("LIMIT" in s for s in reads)
    assert len(json.loads(text)["activity"]) == total


def test_failed_log_ins_on_the_account_are_exported_without_the_other_partys_address(
        client, login_as, make_user, db):
    person = make_user(email="kohde@example.fi")
    db.session.add(AuditLog(action="login.failed", object_type="user_account",
                            object_id=person.id, ip="203.0.113.9", details={"email_hash": "x"}))
    db.session.commit()
    login_as(person)
    events = _download(client)["account_events"]
    assert [e["action"] for e in events] == ["login.failed"]
    assert "203.0.113.9" not in json.dumps(events)


def test_the_only_owner_cannot_delete_the_account_with_the_registered_reason(
        client, login_as, make_user, make_organisation, db):
    owner = make_user()
    make_organisation(name="Ainoa Omistaja ry", owner=owner)
    reason = "You are the only owner of Ainoa Omistaja ry. Transfer the ownership first."
    assert services.deletion_blockers(owner) == [reason]
    with pytest.raises(DomainError, match="only owner of Ainoa Omistaja ry"):
        services.delete_account(owner, PASSWORD)
    db.session.rollback()

    login_as(owner)
    assert reason in client.get("/account/delete").get_data(as_text=True)
    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert reason in response.get_data(as_text=True)
    db.session.refresh(owner)
    assert owner.deleted_at is None


def test_a_second_owner_unblocks_the_deletion(make_user, make_organisation, add_member):
    owner = make_user()
    organisation = make_organisation(owner=owner)
    add_member(organisation, make_user(), Role.owner)
    assert services.deletion_blockers(owner) == []


@pytest.fixture
def test_domain():
    """A domain registered for one test: its blocker says what `reasons` holds, its eraser
    notes what it saw and writes an audit entry in the deletion's transaction."""
    state = {"reasons": [], "erased": []}

    def eraser(user):
        state["erased"].append((user.id, user.email, user.deleted_at))
        from app.core import audit

        audit.record("test.erased", actor=user, obj=user)

    personal_data.register("test-domain", blocker=lambda user: list(state["reasons"]),
                           eraser=eraser)
    yield state
    personal_data.unregister("test-domain")


def test_a_registered_eraser_runs_in_the_deletion(client, login_as, make_user, db, test_domain):
    person = make_user(email="poistuva@example.fi")
    login_as(person)
    response = client.post("/account/delete", data={"current_password": "wrong password!"})
    assert response.status_code in (200, 400, 422)
    assert test_domain["erased"] == []  # a refused deletion erases nothing

    response = client.post("/account/delete", data={"current_password": PASSWORD})
    assert response.status_code == 302
    # It ran once, before the account itself was anonymised, and its change was committed.
    assert test_domain["erased"] == [(person.id, "poistuva@example.fi", None)]
    db.session.refresh(person)
    assert person.deleted_at is not None
    assert db.session.scalar(select(func.count()).select_from(AuditLog)
                             .where(AuditLog.action == "test.erased")) == 1


def test_a_registered_blocker_stops_the_deletion(make_user, db, test_domain):
    person = make_user()
    test_domain["reasons"] = ["An application of yours is being reviewed."]
    with pytest.raises(DomainError, match="being reviewed"):
        services.delete_account(person, PASSWORD)
    assert test_domain["erased"] == []


def test_deletion_erases_what_the_domains_hold(client, login_as, make_user, make_organisation,
                                               add_member, make_practice, db):
    person = make_user(email="lahtija@example.fi")
    organisation = make_organisation()
    add_member(organisation, person, Role.editor)
    other = make_organisation()
    db.session.add(JoinRequest(organisation=other, user=person, message="Henkilökohtainen viesti"))
    db.session.add(Invitation(organisation=organisation, email="lahtija@example.fi",
                              role=Role.editor, accepted_at=utcnow(), accepted_by_id=person.id,
                              expires_at=utcnow() + timedelta(days=1)))
    db.session.commit()
    practice = make_practice(organisation=organisation, author=person)
    assert practice.contact_user_id == person.id
    login_as(person)

    assert client.post("/account/delete", data={"current_password": PASSWORD}).status_code == 302

    assert db.session.scalar(select(Membership).where(Membership.user_id == person.id)) is None
    assert db.session.scalar(select(JoinRequest).where(JoinRequest.user_id == person.id)) is None
    assert db.session.scalar(select(Invitation).where(
        Invitation.email == "lahtija@example.fi")) is None
    db.session.refresh(practice)
    assert practice.contact_user_id is None
    assert practice.created_by_id == person.id  # what they wrote stays, by a removed user


def test_the_account_package_imports_no_other_domain():
    """auth reaches organisations (and the rest) only through the registry."""
    package = Path(__file__).resolve().parents[2] / "app" / "auth"
    domains = ("app.organisations", "app.practices", "app.applications", "app.calls")
    found = []
    for path in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.Import):
                modules = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                modules = [base, *(f"{base}.{alias.name}" for alias in node.names)]
            else:
                continue
            found += [f"{path.name}: {m}" for m in modules if m.startswith(domains)]
    assert found == []


def test_the_domains_are_registered():
    assert {"account", "organisations", "practices"} <= set(personal_data.registered())


def test_download_has_the_applications_the_person_started(client, login_as, make_user,
                                                          make_application):
    writer = make_user(name="Hakija")
    application = make_application(writer=writer, project_name="Töihin yhdessä")
    login_as(writer)
    data = _download(client)
    [entry] = data["applications"]
    assert entry["id"] == application.id and entry["project_name"] == "Töihin yhdessä"
    assert entry["roles"] == ["started"]
