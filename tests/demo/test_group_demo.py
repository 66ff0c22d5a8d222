"""The budget rules in the demo data: every demo application past its draft has a budget
without problems and one staff-cost model; its partners are of the right kind; and the group
project (app/demo/group_data.py) sums its co-implementers' parts, which their own people edit
and nobody else's. Seeding again adds nothing."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.applications import permissions, sections
from app.applications.models import (
    Application,
    ApplicationPartner,
    ApplicationRevision,
    ApplicationState,
    PartnerKind,
    StaffLine,
)
from app.auth.models import User
from app.calls.models import FundingModel
from app.demo import calls_data, group_data
from app.demo.seed import seed_demo
from app.organisations.partnership import PartnerState
from app.organisations.services import forget_memberships

PAST_DRAFT = (ApplicationState.submitted, ApplicationState.in_review,
              ApplicationState.more_info_requested, ApplicationState.supplemented,
              ApplicationState.approved, ApplicationState.rejected)


@pytest.fixture
def seeded(db):
    summary = seed_demo(db.session)
    db.session.commit()
    forget_memberships()
    return summary


def _group(db) -> Application:
    return db.session.scalar(select(Application).where(
        Application.project_name == group_data.PROJECT_NAME))


def test_every_sent_demo_application_has_a_sound_budget(seeded, db):
    applications = list(db.session.scalars(select(Application).where(
        Application.state.in_(PAST_DRAFT))))
    grant = [a for a in applications if a.call.funding_model == FundingModel.grant]
    assert len(grant) >= 10  # the calls, reviews and projects demos, and the group project
    for application in grant:
        problems = [str(p.message) for p in sections.budget_problems(application)]
        assert not problems, f"{application.project_name}: {problems}"
        # The checklist may only name the clock (a closed call, a passed deadline).
        left = [p for p in sections.checklist(application)
                if p.anchor != "section-status"]
        assert not left, f"{application.project_name}: {[str(p.message) for p in left]}"
    # No demo application, draft or not, mixes the two staff-cost models.
    for application in db.session.scalars(select(Application)):
        kinds = {line.kind for line in application.staff_lines}
        assert kinds <= {application.staff_cost_model}, application.project_name
    assert any(line.kind.value == "hourly" for line in db.session.scalars(select(StaffLine)))


def test_demo_partners_have_the_right_kind(seeded, db):
    partners = list(db.session.scalars(select(ApplicationPartner)))
    for partner in partners:
        if partner.organisation.type == "employer":
            assert partner.kind == PartnerKind.cooperation, partner.organisation.name
        if partner.kind == PartnerKind.co_implementer and partner.state == PartnerState.accepted:
            # a co-implementer has a part: its own lines and a plan
            assert partner.staff_lines and partner.support_cents > 0, partner.organisation.name
    # the calls demo's partners are cooperation partners unless a kind is written out
    first = next(s for s in calls_data.APPLICATIONS if s.get("partners"))
    assert all(len(p) == 3 for p in first["partners"])


def test_the_group_project_sums_its_parts(seeded, db):
    application = _group(db)
    assert application is not None and application.state == ApplicationState.submitted
    assert application.call.is_national and application.call.funding_model == FundingModel.grant
    co = application.co_implementers
    coop = [p for p in application.accepted_partners if p.kind == PartnerKind.cooperation]
    assert sorted(p.organisation.name for p in co) == [
        "Järvi-Savon ammattiopisto", "Mikkelin seudun työllisyysalue"]
    assert [p.organisation.type for p in coop] == ["employer"]
    result = sections.totals(application)
    assert len(result.parts) == 3
    lead_part = sections.part_totals(application)
    part_totals = [sections.part_totals(application, p) for p in co]
    assert all(t.total_cents > 0 and t.plan_cents == t.total_cents for t in part_totals)
    assert result.total_cents == lead_part.total_cents + sum(t.total_cents for t in part_totals)
    assert result.staff_cents == sum(line.cost_cents for line in application.staff_lines)
    assert application.requested_support_cents == (
        application.support_cents + sum(p.support_cents for p in co))
    assert sum(application.group_plan.values()) == result.total_cents
    # every part's lines: the lead's two, the employment area's one, the school's two
    assert sorted(len(sections.part_lines(application, p.id)) for p in co) == [1, 2]
    assert len(sections.part_lines(application)) == 2
    # what was submitted is the whole group budget
    revision = db.session.scalar(select(ApplicationRevision).where(
        ApplicationRevision.application_id == application.id).order_by(
        ApplicationRevision.number.desc()).limit(1))
    snapshot = revision.content
    assert snapshot["budget"]["total_cents"] == result.total_cents
    assert len(snapshot["budget"]["parts"]) == 3


def _user(db, local: str) -> User:
    return db.session.scalar(select(User).where(User.email == calls_data._person(local)))


def test_each_co_implementer_edits_only_its_part(seeded, db):
    application = _group(db)
    by_key = {p.organisation.type: p for p in application.co_implementers}
    area, school = by_key["employment_area"], by_key["education"]
    coop = next(p for p in application.partners if p.kind == PartnerKind.cooperation)
    lead_editor = _user(db, "mikko.partanen")
    area_editor = _user(db, "janne.karhu")
    school_editor = _user(db, "tero.savolainen")
    # submitted: nobody edits, everyone on the applicant side sees it
    for user in (lead_editor, area_editor, school_editor):
        assert permissions.can_view_application(user, application)
        assert not permissions.editable_parts(user, application)
    # once the content is open again (more information asked for), each edits its own part
    application.state = ApplicationState.more_info_requested
    forget_memberships()
    assert permissions.editable_parts(lead_editor, application) == [None, *application
                                                                     .co_implementers]
    assert permissions.editable_parts(area_editor, application) == [area]
    assert permissions.editable_parts(school_editor, application) == [school]
    assert not permissions.can_edit_part(area_editor, application, school)
    assert not permissions.can_edit_part(area_editor, application, None)
    assert not permissions.can_edit_part(lead_editor, application, coop)  # no part at all
    db.session.rollback()


def test_seeding_again_adds_nothing(seeded, db):
    before = db.session.scalar(select(func.count()).select_from(Application))
    lines = db.session.scalar(select(func.count()).select_from(StaffLine))
    summary = seed_demo(db.session)
    db.session.commit()
    assert summary.created["group_project"] == 0 and summary.total == 0
    assert db.session.scalar(select(func.count()).select_from(Application)) == before
    assert db.session.scalar(select(func.count()).select_from(StaffLine)) == lines
    assert db.session.scalar(select(func.count()).select_from(Application).where(
        Application.project_name == group_data.PROJECT_NAME)) == 1
