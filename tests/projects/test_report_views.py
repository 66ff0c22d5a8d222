"""The report pages through HTTP: who sees the form and who the read-only report, saving
(plain POST and htmx autosave), refused numbers, stale saves, submitting with and without
problems, the revisions page, the ELY-centre's comments, and the page's query count."""

from __future__ import annotations

import re

import pytest
from sqlalchemy import select

from app.applications.models import StaffCostKind, StaffLine
from app.core.audit import AuditLog
from app.extensions import db
from app.organisations.services import forget_memberships
from app.projects import indicators, services
from app.projects.models import Report, ReportState
from app.projects.report_forms import figure_layout, indented_keys
from tests.fixtures.projects import after_period, fill_report, officer_of, writer_of
from tests.projects.test_report_services import build_world, outcome_project

HX = {"HX-Request": "true"}
DONE = "Valmennusta ja työnantajakäyntejä Kainuussa."


@pytest.fixture
def world(db, make_call, make_user, make_organisation, add_member, make_application):
    return build_world(db, make_call, make_user, make_organisation, add_member, make_application)


def _url(report, action: str = "") -> str:
    return f"/reports/{report.id}" + (f"/{action}" if action else "")


def _text(response) -> str:
    return response.get_data(as_text=True)


def _reload(report) -> Report:
    db.session.expire_all()
    return db.session.get(Report, report.id)


def _data(report, **overrides) -> dict:
    """The whole form, complete and consistent (tests/fixtures/projects.py's fill_report), with
    the report's current version and 6 months on each staff line."""
    values = fill_report(report)
    data = {**values.narrative, "done": DONE,
            **{key: str(values.figures.get(key, 0)) for key in indicators.FIELDS},
            "version": str(report.lock_version)}
    claim = report.claim
    for line in claim.lines if claim is not None else ():
        data[f"line-{line.id}-months"] = "6"
        data[f"line-{line.id}-fte"] = "100"
        data[f"line-{line.id}-salary"] = "4 000,00"
    data.update(overrides)
    return data


def _opened(client, login_as, report, person=None):
    """The writer (by default) opens the report: the claim's lines are made then."""
    login_as(person or writer_of(report.project))
    assert client.get(_url(report)).status_code == 200
    return _reload(report)


# --- who sees what ---------------------------------------------------------------------------


def test_the_layout_has_every_figure_once_and_indents_the_of_whom_figures():
    keys = [key for _s, _legend, groups in figure_layout() for g in groups for key in g.keys]
    assert sorted(keys) == sorted(indicators.FIELDS)
    assert indented_keys() == {"long_term_unemployed", "wage_subsidy", "wage_subsidy_6m"}
    participants = next(groups for s, _l, groups in figure_layout() if s == "participants")
    status = next(g for g in participants if str(g.legend) == "Labour-market status at entry")
    assert status.keys == ("unemployed", "long_term_unemployed", "inactive", "employed_at_entry")


@pytest.mark.parametrize(("actor", "expected"), [
    ("lead_owner", "form"), ("lead_editor", "form"), ("lead_member", "read"),
    ("partner_member", "read"), ("officer", "read"), ("conflicted_officer", "read"),
    ("observer", "read"), ("outsider", 404), ("anonymous", 302)])
def test_who_sees_the_form_and_who_the_report(client, login_as, world, actor, expected):
    project, people = world
    report = project.reports[0]
    services.save_report(people["lead_owner"], report, fill_report(report))
    db.session.commit()
    if actor != "anonymous":
        login_as(people[actor])
    response = client.get(_url(report))
    if expected == 302:
        assert response.status_code == 302 and "/login" in response.location
        return
    if expected == 404:
        assert response.status_code == 404
        assert "Valmennusta" not in _text(response)
        return
    assert response.status_code == 200
    html = _text(response)
    assert "Progress report 1: Töihin yhdessä" in html
    assert "Valmennusta ja työnantajakäyntejä." in html
    if expected == "form":
        assert 'id="report-form"' in html and 'name="version"' in html
        assert 'name="done"' in html and 'name="started"' in html
        assert f'name="line-{_reload(report).claim.lines[0].id}-months"' in html
        assert 'id="report-view"' not in html
    else:
        assert 'id="report-form"' not in html and 'name="done"' not in html
        assert 'id="report-view"' in html
        assert _reload(report).claim is None  # a reader's visit writes nothing
        assert "Participants who started" in html


def test_an_unknown_report_is_404(client, login_as, make_project):
    project = make_project()
    login_as(writer_of(project))
    assert client.get("/reports/999999").status_code == 404
    assert client.post("/reports/999999", data={}).status_code == 404


def test_readers_may_not_save_or_submit(client, login_as, world):
    project, people = world
    report = project.reports[0]
    for actor, code in (("lead_member", 403), ("partner_member", 403), ("officer", 403),
                        ("observer", 403), ("outsider", 404)):
        login_as(people[actor])
        for action in ("", "submit"):
            response = client.post(_url(report, action), data=_data(report))
            assert response.status_code == code, (actor, action)
        assert client.post(_url(report), data=_data(report), headers=HX).status_code == code
    assert _reload(report).done == ""


def test_the_header_says_period_due_state_and_overdue(client, login_as, make_project, monkeypatch):
    project = make_project()
    report = project.reports[-1]
    login_as(writer_of(project))
    html = _text(client.get(_url(report)))
    assert "Final report: Töihin yhdessä" in html and "Draft" in html
    assert 'id="report-overdue"' not in html
    monkeypatch.setattr("app.core.clock.now", lambda: after_period(report, days=61))
    html = _text(client.get(_url(report)))
    assert 'id="report-overdue"' in html and "Overdue" in html
    assert "Submit the report" in html and "data-confirm" in html


# --- saving ------------------------------------------------------------------------------------


def test_the_form_saves_and_comes_back(client, login_as, make_project, audit_actions):
    project = make_project()
    report = _opened(client, login_as, project.reports[0])
    line = report.claim.lines[0]
    response = client.post(_url(report), data=_data(report, **{
        f"line-{line.id}-months": "6,5", f"line-{line.id}-salary": "3 800,50",
        "started": "12", "women": "6", "men": "6", "age_18_29": "6", "age_30_54": "6",
        "unemployed": "12", "isced_0_2": "12"}))
    assert response.status_code == 302
    assert response.location.endswith(f"/reports/{report.id}#report-form")
    report = _reload(report)
    assert report.done == DONE and report.figures["started"] == 12
    line = report.claim.lines[0]
    assert (line.months_centi, line.fte_centi, line.monthly_salary_cents) == (650, 10000, 3_800_50)
    assert line.claimed_cents == 24_703_25  # 6.5 x 100 % x 3 800,50 €
    assert "report.saved" in audit_actions()
    html = _text(client.get(_url(report)))
    assert "The report has been saved." in html
    assert 'value="6,5"' in html and 'value="3800,50"' in html
    assert "24,703.25" in html  # the claimed amount, and the totals:
    assert "34,584.55" in html  # + 40 % flat rate
    assert "27,667.64" in html  # support at 80 %


def test_a_refused_number_is_tied_to_its_field_and_everything_typed_stays(client, login_as,
                                                                          make_project):
    project = make_project()
    report = _opened(client, login_as, project.reports[0])
    line = report.claim.lines[0]
    response = client.post(_url(report), data=_data(report, women="1,5", **{
        f"line-{line.id}-months": "kuusi", "problems": "Ohjauksia tuli hitaasti, 3 kpl."}))
    assert response.status_code == 422
    html = _text(response)
    assert re.search(r'<p class="error" id="women-error">Enter a whole number\.', html)
    assert re.search(r'<input[^>]*aria-describedby="women-error"[^>]*aria-invalid="true"'
                     r'[^>]*id="women"[^>]*value="1,5"', html)
    assert f'id="line-{line.id}-months-error"' in html
    assert 'value="kuusi"' in html
    assert "Ohjauksia tuli hitaasti, 3 kpl." in html and DONE in html
    assert 'href="#women"' in html and f'href="#line-{line.id}-months"' in html
    assert "Projektipäällikkö: Months worked in the period" in html  # the summary names the line
    for bad in ("-3", "1e3", "NaN", "３"):
        response = client.post(_url(report), data=_data(report, started=bad))
        assert response.status_code == 422, bad
    report = _reload(report)
    assert report.done == "" and report.figures == {} and report.lock_version == 1


def test_a_stale_save_is_refused_and_says_nothing_was_saved(client, login_as, make_project):
    project = make_project()
    report = _opened(client, login_as, project.reports[0])
    opened = _data(report)
    assert client.post(_url(report), data=_data(report, done="Ensimmäinen.")).status_code == 302
    response = client.post(_url(report), data={**opened, "done": "Toinen, vanhasta lomakkeesta."})
    assert response.status_code == 409
    html = _text(response)
    assert "Your changes were not saved" in html
    assert "Toinen, vanhasta lomakkeesta." in html  # what was typed is still in the form
    current = _reload(report)
    assert current.done == "Ensimmäinen."
    assert f'name="version" type="hidden" value="{current.lock_version}"' in html


# --- autosave ----------------------------------------------------------------------------------


def test_autosave_answers_with_the_status_the_version_and_the_claim(client, login_as,
                                                                    make_project):
    project = make_project()
    report = _opened(client, login_as, project.reports[0])
    line = report.claim.lines[0]
    version = report.lock_version
    opened = _data(report)
    response = client.post(_url(report), data=opened, headers=HX)
    assert response.status_code == 200
    html = _text(response)
    assert "Saved at" in html and "Not saved" not in html
    assert (f'<input type="hidden" name="version" value="{version + 1}" id="version" '
            'hx-swap-oob="true">') in html
    assert f'id="line-{line.id}-figures" hx-swap-oob="true"' in html
    assert "24,000.00" in html  # 6 x 4 000 € claimed on the line
    assert 'id="report-claim-totals"' in html
    assert "<form" not in html  # the inputs being typed in are never replaced
    assert _reload(report).lock_version == version + 1

    refused = client.post(_url(report), data=_data(_reload(report), women="kolme"), headers=HX)
    assert refused.status_code == 422
    assert "Not saved: Women: Enter a number, for example 1 234,56." in _text(refused)
    assert 'name="version"' not in _text(refused)

    stale = client.post(_url(report), data={**opened, "done": "Vanha."}, headers=HX)
    assert stale.status_code == 409
    assert "Not saved: Someone else saved this report" in _text(stale)
    assert "were not saved" in _text(stale)
    assert _reload(report).done == DONE


def test_autosave_of_a_submitted_report_is_forbidden(client, login_as, make_project):
    project = make_project()
    report = _opened(client, login_as, project.reports[0])
    data = _data(report)
    services.save_report(writer_of(project), report, fill_report(report))
    services.submit_report(writer_of(project), report, now=after_period(report))
    db.session.commit()
    response = client.post(_url(report), data=data, headers=HX)
    assert response.status_code == 403
    assert response.headers["HX-Reswap"] == "none" and response.headers["X-Error-Message"]


# --- submitting --------------------------------------------------------------------------------


def test_submitting_with_problems_lists_them_linked_to_their_fields(client, login_as,
                                                                    make_project, monkeypatch):
    project = make_project()
    report = _opened(client, login_as, project.reports[0])
    monkeypatch.setattr("app.core.clock.now", lambda: after_period(report))
    response = client.post(_url(report, "submit"), data=_data(report, done="", women="2"))
    assert response.status_code == 422
    html = _text(response)
    assert "The report cannot be submitted yet" in html
    assert '<a href="#done">Describe what was done in the period.</a>' in html
    assert re.search(r'<a href="#women">Gender: Women \+ Men \+ Other gender or not stated = 7, '
                     r'which is 3 less than Participants who started \(10\)\.</a>', html)
    assert 'id="women-error"' in html and 'value="2"' in html
    report = _reload(report)
    assert report.state == ReportState.draft and report.revision_count == 0
    assert report.figures["women"] == 2  # what the form held was saved first
    assert f'name="version" type="hidden" value="{report.lock_version}"' in html


def test_submitting_before_the_period_has_ended_is_refused(client, login_as, make_project):
    project = make_project()
    report = _opened(client, login_as, project.reports[0])
    response = client.post(_url(report, "submit"), data=_data(report))
    assert response.status_code == 422
    assert "A report can be submitted once its period has ended." in _text(response)
    assert _reload(report).state == ReportState.draft


def test_submitting_mails_the_call_managers_and_locks_the_report(
        client, login_as, world, mailbox, audit_actions, monkeypatch):
    project, people = world
    report = _opened(client, login_as, project.reports[0])
    monkeypatch.setattr("app.core.clock.now", lambda: after_period(report))
    response = client.post(_url(report, "submit"), data=_data(report))
    assert response.status_code == 302 and response.location.endswith(_url(report))
    report = _reload(report)
    assert report.state == ReportState.submitted and report.revision_count == 1
    assert report.claim.claimed_eligible_cents == 24_000_00 * 140 // 100
    assert audit_actions()[-2:] == ["report.saved", "report.submitted"]
    officer = people["officer"]
    mail = mailbox.last(to=officer.email)
    assert mailbox.link(mail, f"/reports/{report.id}")
    assert mailbox.messages(to=people["conflicted_officer"].email) == []
    assert mailbox.messages(to=people["lead_owner"].email) == []
    html = _text(client.get(_url(report)))
    assert "has been submitted to the funding authority" in html
    assert 'id="report-form"' not in html and 'id="report-view"' in html
    assert client.post(_url(report), data=_data(report)).status_code == 403
    # the officer reads the figures and the claim
    forget_memberships()
    login_as(officer)
    html = _text(client.get(_url(report)))
    assert 'id="report-view"' in html and DONE in html and "Submit the report" not in html
    claim = html[html.index('id="claim"'):]
    assert "Projektipäällikkö" in claim and "6 months × 100 % × 4,000.00\xa0€" in claim
    for amount in ("24,000.00", "33,600.00", "26,880.00"):  # staff, +40 %, support at 80 %
        assert amount in claim


# --- revisions and comments -----------------------------------------------------------------


def _returned(client, login_as, project, monkeypatch, comments):
    report = _opened(client, login_as, project.reports[0])
    monkeypatch.setattr("app.core.clock.now", lambda: after_period(report))
    assert client.post(_url(report, "submit"), data=_data(report)).status_code == 302
    forget_memberships()
    services.return_report(officer_of(project), _reload(report), comments)
    db.session.commit()
    return _reload(report)


def test_comments_are_shown_beside_their_sections_after_a_return(client, login_as,
                                                                 make_project, monkeypatch):
    project = make_project()
    report = _returned(client, login_as, project, monkeypatch, {
        "participants": "Ikäjakauma ei täsmää hakemukseen.",
        "claim": "Liitä palkkalaskelmat."})
    html = _text(client.get(_url(report)))
    assert 'id="report-returned"' in html and "returned this report for corrections" in html
    assert 'id="report-form"' in html  # editable again
    for section, text in (("participants", "Ikäjakauma ei täsmää hakemukseen."),
                          ("claim", "Liitä palkkalaskelmat.")):
        assert f'href="#comment-{section}"' in html
        box = html.index(f'id="comment-{section}"')
        assert html.index(f'id="section-{section}"' if section == "participants"
                          else 'id="claim"') < box
        assert text in html[box:box + 400]
    assert 'id="comment-narrative"' not in html


def test_the_revisions_page_shows_what_changed(client, login_as, make_project, monkeypatch):
    project = make_project()
    report = _returned(client, login_as, project, monkeypatch,
                       {"narrative": "Kerro työnantajista."})
    line = report.claim.lines[0]
    response = client.post(_url(report, "submit"), data=_data(report, **{
        "done": DONE.replace("Kainuussa", "Kainuussa ja Oulussa"), "started": "12",
        "women": "7", "men": "5", "age_18_29": "6", "age_30_54": "6", "unemployed": "12",
        "isced_0_2": "12", f"line-{line.id}-months": "5"}))
    assert response.status_code == 302
    assert _reload(report).revision_count == 2
    html = _text(client.get(_url(report, "revisions")))
    assert "Changes from revision 1 to revision 2" in html
    changes = html[html.index('<div class="diff">'):html.index("<details>")]
    assert "Kainuussa<ins> ja Oulussa</ins>." in changes
    assert re.search(r"<th scope=\"row\">Participants who started</th>\s*"
                     r"<td class=\"money\">10</td>\s*<td class=\"money\">12</td>", html)
    assert re.search(r"Projektipäällikkö</th>\s*<td class=\"money\">24,000.00\xa0€</td>\s*"
                     r"<td class=\"money\">20,000.00\xa0€</td>", html)
    assert ">Men</th>" not in changes and "Problems" not in changes  # unchanged
    assert html.count('<div class="diff">') == 1  # revision 1 has nothing to compare with
    # whoever may read the report may read its revisions; nobody else
    forget_memberships()
    login_as(officer_of(project))
    assert client.get(_url(report, "revisions")).status_code == 200


# --- outcome-based and voucher calls -----------------------------------------------------------


def test_outcome_counts_are_entered_per_fee_and_stage(client, login_as, make_call, make_project):
    project = outcome_project(db, make_call, make_project)
    report = _opened(client, login_as, project.reports[0])
    employment, business = project.call.fees
    html = _text(client.get(_url(report)))
    assert f'name="outcome-{employment.id}:0"' in html and f'name="outcome-{business.id}:0"' in html
    assert 'id="claim"' not in html  # no staff lines in an outcome-based claim
    response = client.post(_url(report), data=_data(report, **{
        f"outcome-{employment.id}:0": "3", f"outcome-{employment.id}:1": "1",
        f"outcome-{business.id}:0": "0"}), headers=HX)
    assert response.status_code == 200
    assert "2,700.00" in _text(response)  # 3 x 900 € out of band
    report = _reload(report)
    assert report.outcomes == {f"{employment.id}:0": 3, f"{employment.id}:1": 1,
                               f"{business.id}:0": 0}
    assert services.claim_totals(report.claim).support_cents == 4_800_00


def test_voucher_figures_are_entered_per_provider(client, login_as, make_project):
    project = make_project(funding_model="service_voucher")
    report = _opened(client, login_as, project.reports[0])
    lead = project.organisation_id
    html = _text(client.get(_url(report)))
    assert 'name="vouchers-issued"' in html and f'name="voucher-{lead}-redeemed"' in html
    response = client.post(_url(report), data=_data(report, **{
        "vouchers-issued": "10", f"voucher-{lead}-redeemed": "8", f"voucher-{lead}-completed": "6",
        f"voucher-{lead}-employed": "3", f"voucher-{lead}-education": "x"}))
    assert response.status_code == 422
    html = _text(response)
    assert f'id="voucher-{lead}-education-error"' in html and 'value="x"' in html
    assert f"{project.organisation.name}: In education after the service" in html
    response = client.post(_url(report), data=_data(report, **{
        "vouchers-issued": "10", f"voucher-{lead}-redeemed": "8", f"voucher-{lead}-completed": "6",
        f"voucher-{lead}-employed": "3", f"voucher-{lead}-education": "1"}))
    assert response.status_code == 302
    assert _reload(report).vouchers == {"issued": 10, "providers": {str(lead): {
        "redeemed": 8, "completed": 6, "employed": 3, "education": 1}}}


# --- queries -----------------------------------------------------------------------------------


def _lines(project, count: int) -> None:
    application = project.application
    for n in range(count):
        application.staff_lines.append(StaffLine(
            role=f"Työhönvalmentaja {n + 1}", kind=StaffCostKind.monthly, months_centi=1200,
            fte_centi=5000, monthly_salary_cents=3_000_00, position=10 + n))
    db.session.commit()


@pytest.mark.parametrize("reader", ["writer", "officer"])
def test_the_report_page_does_not_query_per_claim_line(client, login_as, make_project,
                                                       count_queries, reader):
    counts = []
    for extra in (0, 6):
        project = make_project()
        _lines(project, extra)
        report = _opened(client, login_as, project.reports[0])
        assert len(report.claim.lines) == 1 + extra
        person = writer_of(project) if reader == "writer" else officer_of(project)
        login_as(person)
        client.get(_url(report))
        with count_queries() as counter:
            assert client.get(_url(report)).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_submitted_claim_is_in_the_audit_log(client, login_as, make_project, monkeypatch):
    project = make_project()
    report = _opened(client, login_as, project.reports[0])
    monkeypatch.setattr("app.core.clock.now", lambda: after_period(report))
    client.post(_url(report, "submit"), data=_data(report))
    entry = db.session.scalar(select(AuditLog).where(AuditLog.action == "report.submitted"))
    assert entry is not None and entry.organisation_id == project.organisation_id
