"""Applications over HTTP: section saves (htmx and plain), the budget editor, hostile input,
submission, the content lock on every POST route, partners and tenant isolation."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from app.applications.models import ApplicationAttachment, ApplicationRevision, ApplicationState
from app.applications.revisions import snapshot
from app.core import clock
from app.extensions import db as _db
from app.organisations.models import Membership, Role
from tests.applications.test_workflow import _lead_owner
from tests.fixtures.calls import call_manager_of

HX = {"HX-Request": "true"}


@pytest.fixture
def draft(make_application, login_as):
    application = make_application(complete=False)
    owner = _lead_owner(application)
    login_as(owner)
    return application, owner


def _url(application, suffix=""):
    return f"/calls/applications/{application.id}{suffix}"


def test_section_saves_with_and_without_javascript(client, draft):
    application, _owner = draft
    response = client.post(_url(application, "/sections/background"),
                           data={"background": "Tarve on suuri."})
    assert response.status_code == 302
    assert response.headers["Location"].endswith("#section-background")
    assert application.background == "Tarve on suuri."
    response = client.post(_url(application, "/sections/method"),
                           data={"method": "1. Kartoitus"}, headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert 'id="section-method"' in html and 'hx-swap-oob="true"' in html  # the progress panel
    assert application.method == "1. Kartoitus"
    assert client.post(_url(application, "/sections/nonsense"), data={}).status_code == 404


def test_a_failed_save_changes_nothing(client, draft):
    application, _owner = draft
    response = client.post(_url(application, "/sections/duration"),
                           data={"start_date": "2027-05-01", "end_date": "2027-01-01"}, headers=HX)
    assert response.status_code == 422
    assert "end after it starts" in response.get_data(as_text=True)
    assert application.start_date is None


ABSURD = ["-5", "NaN", "sNaN", "-sNaN", "Infinity", "1e400", "12345678901234567890",
          "99999999999999999999,99", "kymmenen", "１２３", "12\x003", "\x00", "1,234.5",
          "0,001", "9" * 100_000]


@pytest.mark.parametrize("value", ABSURD)
@pytest.mark.parametrize("headers", [{}, HX])
def test_absurd_money_gets_a_message_never_a_500(client, draft, value, headers):
    application, _owner = draft
    response = client.post(_url(application, "/sections/funding"),
                           data={"support_cents": value, "own_cents": "100"}, headers=headers)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert 'class="error"' in html
    assert application.support_cents == 0 and application.own_cents == 0


@pytest.mark.parametrize("field,value", [
    ("months", "-1"), ("months", "NaN"), ("fte", "sNaN"), ("fte", "150"),
    ("monthly_salary", "1e400"), ("monthly_salary", "12345678901234567890"),
    ("hours", "Infinity"), ("annual_salary", "text"), ("months", "１２"), ("role", "a\x00b"),
])
def test_absurd_staff_line_input_gets_a_message(client, draft, field, value):
    application, _owner = draft
    data = {"new-line-role": "Valmentaja", "new-line-kind": "monthly", "new-line-months": "12",
            "new-line-fte": "100", "new-line-monthly_salary": "3000"}
    data[f"new-line-{field}"] = value
    for headers in ({}, HX):
        response = client.post(_url(application, "/budget/lines"), data=data, headers=headers)
        assert response.status_code == 422
        assert 'class="error"' in response.get_data(as_text=True)
    assert application.staff_lines == []


@pytest.mark.parametrize("value", ABSURD[:8])
def test_absurd_indicators_and_weights(client, draft, value):
    application, _owner = draft
    response = client.post(_url(application, "/sections/indicators"),
                           data={"target_participants": value})
    assert response.status_code == 422
    assert application.target_participants is None


def test_budget_editor_lines_and_live_totals(client, draft):
    application, _owner = draft
    response = client.post(_url(application, "/budget/lines"), headers=HX, data={
        "new-line-role": "Projektipäällikkö", "new-line-kind": "monthly",
        "new-line-months": "24", "new-line-fte": "100", "new-line-monthly_salary": "4 000,00"})
    assert response.status_code == 200
    line = application.staff_lines[0]
    assert (line.months_centi, line.fte_centi, line.monthly_salary_cents) == (2400, 10000, 400000)
    # One staff-cost model per application: an hourly line in a monthly budget is refused.
    response = client.post(_url(application, "/budget/lines"), data={
        "new-line-role": "Työhönvalmentaja", "new-line-kind": "hourly",
        "new-line-hours": "1720", "new-line-fte": "100", "new-line-annual_salary": "40000"})
    assert response.status_code == 422 and "staff-cost model" in response.get_data(as_text=True)
    response = client.post(_url(application, "/budget/lines"), data={
        "new-line-role": "Työhönvalmentaja", "new-line-kind": "monthly",
        "new-line-months": "10", "new-line-fte": "100", "new-line-monthly_salary": "4000"})
    assert response.status_code == 302
    assert [line.cost_cents for line in application.staff_lines] == [96_000_00, 40_000_00]
    # Live totals: nothing is saved, the answer is the totals fragment.
    response = client.post(_url(application, "/budget/totals"), headers=HX, data={
        "support_cents": "100 000", "municipal_cents": "", "other_public_cents": "",
        "private_cents": "", "own_cents": "90 400"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and "<html" not in html
    assert "190" in html and "400" in html  # 136 000 € staff + 54 400 € flat = 190 400 €
    assert application.support_cents == 0
    response = client.post(_url(application, "/budget/totals"), headers=HX,
                           data={"support_cents": "sNaN"})
    assert response.status_code == 200 and "not valid yet" in response.get_data(as_text=True)
    # A line being edited counts with its typed values.
    first = application.staff_lines[0]
    response = client.post(_url(application, "/budget/totals"), headers=HX, data={
        f"line-{first.id}-role": "PP", f"line-{first.id}-kind": "monthly",
        f"line-{first.id}-months": "12", f"line-{first.id}-fte": "100",
        f"line-{first.id}-monthly_salary": "4000"})
    assert response.status_code == 200
    response = client.post(_url(application, f"/budget/lines/{first.id}"), data={
        f"line-{first.id}-role": "Projektipäällikkö", f"line-{first.id}-kind": "monthly",
        f"line-{first.id}-months": "12", f"line-{first.id}-fte": "50",
        f"line-{first.id}-monthly_salary": "4000"})
    assert response.status_code == 302 and first.cost_cents == 24_000_00
    response = client.post(_url(application, f"/budget/lines/{first.id}/delete"), data={},
                           headers=HX)
    assert response.status_code == 200 and len(application.staff_lines) == 1


def test_plan_problems_are_explained_on_the_page(client, draft):
    application, _owner = draft
    client.post(_url(application, "/budget/lines"), data={
        "new-line-role": "PP", "new-line-kind": "monthly", "new-line-months": "12",
        "new-line-fte": "100", "new-line-monthly_salary": "1000"})
    # total 16 800 €; the plan is 1 200 € short
    client.post(_url(application, "/sections/funding"),
                data={"support_cents": "13 440", "own_cents": "2 160"})
    html = client.get(_url(application)).get_data(as_text=True)
    assert "short of the total cost" in html or "vajaa" in html


def test_submit_over_http_then_every_post_route_is_locked(client, app, make_application,
                                                          login_as, make_practice, make_user,
                                                          make_organisation, mailbox):
    application = make_application()
    owner = _lead_owner(application)
    practice = make_practice(organisation=application.organisation, published=True)
    login_as(owner)
    assert client.post(_url(application, "/practices"),
                       data={"practice": f"/practices/{practice.id}-x"}).status_code == 302
    partner_org = make_organisation(name="Kumppani ry")
    assert client.post(_url(application, "/partners"),
                       data={"business_id": partner_org.business_id,
                             "kind": "cooperation"}).status_code == 302
    partner = application.partners[0]
    partner_owner = _db.session.scalar(select(Membership).where(
        Membership.organisation_id == partner_org.id)).user
    login_as(partner_owner)
    accept = _url(application, f"/partners/{partner.id}/accept")
    assert client.post(accept, data={}).status_code == 302
    _db.session.add(ApplicationAttachment(
        application_id=application.id, filename="liite.pdf", stored_name="0" * 32 + ".pdf",
        content_type="application/pdf", size=10, sha256="0" * 64))
    _db.session.commit()
    login_as(owner)
    response = client.post(_url(application, "/submit"), data={})
    assert response.status_code == 302 and "/submitted" in response.headers["Location"]
    assert application.state == ApplicationState.submitted
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "Töihin yhdessä" in page
    assert {m["To"] for m in mailbox.messages()} >= {owner.email, partner_owner.email}

    before, version = snapshot(application), application.lock_version
    args = {"application_id": application.id, "line_id": application.staff_lines[0].id,
            "partner_id": partner.id, "link_id": application.practice_links[0].id,
            "attachment_id": application.attachments[0].id, "section": "background"}
    data = {"background": "MUUTETTU", "project_name": "MUUTETTU", "support_cents": "1",
            "business_id": partner_org.business_id, "practice": str(practice.id),
            "new-line-role": "X", "new-line-kind": "monthly", "new-line-months": "1",
            "new-line-fte": "1", "new-line-monthly_salary": "1"}
    checked = 0
    with app.test_request_context():
        from flask import url_for

        for rule in app.url_map.iter_rules():
            if not rule.endpoint.startswith("applications.") or "POST" not in rule.methods:
                continue
            if ("application_id" not in rule.arguments
                    or rule.endpoint == "applications.application_withdraw"):
                continue
            url = url_for(rule.endpoint, **{name: args[name] for name in rule.arguments})
            for who in (owner, partner_owner):
                login_as(who)
                for headers in ({}, HX):
                    response = client.post(url, data=dict(data), headers=headers)
                    assert response.status_code in (403, 404), (rule.endpoint, response.status_code)
                    checked += 1
    assert checked >= 2 * 2 * 14
    _db.session.expire_all()
    assert snapshot(application) == before and application.lock_version == version
    assert application.state == ApplicationState.submitted


def test_cross_tenant_access_answers_404(client, login_as, make_application, make_user,
                                         make_organisation, add_member):
    application = make_application(state="submitted")
    stranger = make_user()
    add_member(make_organisation(name="B ry"), stranger, Role.owner)
    login_as(stranger)
    for suffix in ("", "/print", "/revisions", "/compare?rev_a=1&rev_b=1", "/submit",
                   "/submitted", "/request-info", "/decide"):
        assert client.get(_url(application, suffix)).status_code == 404, suffix
    for suffix in ("/sections/background", "/withdraw", "/submit", "/budget/totals",
                   "/review", "/partners"):
        assert client.post(_url(application, suffix), data={}).status_code == 404, suffix
    # an ELY-centre that does not run the call sees nothing either
    other_manager = make_user()
    add_member(make_organisation(type="regional_authority"), other_manager, Role.member,
               call_manager=True)
    login_as(other_manager)
    assert client.get(_url(application)).status_code == 404
    assert client.get(f"/calls/{application.call_id}/applications").status_code == 404


def test_partner_members_read_but_do_not_submit(client, login_as, make_application,
                                                make_organisation, make_user, add_member):
    from app.applications import services as applications

    application = make_application()
    owner = _lead_owner(application)
    partner_org = make_organisation(name="Kumppani ry")
    editor, member = make_user(), make_user()
    add_member(partner_org, editor, Role.editor)
    add_member(partner_org, member, Role.member)
    now = application.call.opens_at + timedelta(hours=1)
    partner = applications.invite_partner(owner, application, partner_org, now=now)
    _db.session.commit()
    login_as(member)
    assert client.get(_url(application)).status_code == 200
    accept = _url(application, f"/partners/{partner.id}/accept")
    assert client.post(accept, data={}).status_code == 403
    login_as(editor)
    assert client.post(accept, data={}).status_code == 302
    for who in (editor, member):
        login_as(who)
        assert client.get(_url(application)).status_code == 200
        assert client.get(_url(application, "/submit")).status_code == 403
        assert client.post(_url(application, "/submit"), data={}).status_code == 403
        assert client.post(_url(application, "/sections/background"),
                           data={"background": "X"}).status_code == 403
    assert application.state == ApplicationState.draft


def test_closed_call_page_says_the_draft_can_no_longer_be_submitted(client, login_as,
                                                                     make_application, monkeypatch):
    application = make_application()
    login_as(_lead_owner(application))
    monkeypatch.setattr(clock, "now", lambda: application.call.closes_at + timedelta(minutes=1))
    page = client.get(_url(application)).get_data(as_text=True)
    assert "can no longer be submitted" in page or "ei voi enää" in page
    response = client.post(_url(application, "/submit"), data={})
    assert response.status_code == 422 and application.state == ApplicationState.draft
    assert _db.session.scalar(select(ApplicationRevision.id)) is None


def test_manager_request_info_and_decide_over_http(client, login_as, make_application):
    application = make_application(state="submitted")
    manager = call_manager_of(application.call)
    login_as(manager)
    assert client.post(_url(application, "/review"), data={}).status_code == 302
    assert application.state == ApplicationState.in_review
    response = client.post(_url(application, "/request-info"),
                           data={"message": "Tarkenna.", "deadline": "1.1.2000 12.00"})
    assert response.status_code == 422  # in the past
    response = client.post(_url(application, "/request-info"),
                           data={"message": "Tarkenna.", "deadline": "2099-01-01T12:00"})
    assert response.status_code == 302
    assert application.state == ApplicationState.more_info_requested
    login_as(_lead_owner(application))
    client.post(_url(application, "/sections/background"), data={"background": "Uusi teksti."})
    assert client.post(_url(application, "/submit"), data={}).status_code == 302
    assert application.state == ApplicationState.supplemented
    page = client.get(_url(application, "/compare?rev_a=1&rev_b=2")).get_data(as_text=True)
    assert "<ins>" in page and "<del>" in page
    login_as(manager)
    client.post(_url(application, "/review"), data={})
    # Decisions are proposed and confirmed on the decision page (tests/reviews): the former
    # address leads there, and before the close the page offers no proposal.
    response = client.get(_url(application, "/decide"))
    assert response.status_code == 302
    assert response.headers["Location"].endswith(_url(application, "/decision"))
    page = client.get(_url(application, "/decision")).get_data(as_text=True)
    assert "Decisions can be made after the call has closed" in page
    response = client.post(_url(application, "/decision/propose"), data={
        "outcome": "approve", "granted": "1e400", "justification": "Hyvä."})
    assert response.status_code == 422
    response = client.post(_url(application, "/decision/propose"), data={
        "outcome": "approve", "granted": "100 000", "approved_cost": "125 000",
        "justification": "Hyvä.", "language": "fi"})
    assert response.status_code == 422  # the call is still open
    assert "only after the call has closed" in response.get_data(as_text=True)
    assert application.state == ApplicationState.in_review


@pytest.mark.parametrize("headers,status", [({}, 409), (HX, 409)])
def test_a_save_that_raced_with_another_write_is_refused(client, draft, monkeypatch, headers,
                                                         status):
    """The row's lock_version moved between our read and our write: nothing is saved."""
    from sqlalchemy import text

    from app.applications import services as applications

    application, _owner = draft
    real = applications.save_section

    def racing(user, target, key, data, now=None, **kwargs):
        _db.session.execute(text("UPDATE application SET lock_version = lock_version + 1 "
                                 "WHERE id = :id"), {"id": target.id})
        return real(user, target, key, data, now, **kwargs)

    monkeypatch.setattr(applications, "save_section", racing)
    response = client.post(_url(application, "/sections/background"),
                           data={"background": "Kilpaileva tallennus"}, headers=headers)
    assert response.status_code == status
    # The typed text comes back in the form with both versions side by side.
    html = response.get_data(as_text=True)
    assert "Kilpaileva tallennus" in html
    assert "Someone else saved this part" in html
    _db.session.expire_all()
    assert application.background == ""


def test_attachments_upload_download_and_refusal(client, draft, app):
    import io

    application, _owner = draft
    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    response = client.post(_url(application, "/attachments"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(pdf), "budjetti.pdf")})
    assert response.status_code == 302
    attachment = application.attachments[0]
    assert attachment.filename == "budjetti.pdf" and attachment.size == len(pdf)
    download = client.get(_url(application, f"/attachments/{attachment.id}"))
    assert download.status_code == 200 and download.get_data() == pdf
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["X-Content-Type-Options"] == "nosniff"
    download.close()
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post(_url(application, "/attachments"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(svg), "kuva.svg")}, follow_redirects=True)
    assert response.status_code == 200 and len(application.attachments) == 1
    response = client.post(_url(application, "/attachments"), content_type="multipart/form-data",
                           data={"file": (io.BytesIO(b"not a pdf"), "vale.pdf")})
    assert response.status_code == 302 and len(application.attachments) == 1
    response = client.post(_url(application, f"/attachments/{attachment.id}/delete"), data={})
    assert response.status_code == 302 and application.attachments == []


def test_each_remove_button_names_what_it_removes(client, draft, make_organisation,
                                                  make_practice, make_user, add_member):
    """Partners, linked models and attachments each have a Remove button a screen reader
    can tell apart; the linked model links to its public page."""
    import io

    from app.applications import services as applications

    application, owner = draft
    now = application.call.opens_at + timedelta(hours=1)
    applications.invite_partner(owner, application, make_organisation(name="Kumppani ry"),
                                now=now)
    practice = make_practice(title="Työhönvalmennusmalli", published=True)
    applications.link_practice(owner, application, practice, now=now)
    _db.session.commit()
    client.post(_url(application, "/attachments"), content_type="multipart/form-data",
                data={"file": (io.BytesIO(b"%PDF-1.4\n%%EOF\n"), "budjetti.pdf")})
    html = client.get(_url(application)).get_data(as_text=True)
    for name in ("Kumppani ry", "Työhönvalmennusmalli", "budjetti.pdf"):
        assert f'Remove<span class="visually-hidden">: {name}</span>' in html
    assert f'href="/practices/{practice.id}-{practice.slug}"' in html
    assert 'data-confirm="Remove this partner?"' in html


@pytest.mark.parametrize("path", ["/sections/background", "/sections/background/autosave"])
def test_a_save_from_an_older_section_version_shows_both_texts(client, draft, path):
    """Two people start from one version: the second save is a 409 with both texts, theirs is
    kept in the database and mine stays in the form until I choose."""
    application, _owner = draft
    first = client.post(_url(application, "/sections/background/autosave"),
                        data={"background": "Ensimmäinen teksti", "section_version": "0"},
                        headers=HX)
    assert first.status_code == 200 and 'name="section_version" value="1"' in first.get_data(
        as_text=True)
    response = client.post(_url(application, path),
                           data={"background": "Toinen teksti", "section_version": "0"},
                           headers=HX)
    html = response.get_data(as_text=True)
    assert response.status_code == 409
    assert "Ensimmäinen teksti" in html and "Toinen teksti" in html
    assert 'name="keep_mine_version" value="1"' in html
    _db.session.expire_all()
    assert application.background == "Ensimmäinen teksti"
    kept = client.post(_url(application, path), headers=HX,
                       data={"background": "Toinen teksti", "keep_mine_version": "1"})
    assert kept.status_code == 200
    _db.session.expire_all()
    assert application.background == "Toinen teksti"
