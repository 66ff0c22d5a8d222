"""The demo calls and applications: varied, consistent with the rules, and idempotent."""

from sqlalchemy import func, select

from app.applications import sections
from app.applications.models import Application, ApplicationState
from app.calls import budget
from app.calls.models import Call, CallPhase, FundingModel
from app.demo import calls_data
from app.demo.seed import seed_demo


def test_demo_calls_and_applications(db):
    summary = seed_demo(db.session)
    db.session.commit()
    assert summary.created["calls"] == len(calls_data.CALLS) + len(calls_data.APPLICATIONS)
    calls = list(db.session.scalars(select(Call)))
    assert {c.phase() for c in calls} == {CallPhase.open, CallPhase.upcoming, CallPhase.closed}
    for call in calls:
        assert call.weight_total == 100
    open_call = next(c for c in calls if c.phase() == CallPhase.open)
    # The centre was renamed in the reform of 2026; its calls of that year carry the new name.
    assert open_call.organisation.name == "Etelä-Savon elinvoimakeskus"
    assert open_call.authority_label == "Etelä-Savon elinvoimakeskus"
    applications = list(db.session.scalars(select(Application)))
    assert len(applications) >= 8
    states = {a.state for a in applications}
    assert states >= {ApplicationState.draft, ApplicationState.submitted,
                      ApplicationState.in_review, ApplicationState.more_info_requested,
                      ApplicationState.supplemented, ApplicationState.approved,
                      ApplicationState.rejected}
    for application in applications:
        model = application.call.funding_model
        if application.revision_count and model == FundingModel.grant:
            # Every grant application submitted was complete, balanced and within the share.
            totals = sections.totals(application)
            assert totals.is_valid, (application.project_name, totals.problems)
            assert totals.flat_rate_cents == budget.flat_rate(totals.staff_cents)
        if application.revision_count:
            # ...and every application had what its funding model needs.
            problems = [p for p in sections.checklist(application, application.submitted_at)
                        if p.anchor not in ("section-status",)]
            assert not problems, (application.project_name, problems)
        if application.state == ApplicationState.approved:
            if model == FundingModel.service_voucher:
                assert application.granted_cents == 0  # the vouchers pay an approved provider
            else:
                assert 0 < application.granted_cents <= application.support_cents
    supplemented = next(a for a in applications if a.state == ApplicationState.supplemented)
    assert supplemented.revision_count == 2
    again = seed_demo(db.session)
    assert again.created["calls"] == 0
    assert db.session.scalar(select(func.count()).select_from(Application)) == len(applications)


def test_demo_pages_render_for_the_call_manager(db, client, login_as):
    from app.auth.models import User
    from app.demo.data import DOMAIN

    seed_demo(db.session)
    db.session.commit()
    manager = db.session.scalar(select(User).where(User.email == f"juha.pesonen@{DOMAIN}"))
    login_as(manager)
    call = db.session.scalar(select(Call).where(Call.title_fi.like("Uusia%")))
    page = client.get(f"/calls/{call.id}/applications")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "Työpaikat mukaan" in html and "Rekrytointisilta" not in html  # drafts hidden
    for application in db.session.scalars(select(Application).where(
            Application.call_id == call.id, Application.state != ApplicationState.draft)):
        assert client.get(f"/calls/applications/{application.id}").status_code == 200
        assert client.get(f"/calls/applications/{application.id}/print").status_code == 200
    assert client.get("/calls").status_code == 200
    assert client.get("/feeds/calls.atom").status_code == 200
