"""Group projects: co-implementers' parts of the budget, who edits which part, the sum, the
checklist naming the organisation, revisions, and a constant number of queries."""

from __future__ import annotations

import pytest

from app.applications import permissions, revisions, sections
from app.applications import services as applications
from app.applications.models import ApplicationPartner, StaffLine
from app.calls.budget import LineValues
from app.core.domain import DomainError, NotAllowed
from app.extensions import db as _db
from app.organisations.models import Role
from tests.fixtures.calls import add_partner, forget_memberships

HX = {"HX-Request": "true"}


def _url(application, suffix=""):
    return f"/calls/applications/{application.id}{suffix}"


def _line(role="Valmentaja", months=1200, salary=300000):
    return LineValues(kind="monthly", role=role, months_centi=months, fte_centi=10000,
                      monthly_salary_cents=salary)


@pytest.fixture
def group(make_application, make_organisation, make_user, add_member, db):
    """A draft whose lead has a complete part, one accepted co-implementer (empty part), one
    accepted cooperation partner; their editors."""
    application = make_application()
    lead_owner = application.organisation.memberships[0].user
    co_editor, coop_editor = make_user(), make_user()
    co_org = make_organisation(name="Osatoteuttaja ry", type="municipality")
    coop_org = make_organisation(name="Työnantaja Oy", type="employer")
    add_member(co_org, co_editor, Role.editor)
    add_member(coop_org, coop_editor, Role.editor)
    co = add_partner(lead_owner, application, co_org, co_editor, kind="co_implementer")
    coop = add_partner(lead_owner, application, coop_org, coop_editor, kind="cooperation")
    db.session.commit()
    forget_memberships()
    return application, lead_owner, co, co_editor, coop, coop_editor


def test_who_edits_which_part(group):
    application, lead_owner, co, co_editor, coop, coop_editor = group
    assert permissions.can_edit_part(lead_owner, application, None)
    assert permissions.can_edit_part(lead_owner, application, co)  # the lead edits every part
    assert permissions.can_edit_part(co_editor, application, co)
    assert not permissions.can_edit_part(co_editor, application, None)
    assert not permissions.can_edit_part(coop_editor, application, coop)  # no part at all
    assert not permissions.can_edit_part(lead_owner, application, coop)
    assert permissions.editable_parts(co_editor, application) == [co]


def test_services_check_the_part_actor(group, db):
    application, lead_owner, co, co_editor, coop, coop_editor = group
    with pytest.raises(NotAllowed):
        applications.add_line(co_editor, application, _line())  # the lead's part
    with pytest.raises(DomainError):
        applications.add_line(coop_editor, application, _line(), partner=coop)
    line = applications.add_line(co_editor, application, _line("Kunnan valmentaja"), partner=co)
    db.session.commit()
    assert line.partner_id == co.id
    lead_line = next(x for x in application.staff_lines if x.partner_id is None)
    with pytest.raises(NotAllowed):
        applications.update_line(co_editor, lead_line, _line("Kaapattu"))
    with pytest.raises(NotAllowed):
        applications.save_part_figures(coop_editor, application, None, {"revenue_cents": 1})


def test_the_project_budget_sums_the_parts_and_the_checklist_names_the_org(group, db):
    application, lead_owner, co, co_editor, *_ = group
    problems = [str(p.message) for p in sections.checklist(application)]
    assert any("Osatoteuttaja ry" in m and "staff cost line" in m for m in problems)
    assert not any("Työnantaja Oy" in m for m in problems)  # a cooperation partner has no part
    applications.add_line(co_editor, application, _line("Valmentaja", 1000, 300000), partner=co)
    # 10 x 3 000 = 30 000 + 12 000 flat rate + 500 participants - 0 = 42 500 €; municipality
    # share 80 % (the default) -> plan: 34 000 support + 8 500 own public.
    applications.save_part_figures(co_editor, application, co, {
        "participant_costs_cents": 500_00, "support_cents": 34_000_00,
        "own_public_cents": 8_500_00})
    db.session.commit()
    result = sections.totals(application)
    assert [p.name for p in result.parts] == [application.organisation.name, "Osatoteuttaja ry"]
    assert result.parts[1].totals.total_cents == 42_500_00
    assert result.total_cents == 134_400_00 + 42_500_00
    assert result.support_cents == application.support_cents + 34_000_00
    assert application.requested_support_cents == result.support_cents
    assert application.group_plan["own_public"] == 8_500_00
    assert not [p for p in sections.checklist(application) if "Osatoteuttaja" in str(p.message)]
    snap = revisions.snapshot(application)
    assert [p["name"] for p in snap["budget"]["parts"]] == [application.organisation.name,
                                                            "Osatoteuttaja ry"]
    assert snap["budget"]["total_cents"] == result.total_cents
    # An unbalanced part is named.
    applications.save_part_figures(lead_owner, application, co, {"own_public_cents": 0})
    messages = [str(p.message) for p in sections.checklist(application)]
    assert any(m.startswith("Osatoteuttaja ry:") and "short" in m for m in messages)


def test_removing_a_co_implementer_removes_its_part(group, db):
    application, lead_owner, co, co_editor, *_ = group
    applications.add_line(co_editor, application, _line(), partner=co)
    db.session.commit()
    before = len(application.staff_lines)
    applications.remove_partner(lead_owner, co)
    db.session.commit()
    assert len(application.staff_lines) == before - 1
    assert all(line.partner_id is None for line in application.staff_lines)
    assert _db.session.query(StaffLine).filter_by(partner_id=co.id).count() == 0


def test_one_staff_cost_model(group, db):
    application, lead_owner, *_ = group
    hourly = LineValues(kind="hourly", role="Tunti", hours_centi=100_00, fte_centi=5000,
                        annual_salary_cents=40_000_00)
    with pytest.raises(DomainError) as refused:
        applications.add_line(lead_owner, application, hourly)
    assert refused.value.field == "kind"
    with pytest.raises(DomainError) as refused:
        applications.set_staff_cost_model(lead_owner, application, "hourly")
    assert refused.value.field == "staff_cost_model" and "1" in str(refused.value.message)
    for line in list(application.staff_lines):
        applications.delete_line(lead_owner, line)
    applications.set_staff_cost_model(lead_owner, application, "hourly")
    # 24 months x 50 % -> at most 1 720 h
    too_many = LineValues(kind="hourly", role="Tunti", hours_centi=1720_01, fte_centi=5000,
                          annual_salary_cents=40_000_00)
    with pytest.raises(DomainError) as refused:
        applications.add_line(lead_owner, application, too_many)
    assert refused.value.field == "hours_centi" and "1" in str(refused.value.message)
    applications.add_line(lead_owner, application, LineValues(
        kind="hourly", role="Tunti", hours_centi=1720_00, fte_centi=5000,
        annual_salary_cents=40_000_00))
    db.session.commit()
    # Shorter dates: re-checked at submission, the problem names the line.
    from datetime import date
    application.end_date = date(2027, 8, 31)  # 12 months -> at most 860 h
    db.session.commit()
    messages = [str(p.message) for p in sections.checklist(application)]
    assert any("Tunti" in m and "860" in m for m in messages)


def test_a_co_implementer_edits_its_part_over_http(client, login_as, group, db):
    application, lead_owner, co, co_editor, coop, coop_editor = group
    login_as(co_editor)
    page = client.get(_url(application)).get_data(as_text=True)
    assert f"/parts/{co.id}/lines" in page
    assert "/budget/lines\"" not in page and f"/parts/{coop.id}/" not in page
    prefix = f"part-{co.id}-new-line"
    response = client.post(_url(application, f"/parts/{co.id}/lines"), headers=HX, data={
        f"{prefix}-role": "Kunnan valmentaja", f"{prefix}-kind": "monthly",
        f"{prefix}-months": "10", f"{prefix}-fte": "100", f"{prefix}-monthly_salary": "3000"})
    assert response.status_code == 200
    assert [x.role for x in application.staff_lines if x.partner_id == co.id] == [
        "Kunnan valmentaja"]
    # Live totals of the part: nothing saved.
    response = client.post(_url(application, f"/parts/{co.id}/totals"), headers=HX, data={
        f"part-{co.id}-costs-support_cents": "1000"})
    assert response.status_code == 200 and "Osatoteuttaja ry" in response.get_data(as_text=True)
    assert co.support_cents == 0
    response = client.post(_url(application, f"/parts/{co.id}/figures"), headers=HX, data={
        f"part-{co.id}-costs-support_cents": "33 600", f"part-{co.id}-costs-own_cents": "8400",
        })
    assert response.status_code == 200
    _db.session.refresh(co)
    assert (co.support_cents, co.own_cents) == (33_600_00, 8_400_00)
    # Not the lead's part, nor the cooperation partner's (it has none).
    assert client.post(_url(application, "/budget/lines"), data={}).status_code == 403
    assert client.post(_url(application, "/budget/costs"), data={}).status_code == 403
    assert client.post(_url(application, f"/parts/{coop.id}/lines"), data={}).status_code == 403
    login_as(coop_editor)
    assert client.post(_url(application, f"/parts/{co.id}/figures"),
                       data={}).status_code == 403


def test_the_application_page_runs_the_same_queries_for_more_partners(
        client, login_as, make_application, make_organisation, make_user, add_member,
        count_queries, db):
    counts = []
    for size in (1, 4):
        application = make_application()
        owner = application.organisation.memberships[0].user
        for index in range(size):
            editor = make_user()
            org = make_organisation(name=f"Osa {size}-{index}")
            add_member(org, editor, Role.editor)
            partner = add_partner(owner, application, org, editor, kind="co_implementer")
            for _n in range(3):
                applications.add_line(owner, application, _line(), partner=partner)
        db.session.commit()
        forget_memberships()
        login_as(owner)
        _db.session.expire_all()
        with count_queries() as counter:
            assert client.get(_url(application)).status_code == 200
        counts.append(counter.count)
    assert counts[0] == counts[1], counts


def test_the_partner_kind_is_chosen_when_inviting(client, login_as, make_application,
                                                  make_organisation, db):
    application = make_application()
    owner = application.organisation.memberships[0].user
    employer = make_organisation(name="Työnantaja Oy", type="employer")
    login_as(owner)
    response = client.post(_url(application, "/partners"), data={
        "business_id": employer.business_id, "kind": "cooperation"})
    assert response.status_code == 302
    partner = _db.session.query(ApplicationPartner).filter_by(
        application_id=application.id).one()
    assert partner.kind == "cooperation"
    response = client.post(_url(application, "/partners"), headers=HX, data={
        "business_id": "1234567-1", "kind": "banker"})
    assert response.status_code == 422
