"""The verification queue of platform administrators."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.core.audit import AuditLog
from app.core.db import utcnow
from app.organisations.models import OrganisationStatus


def _html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def waiting(make_user, make_organisation, db):
    owner = make_user(name="Olli Omistaja", email="olli@example.fi")
    newer = make_organisation("Uudempi ry", owner=owner, verified=False, business_id="0737546-2")
    older = make_organisation("Vanhempi ry", owner=owner, verified=False, business_id="1572860-0",
                              type="education")
    older.created_at = utcnow() - timedelta(days=5)
    db.session.commit()
    return {"newer": newer, "older": older, "owner": owner}


def test_anonymous_goes_to_login_and_others_get_403(client, login_as, make_user, waiting):
    response = client.get("/admin/organisations")
    assert response.status_code == 302 and "/login" in response.headers["Location"]
    login_as(make_user())
    assert client.get("/admin/organisations").status_code == 403
    target = waiting["newer"].id
    assert client.post(f"/admin/organisations/{target}/verify", data={}).status_code == 403
    assert client.post(f"/admin/organisations/{target}/reject",
                       data={f"r{target}-reason": "Ei."}).status_code == 403
    login_as(waiting["owner"])  # owning the organisation does not help
    assert client.post(f"/admin/organisations/{target}/verify", data={}).status_code == 403


def test_queue_lists_unverified_oldest_first(client, login_as, admin, waiting, make_organisation):
    make_organisation("Valmis ry")
    login_as(admin)
    page = _html(client.get("/admin/organisations"))
    assert page.count("<h1") == 1
    assert "Valmis ry" not in page
    assert page.index("Vanhempi ry") < page.index("Uudempi ry")
    assert "1572860-0" in page and "Education provider" in page
    assert "Olli Omistaja (olli@example.fi)" in page
    assert "2 organisations are waiting." in page
    assert f'<label for="r{waiting["older"].id}-reason">' in page


def test_admin_verifies(client, login_as, admin, waiting, mailbox, db):
    organisation = waiting["newer"]
    login_as(admin)
    response = client.post(f"/admin/organisations/{organisation.id}/verify", data={},
                           follow_redirects=True)
    assert "Uudempi ry has been verified" in _html(response)
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.verified
    assert organisation.verified_by_id == admin.id and organisation.verified_at is not None
    mail = mailbox.last("olli@example.fi")
    assert "Uudempi ry has been verified" in mail["Subject"]
    assert f"/organisations/{organisation.id}" in mailbox.body(mail)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "organisation.verified"))
    assert entry.actor_id == admin.id and entry.organisation_id == organisation.id
    # Now public, and out of the queue.
    assert "Uudempi ry" in _html(client.get("/organisations"))
    assert "Uudempi ry" not in _html(client.get("/admin/organisations"))
    # Verifying twice is refused with a message.
    response = client.post(f"/admin/organisations/{organisation.id}/verify", data={},
                           follow_redirects=True)
    assert "already verified" in _html(response)


def test_reject_requires_a_reason(client, login_as, admin, waiting, mailbox, db):
    organisation = waiting["older"]
    login_as(admin)
    for reason in ("", "   \n "):
        response = client.post(f"/admin/organisations/{organisation.id}/reject",
                               data={f"r{organisation.id}-reason": reason})
        assert response.status_code == 422
        page = _html(response)
        assert f'<p class="error" id="r{organisation.id}-reason-error">' in page
        assert "Write the reason for the owners." in page
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.unverified
    assert mailbox.messages() == []


def test_admin_rejects_with_a_reason(client, login_as, admin, waiting, mailbox, db):
    organisation = waiting["older"]
    login_as(admin)
    response = client.post(f"/admin/organisations/{organisation.id}/reject",
                           data={f"r{organisation.id}-reason": "Y-tunnus kuuluu toiselle."},
                           follow_redirects=True)
    assert "Vanhempi ry has been rejected" in _html(response)
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.rejected
    assert organisation.rejection_reason == "Y-tunnus kuuluu toiselle."
    mail = mailbox.last("olli@example.fi")
    assert "could not be verified" in mail["Subject"]
    assert "Y-tunnus kuuluu toiselle." in mailbox.body(mail)
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "organisation.rejected"))
    assert entry.details["reason"] == "Y-tunnus kuuluu toiselle."


def test_unknown_organisation_is_404_for_admins(client, login_as, admin):
    login_as(admin)
    assert client.post("/admin/organisations/99999/verify", data={}).status_code == 404


def test_queue_is_paginated(client, login_as, admin, make_user, make_organisation,
                            count_queries):
    owner = make_user()
    for n in range(3):
        make_organisation(f"Jono {n}", owner=owner, verified=False)
    login_as(admin)
    with count_queries() as few:
        client.get("/admin/organisations")
    for n in range(3, 25):
        make_organisation(f"Jono {n}", owner=owner, verified=False)
    with count_queries() as many:
        page = _html(client.get("/admin/organisations"))
    assert few.count == many.count
    assert "25 organisations are waiting." in page and 'rel="next"' in page
    assert "Jono 24" not in page
    assert "Jono 24" in _html(client.get("/admin/organisations?page=2"))
