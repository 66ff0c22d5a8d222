"""The ELY-centre's actions on a report: accept (final report closes the project), return with
comments per section (at least one), and approve the payment claim line by line with a reason
for every cut, the payment previewed first; who may do each."""

from __future__ import annotations

import re

from sqlalchemy import select

from app.core.outbox import OutboundMail
from app.extensions import db
from app.organisations.models import Role
from app.projects import claims, permissions
from app.projects.models import ClaimState, ReportState
from tests.projects.follow_up_support import accept, make_observer, submitted_project


def _outside(make_user, make_organisation, add_member):
    stranger = make_user(name="Ulkopuolinen Ulla")
    add_member(make_organisation(name="Muu ry"), stranger, Role.member)
    return stranger


def test_the_officer_accepts_a_submitted_report(make_project, client, login_as, audit_actions):
    scene = submitted_project(make_project)
    login_as(scene.officer)
    response = client.post(f"/reports/{scene.report.id}/accept", data={})
    assert response.status_code == 302
    assert response.headers["Location"].endswith(f"/reports/{scene.report.id}")
    db.session.refresh(scene.report)
    assert scene.report.state == ReportState.accepted
    assert scene.report.handled_by_id == scene.officer.id
    assert scene.project.closed_at is None  # not the final report
    assert "report.accepted" in audit_actions()
    # accepted once: a second post is refused, and nothing changes
    again = client.post(f"/reports/{scene.report.id}/accept", data={})
    assert again.status_code == 403


def test_the_accept_button_asks_first_and_only_officers_get_it(app, make_project):
    from flask import render_template
    from flask_login import login_user

    scene = submitted_project(make_project)
    with app.test_request_context():
        login_user(scene.officer)
        html = render_template("projects/_officer_actions.html", report=scene.report)
        assert f'action="/reports/{scene.report.id}/accept"' in html
        assert "data-confirm=" in html
        assert 'name="comment_participants"' in html
        login_user(scene.writer)
        assert "/accept" not in render_template("projects/_officer_actions.html",
                                                report=scene.report)


def test_returning_with_comments_makes_the_report_editable_again(make_project, client,
                                                                  login_as, audit_actions):
    scene = submitted_project(make_project)
    login_as(scene.officer)
    response = client.post(f"/reports/{scene.report.id}/return", data={
        "comment_participants": "Tarkista ikäjakauma.", "comment_claim": "Puuttuu liite.",
        "comment_narrative": "  "})
    assert response.status_code == 302
    db.session.refresh(scene.report)
    assert scene.report.state == ReportState.returned
    assert scene.report.comments == {"participants": "Tarkista ikäjakauma.",
                                     "claim": "Puuttuu liite."}
    assert scene.claim.state == ClaimState.draft
    assert permissions.can_edit_report(scene.writer, scene.report)
    assert "report.returned" in audit_actions()
    mail = db.session.scalars(select(OutboundMail).where(
        OutboundMail.recipient == scene.writer.email).order_by(OutboundMail.id.desc())).first()
    assert "returned for corrections" in mail.subject


def test_returning_without_a_comment_is_refused_on_the_first_comment_field(
        make_project, client, login_as):
    scene = submitted_project(make_project)
    login_as(scene.officer)
    response = client.post(f"/reports/{scene.report.id}/return", data={"comment_claim": " "})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "Write at least one comment saying what to correct." in html
    assert re.search(r'id="comment_narrative-error"', html)
    assert re.search(r'<textarea[^>]*aria-describedby="comment_narrative-error"[^>]*'
                     r'id="comment_narrative"|<textarea[^>]*id="comment_narrative"[^>]*'
                     r'aria-describedby="comment_narrative-error"', html)
    db.session.refresh(scene.report)
    assert scene.report.state == ReportState.submitted


def test_who_may_accept_or_return(make_project, client, login_as, make_user,
                                  make_organisation, add_member):
    scene = submitted_project(make_project)
    observer = make_observer(make_user, make_organisation, add_member)
    stranger = _outside(make_user, make_organisation, add_member)
    conflicted = make_user(name="Esteellinen Eero")
    add_member(scene.project.call.organisation, conflicted, Role.member, call_manager=True)
    add_member(scene.project.organisation, conflicted, Role.member)  # reads as a member only
    expected = {scene.writer: 403, observer: 403, stranger: 404, conflicted: 403}
    for person, code in expected.items():
        login_as(person)
        for action in ("accept", "return"):
            response = client.post(f"/reports/{scene.report.id}/{action}",
                                   data={"comment_narrative": "Korjaa."})
            assert response.status_code == code, (person.name, action)
    db.session.refresh(scene.report)
    assert scene.report.state == ReportState.submitted


# --- the claim -----------------------------------------------------------------------------------


def _line_field(scene, name):
    return f"line-{scene.claim.lines[0].id}-{name}"


def test_the_claim_is_approved_only_once_the_report_is_accepted(
        make_project, client, login_as, make_user, make_organisation, add_member):
    scene = submitted_project(make_project)
    url = f"/reports/{scene.report.id}/claim"
    login_as(scene.officer)
    assert client.get(url).status_code == 403
    refused = client.post(url, data={"confirm": "1", _line_field(scene, "approved"): "24000"})
    assert refused.status_code == 403
    db.session.refresh(scene.claim)
    assert scene.claim.state == ClaimState.submitted
    login_as(_outside(make_user, make_organisation, add_member))
    assert client.get(url).status_code == 404
    accept(scene)
    login_as(scene.officer)
    page = client.get(url)
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    # the claimed amount is the default approved amount
    assert re.search(rf'name="{_line_field(scene, "approved")}"[^>]*value="24\s?000,00"', html) \
        or re.search(rf'value="24\s?000,00"[^>]*name="{_line_field(scene, "approved")}"', html)
    login_as(scene.writer)
    assert client.get(url).status_code == 403


def test_a_cut_without_a_reason_is_refused_on_that_lines_field(make_project, client, login_as):
    scene = submitted_project(make_project)
    accept(scene)
    login_as(scene.officer)
    response = client.post(f"/reports/{scene.report.id}/claim", data={
        "confirm": "1", _line_field(scene, "approved"): "20000",
        _line_field(scene, "reason"): ""})
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    error_id = f"{_line_field(scene, 'reason')}-error"
    assert f'id="{error_id}"' in html and "Say why the line is cut." in html
    assert re.search(rf'<textarea[^>]*aria-describedby="{error_id}"', html)
    assert f'href="#{_line_field(scene, "reason")}"' in html  # the error summary links to it
    db.session.refresh(scene.claim)
    assert scene.claim.state == ClaimState.submitted
    assert scene.claim.lines[0].approved_cents is None


def test_more_than_claimed_is_refused(make_project, client, login_as):
    scene = submitted_project(make_project)
    accept(scene)
    login_as(scene.officer)
    response = client.post(f"/reports/{scene.report.id}/claim", data={
        "confirm": "1", _line_field(scene, "approved"): "30000"})
    assert response.status_code == 422
    assert f'id="{_line_field(scene, "approved")}-error"' in response.get_data(as_text=True)


def test_preview_then_approve_a_cut_with_a_reason(make_project, client, login_as,
                                                  audit_actions, mailbox):
    scene = submitted_project(make_project, advance_percent=30)
    project = scene.project
    accept(scene)
    login_as(scene.officer)
    url = f"/reports/{scene.report.id}/claim"
    data = {_line_field(scene, "approved"): "20000",
            _line_field(scene, "reason"): "Työaikakirjanpito puuttuu kahdelta kuukaudelta."}
    totals = claims.totals([20_000_00], [], project.support_basis_points)
    pay = claims.payment(totals.support_cents, project.granted_cents, 0, project.advance_cents,
                         0)
    preview = client.post(url, data={**data, "confirm": "0"})
    assert preview.status_code == 200
    html = preview.get_data(as_text=True)
    from app.core.money import format_money

    assert format_money(pay.payable_cents).replace("\xa0", " ") in html.replace("\xa0", " ")
    assert 'name="confirm" value="1"' in html and "data-confirm=" in html
    db.session.refresh(scene.claim)
    assert scene.claim.state == ClaimState.submitted  # a preview saves nothing

    done = client.post(url, data={**data, "confirm": "1"})
    assert done.status_code == 302
    db.session.refresh(scene.claim)
    line = scene.claim.lines[0]
    assert scene.claim.state == ClaimState.approved
    assert line.approved_cents == 20_000_00 and line.cut_reason.startswith("Työaikakirjanpito")
    assert scene.claim.approved_support_cents == pay.capped_support_cents
    assert scene.claim.advance_deducted_cents == pay.advance_deducted_cents
    assert scene.claim.payable_cents == pay.payable_cents
    assert "claim.approved" in audit_actions()
    mail = mailbox.last(to=scene.writer.email)
    assert mail["Subject"].startswith("Payment claim approved")
    assert project.name in mail["Subject"]
    # approved: the page is closed to everyone now
    assert client.get(url).status_code == 403


def test_the_report_page_carries_the_officer_actions(make_project, client, login_as):
    scene = submitted_project(make_project)
    login_as(scene.officer)
    html = client.get(f"/reports/{scene.report.id}").get_data(as_text=True)
    assert f'action="/reports/{scene.report.id}/accept"' in html
    assert f'action="/reports/{scene.report.id}/return"' in html
    login_as(scene.writer)
    html = client.get(f"/reports/{scene.report.id}").get_data(as_text=True)
    assert "/accept" not in html and f'action="/reports/{scene.report.id}/return"' not in html
    accept(scene)
    login_as(scene.officer)
    html = client.get(f"/reports/{scene.report.id}").get_data(as_text=True)
    assert f'href="/reports/{scene.report.id}/claim"' in html and "/accept" not in html
