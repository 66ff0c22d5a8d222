"""National observers: granted and revoked only by platform administrators, only to members
of verified national authorities (audited); they read the dashboards of every ELY-centre's
calls, and every POST route of the projects blueprint refuses them."""

from __future__ import annotations

import re

from app.extensions import db
from app.organisations.models import Membership, Role
from app.organisations.services import forget_memberships
from app.projects.models import ClaimState, ReportState
from tests.projects.follow_up_support import accept, make_observer, submitted_project


def _member(make_user, make_organisation, add_member, type_, verified=True, name=None):
    user = make_user(name=name)
    organisation = make_organisation(type=type_, verified=verified)
    return add_member(organisation, user, Role.member)


def test_only_admins_open_the_observer_page(client, login_as, admin, make_user,
                                            make_organisation, add_member):
    ministry = _member(make_user, make_organisation, add_member, "national_authority",
                       name="Ministeriön Minna")
    unverified = _member(make_user, make_organisation, add_member, "national_authority",
                         verified=False, name="Vahvistamaton Ville")
    ngo = _member(make_user, make_organisation, add_member, "ngo", name="Yhdistyksen Yrjö")
    login_as(ngo.user)
    assert client.get("/admin/observers").status_code == 403
    login_as(admin)
    response = client.get("/admin/observers")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert "Ministeriön Minna" in html
    assert f'action="/admin/observers/{ministry.id}"' in html and "data-confirm=" in html
    assert "Vahvistamaton Ville" not in html and "Yhdistyksen Yrjö" not in html
    assert unverified.id  # listed nowhere


def test_an_admin_grants_and_revokes_with_an_audit_entry(client, login_as, admin, make_user,
                                                         make_organisation, add_member,
                                                         audit_actions):
    membership = _member(make_user, make_organisation, add_member, "national_authority")
    login_as(admin)
    response = client.post(f"/admin/observers/{membership.id}", data={"observer": "1"})
    assert response.status_code == 302
    db.session.refresh(membership)
    assert membership.is_observer
    assert "observer.granted" in audit_actions()
    html = client.get("/admin/observers").get_data(as_text=True)
    assert re.search(rf'membership-{membership.id}">.*?<td>yes</td>', html, re.S)
    client.post(f"/admin/observers/{membership.id}", data={"observer": "0"})
    db.session.refresh(membership)
    assert not membership.is_observer
    assert "observer.revoked" in audit_actions()
    assert client.post(f"/admin/observers/{membership.id}", data={}).status_code == 422
    assert client.post("/admin/observers/999999", data={"observer": "1"}).status_code == 404


def test_only_verified_national_authority_members_can_be_observers(
        client, login_as, admin, make_user, make_organisation, add_member):
    ngo = _member(make_user, make_organisation, add_member, "ngo")
    unverified = _member(make_user, make_organisation, add_member, "national_authority",
                         verified=False)
    login_as(admin)
    for membership in (ngo, unverified):
        response = client.post(f"/admin/observers/{membership.id}", data={"observer": "1"})
        assert response.status_code == 422
        assert "Only members of a verified national authority can be observers." in \
            response.get_data(as_text=True)
        db.session.refresh(membership)
        assert not membership.is_observer


def test_nobody_else_grants(client, login_as, make_user, make_organisation, add_member):
    membership = _member(make_user, make_organisation, add_member, "national_authority")
    owner = db.session.query(Membership).filter_by(organisation_id=membership.organisation_id,
                                                   role=Role.owner).one().user
    for person in (membership.user, owner):
        login_as(person)
        response = client.post(f"/admin/observers/{membership.id}", data={"observer": "1"})
        assert response.status_code == 403
    db.session.refresh(membership)
    assert not membership.is_observer


def test_an_observer_reads_the_projects_of_every_centre(make_project, client, login_as,
                                                        make_user, make_organisation,
                                                        add_member):
    north = submitted_project(make_project, project_name="Pohjoinen hanke")
    south = submitted_project(make_project, project_name="Eteläinen hanke")
    assert north.project.call.organisation_id != south.project.call.organisation_id
    observer = make_observer(make_user, make_organisation, add_member)
    login_as(observer)
    for scene in (north, south):
        call = scene.project.call
        html = client.get(f"/calls/{call.id}/projects").get_data(as_text=True)
        assert scene.project.name in html and "10 / 60" in html
        assert client.get(f"/calls/{call.id}/projects.xlsx").status_code == 200
        assert client.get(f"/projects/{scene.project.id}/follow-up").status_code == 200
        assert client.get(f"/reports/{scene.report.id}").status_code == 200
    follow = client.get("/follow-up").get_data(as_text=True)
    assert f'id="call-{north.project.call.id}"' in follow
    assert f'id="call-{south.project.call.id}"' in follow
    # an unverified national authority's observer flag counts for nothing
    impostor = make_observer(make_user, make_organisation, add_member, name="Huijari Heikki",
                             verified=False)
    login_as(impostor)
    assert client.get(f"/calls/{north.project.call.id}/projects").status_code == 404


def test_every_post_of_the_projects_blueprint_refuses_an_observer(
        app, make_project, client, login_as, make_user, make_organisation, add_member):
    from flask import url_for

    scene = submitted_project(make_project)
    accept(scene)  # the claim is approvable: the observer still may not
    other = submitted_project(make_project)  # a submitted report to accept or return
    observer = make_observer(make_user, make_organisation, add_member)
    forget_memberships()
    membership = db.session.query(Membership).filter_by(user_id=observer.id).one()
    values = {"project_id": scene.project.id, "call_id": scene.project.call.id,
              "membership_id": membership.id}
    payload = {"comment_narrative": "Korjaa.", "confirm": "1", "observer": "0", "done": "x",
               f"line-{scene.claim.lines[0].id}-approved": "1000",
               f"line-{scene.claim.lines[0].id}-reason": "x"}
    login_as(observer)
    posted = []
    with app.test_request_context():
        rules = [rule for rule in app.url_map.iter_rules()
                 if rule.endpoint.startswith("projects.") and "POST" in rule.methods]
        urls = []
        for rule in rules:
            for report in (scene.report, other.report):
                urls.append(url_for(rule.endpoint, **{
                    name: report.id if name == "report_id" else values[name]
                    for name in rule.arguments}))
    for url in sorted(set(urls)):
        response = client.post(url, data=dict(payload))
        posted.append(url)
        assert response.status_code in (403, 404), f"{url}: {response.status_code}"
    assert any(u.endswith("/accept") for u in posted)
    assert any(u.startswith("/admin/observers/") for u in posted)
    db.session.expire_all()
    assert other.report.state == ReportState.submitted
    assert scene.claim.state == ClaimState.submitted
    assert membership.is_observer
