"""The public profile page and who sees what on it."""

import pytest
from sqlalchemy import select

from app.organisations.models import JoinRequest, OrganisationStatus, Role


def _html(response) -> str:
    return response.get_data(as_text=True)


@pytest.fixture
def people(make_user):
    return {"stranger": make_user(), "member": make_user(), "owner": make_user(),
            "admin": make_user(admin=True)}


def test_public_profile(client, make_organisation):
    organisation = make_organisation(
        "Kipinä ry", type="staffing_firm", business_id="0737546-2", regions=("MK10", "MK19"),
        target_groups=("partially_able_to_work",), description="Kuvaus tästä.",
        expertise="työhönvalmennus", website="https://kipina.example.fi",
        contact_email="info@kipina.example.fi")
    response = client.get(f"/organisations/{organisation.id}")
    assert response.status_code == 200
    page = _html(response)
    assert "<h1>Kipinä ry</h1>" in page and page.count("<h1") == 1
    assert "0737546-2" in page
    assert "Staffing firm" in page
    assert '<li class="chip">South Savo</li>' in page and '<li class="chip">Lapland</li>' in page
    assert '<li class="chip">Partially able to work</li>' in page
    assert "työhönvalmennus" in page and "Kuvaus tästä." in page
    assert 'href="https://kipina.example.fi"' in page
    assert 'href="mailto:info@kipina.example.fi"' in page
    assert 'class="badge badge-verified"' in page
    # Nothing for members or owners is offered to an anonymous visitor.
    for hidden in ("/edit", "/members", "/leave", "/join"):
        assert f"/organisations/{organisation.id}{hidden}" not in page
    assert "Log in to ask to join" in page


def test_a_website_that_is_not_http_is_not_linked(client, make_organisation):
    organisation = make_organisation(website="javascript:alert(1)")
    page = _html(client.get(f"/organisations/{organisation.id}"))
    assert 'href="javascript:' not in page


def test_unknown_organisation_is_404(client):
    assert client.get("/organisations/424242").status_code == 404


@pytest.mark.parametrize("status", [OrganisationStatus.unverified, OrganisationStatus.rejected])
@pytest.mark.parametrize(("actor", "code"), [
    ("anonymous", 404), ("stranger", 404), ("member", 200), ("owner", 200), ("admin", 200)])
def test_unverified_and_rejected_are_visible_only_to_members_and_admins(
        client, login_as, make_organisation, add_member, people, db, status, actor, code):
    organisation = make_organisation(owner=people["owner"], verified=False)
    organisation.status = status
    db.session.commit()
    add_member(organisation, people["member"])
    if actor != "anonymous":
        login_as(people[actor])
    assert client.get(f"/organisations/{organisation.id}").status_code == code


def test_rejection_reason_and_resubmit_for_owners(client, login_as, make_organisation, add_member,
                                                  people, db, audit_actions):
    organisation = make_organisation(owner=people["owner"], verified=False)
    organisation.status = OrganisationStatus.rejected
    organisation.rejection_reason = "Y-tunnus ei täsmää nimeen."
    db.session.commit()
    add_member(organisation, people["member"])
    resubmit = f"/organisations/{organisation.id}/resubmit"

    login_as(people["member"])
    page = _html(client.get(f"/organisations/{organisation.id}"))
    assert "Y-tunnus ei täsmää nimeen." in page
    assert resubmit not in page
    assert client.post(resubmit, data={}).status_code == 403

    login_as(people["owner"])
    page = _html(client.get(f"/organisations/{organisation.id}"))
    assert "Y-tunnus ei täsmää nimeen." in page and resubmit in page
    response = client.post(resubmit, data={}, follow_redirects=True)
    assert "sent for verification again" in _html(response)
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.unverified
    assert "organisation.resubmitted" in audit_actions(organisation)
    # Once resubmitted, the button goes away and a second resubmit is refused.
    assert resubmit not in _html(client.get(f"/organisations/{organisation.id}"))
    assert client.post(resubmit, data={}).status_code == 403


def test_resubmit_needs_post_and_csrf(client, login_as, make_organisation, people, db):
    organisation = make_organisation(owner=people["owner"], verified=False)
    organisation.status = OrganisationStatus.rejected
    db.session.commit()
    login_as(people["owner"])
    assert client.get(f"/organisations/{organisation.id}/resubmit").status_code == 405
    assert client.post(f"/organisations/{organisation.id}/resubmit", data={},
                       csrf=False).status_code == 400
    db.session.refresh(organisation)
    assert organisation.status == OrganisationStatus.rejected


def test_buttons_follow_the_predicates(client, login_as, make_organisation, add_member, people):
    organisation = make_organisation(owner=people["owner"])
    add_member(organisation, people["member"], Role.member)
    base = f"/organisations/{organisation.id}"

    login_as(people["owner"])
    page = _html(client.get(base))
    assert f"{base}/edit" in page and f"{base}/members" in page and f"{base}/leave" in page
    assert f"{base}/join" not in page

    login_as(people["member"])
    page = _html(client.get(base))
    assert f"{base}/edit" not in page
    assert f"{base}/members" in page and f"{base}/leave" in page
    assert f"{base}/join" not in page

    login_as(people["stranger"])
    page = _html(client.get(base))
    assert f"{base}/join" in page
    assert f"{base}/edit" not in page and f"{base}/members" not in page
    assert f"{base}/leave" not in page


def test_join_request_form_is_replaced_by_a_note_once_sent(client, login_as, make_organisation,
                                                           people, mailbox, db):
    organisation = make_organisation(owner=people["owner"])
    login_as(people["stranger"])
    response = client.post(f"/organisations/{organisation.id}/join",
                           data={"message": "Olen työhönvalmentaja."}, follow_redirects=True)
    page = _html(response)
    assert "Your request has been sent" in page
    assert f"/organisations/{organisation.id}/join" not in page
    assert "You asked to join on" in page
    assert db.session.scalar(select(JoinRequest.message)) == "Olen työhönvalmentaja."
    # A second request is refused while the first one waits.
    response = client.post(f"/organisations/{organisation.id}/join", data={"message": ""},
                           follow_redirects=True)
    assert "already asked to join" in _html(response)
    assert len(list(db.session.scalars(select(JoinRequest)))) == 1


def test_join_request_rules(client, login_as, make_user, make_organisation, add_member, people):
    verified = make_organisation(owner=people["owner"])
    hidden = make_organisation(owner=people["owner"], verified=False)
    login_as(make_user(verified=False))
    response = client.post(f"/organisations/{verified.id}/join", data={}, follow_redirects=True)
    assert "Verify your e-mail address before asking to join" in _html(response)
    login_as(people["stranger"])
    assert client.post(f"/organisations/{hidden.id}/join", data={}).status_code == 404
    add_member(verified, people["member"])
    login_as(people["member"])
    response = client.post(f"/organisations/{verified.id}/join", data={}, follow_redirects=True)
    assert "already a member" in _html(response)
    anonymous = client.application.test_client()
    response = anonymous.post(f"/organisations/{verified.id}/join", data={})
    assert response.status_code == 302 and "/login" in response.headers["Location"]
